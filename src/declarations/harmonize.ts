import { BASE_UNITS } from '../reference/index.js';
import { normalizeImoNumber } from './check-digits.js';
import { dayOf, type DeclarationEnvironment, normalizeText, upperCase } from './environment.js';
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

/**
 * Pointers are passed as a prefix and a field (`at`, `field`) and joined only when a step is recorded: most values
 * are canonical already, and a string built for each of them would be garbage at once.
 */
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
    out.functionalReference = this.text('/functionalReference', '', d.functionalReference);
    if (d.ucr !== undefined) out.ucr = this.text('/ucr', '', d.ucr);
    if (d.office !== undefined) out.office = this.upper('/office', '', d.office);
    out.declarant = this.party('/declarant', d.declarant);
    if (d.exporter !== undefined) out.exporter = this.party('/exporter', d.exporter);
    if (d.importer !== undefined) out.importer = this.party('/importer', d.importer);
    if (d.carrier !== undefined) out.carrier = this.party('/carrier', d.carrier);
    if (d.transport !== undefined) {
      const transport = { ...d.transport };
      if (transport.nationality !== undefined) {
        transport.nationality = this.country('/transport/nationality', '', transport.nationality);
      }
      if (transport.meansId !== undefined) {
        const id = transport.meansType === 'imo' ? normalizeImoNumber(transport.meansId) : transport.meansId;
        transport.meansId = this.text('/transport/meansId', '', id, transport.meansId);
      }
      out.transport = transport;
    }
    if (d.places !== undefined) {
      const places = { ...d.places };
      for (const key of PLACES) {
        const code = places[key];
        if (code !== undefined) places[key] = this.code('/places/', key, compactUpper(code), code);
      }
      out.places = places;
    }
    if (d.dispatchCountry !== undefined) out.dispatchCountry = this.country('/dispatchCountry', '', d.dispatchCountry);
    if (d.destinationCountry !== undefined) {
      out.destinationCountry = this.country('/destinationCountry', '', d.destinationCountry);
    }
    if (d.containers !== undefined) {
      const containers: string[] = [];
      for (let i = 0; i < d.containers.length; i++) {
        const id = d.containers[i]!;
        containers.push(this.code('/containers/', String(i), compactUpper(id), id));
      }
      out.containers = containers;
    }
    const items: GoodsItem[] = [];
    for (let i = 0; i < d.items.length; i++) items.push(this.item(`/items/${i}`, d.items[i]!));
    out.items = items;
    if (d.totals !== undefined) {
      const totals = { ...d.totals };
      if (totals.grossMass !== undefined) totals.grossMass = this.measure('/totals', '/grossMass', totals.grossMass);
      if (totals.invoice !== undefined) totals.invoice = this.money('/totals', '/invoice', totals.invoice);
      out.totals = totals;
    }
    return { canonical: out, trace: this.trace };
  }

  private item(at: string, item: GoodsItem): GoodsItem {
    const out: GoodsItem = { ...item };
    out.description = this.text(at, '/description', item.description);
    if (item.hs !== undefined) out.hs = this.hs(at, item.hs);
    if (item.origin !== undefined) out.origin = this.country(at, '/origin', item.origin);
    if (item.preferentialOrigin !== undefined) {
      out.preferentialOrigin = this.country(at, '/preferentialOrigin', item.preferentialOrigin);
    }
    if (item.quantity !== undefined) out.quantity = this.measure(at, '/quantity', item.quantity);
    if (item.grossMass !== undefined) out.grossMass = this.measure(at, '/grossMass', item.grossMass);
    if (item.netMass !== undefined) out.netMass = this.measure(at, '/netMass', item.netMass);
    if (item.customsValue !== undefined) out.customsValue = this.money(at, '/customsValue', item.customsValue);
    if (item.statisticalValue !== undefined) {
      out.statisticalValue = this.money(at, '/statisticalValue', item.statisticalValue);
    }
    if (item.packages?.type !== undefined) {
      out.packages = { ...item.packages, type: this.upper(at, '/packages/type', item.packages.type) };
    }
    if (item.documents !== undefined) {
      const documents: NonNullable<GoodsItem['documents']> = [];
      for (let j = 0; j < item.documents.length; j++) {
        const document = item.documents[j]!;
        const documentAt = `${at}/documents/${j}`;
        documents.push({
          ...document,
          type: this.upper(documentAt, '/type', document.type),
          id: this.text(documentAt, '/id', document.id),
        });
      }
      out.documents = documents;
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
      this.step(at, '/hs', 'hs', hs, out, note);
    } else if (hs.edition === undefined || digits !== code || hs.code !== digits) {
      const kept = national !== undefined && hs.national === undefined ? `, national line ${national} kept` : '';
      this.step(at, '/hs', 'hs', hs, out, `HS 2022 subheading ${code}${kept}`);
    }
    return out;
  }

  private party(at: string, party: Party): Party {
    const out: Party = { ...party };
    if (party.name !== undefined) out.name = this.text(at, '/name', party.name);
    if (party.country !== undefined) out.country = this.country(at, '/country', party.country);
    if (party.address !== undefined) {
      const address = { ...party.address };
      for (const key of ADDRESS_LINES) {
        const value = address[key];
        if (value !== undefined) address[key] = this.text(at, ADDRESS_FIELDS[key], value);
      }
      address.country = this.country(at, '/address/country', address.country);
      out.address = address;
    }
    if (party.identifiers !== undefined) {
      const identifiers: NonNullable<Party['identifiers']> = [];
      for (let i = 0; i < party.identifiers.length; i++) {
        const identifier = party.identifiers[i]!;
        const value = identifier.value;
        identifiers.push({
          ...identifier,
          value: this.code(at, `/identifiers/${i}/value`, compactUpper(value), value),
        });
      }
      out.identifiers = identifiers;
    }
    return out;
  }

  private country(at: string, field: string, code: string): string {
    const alpha2 = this.ref.country(code).alpha2 ?? code.toUpperCase();
    if (alpha2 !== code) this.step(at, field, 'country', code, alpha2, `ISO 3166-1 ${code} → alpha-2 ${alpha2}`);
    return alpha2;
  }

  private measure(at: string, field: string, measure: Measure): Measure {
    const unit = this.ref.unit(measure.unit);
    if (unit === undefined) return measure;
    const base = BASE_UNITS[unit.dimension];
    const value =
      unit.code === base ? measure.value : Number((measure.value * unit.factor).toPrecision(UNIT_PRECISION));
    if (measure.unit === base && value === measure.value) return measure;
    const out = { value, unit: base };
    this.step(at, field, 'unit', measure, out, `${measure.value} ${measure.unit} → ${value} ${base}`);
    return out;
  }

  private money(at: string, field: string, money: Money): Money {
    const currency = upperCase(money.currency);
    const target = this.env.currency;
    if (currency === target) {
      if (money.currency !== currency) {
        this.step(at, field, 'currency', money, { ...money, currency }, 'currency code');
      }
      return money.currency === currency ? money : { amount: money.amount, currency };
    }
    const conversion = this.onDay.conversion(currency);
    if (conversion === undefined) {
      return money.currency === currency ? money : { amount: money.amount, currency };
    }
    const scale = this.ref.targetScale;
    const amount = Math.round(((money.amount / conversion.from) * conversion.to + Number.EPSILON) * scale) / scale;
    const out = { amount, currency: target };
    const note = `${formatAmount(money.amount)} ${currency} → ${formatAmount(amount)} ${target}${conversion.noteTail}`;
    this.step(at, field, 'currency', money, out, note);
    return out;
  }

  private text(at: string, field: string, value: string, original = value): string {
    const normalized = normalizeText(value);
    if (normalized !== original) {
      this.step(at, field, 'text', original, normalized, 'Unicode NFC, white space collapsed');
    }
    return normalized;
  }

  private upper(at: string, field: string, value: string): string {
    return this.code(at, field, upperCase(normalizeText(value)), value);
  }

  private code(at: string, field: string, normalized: string, original: string): string {
    if (normalized !== original) this.step(at, field, 'code', original, normalized, 'code in upper case, no spaces');
    return normalized;
  }

  /** Records a step at the pointer `at + field`. */
  private step(
    at: string,
    field: string,
    rule: HarmonizationStep['rule'],
    from: unknown,
    to: unknown,
    note: string,
  ): void {
    this.trace.push({ pointer: at + field, rule, from, to, note });
  }
}

