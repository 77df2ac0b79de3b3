import { type Clock, systemClock } from '../kernel/index.js';
import { type ExchangeRates, loadReferenceData, type ReferenceData } from '../reference/index.js';

/**
 * What validation and harmonization look things up in: the reference data, the exchange rates the administration
 * publishes for customs valuation, the currency values are harmonized into, and a clock (a declaration lodged in
 * the future is impossible).
 */
export interface DeclarationEnvironment {
  readonly reference: ReferenceData;
  readonly rates: ExchangeRates;
  /** ISO 4217 code amounts are converted to; the rates' base currency unless told otherwise. */
  readonly currency: string;
  readonly clock: Clock;
}

/**
 * The project's reference data with its sample rates (approximate, for demos and tests) and EUR as the currency.
 * A node passes its own rates (see `concord rates import`).
 */
export function defaultEnvironment(overrides: Partial<DeclarationEnvironment> = {}): DeclarationEnvironment {
  const reference = overrides.reference ?? loadReferenceData();
  const rates = overrides.rates ?? reference.sampleExchangeRates;
  return { reference, rates, currency: overrides.currency ?? rates.base, clock: overrides.clock ?? systemClock };
}

/** The HS edition in force on a date: HS 2022 from 1 January 2022, HS 2017 before (HS 2012 is not carried). */
export function hsEditionInForce(date: string): 2017 | 2022 {
  return date >= '2022-01-01' ? 2022 : 2017;
}

const CANONICAL_ASCII = /^[!-~]+(?: [!-~]+)*$/;

/** Text as Concord keeps it: Unicode NFC, runs of white space as one space, trimmed. */
export function normalizeText(text: string): string {
  // Most text is printable ASCII with single spaces, which NFC and trimming leave as it is.
  if (CANONICAL_ASCII.test(text)) return text;
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** True when `date` (YYYY-MM-DD, possibly followed by a time) names a real calendar day. */
export function isCalendarDate(date: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const parsed = new Date(Date.UTC(year, month - 1, day));
  return parsed.getUTCFullYear() === year && parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day;
}

/** The calendar day of a date or date-time. */
export function dayOf(date: string): string {
  return date.slice(0, 10);
}

/**
 * Memoized reference lookups for one environment. A batch of declarations asks the same few questions (is USD in
 * use on this day, what is its rate, is NLRTM a sea port) thousands of times; each answer is computed once.
 */
export interface Lookups {
  countryAlpha2(code: string): string | undefined;
  currencyInUse(code: string, day: string): boolean;
  rate(currency: string, day: string): { date: string; rate: number } | undefined;
  location(code: string): { code: string; name: string; seaPort: boolean } | undefined;
  hsDeclarable(edition: 2017 | 2022, code: string): boolean;
}

const LOOKUP_CACHE_LIMIT = 100_000;
const lookupsByEnv = new WeakMap<DeclarationEnvironment, Lookups>();

export function lookupsOf(env: DeclarationEnvironment): Lookups {
  let lookups = lookupsByEnv.get(env);
  if (lookups === undefined) {
    lookups = makeLookups(env);
    lookupsByEnv.set(env, lookups);
  }
  return lookups;
}

function memo<T>(compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    if (cache.has(key)) return cache.get(key) as T;
    const value = compute(key);
    if (cache.size >= LOOKUP_CACHE_LIMIT) cache.clear();
    cache.set(key, value);
    return value;
  };
}

function makeLookups(env: DeclarationEnvironment): Lookups {
  const { reference, rates } = env;
  const country = memo((code) => reference.countries.find(code)?.alpha2);
  const currency = memo((key) => reference.currencies.isCurrent(key.slice(0, 3), key.slice(4)));
  const rate = memo((key) => {
    const found = rates.findRateOn(key.slice(0, 3), key.slice(4));
    return found === undefined ? undefined : { date: found.date, rate: found.rate };
  });
  const location = memo((code) => {
    const found = reference.locations.find(code);
    return found === undefined
      ? undefined
      : { code: found.code, name: found.name, seaPort: reference.locations.isSeaPort(found.code) };
  });
  const hs = memo((key) => reference.hs.isDeclarable(Number(key.slice(0, 4)) as 2017 | 2022, key.slice(5)));
  return {
    countryAlpha2: country,
    currencyInUse: (code, day) => currency(`${code} ${day}`),
    rate: (code, day) => rate(`${code} ${day}`),
    location,
    hsDeclarable: (edition, code) => hs(`${edition} ${code}`),
  };
}
