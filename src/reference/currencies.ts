import { ConcordError } from '../kernel/index.js';
import { readTsv } from './data-files.js';
import { toIsoDate } from './dates.js';

/** An ISO 4217 currency, fund or precious metal, current or withdrawn. */
export interface Currency {
  /** "EUR" */
  readonly code: string;
  /** "978": three digits, leading zeros kept; a few withdrawn codes have none. */
  readonly numeric: string | undefined;
  readonly name: string;
  /** Digits after the decimal point (2 for EUR, 0 for JPY, 3 for KWD); undefined for metals, SDR and withdrawn codes. */
  readonly minorUnits: number | undefined;
  /** True for ISO 4217's funds codes (BOV, CLF, CHE…), units of account rather than money in circulation. */
  readonly fund: boolean;
  /**
   * For a withdrawn code, the month of its withdrawal (`YYYY-MM`, ISO 4217 table A.3): from the first day of that
   * month it is no longer current. Undefined while any country still uses it.
   */
  readonly withdrawn: string | undefined;
}

/**
 * ISO 4217 tables A.1 (current) and A.3 (historic). The lists carry no introduction dates, so a current code counts
 * as current on any date before today too.
 *
 * @example
 * currencies.isCurrent('HRK', '2022-12-31'); // true: the kuna was withdrawn in 2023-01
 * currencies.isCurrent('HRK', '2024-01-01'); // false
 */
export class CurrencyTable {
  private readonly byCode = new Map<string, Currency>();
  private readonly byNumeric = new Map<string, Currency>();

  private constructor(readonly currencies: readonly Currency[]) {
    for (const currency of currencies) {
      this.byCode.set(currency.code, currency);
      if (currency.numeric === undefined) continue;
      // Numeric codes are reused ("191" was the Croatian dinar, then the kuna): prefer the current code.
      const known = this.byNumeric.get(currency.numeric);
      if (known === undefined || (known.withdrawn ?? '9999') < (currency.withdrawn ?? '9999')) {
        this.byNumeric.set(currency.numeric, currency);
      }
    }
  }

  /** The currencies of `dataDir/currencies.tsv`. */
  static load(dataDir: string): CurrencyTable {
    const table = readTsv(dataDir, 'currencies.tsv', ['code', 'numeric', 'minor_units', 'fund', 'name', 'withdrawn']);
    return new CurrencyTable(
      table.rows.map(([code = '', numeric = '', minor = '', fund = '', name = '', withdrawn = '']) => ({
        code,
        numeric: numeric === '' ? undefined : numeric,
        name,
        minorUnits: minor === '' ? undefined : Number(minor),
        fund: fund === 'fund',
        withdrawn: withdrawn === '' ? undefined : withdrawn,
      })),
    );
  }

  /** The currency with this alphabetic code (any case) or numeric code, or undefined. */
  find(code: string | number): Currency | undefined {
    const text = String(code).trim();
    if (/^\d{1,3}$/.test(text)) return this.byNumeric.get(text.padStart(3, '0'));
    return this.byCode.get(text.toUpperCase());
  }

  /**
   * Like {@link find}, but refuses what it does not know.
   *
   * @throws ConcordError `REF_CURRENCY_UNKNOWN`.
   */
  get(code: string | number): Currency {
    const currency = this.find(code);
    if (currency === undefined) {
      throw new ConcordError('REF_CURRENCY_UNKNOWN', `no ISO 4217 currency "${String(code)}"`, { currency: code });
    }
    return currency;
  }

  /**
   * True when `code` is an ISO 4217 code in use on `date` (default today): listed as current, or withdrawn in a
   * later month. False for an unknown code.
   *
   * @throws ConcordError `REF_DATE_INVALID`.
   */
  isCurrent(code: string | number, date: string | Date = new Date()): boolean {
    const day = toIsoDate(date);
    const currency = this.find(code);
    if (currency === undefined) return false;
    return currency.withdrawn === undefined || day < `${currency.withdrawn}-01`;
  }

  /** The codes in use today, in alphabetical order. */
  current(): Currency[] {
    return this.currencies.filter((currency) => currency.withdrawn === undefined);
  }
}
