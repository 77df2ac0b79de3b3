import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Declaration,
  defaultEnvironment,
  generateDeclarationBatch,
  sampleDeclaration,
} from '../declarations/index.js';
import { ManualClock } from '../kernel/index.js';
import {
  type DiscrepancyRow,
  matchKeys,
  MIRROR_REASON_CODES,
  mirrorCompare,
  type MirrorResult,
  summarizeDiscrepancies,
} from './mirror.js';

const env = defaultEnvironment({ clock: new ManualClock(Date.parse('2026-01-01T00:00:00Z')) });

/** The declaration as the exporting administration received it. */
function exportOf(declaration: Declaration): Declaration {
  const copy = structuredClone(declaration);
  copy.type = 'export';
  copy.procedure = '1000';
  copy.functionalReference = `${declaration.functionalReference}-EX`;
  delete copy.dates.expectedArrival;
  return copy;
}

/** Its mirror: the import of the same consignment, lodged twelve days later, same UCR, containers and items. */
function mirrorImportOf(exported: Declaration): Declaration {
  const copy = structuredClone(exported);
  copy.type = 'import';
  copy.procedure = '4000';
  copy.functionalReference = `${exported.functionalReference}-IM`;
  copy.dates = { lodged: new Date(Date.parse(exported.dates.lodged) + 12 * 86_400_000).toISOString().slice(0, 10) };
  return copy;
}

function samplePair(): { exp: Declaration; imp: Declaration } {
  const exp = exportOf(sampleDeclaration());
  return { exp, imp: mirrorImportOf(exp) };
}

const codes = (result: MirrorResult) => result.reasons.map((reason) => reason.code);

