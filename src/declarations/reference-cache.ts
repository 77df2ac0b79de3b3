import { findUnit, type HsTranslation, type Unit } from '../reference/index.js';
import { type DeclarationEnvironment, hsEditionInForce, isCalendarDate } from './environment.js';

/**
 * The reference answers validation and harmonization need, memoized per environment and keyed by the raw value as
 * it arrives (no key is built by concatenation, so a lookup is one hash of a string V8 has usually interned), with
 * the answers for one lodging day grouped in a {@link DayCache}. A batch of declarations asks the same few questions
 * (is NL a country, is USD in use on this day and at what rate, is NLRTM a sea port) thousands of times; each answer
 * is computed once. Every map is bounded: past {@link CACHE_LIMIT} entries it starts afresh.
 */
export interface ReferenceCache {
  /** The ISO 3166-1 alpha-2 form of `code` (any case, alpha-2, alpha-3 or numeric), and whether it is valid input. */
  country(code: string): CountryAnswer;
  location(code: string): LocationAnswer | undefined;
  hsDeclarable(edition: 2017 | 2022, subheading: string): boolean;
  /** The HS 2022 correspondence of an HS 2017 subheading; throws as `translate` does (not cached then). */
  hs2017To2022(subheading: string): HsTranslation;
  unit(code: string): Unit | undefined;
  /** `isCalendarDate`, memoized. */
  calendarDate(date: string): boolean;
  /** `Date.parse` of a `YYYY-MM-DD` day (its UTC midnight), memoized. */
  dayTime(day: string): number;
  /** The minor units of the environment's currency (2 when unknown). */
  readonly targetMinorUnits: number;
  /** 10 to the power {@link targetMinorUnits}: what an amount is multiplied by to round it to minor units. */
  readonly targetScale: number;
  day(day: string): DayCache;
}

export interface CountryAnswer {
  readonly alpha2: string | undefined;
  /** Of the form of a country code (2–3 letters or 3 digits) and known. */
  readonly valid: boolean;
}

export interface LocationAnswer {
  readonly code: string;
  readonly name: string;
  readonly seaPort: boolean;
}

/** A conversion into the environment's currency on one day. */
export interface Conversion {
  readonly from: number;
  readonly to: number;
  /** ` at 0.921234 (EUR rates of 2024-03-01, in force on 2024-03-14)`: the end of the trace note. */
  readonly noteTail: string;
}

/** Answers that depend on the lodging day. */
export interface DayCache {
  readonly day: string;
  /** `Date.parse(day)`: the day's UTC midnight. */
  readonly time: number;
  readonly edition: 2017 | 2022;
  /** Whether `currency` (as given, any case) is a 3-letter ISO 4217 code in use on the day. */
  currencyInUse(currency: string): boolean;
  /** Whether rates of `code` (upper case) and of the environment's currency are both in force on the day. */
  hasRate(code: string): boolean;
  /** The conversion of `code` (upper case) into the environment's currency, when both rates are in force. */
  conversion(code: string): Conversion | undefined;
}

const CACHE_LIMIT = 100_000;
const MAX_DAYS = 5_000;
const COUNTRY_CODE = /^(?:[A-Za-z]{2,3}|\d{3})$/;
const CURRENCY_CODE = /^[A-Z]{3}$/;

const caches = new WeakMap<DeclarationEnvironment, ReferenceCache>();

/** The cache of one environment (created on first use; an environment is immutable). */
export function referenceCache(env: DeclarationEnvironment): ReferenceCache {
  let cache = caches.get(env);
  if (cache === undefined) {
    cache = makeCache(env);
    caches.set(env, cache);
  }
  return cache;
}

/**
 * A bounded memo of a function of one string. The last answer is kept aside: consecutive questions are often the
 * same (the origin, unit and currency of each item), and comparing an interned string is cheaper than hashing.
 */
function memo<T>(compute: (key: string) => T, limit = CACHE_LIMIT): (key: string) => T {
  const cache = new Map<string, T>();
  let lastKey: string | undefined;
  let lastValue: T | undefined;
  return (key) => {
    if (key === lastKey) return lastValue as T;
    let value = cache.get(key);
    if (value === undefined && !cache.has(key)) {
      value = compute(key);
      if (cache.size >= limit) cache.clear();
      cache.set(key, value);
    }
    lastKey = key;
    lastValue = value;
    return value as T;
  };
}

function makeCache(env: DeclarationEnvironment): ReferenceCache {
  const { reference, rates } = env;
  const country = memo((code): CountryAnswer => {
    const alpha2 = reference.countries.find(code)?.alpha2;
    return { alpha2, valid: COUNTRY_CODE.test(code) && alpha2 !== undefined };
  });
  const location = memo((code): LocationAnswer | undefined => {
    const found = reference.locations.find(code);
    return found === undefined
      ? undefined
      : { code: found.code, name: found.name, seaPort: reference.locations.isSeaPort(found.code) };
  });
  const hs2017 = memo((code) => reference.hs.isDeclarable(2017, code));
  const hs2022 = memo((code) => reference.hs.isDeclarable(2022, code));
  const correlation = memo((code) => reference.hsCorrelation.translate({ from: 2017, to: 2022, code }));
  const unit = memo((code) => findUnit(code));
  const calendarDate = memo(isCalendarDate);
  const dayTime = memo((day) => Date.parse(day));
  const days = memo((day) => makeDayCache(env, day), MAX_DAYS);
  const targetMinorUnits = reference.currencies.find(env.currency)?.minorUnits ?? 2;
  return {
    country,
    location,
    hsDeclarable: (edition, code) => (edition === 2022 ? hs2022(code) : hs2017(code)),
    hs2017To2022: correlation,
    unit,
    calendarDate,
    dayTime,
    targetMinorUnits,
    targetScale: 10 ** targetMinorUnits,
    day: days,
  };

  function makeDayCache(env: DeclarationEnvironment, day: string): DayCache {
    const rate = memo((code) => rates.findRateOn(code, day));
    const target = env.currency;
    const inUse = memo((currency) => {
      const code = currency.toUpperCase();
      return CURRENCY_CODE.test(code) && reference.currencies.isCurrent(code, day);
    });
    const conversion = memo((code): Conversion | undefined => {
      const from = rate(code);
      const to = rate(target);
      if (from === undefined || to === undefined) return undefined;
      const dates = from.date === to.date ? from.date : `${from.date} and ${to.date}`;
      return {
        from: from.rate,
        to: to.rate,
        noteTail: ` at ${(to.rate / from.rate).toPrecision(6)} (${rates.base} rates of ${dates}, in force on ${day})`,
      };
    });
    return {
      day,
      time: dayTime(day),
      edition: hsEditionInForce(day),
      currencyInUse: inUse,
      // Memoized as a whole: asking `rate` for `code` and then `target` in turn would defeat its last-answer shortcut.
      hasRate: memo((code) => rate(code) !== undefined && rate(target) !== undefined),
      conversion,
    };
  }
}
