import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { ErrorCode } from '../kernel/index.js';
import { iso6346CheckDigit, isIso6346Format, isValidImoNumber } from './check-digits.js';
import { dayOf, type DeclarationEnvironment, normalizeText, upperCase } from './environment.js';
import { type Declaration, DeclarationSchema, type Measure, type Money, type Party } from './model.js';
import { type DayCache, referenceCache, type ReferenceCache } from './reference-cache.js';

/** The codes a validation problem can carry: the `DECL_` codes of the error catalogue. */
export type DeclarationProblemCode = Extract<ErrorCode, `DECL_${string}`>;

/** One problem found in a declaration: a stable code, the field as an RFC 6901 JSON Pointer, and why. */
export interface DeclarationProblem {
  readonly code: DeclarationProblemCode;
  readonly severity: 'error' | 'warning';
  readonly pointer: string;
  readonly message: string;
}

/** Every problem of a declaration at once. Errors make it invalid; warnings are kept with it. */
export interface ValidationOutcome {
  readonly valid: boolean;
  readonly errors: DeclarationProblem[];
  readonly warnings: DeclarationProblem[];
}

export const DeclarationValidator = TypeCompiler.Compile(DeclarationSchema);

const MAX_SCHEMA_ERRORS = 50;
const DAY_MS = 86_400_000;
/** A declaration is lodged now; a clock a little ahead of ours is tolerated, a day is not. */
const FUTURE_TOLERANCE_MS = DAY_MS;
const EARLIEST_DATE = '2000-01-01';
const MAX_ARRIVAL_GAP_DAYS = 366;
/** Relative tolerance on declared totals: rounding in the trader's system is not an irregularity. */
const TOTAL_TOLERANCE = 0.01;

/** Which parties each declaration type must name (WCO DM; EU UCC Annex B). */
const REQUIRED_PARTIES: Readonly<Record<Declaration['type'], readonly ('exporter' | 'importer' | 'carrier')[]>> = {
  import: ['importer'],
  export: ['exporter'],
  transit: ['exporter', 'importer'],
};

/**
 * Validates a declaration, reporting every problem at once: first its shape (`DECL_SCHEMA_INVALID`, after which
 * nothing else is checked), then its content against the reference data in force on the declaration date.
 *
 * @returns the outcome and, when the shape is right, the value typed as a {@link Declaration}.
 * @example
 * const { outcome } = validateDeclaration(json, defaultEnvironment());
 * outcome.errors; // [{ code: 'DECL_HS_CODE_UNKNOWN', pointer: '/items/0/hs/code', … }]
 */
export function validateDeclaration(
  input: unknown,
  env: DeclarationEnvironment,
): { outcome: ValidationOutcome; declaration: Declaration | undefined } {
  const problems = new Problems();
  if (!DeclarationValidator.Check(input)) {
    for (const error of DeclarationValidator.Errors(input)) {
      problems.error('DECL_SCHEMA_INVALID', error.path || '/', error.message);
      if (problems.errors.length >= MAX_SCHEMA_ERRORS) break;
    }
    return { outcome: problems.outcome(), declaration: undefined };
  }
  new ContentCheck(input, env, problems).run();
  return { outcome: problems.outcome(), declaration: input };
}

class Problems {
  readonly errors: DeclarationProblem[] = [];
  readonly warnings: DeclarationProblem[] = [];

  error(code: DeclarationProblemCode, pointer: string, message: string): void {
    this.errors.push({ code, severity: 'error', pointer, message });
  }

  warning(code: DeclarationProblemCode, pointer: string, message: string): void {
    this.warnings.push({ code, severity: 'warning', pointer, message });
  }

  outcome(): ValidationOutcome {
    return { valid: this.errors.length === 0, errors: this.errors, warnings: this.warnings };
  }
}

