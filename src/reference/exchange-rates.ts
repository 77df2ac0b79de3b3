import { readFileSync } from 'node:fs';
import { ConcordError } from '../kernel/index.js';
import { CsvSyntaxError, parseCsv } from './csv.js';
import { isIsoDate, toIsoDate } from './dates.js';

/**
 * One published rate: how many units of `currency` one unit of the base currency buys on `date` and after, until the
 * next rate (the ECB's convention: EUR 1 = USD 1.0824).
 */
export interface ExchangeRate {
  readonly currency: string;
  /** `YYYY-MM-DD`: the day the rate comes into force. */
  readonly date: string;
  /** Units of `currency` per unit of the base currency; the base currency itself has rate 1. */
  readonly rate: number;
}

export interface RateLookupOptions {
  /** Refuse a rate older than this many days before the date asked for (a currency whose publication stopped). */
  readonly maxAgeDays?: number;
}

export interface Conversion {
  /** The converted amount, not rounded (round to the currency's minor units where the law says when). */
  readonly amount: number;
  readonly from: ExchangeRate;
  readonly to: ExchangeRate;
  /** Units of the target currency per unit of the source currency. */
  readonly rate: number;
}

export interface ExchangeRatesFileOptions {
  /** The base currency the rates are quoted against; defaults to EUR. */
  readonly base?: string;
  /** When given, each currency must be an ISO 4217 code it knows (current or historic). */
  readonly isKnownCurrency?: (code: string) => boolean;
  /** Names the file in error messages. */
  readonly source?: string;
}

/** One fault of a rates file, by line (1-based, the header is line 1). */
export interface RatesFileError {
  readonly line: number;
  readonly message: string;
}

const MAX_REPORTED_ERRORS = 100;
const DAY_MS = 86_400_000;

/** One currency's rates in date order. */
interface Series {
  readonly dates: string[];
  readonly rates: number[];
}

/**
 * A table of exchange rates against one base currency, as a customs administration publishes them for customs
 * valuation: the rate in force on a date is the latest published on or before it. Conversion between two other
 * currencies goes through the base (the cross rate).
 *
 * @example
 * const rates = parseExchangeRatesCsv('currency,date,rate\nUSD,2024-01-01,1.09\nGBP,2024-01-01,0.86\n');
 * rates.convert(100, 'USD', 'GBP', '2024-03-15').amount; // 78.899…
 */
export class ExchangeRates {
  private readonly series = new Map<string, Series>();

  /** `rates` against `base`; several rates of one currency on one date are refused by the file parser, not here. */
  constructor(
    rates: Iterable<ExchangeRate>,
    readonly base = 'EUR',
  ) {
    const sorted = [...rates].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    for (const { currency, date, rate } of sorted) {
      let series = this.series.get(currency);
      if (series === undefined) this.series.set(currency, (series = { dates: [], rates: [] }));
      series.dates.push(date);
      series.rates.push(rate);
    }
  }

  /** The currencies with rates (the base excluded), in alphabetical order. */
  currencies(): string[] {
    return [...this.series.keys()].sort();
  }

  /** The rate of `currency` in force on `date`, or undefined when none is (or none is recent enough). */
  findRateOn(currency: string, date: string | Date, options: RateLookupOptions = {}): ExchangeRate | undefined {
    const day = toIsoDate(date);
    const code = currency.trim().toUpperCase();
    if (code === this.base) return { currency: code, date: day, rate: 1 };
    const series = this.series.get(code);
    if (series === undefined) return undefined;
    // The last index whose date is on or before `day`.
    let lo = 0;
    let hi = series.dates.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (series.dates[mid]! <= day) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return undefined;
    const found = { currency: code, date: series.dates[lo - 1]!, rate: series.rates[lo - 1]! };
    if (options.maxAgeDays !== undefined && ageInDays(found.date, day) > options.maxAgeDays) return undefined;
    return found;
  }

  /**
   * The rate of `currency` in force on `date`: the latest on or before it.
   *
   * @throws ConcordError `REF_RATE_MISSING` (no rate on or before the date, or none recent enough), `REF_DATE_INVALID`.
   */
  rateOn(currency: string, date: string | Date, options: RateLookupOptions = {}): ExchangeRate {
    const rate = this.findRateOn(currency, date, options);
    if (rate === undefined) {
      const day = toIsoDate(date);
      const latest = this.findRateOn(currency, day);
      const why =
        latest === undefined
          ? `no ${currency} rate against ${this.base} is in force on ${day}`
          : `the latest ${currency} rate on ${day} is of ${latest.date}, more than ${options.maxAgeDays} days old`;
      throw new ConcordError('REF_RATE_MISSING', why, { currency, date: day, base: this.base });
    }
    return rate;
  }

