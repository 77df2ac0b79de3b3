import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConcordError } from '../kernel/index.js';
import { CurrencyTable } from './currencies.js';
import { DEFAULT_DATA_DIR } from './data-files.js';
import { ExchangeRates, loadExchangeRates, parseExchangeRatesCsv, type RatesFileError } from './exchange-rates.js';

const RATES = [
  'currency,date,rate',
  'USD,2024-01-01,1.0900',
  'GBP,2024-01-01,0.8600',
  'USD,2024-02-01,1.0800',
  'GBP,2024-02-01,0.8550',
  'JPY,2024-02-01,160.00',
].join('\n');

/** The ConcordError code `fn` throws, or undefined when it throws none. */
function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isConcordError(error)) return error.code;
    throw error;
  }
  return undefined;
}

/** The `{ line, message }` list of a refused rates file. */
function fileErrors(text: string, options: Parameters<typeof parseExchangeRatesCsv>[1] = {}): RatesFileError[] {
  try {
    parseExchangeRatesCsv(text, options);
  } catch (error) {
    if (isConcordError(error, 'REF_RATES_FILE_INVALID')) return error.details!['errors'] as RatesFileError[];
    throw error;
  }
  throw new Error('the file was accepted');
}

describe(ExchangeRates.name, () => {
  const rates = parseExchangeRatesCsv(RATES);

  describe('rateOn', () => {
    it('uses the latest rate on or before the date', () => {
      expect(rates.rateOn('USD', '2024-01-01')).toEqual({ currency: 'USD', date: '2024-01-01', rate: 1.09 });
      expect(rates.rateOn('USD', '2024-01-31').rate).toBe(1.09);
      expect(rates.rateOn('USD', '2024-02-01').rate).toBe(1.08);
      expect(rates.rateOn('usd', new Date('2025-06-30T23:00:00Z')).date).toBe('2024-02-01');
    });

    it('gives the base currency a rate of 1', () => {
      expect(rates.rateOn('EUR', '2020-01-01')).toEqual({ currency: 'EUR', date: '2020-01-01', rate: 1 });
    });

    it('refuses a date before the first rate with REF_RATE_MISSING', () => {
      expect(codeOf(() => rates.rateOn('USD', '2023-12-31'))).toBe('REF_RATE_MISSING');
      expect(codeOf(() => rates.rateOn('JPY', '2024-01-15'))).toBe('REF_RATE_MISSING');
    });

    it('refuses a currency without rates with REF_RATE_MISSING', () => {
      expect(codeOf(() => rates.rateOn('CHF', '2024-03-01'))).toBe('REF_RATE_MISSING');
    });

    it('refuses a rate older than maxAgeDays with REF_RATE_MISSING', () => {
      expect(rates.rateOn('USD', '2024-03-01', { maxAgeDays: 45 }).date).toBe('2024-02-01');
      expect(codeOf(() => rates.rateOn('USD', '2024-06-01', { maxAgeDays: 45 }))).toBe('REF_RATE_MISSING');
    });

    it('refuses an impossible date with REF_DATE_INVALID', () => {
      expect(codeOf(() => rates.rateOn('USD', '2024-13-01'))).toBe('REF_DATE_INVALID');
    });
  });

  describe('convert', () => {
    it('converts through the base with the rates in force on the date', () => {
      const january = rates.convert(100, 'USD', 'GBP', '2024-01-20');
      expect(january.amount).toBeCloseTo((100 / 1.09) * 0.86, 10);
      expect([january.from.date, january.to.date]).toEqual(['2024-01-01', '2024-01-01']);
      expect(rates.convert(100, 'USD', 'GBP', '2024-02-20').amount).toBeCloseTo((100 / 1.08) * 0.855, 10);
    });

    it('converts to and from the base currency', () => {
      expect(rates.convert(109, 'USD', 'EUR', '2024-01-02').amount).toBeCloseTo(100, 10);
      expect(rates.convert(100, 'EUR', 'JPY', '2024-02-02').amount).toBeCloseTo(16_000, 8);
      expect(rates.convert(42, 'GBP', 'GBP', '2024-02-02').amount).toBe(42);
    });

    it('refuses a conversion when either side has no rate with REF_RATE_MISSING', () => {
      expect(codeOf(() => rates.convert(1, 'USD', 'JPY', '2024-01-15'))).toBe('REF_RATE_MISSING');
    });

    it('gives the amount back when converting there and back', () => {
      const sample = loadExchangeRates(new URL('exchange-rates-sample.csv', pathToFileURL(DEFAULT_DATA_DIR)));
      const currency = fc.constantFrom(...sample.currencies().filter((c) => !['HRK', 'RUB', 'BGN'].includes(c)));
      const date = fc.date({ min: new Date('2016-01-01'), max: new Date('2026-11-30'), noInvalidDate: true });
      fc.assert(
        fc.property(currency, currency, date, fc.double({ min: 0.01, max: 1e9, noNaN: true }), (a, b, day, x) => {
          const back = sample.convert(sample.convert(x, a, b, day).amount, b, a, day).amount;
          expect(Math.abs(back - x)).toBeLessThanOrEqual(x * 1e-12);
        }),
      );
    });
  });
});