/** Content checks of one declaration. Pointers are built only for the problems found. */
class ContentCheck {
  private readonly day: string;
  private readonly edition: 2017 | 2022;
  private readonly lodgedIsDate: boolean;
  private readonly ref: ReferenceCache;
  private readonly onDay: DayCache;
  private missingRates: Set<string> | undefined;

  constructor(
    private readonly d: Declaration,
    private readonly env: DeclarationEnvironment,
    private readonly problems: Problems,
  ) {
    this.ref = referenceCache(env);
    // An impossible lodging date is reported; the rest is checked as of today rather than not at all.
    this.lodgedIsDate = this.ref.calendarDate(d.dates.lodged);
    this.day = this.lodgedIsDate ? dayOf(d.dates.lodged) : new Date(env.clock.now()).toISOString().slice(0, 10);
    this.onDay = this.ref.day(this.day);
    this.edition = this.onDay.edition;
  }

  run(): void {
    const { d } = this;
    this.checkDates();
    this.checkText('/functionalReference', '', d.functionalReference);
    this.checkParties();
    this.checkTransport();
    this.checkPlaces();
    this.checkCountry('/dispatchCountry', '', d.dispatchCountry);
    this.checkCountry('/destinationCountry', '', d.destinationCountry);
    const containers = d.containers;
    if (containers !== undefined) {
      for (let i = 0; i < containers.length; i++) this.checkContainer(i, containers[i]!);
    }
    this.checkItems();
    this.checkTotals();
  }

  private checkDates(): void {
    const { lodged, expectedArrival } = this.d.dates;
    if (!this.lodgedIsDate || this.day < EARLIEST_DATE) {
      this.problems.error('DECL_DATE_INVALID', '/dates/lodged', `${lodged} is not a possible lodging date`);
    } else if (this.lodgedTime(lodged) > this.env.clock.now() + FUTURE_TOLERANCE_MS) {
      this.problems.error('DECL_DATE_INVALID', '/dates/lodged', `${lodged} is in the future`);
    }
    if (expectedArrival !== undefined) {
      if (!this.ref.calendarDate(expectedArrival)) {
        this.problems.error('DECL_DATE_INVALID', '/dates/expectedArrival', `${expectedArrival} is not a calendar date`);
      } else if (
        this.lodgedIsDate &&
        Math.abs(this.ref.dayTime(dayOf(expectedArrival)) - this.onDay.time) > MAX_ARRIVAL_GAP_DAYS * DAY_MS
      ) {
        this.problems.error(
          'DECL_DATE_INVALID',
          '/dates/expectedArrival',
          `expected arrival ${expectedArrival} is more than a year from lodging (${this.day})`,
        );
      }
    }
  }

  /** `Date.parse(lodged)` of a lodging date: a bare day is its UTC midnight, which the day's cache holds already. */
  private lodgedTime(lodged: string): number {
    return lodged.length === 10 ? this.onDay.time : Date.parse(lodged);
  }

  /** `at + field` is the pointer, joined only when there is a problem. */
  private checkText(at: string, field: string, text: string | undefined): void {
    if (text !== undefined && isBlank(text)) {
      this.problems.error('DECL_SCHEMA_INVALID', at + field, 'is blank');
    }
  }

  private checkParties(): void {
    const { d } = this;
    this.checkParty('/declarant', d.declarant);
    for (const role of ROLES) {
      const party = d[role];
      if (party !== undefined) this.checkParty(ROLE_POINTERS[role], party);
      else if (REQUIRED_PARTIES[d.type].includes(role)) {
        this.problems.error('DECL_PARTY_MISSING', ROLE_POINTERS[role], `a ${d.type} declaration names its ${role}`);
      }
    }
  }

  private checkParty(pointer: string, party: Party): void {
    const hasName = party.name !== undefined && !isBlank(party.name);
    if (!hasName && (party.identifiers?.length ?? 0) === 0) {
      this.problems.error('DECL_PARTY_INCOMPLETE', pointer, 'a party has a name or an identifier');
    }
    this.checkText(pointer, '/name', party.name);
    this.checkCountry(pointer, '/country', party.country);
    this.checkCountry(pointer, '/address/country', party.address?.country);
  }

