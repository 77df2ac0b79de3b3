import { BASE_UNITS } from '../reference/index.js';
import { normalizeImoNumber } from './check-digits.js';
import { dayOf, type DeclarationEnvironment, normalizeText } from './environment.js';
import type { Declaration, GoodsItem, Measure, Money, Party } from './model.js';
import { type DayCache, referenceCache, type ReferenceCache } from './reference-cache.js';

/** One change harmonization made, for a person to read: where, by which rule, from what to what, and why. */
export interface HarmonizationStep {
  readonly pointer: string;
  readonly rule: 'hs' | 'currency' | 'unit' | 'country' | 'code' | 'text';
  readonly from: unknown;
  readonly to: unknown;
  readonly note: string;
}

export interface Harmonized {
  /** The declaration in Concord's canonical form: itself a valid {@link Declaration}, unchanged by harmonizing it again. */
  readonly canonical: Declaration;
  /** Every change, in document order; empty when the declaration was canonical already. */
  readonly trace: HarmonizationStep[];
}

/** Significant digits kept after a unit conversion, so that 2.5 t is 2500 kg and not 2499.9999999999995. */
const UNIT_PRECISION = 12;

/**
 * Puts a validated declaration into canonical form, so that declarations from any administration or trader compare:
 * HS codes in the 2022 edition at six digits (the national tariff line kept beside), amounts in the environment's
 * currency at the rate in force on the declaration date, masses in kilograms and quantities in their dimension's
 * base unit, countries as ISO 3166-1 alpha-2, codes in upper case, text in Unicode NFC, trimmed.
 *
 * Harmonization is idempotent: harmonizing a canonical declaration returns it unchanged, with an empty trace.
 * Call it only on a declaration without validation errors.
 *
 * @example
 * const { canonical, trace } = harmonizeDeclaration(declaration, env);
 * trace[0].note; // 'HS 2017 847130 → HS 2022 847130 (1:1)'
 */
export function harmonizeDeclaration(declaration: Declaration, env: DeclarationEnvironment): Harmonized {
  return new Harmonizer(declaration, env).run();
}

class Harmonizer {
  readonly trace: HarmonizationStep[] = [];
  private readonly ref: ReferenceCache;
  private readonly onDay: DayCache;

  constructor(
    private readonly d: Declaration,
    private readonly env: DeclarationEnvironment,
  ) {
    this.ref = referenceCache(env);
    this.onDay = this.ref.day(dayOf(d.dates.lodged));
  }

  run(): Harmonized {
    const d = this.d;
    const out: Declaration = { ...d };
    out.functionalReference = this.text('/functionalReference', d.functionalReference);
    if (d.ucr !== undefined) out.ucr = this.text('/ucr', d.ucr);
    if (d.office !== undefined) out.office = this.upper('/office', d.office);
    out.declarant = this.party('/declarant', d.declarant);
    if (d.exporter !== undefined) out.exporter = this.party('/exporter', d.exporter);
    if (d.importer !== undefined) out.importer = this.party('/importer', d.importer);
    if (d.carrier !== undefined) out.carrier = this.party('/carrier', d.carrier);
    if (d.transport !== undefined) {
      const transport = { ...d.transport };
      if (transport.nationality !== undefined) {
        transport.nationality = this.country('/transport/nationality', transport.nationality);
      }
      if (transport.meansId !== undefined) {
        const id = transport.meansType === 'imo' ? normalizeImoNumber(transport.meansId) : transport.meansId;
        transport.meansId = this.text('/transport/meansId', id, transport.meansId);
      }
      out.transport = transport;
    }
    if (d.places !== undefined) {
      const places = { ...d.places };
      for (const key of PLACES) {
        const code = places[key];
        if (code !== undefined) places[key] = this.code(`/places/${key}`, compactUpper(code), code);
      }
      out.places = places;
    }
    if (d.dispatchCountry !== undefined) out.dispatchCountry = this.country('/dispatchCountry', d.dispatchCountry);
    if (d.destinationCountry !== undefined) {
      out.destinationCountry = this.country('/destinationCountry', d.destinationCountry);
    }
    if (d.containers !== undefined) {
      out.containers = d.containers.map((id, i) => this.code(`/containers/${i}`, compactUpper(id), id));
    }
    out.items = d.items.map((item, i) => this.item(`/items/${i}`, item));
    if (d.totals !== undefined) {
      const totals = { ...d.totals };
      if (totals.grossMass !== undefined) totals.grossMass = this.measure('/totals/grossMass', totals.grossMass);
      if (totals.invoice !== undefined) totals.invoice = this.money('/totals/invoice', totals.invoice);
      out.totals = totals;
    }
    return { canonical: out, trace: this.trace };
  }

  private item(at: string, item: GoodsItem): GoodsItem {
    const out: GoodsItem = { ...item };
    out.description = this.text(`${at}/description`, item.description);
    if (item.hs !== undefined) out.hs = this.hs(`${at}/hs`, item.hs);
    if (item.origin !== undefined) out.origin = this.country(`${at}/origin`, item.origin);
    if (item.preferentialOrigin !== undefined) {
      out.preferentialOrigin = this.country(`${at}/preferentialOrigin`, item.preferentialOrigin);
    }
    if (item.quantity !== undefined) out.quantity = this.measure(`${at}/quantity`, item.quantity);
    if (item.grossMass !== undefined) out.grossMass = this.measure(`${at}/grossMass`, item.grossMass);
    if (item.netMass !== undefined) out.netMass = this.measure(`${at}/netMass`, item.netMass);
    if (item.customsValue !== undefined) out.customsValue = this.money(`${at}/customsValue`, item.customsValue);
    if (item.statisticalValue !== undefined) {
      out.statisticalValue = this.money(`${at}/statisticalValue`, item.statisticalValue);
    }
    if (item.packages?.type !== undefined) {
      out.packages = { ...item.packages, type: this.upper(`${at}/packages/type`, item.packages.type) };
    }
    if (item.documents !== undefined) {
      out.documents = item.documents.map((document, j) => ({
        ...document,
        type: this.upper(`${at}/documents/${j}/type`, document.type),
        id: this.text(`${at}/documents/${j}/id`, document.id),
      }));
    }
    return out;
  }

