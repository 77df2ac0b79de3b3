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

/** Text as Concord keeps it: Unicode NFC, runs of white space as one space, trimmed. */
export function normalizeText(text: string): string {
  const spacing = spacingOf(text);
  // Most text is printable ASCII with single spaces, which NFC and trimming leave as it is.
  if (spacing === 'ascii') return text;
  // Names and descriptions in other scripts are mostly canonical too: NFC already (`normalize` has a quick check
  // for that) and with single spaces, which collapsing and trimming leave as they are.
  if (spacing === 'single' && text.normalize('NFC') === text) return text;
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/**
 * How text is spaced. `ascii`: printable ASCII words separated by single spaces (/^[!-~]+(?: [!-~]+)*$/). `single`:
 * words separated by single spaces, some beyond ASCII, which `.replace(/\s+/g, ' ').trim()` leaves as they are.
 * `other`: anything else (empty, other white space or runs of it, ASCII control characters).
 */
type Spacing = 'ascii' | 'single' | 'other';

/**
 * How `text` is spaced, by a loop over its char codes: every field of every declaration goes through it, and a
 * regular expression costs more on such short strings.
 */
function spacingOf(text: string): Spacing {
  const length = text.length;
  if (length === 0 || text.charCodeAt(0) === 0x20 || text.charCodeAt(length - 1) === 0x20) return 'other';
  let ascii = true;
  let previousSpace = false;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x20) {
      if (previousSpace) return 'other';
      previousSpace = true;
    } else if (code > 0x20 && code < 0x7f) {
      previousSpace = false;
    } else if (code >= 0x80 && !isNonAsciiSpace(code)) {
      ascii = false;
      previousSpace = false;
    } else {
      return 'other';
    }
  }
  return ascii ? 'ascii' : 'single';
}

/** The white space of `\s` (and of `trim`) beyond ASCII: Unicode Zs, the line and paragraph separators, the BOM. */
function isNonAsciiSpace(code: number): boolean {
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * `code.toUpperCase()`, without building a new string when there is nothing to change: codes (currencies, units,
 * packages) nearly always come in upper case already.
 */
export function upperCase(code: string): string {
  for (let i = 0; i < code.length; i++) {
    const char = code.charCodeAt(i);
    if ((char >= 0x61 && char <= 0x7a) || char >= 0x80) return code.toUpperCase();
  }
  return code;
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