describe(parseExchangeRatesCsv.name, () => {
  it('accepts CRLF, a byte-order mark, blank lines and another base', () => {
    const rates = parseExchangeRatesCsv('\uFEFFcurrency,date,rate\r\nEUR,2024-01-01,0.92\r\n\r\n', { base: 'USD' });
    expect(rates.base).toBe('USD');
    expect(rates.rateOn('EUR', '2024-05-01').rate).toBe(0.92);
  });

  it('refuses a file with bad lines with REF_RATES_FILE_INVALID, naming each line', () => {
    const text = [
      'currency,date,rate',
      'USD,2024-01-01,1.09', // 2: fine
      'usd,2024-01-01,1.09', // 3: lower case
      'GBP,2023-02-29,0.86', // 4: no such day
      'JPY,2024-01-01,-160', // 5: negative
      'CHF,2024-01-01,1e3', // 6: exponent
      'SEK,2024-01-01', // 7: two fields
      'USD,2024-01-01,1.10', // 8: duplicate of line 2
      'EUR,2024-01-01,1', // 9: the base
      'NOK,2024-01-01,0', // 10: zero
      'DKK,2024/01/01,7.45', // 11: date format
    ].join('\n');
    expect(fileErrors(text).map((e) => e.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(fileErrors(text).find((e) => e.line === 8)?.message).toMatch(/first is on line 2/);
  });

  it('refuses a code ISO 4217 does not know when given the currency table', () => {
    const currencies = CurrencyTable.load(DEFAULT_DATA_DIR);
    const errors = fileErrors('currency,date,rate\nXYZ,2024-01-01,1.5\nUSD,2024-01-01,1.1\n', {
      isKnownCurrency: (code) => currencies.find(code) !== undefined,
    });
    expect(errors).toEqual([{ line: 2, message: 'currency "XYZ" is not an ISO 4217 code' }]);
  });

  it('refuses a wrong header, an unclosed quote and an empty file, each on its line', () => {
    expect(fileErrors('code,day,value\nUSD,2024-01-01,1.1\n')).toEqual([
      { line: 1, message: 'the header must be "currency,date,rate"' },
    ]);
    expect(fileErrors('currency,date,rate\nUSD,2024-01-01,1.1\nGBP,"2024-01-01,0.86\n')[0]?.line).toBe(3);
    expect(fileErrors('currency,date,rate\n')).toEqual([{ line: 1, message: 'the file holds no rates' }]);
    expect(fileErrors('')[0]?.line).toBe(1);
  });

  it('summarizes the first errors in the message', () => {
    try {
      parseExchangeRatesCsv('currency,date,rate\na,b,c\nd,e,f\ng,h,i\nj,k,l\n', { source: 'rates.csv' });
      expect.unreachable();
    } catch (error) {
      expect(isConcordError(error, 'REF_RATES_FILE_INVALID')).toBe(true);
      expect((error as Error).message).toMatch(/^rates\.csv: line 2: .*\(and \d+ more\)$/);
    }
  });
});

describe(loadExchangeRates.name, () => {
  it('loads the shipped sample: three dozen currencies, monthly, 2016 to 2026', () => {
    const sample = loadExchangeRates(`${DEFAULT_DATA_DIR}exchange-rates-sample.csv`);
    expect(sample.currencies().length).toBeGreaterThanOrEqual(30);
    expect(sample.currencies()).toEqual(expect.arrayContaining(['USD', 'GBP', 'SGD', 'KES', 'CNY', 'JPY']));
    expect(sample.rateOn('USD', '2016-01-15').date).toBe('2016-01-01');
    expect(sample.rateOn('USD', '2026-11-28').date).toBe('2026-11-01');
  });

  it('stops the kuna at the euro changeover, so a 2024 rate is refused as stale', () => {
    const sample = loadExchangeRates(`${DEFAULT_DATA_DIR}exchange-rates-sample.csv`);
    expect(sample.rateOn('HRK', '2024-01-15').date).toBe('2022-12-01');
    expect(codeOf(() => sample.rateOn('HRK', '2024-01-15', { maxAgeDays: 62 }))).toBe('REF_RATE_MISSING');
  });

  it('refuses a file it cannot read with REF_RATES_FILE_INVALID', () => {
    expect(codeOf(() => loadExchangeRates('/nonexistent/rates.csv'))).toBe('REF_RATES_FILE_INVALID');
  });
});
