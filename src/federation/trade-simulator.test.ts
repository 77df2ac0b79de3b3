import { describe, expect, it } from 'vitest';
import {
  checkDeclaration,
  type Declaration,
  defaultEnvironment,
  type GoodsItem,
  type Measure,
  type Money,
} from '../declarations/index.js';
import { ManualClock } from '../kernel/index.js';
import { convertUnit } from '../reference/index.js';
import {
  type Shipment,
  SHIPMENT_IRREGULARITY_KINDS,
  type ShipmentIrregularity,
  simulateTrade,
  type TradeOptions,
} from './trade-simulator.js';

const env = defaultEnvironment({ clock: new ManualClock(Date.parse('2026-01-01T00:00:00Z')) });
const LANES = [
  { from: 'NL', to: 'SG' },
  { from: 'SG', to: 'KE' },
  { from: 'KE', to: 'NL' },
];
const DAY_MS = 86_400_000;
/** Amounts are rounded to the cent: a ratio of two of them may stray this far from the exact one. */
const ROUNDING = 1e-4;

function take(count: number, options: Partial<TradeOptions> = {}): Shipment[] {
  const out: Shipment[] = [];
  for (const shipment of simulateTrade(env, { seed: 'mirror', lanes: LANES, ...options })) {
    out.push(shipment);
    if (out.length >= count) break;
  }
  return out;
}

const shipments = take(300);
const honest = shipments.filter((s) => s.irregularities.length === 0);
const irregular = take(300, { seed: 'all-irregular', irregularRate: 1 });

function subheading2022(item: GoodsItem): string {
  const code = item.hs!.code.slice(0, 6);
  if (item.hs!.edition !== 2017) return code;
  const translation = env.reference.hsCorrelation.translate({ from: 2017, to: 2022, code });
  expect(translation.exact).toBe(true);
  return translation.candidates[0]!;
}

function kg(mass: Measure | undefined): number {
  return convertUnit(mass!.value, mass!.unit, 'KGM');
}