  private checkCountry(at: string, field: string, code: string | undefined): void {
    if (code === undefined) return;
    if (!this.ref.country(code).valid) {
      this.problems.error('DECL_COUNTRY_UNKNOWN', at + field, `"${code}" is not an ISO 3166-1 country code`);
    }
  }

  private checkTransport(): void {
    const transport = this.d.transport;
    if (transport === undefined) return;
    this.checkCountry('/transport/nationality', '', transport.nationality);
    const id = transport.meansId;
    if (id === undefined) return;
    if (transport.meansType === 'imo' || (transport.meansType === undefined && IMO_PREFIX.test(id))) {
      if (!isValidImoNumber(id)) {
        this.problems.error('DECL_IMO_CHECK_DIGIT', '/transport/meansId', `"${id}" is not a valid IMO number`);
      }
    }
  }

  private checkPlaces(): void {
    const places = this.d.places;
    if (places === undefined) return;
    const sea = this.d.transport?.mode === 'sea';
    for (const key of PLACES) {
      const code = places[key];
      if (code === undefined) continue;
      const location = this.ref.location(code);
      if (location === undefined) {
        this.problems.error('DECL_LOCATION_UNKNOWN', `/places/${key}`, `"${code}" is not a UN/LOCODE`);
      } else if (sea && (key === 'loading' || key === 'unloading') && !location.seaPort) {
        this.problems.warning(
          'DECL_LOCATION_NOT_SEAPORT',
          `/places/${key}`,
          `${location.code} (${location.name}) is not a sea port, yet the transport is by sea`,
        );
      }
    }
  }

  private checkContainer(i: number, raw: string): void {
    // Most numbers come in their canonical form already: no need to strip and upper-case them.
    let id = raw;
    if (!isIso6346Format(raw)) {
      id = raw.replace(/\s+/g, '').toUpperCase();
      if (!isIso6346Format(id)) {
        this.problems.warning(
          'DECL_CONTAINER_NOT_ISO6346',
          `/containers/${i}`,
          `"${raw}" is not an ISO 6346 container number`,
        );
        return;
      }
    }
    // Of ISO 6346 form by now: `isValidContainerNumber` without testing the form a second time.
    if (iso6346CheckDigit(id) !== Number(id[10])) {
      this.problems.error(
        'DECL_CONTAINER_CHECK_DIGIT',
        `/containers/${i}`,
        `the ISO 6346 check digit of ${id} is wrong`,
      );
    }
  }