const PLACES = ['loading', 'unloading', 'entry', 'exit'] as const;
const ADDRESS_LINES = ['line', 'city', 'postcode'] as const;
const ADDRESS_FIELDS = { line: '/address/line', city: '/address/city', postcode: '/address/postcode' } as const;
const HS_DIGITS = /^\d+$/;
const HAS_SPACE = /\s/;

/** Upper case without white space (codes, identifiers, container numbers). */
function compactUpper(value: string): string {
  // Printable ASCII without spaces or lower case, as most codes come, is left as it is, and no new string is built.
  for (let i = 0; i < value.length; i++) {
    const char = value.charCodeAt(i);
    if (char <= 0x20 || char >= 0x7f || (char >= 0x61 && char <= 0x7a)) {
      return (HAS_SPACE.test(value) ? value.replace(/\s+/g, '') : value).toUpperCase();
    }
  }
  return value;
}

/**
 * `String(amount)` for the amounts of trace notes, which hold whole cents or so: from the integer number of cents
 * when `amount` is exactly that many hundredths, which is cheaper than the shortest round-trip conversion of a
 * double. It gives the same text: below 10^10 two numbers of at most two decimals differ by far more than the
 * spacing of doubles, so those two decimals (trailing zeros dropped) are the shortest form that reads back as
 * `amount`. Anything else is left to `String`.
 */
function formatAmount(amount: number): string {
  const cents = Math.round(amount * 100);
  if (cents / 100 !== amount || !(cents >= 0 && cents < 1e12)) return String(amount);
  const whole = Math.floor(cents / 100);
  const fraction = cents - whole * 100;
  if (fraction === 0) return String(whole);
  if (fraction % 10 === 0) return `${whole}.${fraction / 10}`;
  return `${whole}.${fraction < 10 ? '0' : ''}${fraction}`;
}