  private hs(at: string, hs: NonNullable<GoodsItem['hs']>): NonNullable<GoodsItem['hs']> {
    const digits = HS_DIGITS.test(hs.code) ? hs.code : hs.code.replace(/[.\s]/g, '');
    const edition = hs.edition ?? this.onDay.edition;
    const subheading = digits.length === 6 ? digits : digits.slice(0, 6);
    let code = subheading;
    let note = '';
    if (edition !== 2022) {
      const translation = this.ref.hs2017To2022(subheading);
      code = translation.candidates[0] ?? subheading;
      note =
        `HS ${edition} ${subheading} → HS 2022 ${code} (${translation.relationship}` +
        (translation.exact ? ')' : `; candidates ${translation.candidates.join(', ')}, the first taken)`);
    }
    const national = hs.national ?? (digits.length > 6 ? digits : undefined);
    const out: NonNullable<GoodsItem['hs']> = { code, edition: 2022 };
    if (national !== undefined) out.national = national;
    if (edition !== 2022) {
      this.step(at, 'hs', hs, out, note);
    } else if (hs.edition === undefined || digits !== code || hs.code !== digits) {
      const kept = national !== undefined && hs.national === undefined ? `, national line ${national} kept` : '';
      this.step(at, 'hs', hs, out, `HS 2022 subheading ${code}${kept}`);
    }
    return out;
  }

  private party(at: string, party: Party): Party {
    const out: Party = { ...party };
    if (party.name !== undefined) out.name = this.text(`${at}/name`, party.name);
    if (party.country !== undefined) out.country = this.country(`${at}/country`, party.country);
    if (party.address !== undefined) {
      const address = { ...party.address };
      for (const key of ADDRESS_LINES) {
        const value = address[key];
        if (value !== undefined) address[key] = this.text(`${at}/address/${key}`, value);
      }
      address.country = this.country(`${at}/address/country`, address.country);
      out.address = address;
    }
    if (party.identifiers !== undefined) {
      out.identifiers = party.identifiers.map((identifier, i) => ({
        ...identifier,
        value: this.code(`${at}/identifiers/${i}/value`, compactUpper(identifier.value), identifier.value),
      }));
    }
    return out;
  }

  private country(at: string, code: string): string {
    const alpha2 = this.ref.country(code).alpha2 ?? code.toUpperCase();
    if (alpha2 !== code) this.step(at, 'country', code, alpha2, `ISO 3166-1 ${code} → alpha-2 ${alpha2}`);
    return alpha2;
  }

  private measure(at: string, measure: Measure): Measure {
    const unit = this.ref.unit(measure.unit);
    if (unit === undefined) return measure;
    const base = BASE_UNITS[unit.dimension];
    const value =
      unit.code === base ? measure.value : Number((measure.value * unit.factor).toPrecision(UNIT_PRECISION));
    if (measure.unit === base && value === measure.value) return measure;
    const out = { value, unit: base };
    this.step(at, 'unit', measure, out, `${measure.value} ${measure.unit} → ${value} ${base}`);
    return out;
  }

  private money(at: string, money: Money): Money {
    const currency = money.currency.toUpperCase();
    const target = this.env.currency;
    if (currency === target) {
      if (money.currency !== currency) this.step(at, 'currency', money, { ...money, currency }, 'currency code');
      return money.currency === currency ? money : { amount: money.amount, currency };
    }
    const conversion = this.onDay.conversion(currency);
    if (conversion === undefined) {
      return money.currency === currency ? money : { amount: money.amount, currency };
    }
    const scale = 10 ** this.ref.targetMinorUnits;
    const amount = Math.round(((money.amount / conversion.from) * conversion.to + Number.EPSILON) * scale) / scale;
    const out = { amount, currency: target };
    this.step(at, 'currency', money, out, `${money.amount} ${currency} → ${amount} ${target}${conversion.noteTail}`);
    return out;
  }

  private text(at: string, value: string, original = value): string {
    const normalized = normalizeText(value);
    if (normalized !== original) this.step(at, 'text', original, normalized, 'Unicode NFC, white space collapsed');
    return normalized;
  }

  private upper(at: string, value: string): string {
    return this.code(at, normalizeText(value).toUpperCase(), value);
  }

  private code(at: string, normalized: string, original: string): string {
    if (normalized !== original) this.step(at, 'code', original, normalized, 'code in upper case, no spaces');
    return normalized;
  }

  private step(pointer: string, rule: HarmonizationStep['rule'], from: unknown, to: unknown, note: string): void {
    this.trace.push({ pointer, rule, from, to, note });
  }
}

const PLACES = ['loading', 'unloading', 'entry', 'exit'] as const;
const ADDRESS_LINES = ['line', 'city', 'postcode'] as const;
const HS_DIGITS = /^\d+$/;
const HAS_SPACE = /\s/;

/** Upper case without white space (codes, identifiers, container numbers). */
function compactUpper(value: string): string {
  return (HAS_SPACE.test(value) ? value.replace(/\s+/g, '') : value).toUpperCase();
}