  private checkItems(): void {
    const items = this.d.items;
    // Items are nearly always numbered 1, 2, 3… in order, which needs no set of the numbers seen: it is made at the
    // first item out of that order, holding 1…i, the numbers of the items before it.
    let seen: Set<number> | undefined;
    let outOfRange = false;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const at = `/items/${i}`;
      if (seen !== undefined || item.sequence !== i + 1) {
        if (seen === undefined) {
          seen = new Set<number>();
          for (let sequence = 1; sequence <= i; sequence++) seen.add(sequence);
        }
        if (seen.has(item.sequence)) {
          this.problems.error('DECL_ITEM_SEQUENCE_INVALID', `${at}/sequence`, `sequence ${item.sequence} is repeated`);
        }
        seen.add(item.sequence);
        if (item.sequence < 1 || item.sequence > items.length) outOfRange = true;
      }
      this.checkText(at, '/description', item.description);
      this.checkHs(at, item.hs);
      this.checkCountry(at, '/origin', item.origin);
      this.checkCountry(at, '/preferentialOrigin', item.preferentialOrigin);
      if (item.quantity !== undefined && this.ref.unit(item.quantity.unit) === undefined) {
        this.problems.error(
          'DECL_UNIT_INVALID',
          `${at}/quantity/unit`,
          `"${item.quantity.unit}" is not a UN/ECE Rec. 20 unit`,
        );
      }
      const gross = this.massKg(at, '/grossMass', item.grossMass);
      const net = this.massKg(at, '/netMass', item.netMass);
      if (gross !== undefined && net !== undefined && net > gross * (1 + 1e-9)) {
        this.problems.error('DECL_MASS_INCONSISTENT', `${at}/netMass`, `net mass ${net} kg exceeds gross ${gross} kg`);
      }
      this.checkMoney(at, '/customsValue', item.customsValue);
      this.checkMoney(at, '/statisticalValue', item.statisticalValue);
      const documents = item.documents;
      if (documents !== undefined) {
        for (let j = 0; j < documents.length; j++) {
          const issuedOn = documents[j]!.issuedOn;
          if (issuedOn !== undefined && !this.ref.calendarDate(issuedOn)) {
            this.problems.error(
              'DECL_DATE_INVALID',
              `${at}/documents/${j}/issuedOn`,
              `${issuedOn} is not a calendar date`,
            );
          }
        }
      }
    }
    // n distinct integers run 1…n exactly when none lies outside 1…n.
    if (seen !== undefined && seen.size === items.length && outOfRange) {
      this.problems.error('DECL_ITEM_SEQUENCE_INVALID', '/items', 'item sequence numbers run 1, 2, 3… without gaps');
    }
  }

  private checkHs(at: string, hs: Declaration['items'][number]['hs']): void {
    if (hs === undefined) {
      this.problems.warning('DECL_HS_CODE_MISSING', at, 'the goods item has no HS code');
      return;
    }
    const digits = HS_DIGITS.test(hs.code) ? hs.code : hs.code.replace(/[.\s]/g, '');
    const edition = hs.edition ?? this.edition;
    if (!HS_DIGITS.test(digits)) {
      this.problems.error('DECL_HS_CODE_UNKNOWN', `${at}/hs/code`, `"${hs.code}" is not 6, 8 or 10 digits`);
      return;
    }
    const subheading = digits.length === 6 ? digits : digits.slice(0, 6);
    if (!this.ref.hsDeclarable(edition, subheading)) {
      this.problems.error(
        'DECL_HS_CODE_UNKNOWN',
        `${at}/hs/code`,
        `${subheading} is not a subheading of HS ${edition}` +
          (hs.edition === undefined ? ` (the edition in force on ${this.day})` : ''),
      );
      return;
    }
    if (edition !== this.edition) {
      this.problems.warning(
        'DECL_HS_EDITION_MISMATCH',
        `${at}/hs/edition`,
        `HS ${edition} is declared, but HS ${this.edition} is in force on ${this.day}`,
      );
    }
    if (edition !== 2022) {
      const translation = this.ref.hs2017To2022(subheading);
      if (!translation.exact) {
        this.problems.warning(
          'DECL_HS_TRANSLATION_AMBIGUOUS',
          `${at}/hs/code`,
          `HS ${edition} ${subheading} corresponds to ${translation.candidates.join(', ')} in HS 2022 ` +
            `(${translation.relationship}); the first is used`,
        );
      }
    }
  }

  private massKg(at: string, field: string, mass: Measure | undefined): number | undefined {
    if (mass === undefined) return undefined;
    const unit = this.ref.unit(mass.unit);
    if (unit === undefined || unit.dimension !== 'mass') {
      this.problems.error('DECL_UNIT_INVALID', `${at}${field}/unit`, `"${mass.unit}" is not a unit of mass`);
      return undefined;
    }
    return mass.value * unit.factor;
  }

  private checkMoney(at: string, field: string, money: Money | undefined): void {
    if (money === undefined) return;
    if (!this.onDay.currencyInUse(money.currency)) {
      this.problems.error(
        'DECL_CURRENCY_UNKNOWN',
        `${at}${field}/currency`,
        `"${money.currency}" is not an ISO 4217 currency in use on ${this.day}`,
      );
      return;
    }
    const code = upperCase(money.currency);
    if (code === this.env.currency || this.missingRates?.has(code) === true) return;
    if (!this.onDay.hasRate(code)) {
      (this.missingRates ??= new Set()).add(code);
      this.problems.warning(
        'DECL_RATE_MISSING',
        `${at}${field}/currency`,
        `no ${code} → ${this.env.currency} rate is in force on ${this.day}; the amount is kept in ${code}`,
      );
    }
  }

  private checkTotals(): void {
    const { totals, items } = this.d;
    if (totals === undefined) return;
    if (totals.itemCount !== undefined && totals.itemCount !== items.length) {
      this.problems.error(
        'DECL_TOTAL_MISMATCH',
        '/totals/itemCount',
        `${totals.itemCount} items are declared, ${items.length} are listed`,
      );
    }
    if (totals.packages !== undefined) {
      let sum = 0;
      let all = true;
      for (const item of items) {
        if (item.packages === undefined) {
          all = false;
          break;
        }
        sum += item.packages.count;
      }
      if (all && sum !== totals.packages) {
        this.problems.warning(
          'DECL_TOTAL_DIFFERS',
          '/totals/packages',
          `${totals.packages} packages are declared, the items add up to ${sum}`,
        );
      }
    }
    if (totals.grossMass !== undefined) {
      const total = this.massKg('/totals', '/grossMass', totals.grossMass);
      if (total !== undefined) {
        let sum = 0;
        let all = true;
        for (const item of items) {
          const unit = item.grossMass === undefined ? undefined : this.ref.unit(item.grossMass.unit);
          if (unit?.dimension !== 'mass') {
            all = false;
            break;
          }
          sum += item.grossMass!.value * unit.factor;
        }
        if (all && differs(total, sum)) {
          this.problems.warning(
            'DECL_TOTAL_DIFFERS',
            '/totals/grossMass',
            `the total gross mass is ${total} kg, the items add up to ${round(sum)} kg`,
          );
        }
      }
    }
    if (totals.invoice !== undefined) {
      this.checkMoney('/totals', '/invoice', totals.invoice);
      const currency = upperCase(totals.invoice.currency);
      let sum = 0;
      let all = true;
      for (const item of items) {
        const value = item.customsValue ?? item.statisticalValue;
        if (value === undefined || (value.currency !== currency && upperCase(value.currency) !== currency)) {
          all = false;
          break;
        }
        sum += value.amount;
      }
      if (all && differs(totals.invoice.amount, sum)) {
        this.problems.warning(
          'DECL_TOTAL_DIFFERS',
          '/totals/invoice',
          `the invoice total is ${totals.invoice.amount} ${currency}, the items add up to ${round(sum)}`,
        );
      }
    }
  }
}

const ROLES = ['exporter', 'importer', 'carrier'] as const;
const ROLE_POINTERS = { exporter: '/exporter', importer: '/importer', carrier: '/carrier' } as const;
const PLACES = ['loading', 'unloading', 'entry', 'exit'] as const;
const IMO_PREFIX = /^\s*IMO/i;
const HS_DIGITS = /^\d{6}(?:\d{2}){0,2}$/;

/**
 * Whether `normalizeText(text)` is empty: text that starts with a visible ASCII character cannot be, and the rest
 * (rare) is normalized to tell.
 */
function isBlank(text: string): boolean {
  const first = text.charCodeAt(0);
  if (first > 0x20 && first < 0x7f) return false;
  return normalizeText(text) === '';
}

function differs(declared: number, sum: number): boolean {
  return Math.abs(declared - sum) > TOTAL_TOLERANCE * Math.max(Math.abs(declared), Math.abs(sum), 1);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