/** Each side converts at the rates of its own lodging day, as harmonization does. */
function eur(money: Money | undefined, declaration: Declaration): number {
  return env.rates.convert(money!.amount, money!.currency, 'EUR', declaration.dates.lodged).amount;
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(day) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The JSON Pointers of the leaves where two JSON values differ. */
function differences(a: unknown, b: unknown, at = ''): string[] {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) =>
      differences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}/${key}`),
    );
  }
  return a === b ? [] : [at];
}

function labelled(kind: ShipmentIrregularity['kind']): { shipment: Shipment; label: ShipmentIrregularity }[] {
  return irregular.flatMap((shipment) =>
    shipment.irregularities.filter((label) => label.kind === kind).map((label) => ({ shipment, label })),
  );
}

describe(simulateTrade.name, () => {
  it('lodges all 300 shipments on three lanes with no validation error on either side', () => {
    for (const { export: exported, import: imported } of [...shipments, ...irregular]) {
      for (const declaration of [exported, imported]) {
        const { outcome } = checkDeclaration(declaration, env);
        expect(outcome.errors).toEqual([]);
        // HS 2017 on an import lodged under HS 2022 is the one thing validation remarks on.
        expect(outcome.warnings.filter((w) => w.code !== 'DECL_HS_EDITION_MISMATCH')).toEqual([]);
      }
    }
  });

  it('follows the lanes in turn, exporting from the first country and importing into the second', () => {
    shipments.forEach((s, i) => {
      expect({ from: s.from, to: s.to }).toEqual(LANES[i % LANES.length]);
      expect(s.export).toMatchObject({ type: 'export', dispatchCountry: s.from, destinationCountry: s.to });
      expect(s.import).toMatchObject({ type: 'import', destinationCountry: s.to });
      expect(s.export.declarant.address?.country).toBe(s.from);
      expect(s.import.declarant.address?.country).toBe(s.to);
      expect(s.export.functionalReference).not.toBe(s.import.functionalReference);
      expect(s.export.declarant).not.toEqual(s.import.declarant);
    });
  });

  it('gives each shipment its own WCO UCR (year digit, exporter, reference; 35 characters at most) on both sides', () => {
    for (const s of [...shipments, ...irregular]) {
      expect(s.import.ucr).toBe(s.export.ucr);
      expect(s.export.ucr).toMatch(/^\d[A-Z]{2}[0-9A-Z-]{1,32}$/);
      expect(s.export.ucr!.slice(0, 1)).toBe(s.export.dates.lodged.slice(3, 4));
      expect(s.export.ucr!.slice(1, 3)).toBe(s.from);
    }
    const ucrs = [...shipments, ...irregular].map((s) => s.export.ucr);
    expect(new Set(ucrs).size).toBe(ucrs.length);
    expect(new Set(shipments.map((s) => s.id)).size).toBe(shipments.length);
  });

  it('lodges the import after the export, by the arrival the transit time gives', () => {
    for (const s of shipments) {
      const arrival = addDays(s.export.dates.lodged, s.transitDays);
      expect(s.import.dates.expectedArrival).toBe(arrival);
      expect(s.import.dates.lodged > s.export.dates.lodged).toBe(true);
      expect(s.import.dates.lodged <= arrival).toBe(true);
      if (s.export.transport?.mode === 'air') expect(s.transitDays).toBeLessThanOrEqual(3);
      else expect(s.transitDays).toBeGreaterThanOrEqual(10);
      expect(s.transitDays).toBeLessThanOrEqual(45);
    }
    const transit = (from: string) => shipments.filter((s) => s.from === from && s.export.transport?.mode === 'sea');
    // Rotterdam to Singapore is a longer voyage than Mombasa to Rotterdam.
    const mean = (list: Shipment[]) => list.reduce((sum, s) => sum + s.transitDays, 0) / list.length;
    expect(mean(transit('NL'))).toBeGreaterThan(mean(transit('KE')));
  });

  describe('when the pair is honest', () => {
    it('mirrors UCR, containers, transport and goods, the import valued at 3–8 % above the export', () => {
      expect(honest.length).toBeGreaterThan(200);
      for (const { export: exported, import: imported } of honest) {
        expect(imported.containers).toEqual(exported.containers);
        expect(imported.transport).toEqual(exported.transport);
        expect(imported.places).toEqual(exported.places);
        expect(imported.dispatchCountry).toBe(exported.dispatchCountry);
        expect(imported.items).toHaveLength(exported.items.length);
        exported.items.forEach((shipped, i) => {
          const declared = imported.items[i]!;
          expect(declared.sequence).toBe(shipped.sequence);
          expect(subheading2022(declared)).toBe(shipped.hs!.code.slice(0, 6));
          expect(declared.origin).toBe(shipped.origin);
          expect(declared.quantity).toEqual(shipped.quantity);
          expect(kg(declared.netMass)).toBeCloseTo(kg(shipped.netMass), 3);
          expect(kg(declared.grossMass)).toBeCloseTo(kg(shipped.grossMass), 3);
          const ratio = eur(declared.customsValue, imported) / eur(shipped.customsValue, exported);
          expect(ratio).toBeGreaterThanOrEqual(1.03 - ROUNDING);
          expect(ratio).toBeLessThanOrEqual(1.08 + ROUNDING);
        });
      }
    });

    it('varies what an honest pair may: currency, HS edition, mass unit and mode of transport', () => {
      const some = (test: (s: Shipment) => boolean) => honest.filter(test).length;
      const currency = (d: Declaration) => d.items[0]!.customsValue!.currency;
      expect(some((s) => currency(s.import) !== currency(s.export))).toBeGreaterThan(10);
      expect(some((s) => s.import.items.some((item) => item.hs!.edition === 2017))).toBeGreaterThan(5);
      expect(some((s) => s.import.items[0]!.netMass!.unit === 'TNE')).toBeGreaterThan(10);
      expect(some((s) => s.export.transport?.mode === 'air')).toBeGreaterThan(2);
      expect(some((s) => s.export.transport?.mode === 'sea')).toBeGreaterThan(100);
    });
  });

  it('makes about irregularRate of the shipments irregular (0.1 by default)', () => {
    const share = (list: Shipment[]) => list.filter((s) => s.irregularities.length > 0).length / list.length;
    expect(share(shipments)).toBeGreaterThan(0.05);
    expect(share(shipments)).toBeLessThan(0.16);
    expect(share(take(100, { irregularRate: 0 }))).toBe(0);
  });

  describe('with irregularRate 1', () => {
    it('gives every shipment a labelled irregularity, of every kind', () => {
      for (const s of irregular) expect(s.irregularities.length).toBeGreaterThanOrEqual(1);
      expect(new Set(irregular.flatMap((s) => s.irregularities.map((i) => i.kind)))).toEqual(
        new Set(SHIPMENT_IRREGULARITY_KINDS),
      );
    });

    it('labels an undervaluation with the declared and the real CIF value, far below the export value', () => {
      for (const { shipment, label } of labelled('undervaluation')) {
        const index = shipment.import.items.findIndex((it) => it.sequence === label.item);
        const item = shipment.import.items[index]!;
        expect(item.customsValue).toEqual(label.declared);
        expect((label.declared as Money).amount).toBeLessThan((label.actual as Money).amount * 0.71);
        const ratio =
          eur(item.customsValue, shipment.import) / eur(shipment.export.items[index]!.customsValue, shipment.export);
        expect(ratio).toBeLessThan(0.9);
      }
    });

    it('labels a misclassification with the declared and the shipped subheading, of the same chapter', () => {
      for (const { shipment, label } of labelled('misclassification')) {
        const index = shipment.import.items.findIndex((it) => it.sequence === label.item);
        const shipped = shipment.export.items[index]!.hs!.code.slice(0, 6);
        expect(subheading2022(shipment.import.items[index]!)).toBe(label.declared);
        expect(label.actual).toBe(shipped);
        expect(label.declared).not.toBe(shipped);
        expect((label.declared as string).slice(0, 2)).toBe(shipped.slice(0, 2));
        expect(env.reference.hs.isDeclarable(2022, label.declared as string)).toBe(true);
      }
    });

    it('labels an origin misdeclaration with the declared and the true origin', () => {
      for (const { shipment, label } of labelled('origin-misdeclaration')) {
        expect(label.declared).not.toBe(label.actual);
        for (const item of shipment.import.items) expect(item.origin).toBe(label.declared);
        for (const item of shipment.export.items) expect(item.origin).toBe(label.actual);
      }
    });

    it('labels a transshipment with the hub shown as the place of dispatch, and the real one', () => {
      for (const { shipment, label } of labelled('transshipment')) {
        const declared = label.declared as { loading: string; dispatchCountry: string };
        expect(shipment.import.places?.loading).toBe(declared.loading);
        expect(shipment.import.dispatchCountry).toBe(declared.dispatchCountry);
        expect(label.actual).toEqual({ loading: shipment.export.places?.loading, dispatchCountry: shipment.from });
        expect([shipment.from, shipment.to]).not.toContain(declared.dispatchCountry);
      }
    });

    it('labels a quantity understatement with the declared and the shipped quantity and masses', () => {
      for (const { shipment, label } of labelled('quantity-understatement')) {
        const index = shipment.import.items.findIndex((it) => it.sequence === label.item);
        const item = shipment.import.items[index]!;
        const shipped = shipment.export.items[index]!;
        const declared = label.declared as { quantity: Measure; netMass: Measure; grossMass: Measure };
        expect({ quantity: item.quantity, netMass: item.netMass, grossMass: item.grossMass }).toEqual(declared);
        expect(label.actual).toEqual({
          quantity: shipped.quantity,
          netMass: shipped.netMass,
          grossMass: shipped.grossMass,
        });
        expect(kg(item.netMass)).toBeLessThan(kg(shipped.netMass) * 0.81);
        expect(kg(item.grossMass)).toBeLessThan(kg(shipped.grossMass) * 0.81);
        expect(item.quantity!.value).toBeLessThanOrEqual(shipped.quantity!.value);
      }
    });

    it('misstates only the labelled fields of the import side', () => {
      const truths = take(300, { seed: 'all-irregular', irregularRate: 0 });
      irregular.forEach((s, i) => {
        const truth = truths[i]!;
        expect(s.export).toEqual(truth.export);
        const [label] = s.irregularities;
        const item = `/items/${(label!.item ?? 0) - 1}`;
        const allowed: Record<ShipmentIrregularity['kind'], RegExp> = {
          undervaluation: new RegExp(`^(${item}/customsValue/amount|/totals/invoice/amount)$`),
          misclassification: new RegExp(`^${item}/hs/(code|edition)$`),
          'origin-misdeclaration': /^\/items\/\d+\/origin$/,
          transshipment: /^\/(places\/loading|dispatchCountry)$/,
          'quantity-understatement': new RegExp(
            `^(${item}/(quantity|netMass|grossMass)/value|/totals/grossMass/value)$`,
          ),
        };
        const changed = differences(s.import, truth.import);
        expect(changed.length).toBeGreaterThan(0);
        for (const pointer of changed) expect(pointer).toMatch(allowed[label!.kind]);
      });
    });
  });

  it('gives the same shipments for the same seed, and others for another seed', () => {
    expect(take(40, { irregularRate: 0.5 })).toEqual(take(40, { irregularRate: 0.5 }));
    expect(take(40, { seed: 'other', irregularRate: 0.5 })).not.toEqual(take(40, { irregularRate: 0.5 }));
  });

  it('starts on the day asked', () => {
    const [first] = take(1, { start: new Date('2025-03-10T00:00:00Z') });
    expect(first!.export.dates.lodged).toBe('2025-03-10');
  });

  it.each([
    ['no lane', { lanes: [] }],
    ['a lane that does not cross a border', { lanes: [{ from: 'NL', to: 'nl' }] }],
    ['a country that is not ISO 3166-1 alpha-2', { lanes: [{ from: 'NLD', to: 'SG' }] }],
    ['an unknown country', { lanes: [{ from: 'ZZ', to: 'SG' }] }],
    ['an irregular rate above 1', { irregularRate: 1.5 }],
    ['no irregularity kind', { kinds: [] }],
  ])('refuses %s with REQUEST_INVALID, before the first shipment', (_, options) => {
    expect(() => simulateTrade(env, { seed: 1, lanes: LANES, ...options })).toThrow(
      expect.objectContaining({ code: 'REQUEST_INVALID' }),
    );
  });
});
