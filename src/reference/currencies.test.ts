import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isConcordError } from '../kernel/index.js';
import { CurrencyTable } from './currencies.js';
import { DEFAULT_DATA_DIR } from './data-files.js';

const currencies = CurrencyTable.load(DEFAULT_DATA_DIR);

/** The ISO 4217 tables as staged in ../shared/data/codes (see its SOURCE.md). */
const CODES = new URL('../../../shared/data/codes/', import.meta.url);
const codesIn = (file: string): string[] =>
  [...readFileSync(new URL(file, CODES), 'utf8').matchAll(/<Ccy>([A-Z]{3})<\/Ccy>/g)].map((m) => m[1]!);

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

describe(CurrencyTable.name, () => {
  it('knows every code of ISO 4217 tables A.1 and A.3', () => {
    const unknown = [...codesIn('iso4217-table-a1.xml'), ...codesIn('iso4217-table-a3-historic.xml')].filter(
      (code) => currencies.find(code) === undefined,
    );
    expect(unknown).toEqual([]);
  });

  describe('find', () => {
    it('gives the minor units of current codes', () => {
      expect(currencies.find('EUR')).toEqual({
        code: 'EUR',
        numeric: '978',
        name: 'Euro',
        minorUnits: 2,
        fund: false,
        withdrawn: undefined,
      });
      expect([currencies.find('JPY')?.minorUnits, currencies.find('KWD')?.minorUnits]).toEqual([0, 3]);
      expect(currencies.find('XAU')?.minorUnits).toBeUndefined();
      expect(currencies.find('CLF')?.fund).toBe(true);
    });

    it('finds a code in any case, and by its numeric code, preferring the current holder', () => {
      expect(currencies.find('eur')?.code).toBe('EUR');
      expect(currencies.find('978')?.code).toBe('EUR');
      expect(currencies.find(8)?.code).toBe('ALL');
      expect(currencies.find('191')?.code).toBe('HRK');
    });

    it('keeps withdrawn codes with the month of withdrawal', () => {
      expect(currencies.find('DEM')).toMatchObject({ name: 'Deutsche Mark', withdrawn: '2002-03' });
      expect(currencies.find('HRK')?.withdrawn).toBe('2023-01');
    });
  });

  describe('get', () => {
    it('refuses an unknown code with REF_CURRENCY_UNKNOWN', () => {
      expect(codeOf(() => currencies.get('ABC'))).toBe('REF_CURRENCY_UNKNOWN');
    });
  });

  describe('isCurrent', () => {
    it('says the Deutsche Mark was current until its withdrawal in March 2002', () => {
      expect(currencies.isCurrent('DEM', '2001-12-31')).toBe(true);
      expect(currencies.isCurrent('DEM', '2002-02-28')).toBe(true);
      expect(currencies.isCurrent('DEM', '2002-03-01')).toBe(false);
      expect(currencies.isCurrent('DEM', '2024-06-01')).toBe(false);
    });

    it('says the kuna, withdrawn in January 2023, is not current in 2024', () => {
      expect(currencies.isCurrent('HRK', '2022-12-31')).toBe(true);
      expect(currencies.isCurrent('HRK', '2024-01-01')).toBe(false);
      expect(currencies.isCurrent('HRK', new Date('2024-05-01T12:00:00Z'))).toBe(false);
    });

    it('applies amendments after the 2024 tables (lev 2026, Caribbean guilder 2025)', () => {
      expect(currencies.isCurrent('BGN', '2025-12-31')).toBe(true);
      expect(currencies.isCurrent('BGN', '2026-01-01')).toBe(false);
      expect(currencies.isCurrent('ANG', '2025-06-01')).toBe(false);
      expect(currencies.isCurrent('XCG', '2025-06-01')).toBe(true);
    });

    it('says a current code is current, and an unknown code is not', () => {
      expect(currencies.isCurrent('EUR')).toBe(true);
      expect(currencies.isCurrent('KES', '2024-01-01')).toBe(true);
      expect(currencies.isCurrent('ABC', '2024-01-01')).toBe(false);
    });

    it('refuses an impossible date with REF_DATE_INVALID', () => {
      expect(codeOf(() => currencies.isCurrent('EUR', '2023-02-29'))).toBe('REF_DATE_INVALID');
      expect(codeOf(() => currencies.isCurrent('EUR', '1.1.2024'))).toBe('REF_DATE_INVALID');
      expect(codeOf(() => currencies.isCurrent('EUR', new Date(Number.NaN)))).toBe('REF_DATE_INVALID');
    });
  });

  describe('current', () => {
    it('lists the codes in use, none withdrawn', () => {
      const current = currencies.current().map((c) => c.code);
      expect(current).toEqual(expect.arrayContaining(['EUR', 'USD', 'KES', 'SGD', 'XCG', 'ZWG']));
      expect(current).not.toContain('HRK');
      expect(current.length).toBeGreaterThan(170);
    });
  });
});