describe(mirrorCompare.name, () => {
  describe('when the import is the mirror image of the export', () => {
    const { exp, imp } = samplePair();
    const result = mirrorCompare(exp, imp, env);

    it('scores 0 with no reasons', () => {
      expect(result.score).toBe(0);
      expect(result.reasons).toEqual([]);
    });

    it('says every aspect was compared and gives the import chapters', () => {
      expect(result.compared).toEqual(['value', 'quantity', 'mass', 'classification', 'origin', 'route', 'items']);
      expect(result.hsChapters).toEqual(['84', '85']);
    });
  });

  describe('when the import value is 40 % lower', () => {
    const { exp, imp } = samplePair();
    for (const item of imp.items) item.customsValue!.amount *= 0.6;
    imp.totals!.invoice!.amount *= 0.6;
    const result = mirrorCompare(exp, imp, env);

    it('reports MIRROR_VALUE_LOWER weighted by the gap, with the figures, and names the lines', () => {
      // the total, then each paired item whose own value is below its counterpart's
      expect(result.reasons.map((r) => r.item)).toEqual([undefined, 1, 2]);
      const [reason] = result.reasons;
      expect(reason).toMatchObject({
        code: 'MIRROR_VALUE_LOWER',
        aspect: 'value',
        weight: 40,
        exportValue: { amount: 370000, currency: 'USD' },
        importValue: { amount: 222000, currency: 'USD' },
      });
      expect(reason!.message).toContain('40 % below');
      expect(reason!.message).toContain('USD 222,000.00');
      // every reason of one code together weighs at most its cap
      expect(result.score).toBe(60);
    });

    it('accepts the gap when the value tolerance is wider', () => {
      expect(mirrorCompare(exp, imp, env, { valueTolerance: 0.5 }).reasons).toEqual([]);
    });
  });

  describe('when the import value is 8 % higher (CIF against FOB)', () => {
    it('stays within the default tolerance', () => {
      const { exp, imp } = samplePair();
      for (const item of imp.items) item.customsValue!.amount *= 1.08;
      expect(mirrorCompare(exp, imp, env).reasons).toEqual([]);
    });
  });

  describe('when the import value is 40 % higher', () => {
    it('reports MIRROR_VALUE_HIGHER, weighing less than undervaluation', () => {
      const { exp, imp } = samplePair();
      for (const item of imp.items) item.customsValue!.amount *= 1.4;
      const result = mirrorCompare(exp, imp, env);
      expect(codes(result)).toEqual(['MIRROR_VALUE_HIGHER']);
      expect(result.score).toBe(20);
    });
  });

  describe('when the two sides use different currencies', () => {
    it('converts each at the reference rate of its own date and finds no discrepancy', () => {
      const { exp, imp } = samplePair();
      // The export values the goods in yen at the rate of its day; the import keeps US dollars.
      const day = exp.dates.lodged;
      const yenPerDollar = env.rates.rateOn('JPY', day).rate / env.rates.rateOn('USD', day).rate;
      for (const item of exp.items) {
        item.customsValue = { amount: Math.round(item.customsValue!.amount * yenPerDollar), currency: 'JPY' };
      }
      const result = mirrorCompare(exp, imp, env);
      expect(result.reasons).toEqual([]);
      expect(result.compared).toContain('value');
    });

    it('still sees a 40 % gap across currencies', () => {
      const { exp, imp } = samplePair();
      const day = exp.dates.lodged;
      const yenPerDollar = env.rates.rateOn('JPY', day).rate / env.rates.rateOn('USD', day).rate;
      for (const item of exp.items) {
        item.customsValue = { amount: item.customsValue!.amount * yenPerDollar, currency: 'JPY' };
      }
      for (const item of imp.items) item.customsValue!.amount *= 0.6;
      const [reason] = mirrorCompare(exp, imp, env).reasons;
      expect(reason).toMatchObject({ code: 'MIRROR_VALUE_LOWER', exportValue: { currency: 'EUR' } });
      expect(reason!.weight).toBeCloseTo(40, 0);
    });

    it('reports MIRROR_CURRENCY_UNCONVERTIBLE with weight 0 when a rate is missing, and leaves values out', () => {
      const { exp, imp } = samplePair();
      for (const item of exp.items) item.customsValue = { amount: 1, currency: 'XTS' };
      const result = mirrorCompare(exp, imp, env);
      expect(result.reasons).toEqual([
        expect.objectContaining({
          code: 'MIRROR_CURRENCY_UNCONVERTIBLE',
          weight: 0,
          exportValue: { currency: 'XTS', date: '2024-03-14' },
        }),
      ]);
      expect(result.score).toBe(0);
      expect(result.compared).not.toContain('value');
    });
  });

  describe('when the export classifies in HS 2017 and the import in HS 2022', () => {
    it('compares them through the correlation and finds no discrepancy', () => {
      const { exp, imp } = samplePair();
      exp.items[0]!.hs = { code: '851712', edition: 2017 }; // HS 2022 851713 / 851714
      const result = mirrorCompare(exp, imp, env);
      expect(result.reasons).toEqual([]);
      expect(result.compared).toContain('classification');
    });
  });

  describe('when one line of many is undervalued', () => {
    it('names the line even though the totals stay within the tolerance', () => {
      const { exp, imp } = samplePair();
      // one small line at three quarters of its value: the total moves by less than the 10 % tolerance
      const smallest = imp.items.reduce((a, b) => (a.customsValue!.amount <= b.customsValue!.amount ? a : b));
      const before = imp.items.reduce((sum, i) => sum + i.customsValue!.amount, 0);
      smallest.customsValue!.amount *= 0.75;
      const after = imp.items.reduce((sum, i) => sum + i.customsValue!.amount, 0);
      expect(1 - after / before).toBeLessThan(0.1);
      const result = mirrorCompare(exp, imp, env);
      expect(result.reasons).toEqual([
        expect.objectContaining({ code: 'MIRROR_VALUE_LOWER', item: smallest.sequence }),
      ]);
      expect(result.score).toBeGreaterThanOrEqual(20);
    });
  });

  describe('when the classifications genuinely differ', () => {
    const cases = [
      ['another chapter', '090111', 35],
      ['another heading of the same chapter', '847330', 25],
      ['another subheading of the same heading', '847141', 20],
    ] as const;
    for (const [how, code, weight] of cases) {
      it(`reports MIRROR_HS_DIFFERS weighing ${weight} for ${how}`, () => {
        const { exp, imp } = samplePair();
        imp.items[1]!.hs = { code, edition: 2022 };
        const result = mirrorCompare(exp, imp, env);
        expect(result.reasons).toEqual([
          expect.objectContaining({ code: 'MIRROR_HS_DIFFERS', aspect: 'classification', item: 2, weight }),
        ]);
        expect(result.reasons[0]!.message).toContain(how);
        expect(result.score).toBe(weight);
      });
    }

    it('reports an HS 2017 code whose correlation does not reach the import code', () => {
      const { exp, imp } = samplePair();
      exp.items[1]!.hs = { code: '090111', edition: 2017 };
      expect(codes(mirrorCompare(exp, imp, env))).toEqual(['MIRROR_HS_DIFFERS']);
    });
  });

  describe('when the origin changed', () => {
    it('reports MIRROR_ORIGIN_DIFFERS per item, capped at 40 for the code', () => {
      const { exp, imp } = samplePair();
      for (const item of imp.items) item.origin = 'VN';
      const result = mirrorCompare(exp, imp, env);
      expect(result.reasons.map((r) => [r.code, r.item, r.exportValue, r.importValue])).toEqual([
        ['MIRROR_ORIGIN_DIFFERS', 1, 'CN', 'VN'],
        ['MIRROR_ORIGIN_DIFFERS', 2, 'CN', 'VN'],
      ]);
      expect(result.score).toBe(40);
    });
  });

  describe('when masses are given in other units', () => {
    it('finds tonnes and kilograms of the same mass equal', () => {
      const { exp, imp } = samplePair();
      exp.totals!.grossMass = { value: 0.76, unit: 'TNE' };
      exp.items[0]!.netMass = { value: 0.2, unit: 'TNE' };
      imp.items[1]!.grossMass = { value: 500, unit: 'KGM' };
      imp.items[1]!.netMass = { value: 400000, unit: 'GRM' };
      const result = mirrorCompare(exp, imp, env);
      expect(result.reasons).toEqual([]);
      expect(result.compared).toContain('mass');
    });

    it('reports MIRROR_MASS_DIFFERS when they really differ', () => {
      const { exp, imp } = samplePair();
      exp.totals!.grossMass = { value: 0.76, unit: 'TNE' };
      imp.totals!.grossMass = { value: 1000, unit: 'KGM' };
      imp.items[0]!.netMass = { value: 0.25, unit: 'TNE' };
      const result = mirrorCompare(exp, imp, env);
      expect(result.reasons.map((r) => [r.code, r.item])).toEqual([
        ['MIRROR_MASS_DIFFERS', undefined],
        ['MIRROR_MASS_DIFFERS', 1],
      ]);
      expect(result.reasons[0]!.message).toContain('1,000 kg on import against 760 kg on export');
    });
  });

  describe('when quantities differ', () => {
    it('reports MIRROR_QUANTITY_DIFFERS beyond 2 %', () => {
      const { exp, imp } = samplePair();
      imp.items[0]!.quantity = { value: 900, unit: 'C62' };
      expect(mirrorCompare(exp, imp, env).reasons).toEqual([
        expect.objectContaining({ code: 'MIRROR_QUANTITY_DIFFERS', item: 1, weight: 4 }),
      ]);
    });

    it('compares pairs with pieces', () => {
      const { exp, imp } = samplePair();
      exp.items[1]!.quantity = { value: 100, unit: 'NPR' };
      expect(mirrorCompare(exp, imp, env).reasons).toEqual([]);
      imp.items[1]!.quantity = { value: 100, unit: 'PCE' };
      expect(codes(mirrorCompare(exp, imp, env))).toEqual(['MIRROR_QUANTITY_DIFFERS']);
    });
  });

  describe('when the route differs', () => {
    it('reports a dispatch from a hub and a different port of loading', () => {
      const { exp, imp } = samplePair();
      imp.dispatchCountry = 'AE';
      imp.places = { loading: 'AEJEA', unloading: 'NLRTM' };
      const result = mirrorCompare(exp, imp, env);
      expect(result.reasons.map((r) => [r.code, r.exportValue, r.importValue])).toEqual([
        ['MIRROR_ROUTE_DIFFERS', 'CN', 'AE'],
        ['MIRROR_ROUTE_DIFFERS', 'CNSHA', 'AEJEA'],
      ]);
      expect(result.score).toBe(30);
    });

    it('sees an extra transit when the export withholds its port of loading', () => {
      const { exp, imp } = samplePair();
      delete exp.places!.loading;
      imp.places = { loading: 'AEJEA', unloading: 'NLRTM' };
      const [reason, ...others] = mirrorCompare(exp, imp, env).reasons;
      expect(others).toEqual([]);
      expect(reason).toMatchObject({ code: 'MIRROR_ROUTE_DIFFERS', importValue: 'AEJEA' });
      expect(reason!.message).toContain('extra transit');
    });
  });

  describe('when items are missing or renumbered', () => {
    it('reports the count and the item without counterpart', () => {
      const { exp, imp } = samplePair();
      imp.items = imp.items.slice(0, 1);
      const result = mirrorCompare(exp, imp, env);
      expect(result.reasons.filter((r) => r.code === 'MIRROR_ITEMS_DIFFER').map((r) => r.item)).toEqual([undefined, 2]);
      expect(codes(result)).toContain('MIRROR_VALUE_LOWER');
    });

    it('pairs by HS subheading when the sequences do not line up', () => {
      const exp = exportOf(sampleDeclaration());
      exp.items.unshift({ ...structuredClone(exp.items[0]!), hs: { code: '090111', edition: 2022 }, origin: 'BR' });
      exp.items.forEach((item, i) => (item.sequence = i + 1));
      // The import leaves out the coffee (export item 1); its items 1 and 2 are export items 2 and 3.
      const imp = mirrorImportOf(exportOf(sampleDeclaration()));
      exp.totals!.invoice!.amount = imp.totals!.invoice!.amount;
      exp.totals!.grossMass = imp.totals!.grossMass!;
      const result = mirrorCompare(exp, imp, env);
      expect(result.reasons.map((r) => [r.code, r.item])).toEqual([
        ['MIRROR_ITEMS_DIFFER', undefined],
        ['MIRROR_ITEMS_DIFFER', 1],
        ['MIRROR_VALUE_LOWER', undefined],
      ]);
      expect(result.reasons[1]!.message).toContain('Export item 1 (HS 2022 090111)');
    });
  });

  describe('when the export side is redacted', () => {
    it('does not compare withheld values', () => {
      const { exp, imp } = samplePair();
      for (const item of exp.items) delete item.customsValue;
      delete exp.totals!.invoice;
      for (const item of imp.items) item.customsValue!.amount *= 0.6;
      const result = mirrorCompare(exp, imp, env);
      expect(result.reasons).toEqual([]);
      expect(result.compared).not.toContain('value');
    });

    it('falls back to statistical values, then to the invoice total', () => {
      const { exp, imp } = samplePair();
      for (const item of exp.items) {
        item.statisticalValue = item.customsValue!;
        delete item.customsValue;
      }
      for (const item of imp.items) item.customsValue!.amount *= 0.6;
      expect(new Set(codes(mirrorCompare(exp, imp, env)))).toEqual(new Set(['MIRROR_VALUE_LOWER']));
      for (const item of exp.items) delete item.statisticalValue;
      expect(codes(mirrorCompare(exp, imp, env))).toEqual(['MIRROR_VALUE_LOWER']);
    });

    it('does not compare withheld or pseudonymized fields', () => {
      const { exp, imp } = samplePair();
      for (const item of exp.items) {
        delete item.hs;
        delete item.netMass;
        delete item.grossMass;
        delete item.quantity;
        item.origin = 'ps_Zm9vYmFyYmF6cXV4MTIz';
      }
      delete exp.totals!.grossMass;
      delete exp.dispatchCountry;
      delete exp.destinationCountry;
      delete exp.places;
      for (const item of imp.items) {
        item.hs = { code: '090111', edition: 2022 };
        item.origin = 'VN';
        item.quantity!.value *= 3;
        item.netMass!.value *= 3;
      }
      imp.dispatchCountry = 'AE';
      const result = mirrorCompare(exp, imp, env);
      expect(result.reasons).toEqual([]);
      expect(result.compared).toEqual(['value', 'items']);
    });
  });

  it('refuses a negative tolerance with CONFIG_INVALID', () => {
    const { exp, imp } = samplePair();
    expect(() => mirrorCompare(exp, imp, env, { massTolerance: -0.1 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('caps the score at 100 when everything differs', () => {
    const { exp, imp } = samplePair();
    for (const item of imp.items) {
      item.customsValue!.amount *= 0.1;
      item.hs = { code: '090111', edition: 2022 };
      item.origin = 'VN';
      item.quantity!.value *= 2;
    }
    imp.dispatchCountry = 'AE';
    imp.places = { loading: 'AEJEA', unloading: 'SGSIN' };
    const result = mirrorCompare(exp, imp, env);
    expect(result.score).toBe(100);
    expect(new Set(codes(result)).size).toBeGreaterThanOrEqual(5);
  });

  describe('on generated trade (property)', () => {
    const generated = generateDeclarationBatch(env, { seed: 'mirror', count: 200 }).map((g) => g.declaration);

    it('scores every mirror image 0, with no reasons', () => {
      for (const declaration of generated) {
        const exp = exportOf(declaration);
        const result = mirrorCompare(exp, mirrorImportOf(exp), env);
        expect({ ref: declaration.functionalReference, ...result }).toMatchObject({ score: 0, reasons: [] });
        expect(result.compared).toContain('value');
      }
    });

    it('keeps the score an integer within 0..100 whatever is changed', () => {
      fc.assert(
        fc.property(
          fc.nat({ max: generated.length - 1 }),
          fc.double({ min: 0, max: 5, noNaN: true }),
          fc.double({ min: 0, max: 5, noNaN: true }),
          fc.boolean(),
          fc.boolean(),
          fc.integer({ min: 0, max: 3 }),
          (index, valueFactor, massFactor, reclassify, reorigin, dropped) => {
            const exp = exportOf(generated[index]!);
            const imp = mirrorImportOf(exp);
            for (const item of imp.items) {
              item.customsValue!.amount *= valueFactor;
              item.netMass!.value *= massFactor;
              if (reclassify) item.hs = { code: '090111', edition: 2022 };
              if (reorigin) item.origin = 'XK';
            }
            imp.items = imp.items.slice(0, Math.max(1, imp.items.length - dropped));
            const { score, reasons } = mirrorCompare(exp, imp, env);
            expect(Number.isInteger(score)).toBe(true);
            expect(score).toBeGreaterThanOrEqual(0);
            expect(score).toBeLessThanOrEqual(100);
            if (reasons.length === 0) expect(score).toBe(0);
            if (reasons.some((reason) => reason.weight >= 1)) expect(score).toBeGreaterThan(0);
            for (const reason of reasons) expect(MIRROR_REASON_CODES).toContain(reason.code);
          },
        ),
        { numRuns: 200 },
      );
    });

    it('is deterministic', () => {
      const exp = exportOf(generated[0]!);
      const imp = mirrorImportOf(exp);
      imp.items[0]!.customsValue!.amount /= 2;
      expect(mirrorCompare(exp, imp, env)).toEqual(mirrorCompare(structuredClone(exp), structuredClone(imp), env));
    });
  });
});

describe(matchKeys.name, () => {
  it('gives the UCR, the sorted containers and the means of transport', () => {
    expect(matchKeys(sampleDeclaration())).toEqual({
      ucr: '4NL123456789-LRN42',
      containers: ['CSQU3054383', 'TCNU7200794'],
      transport: 'sea:9074729',
    });
  });

  it('normalizes case, spaces and the IMO prefix, so both sides give the same keys', () => {
    const keys = matchKeys(
      sampleDeclaration({
        ucr: '  4nl123456789-lrn42 ',
        containers: ['tcnu 720079 4', 'csqu3054383', 'CSQU3054383'],
        transport: { mode: 'sea', meansType: 'imo', meansId: 'IMO 9074729' },
      }),
    );
    expect(keys).toEqual(matchKeys(sampleDeclaration()));
  });

  it('gives null and no containers when the keys are absent', () => {
    const declaration = sampleDeclaration();
    delete declaration.ucr;
    delete declaration.containers;
    delete declaration.transport;
    expect(matchKeys(declaration)).toEqual({ ucr: null, containers: [], transport: null });
    expect(matchKeys(sampleDeclaration({ transport: { mode: 'air' } })).transport).toBeNull();
  });
});

describe(summarizeDiscrepancies.name, () => {
  const rows: DiscrepancyRow[] = [
    { partner: 'NL', hsChapters: ['85'], trader: 'T1', score: 40, reasons: [{ code: 'MIRROR_VALUE_LOWER' }] },
    {
      partner: 'NL',
      hsChapters: ['84', '85'],
      trader: 'T2',
      score: 0,
      reasons: [],
    },
    {
      partner: 'KE',
      hsChapters: ['09'],
      trader: null,
      score: 55,
      reasons: [{ code: 'MIRROR_ORIGIN_DIFFERS' }, { code: 'MIRROR_ORIGIN_DIFFERS' }, { code: 'MIRROR_HS_DIFFERS' }],
    },
    { partner: 'KE', hsChapters: ['09'], trader: 'T1', score: 20, reasons: [{ code: 'MIRROR_HS_DIFFERS' }] },
  ];

  it('counts matches and discrepancies (score ≥ 20) per partner, chapter, trader and reason', () => {
    expect(summarizeDiscrepancies(rows)).toEqual({
      byPartner: [
        { key: 'KE', matches: 2, discrepancies: 2, meanScore: 37.5 },
        { key: 'NL', matches: 2, discrepancies: 1, meanScore: 20 },
      ],
      byChapter: [
        { key: '09', matches: 2, discrepancies: 2, meanScore: 37.5 },
        { key: '85', matches: 2, discrepancies: 1, meanScore: 20 },
        { key: '84', matches: 1, discrepancies: 0, meanScore: 0 },
      ],
      byTrader: [
        { key: 'T1', matches: 2, discrepancies: 2, meanScore: 30 },
        { key: 'T2', matches: 1, discrepancies: 0, meanScore: 0 },
      ],
      byReason: [
        { key: 'MIRROR_HS_DIFFERS', matches: 2, discrepancies: 2, meanScore: 37.5 },
        { key: 'MIRROR_ORIGIN_DIFFERS', matches: 1, discrepancies: 1, meanScore: 55 },
        { key: 'MIRROR_VALUE_LOWER', matches: 1, discrepancies: 1, meanScore: 40 },
      ],
    });
  });

  it('takes another threshold', () => {
    const { byPartner } = summarizeDiscrepancies(rows, { threshold: 50 });
    expect(byPartner).toEqual([
      { key: 'KE', matches: 2, discrepancies: 1, meanScore: 37.5 },
      { key: 'NL', matches: 2, discrepancies: 0, meanScore: 20 },
    ]);
  });

  it('gives empty groups for no rows', () => {
    expect(summarizeDiscrepancies([])).toEqual({ byPartner: [], byChapter: [], byTrader: [], byReason: [] });
  });
});
