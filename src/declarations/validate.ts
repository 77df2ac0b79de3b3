import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { ErrorCode } from '../kernel/index.js';
import { findUnit } from '../reference/index.js';
import { isIso6346Format, isValidContainerNumber, isValidImoNumber } from './check-digits.js';
import {
  dayOf,
  type DeclarationEnvironment,
  hsEditionInForce,
  isCalendarDate,
  type Lookups,
  lookupsOf,
  normalizeText,
} from './environment.js';
import { type Declaration, DeclarationSchema, type Measure, type Money, type Party } from './model.js';

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

const COUNTRY_CODE = /^(?:[A-Za-z]{2,3}|\d{3})$/;

class ContentCheck {
  private readonly day: string;
  private readonly edition: 2017 | 2022;
  private readonly missingRates = new Set<string>();
  private readonly lookups: Lookups;

  constructor(
    private readonly d: Declaration,
    private readonly env: DeclarationEnvironment,
    private readonly problems: Problems,
  ) {
    // An impossible lodging date is reported; the rest is checked as of today rather than not at all.
    this.day = isCalendarDate(d.dates.lodged)
      ? dayOf(d.dates.lodged)
      : new Date(env.clock.now()).toISOString().slice(0, 10);
    this.edition = hsEditionInForce(this.day);
    this.lookups = lookupsOf(env);
  }

  run(): void {
    const { d } = this;
    this.checkDates();
    this.checkText('/functionalReference', d.functionalReference);
    this.checkParties();
    this.checkTransport();
    this.checkPlaces();
    for (const key of ['dispatchCountry', 'destinationCountry'] as const) {
      this.checkCountry(`/${key}`, d[key]);
    }
    d.containers?.forEach((id, i) => this.checkContainer(`/containers/${i}`, id));
    this.checkItems();
    this.checkTotals();
  }

  private checkDates(): void {
    const { lodged, expectedArrival } = this.d.dates;
    if (!isCalendarDate(lodged) || dayOf(lodged) < EARLIEST_DATE) {
      this.problems.error('DECL_DATE_INVALID', '/dates/lodged', `${lodged} is not a possible lodging date`);
    } else if (Date.parse(lodged) > this.env.clock.now() + FUTURE_TOLERANCE_MS) {
      this.problems.error('DECL_DATE_INVALID', '/dates/lodged', `${lodged} is in the future`);
    }
    if (expectedArrival !== undefined) {
      if (!isCalendarDate(expectedArrival)) {
        this.problems.error('DECL_DATE_INVALID', '/dates/expectedArrival', `${expectedArrival} is not a calendar date`);
      } else if (
        isCalendarDate(lodged) &&
        Math.abs(Date.parse(dayOf(expectedArrival)) - Date.parse(this.day)) > MAX_ARRIVAL_GAP_DAYS * DAY_MS
      ) {
        this.problems.error(
          'DECL_DATE_INVALID',
          '/dates/expectedArrival',
          `expected arrival ${expectedArrival} is more than a year from lodging (${this.day})`,
        );
      }
    }
  }

  private checkText(pointer: string, text: string | undefined): void {
    if (text !== undefined && normalizeText(text) === '') {
      this.problems.error('DECL_SCHEMA_INVALID', pointer, 'is blank');
    }
  }

  private checkParties(): void {
    const { d } = this;
    this.checkParty('/declarant', d.declarant);
    for (const role of ['exporter', 'importer', 'carrier'] as const) {
      const party = d[role];
      if (party !== undefined) this.checkParty(`/${role}`, party);
      else if (REQUIRED_PARTIES[d.type].includes(role)) {
        this.problems.error('DECL_PARTY_MISSING', `/${role}`, `a ${d.type} declaration names its ${role}`);
      }
    }
  }

  private checkParty(pointer: string, party: Party): void {
    const hasName = party.name !== undefined && normalizeText(party.name) !== '';
    if (!hasName && (party.identifiers?.length ?? 0) === 0) {
      this.problems.error('DECL_PARTY_INCOMPLETE', pointer, 'a party has a name or an identifier');
    }
    this.checkText(`${pointer}/name`, party.name);
    this.checkCountry(`${pointer}/country`, party.country);
    this.checkCountry(`${pointer}/address/country`, party.address?.country);
  }