  /**
   * `amount` of `from` in `to`, at the rates in force on `date`: amount ÷ rate(from) × rate(to).
   *
   * @throws ConcordError `REF_RATE_MISSING` when either currency has no rate in force, `REF_DATE_INVALID`.
   */
  convert(amount: number, from: string, to: string, date: string | Date, options: RateLookupOptions = {}): Conversion {
    const source = this.rateOn(from, date, options);
    const target = this.rateOn(to, date, options);
    const rate = target.rate / source.rate;
    return {
      amount: source.currency === target.currency ? amount : (amount / source.rate) * target.rate,
      from: source,
      to: target,
      rate,
    };
  }
}

function ageInDays(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / DAY_MS;
}

/**
 * Reads a rates file: a header `currency,date,rate`, then one rate per line (`USD,2024-01-01,1.0824`): an upper-case
 * three-letter code, a `YYYY-MM-DD` date and a positive decimal number (a dot, no exponent, no thousands separator).
 * Blank lines are ignored. Every fault is reported, with its line, before anything is accepted: an administration's
 * file is loaded whole or not at all.
 *
 * @throws ConcordError `REF_RATES_FILE_INVALID`, with `details.errors` listing `{ line, message }` (at most 100).
 */
export function parseExchangeRatesCsv(text: string, options: ExchangeRatesFileOptions = {}): ExchangeRates {
  const base = options.base ?? 'EUR';
  const errors: RatesFileError[] = [];
  const fail = (line: number, message: string): void => {
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line, message });
  };
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    records = undefined;
    fail(error.line, error.message.replace(/^line \d+: /, ''));
  }
  const rates: ExchangeRate[] = [];
  if (records !== undefined) {
    const [header, ...rows] = records;
    if (header === undefined || header.fields.map((f) => f.trim()).join(',') !== 'currency,date,rate') {
      fail(1, 'the header must be "currency,date,rate"');
    }
    const seen = new Map<string, number>();
    for (const { line, fields } of rows) {
      if (fields.length === 1 && fields[0]!.trim() === '') continue;
      if (fields.length !== 3) {
        fail(line, `expected 3 fields (currency,date,rate), found ${fields.length}`);
        continue;
      }
      const [currency, date, rate] = fields.map((f) => f.trim()) as [string, string, string];
      let ok = true;
      if (!/^[A-Z]{3}$/.test(currency)) {
        fail(line, `currency "${currency}" is not three upper-case letters`);
        ok = false;
      } else if (currency === base) {
        fail(line, `${currency} is the base currency; its rate is 1 by definition`);
        ok = false;
      } else if (options.isKnownCurrency !== undefined && !options.isKnownCurrency(currency)) {
        fail(line, `currency "${currency}" is not an ISO 4217 code`);
        ok = false;
      }
      if (!isIsoDate(date)) {
        fail(line, `date "${date}" is not a calendar date YYYY-MM-DD`);
        ok = false;
      }
      const value = Number(rate);
      if (!/^\d+(?:\.\d+)?$/.test(rate) || !(value > 0) || !Number.isFinite(value)) {
        fail(line, `rate "${rate}" is not a positive decimal number`);
        ok = false;
      }
      if (!ok) continue;
      const key = `${currency} ${date}`;
      const first = seen.get(key);
      if (first !== undefined) {
        fail(line, `a second ${currency} rate for ${date} (the first is on line ${first})`);
        continue;
      }
      seen.set(key, line);
      rates.push({ currency, date, rate: value });
    }
    if (errors.length === 0 && rates.length === 0) fail(1, 'the file holds no rates');
  }
  if (errors.length > 0) {
    const where = options.source === undefined ? 'the rates file' : options.source;
    const summary = errors
      .slice(0, 3)
      .map((e) => `line ${e.line}: ${e.message}`)
      .join('; ');
    const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : '';
    throw new ConcordError('REF_RATES_FILE_INVALID', `${where}: ${summary}${more}`, { errors, source: options.source });
  }
  return new ExchangeRates(rates, base);
}

/**
 * {@link parseExchangeRatesCsv} on a file.
 *
 * @throws ConcordError `REF_RATES_FILE_INVALID` (also when the file cannot be read).
 */
export function loadExchangeRates(path: string | URL, options: ExchangeRatesFileOptions = {}): ExchangeRates {
  const source = options.source ?? String(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConcordError('REF_RATES_FILE_INVALID', `cannot read ${source}`, { source }, { cause: error });
  }
  return parseExchangeRatesCsv(text, { ...options, source });
}