  private checkCountry(pointer: string, code: string | undefined): void {
    if (code === undefined) return;
    if (!COUNTRY_CODE.test(code) || this.lookups.countryAlpha2(code) === undefined) {
      this.problems.error('DECL_COUNTRY_UNKNOWN', pointer, `"${code}" is not an ISO 3166-1 country code`);
    }
  }

  private checkTransport(): void {
    const transport = this.d.transport;
    if (transport === undefined) return;
    this.checkCountry('/transport/nationality', transport.nationality);
    const id = transport.meansId;
    if (id === undefined) return;
    if (transport.meansType === 'imo' || (transport.meansType === undefined && /^\s*IMO/i.test(id))) {
      if (!isValidImoNumber(id)) {
        this.problems.error('DECL_IMO_CHECK_DIGIT', '/transport/meansId', `"${id}" is not a valid IMO number`);
      }
    }
  }

  private checkPlaces(): void {
    const places = this.d.places;
    if (places === undefined) return;
    const sea = this.d.transport?.mode === 'sea';
    for (const key of ['loading', 'unloading', 'entry', 'exit'] as const) {
      const code = places[key];
      if (code === undefined) continue;
      const location = this.lookups.location(code);
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

  private checkContainer(pointer: string, raw: string): void {
    const id = raw.replace(/\s+/g, '').toUpperCase();
    if (!isIso6346Format(id)) {
      this.problems.warning('DECL_CONTAINER_NOT_ISO6346', pointer, `"${raw}" is not an ISO 6346 container number`);
    } else if (!isValidContainerNumber(id)) {
      this.problems.error('DECL_CONTAINER_CHECK_DIGIT', pointer, `the ISO 6346 check digit of ${id} is wrong`);
    }
  }

  private checkItems(): void {
    const seen = new Set<number>();
    this.d.items.forEach((item, i) => {
      const at = `/items/${i}`;
      if (seen.has(item.sequence)) {
        this.problems.error('DECL_ITEM_SEQUENCE_INVALID', `${at}/sequence`, `sequence ${item.sequence} is repeated`);
      }
      seen.add(item.sequence);
      this.checkText(`${at}/description`, item.description);
      this.checkHs(at, item.hs);
      this.checkCountry(`${at}/origin`, item.origin);
      this.checkCountry(`${at}/preferentialOrigin`, item.preferentialOrigin);
      if (item.quantity !== undefined && findUnit(item.quantity.unit) === undefined) {
        this.problems.error(
          'DECL_UNIT_INVALID',
          `${at}/quantity/unit`,
          `"${item.quantity.unit}" is not a UN/ECE Rec. 20 unit`,
        );
      }
      const gross = this.massKg(`${at}/grossMass`, item.grossMass);
      const net = this.massKg(`${at}/netMass`, item.netMass);
      if (gross !== undefined && net !== undefined && net > gross * (1 + 1e-9)) {
        this.problems.error('DECL_MASS_INCONSISTENT', `${at}/netMass`, `net mass ${net} kg exceeds gross ${gross} kg`);
      }
      this.checkMoney(`${at}/customsValue`, item.customsValue);
      this.checkMoney(`${at}/statisticalValue`, item.statisticalValue);
      item.documents?.forEach((document, j) => {
        if (document.issuedOn !== undefined && !isCalendarDate(document.issuedOn)) {
          this.problems.error(
            'DECL_DATE_INVALID',
            `${at}/documents/${j}/issuedOn`,
            `${document.issuedOn} is not a calendar date`,
          );
        }
      });
    });
    const sorted = [...seen].sort((a, b) => a - b);
    if (seen.size === this.d.items.length && sorted.some((sequence, i) => sequence !== i + 1)) {
      this.problems.error('DECL_ITEM_SEQUENCE_INVALID', '/items', 'item sequence numbers run 1, 2, 3… without gaps');
    }
  }

  private checkHs(at: string, hs: Declaration['items'][number]['hs']): void {
    if (hs === undefined) {
      this.problems.warning('DECL_HS_CODE_MISSING', at, 'the goods item has no HS code');
      return;
    }
    const digits = hs.code.replace(/[.\s]/g, '');
    const edition = hs.edition ?? this.edition;
    if (!/^\d{6}(?:\d{2}){0,2}$/.test(digits)) {
      this.problems.error('DECL_HS_CODE_UNKNOWN', `${at}/hs/code`, `"${hs.code}" is not 6, 8 or 10 digits`);
      return;
    }
    const subheading = digits.slice(0, 6);
    if (!this.lookups.hsDeclarable(edition, subheading)) {
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
      const translation = this.env.reference.hsCorrelation.translate({ from: edition, to: 2022, code: subheading });
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

  private massKg(pointer: string, mass: Measure | undefined): number | undefined {
    if (mass === undefined) return undefined;
    const unit = findUnit(mass.unit);
    if (unit === undefined || unit.dimension !== 'mass') {
      this.problems.error('DECL_UNIT_INVALID', `${pointer}/unit`, `"${mass.unit}" is not a unit of mass`);
      return undefined;
    }
    return mass.value * unit.factor;
  }

  private checkMoney(pointer: string, money: Money | undefined): void {
    if (money === undefined) return;
    const code = money.currency.toUpperCase();
    if (!/^[A-Z]{3}$/.test(code) || !this.lookups.currencyInUse(code, this.day)) {
      this.problems.error(
        'DECL_CURRENCY_UNKNOWN',
        `${pointer}/currency`,
        `"${money.currency}" is not an ISO 4217 currency in use on ${this.day}`,
      );
      return;
    }
    if (code === this.env.currency || this.missingRates.has(code)) return;
    if (
      this.lookups.rate(code, this.day) === undefined ||
      this.lookups.rate(this.env.currency, this.day) === undefined
    ) {
      this.missingRates.add(code);
      this.problems.warning(
        'DECL_RATE_MISSING',
        `${pointer}/currency`,
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
    if (totals.packages !== undefined && items.every((item) => item.packages !== undefined)) {
      const sum = items.reduce((total, item) => total + (item.packages?.count ?? 0), 0);
      if (sum !== totals.packages) {
        this.problems.warning(
          'DECL_TOTAL_DIFFERS',
          '/totals/packages',
          `${totals.packages} packages are declared, the items add up to ${sum}`,
        );
      }
    }
    if (totals.grossMass !== undefined) {
      const total = this.massKg('/totals/grossMass', totals.grossMass);
      const masses = items.map((item) => (item.grossMass ? findUnit(item.grossMass.unit) : undefined));
      if (total !== undefined && masses.every((unit) => unit?.dimension === 'mass')) {
        const sum = items.reduce((acc, item, i) => acc + item.grossMass!.value * masses[i]!.factor, 0);
        if (differs(total, sum)) {
          this.problems.warning(
            'DECL_TOTAL_DIFFERS',
            '/totals/grossMass',
            `the total gross mass is ${total} kg, the items add up to ${round(sum)} kg`,
          );
        }
      }
    }
    if (totals.invoice !== undefined) {
      this.checkMoney('/totals/invoice', totals.invoice);
      const currency = totals.invoice.currency.toUpperCase();
      const values = items.map((item) => item.customsValue ?? item.statisticalValue);
      if (values.every((value) => value?.currency.toUpperCase() === currency)) {
        const sum = values.reduce((acc, value) => acc + value!.amount, 0);
        if (differs(totals.invoice.amount, sum)) {
          this.problems.warning(
            'DECL_TOTAL_DIFFERS',
            '/totals/invoice',
            `the invoice total is ${totals.invoice.amount} ${currency}, the items add up to ${round(sum)}`,
          );
        }
      }
    }
  }
}

function differs(declared: number, sum: number): boolean {
  return Math.abs(declared - sum) > TOTAL_TOLERANCE * Math.max(Math.abs(declared), Math.abs(sum), 1);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
