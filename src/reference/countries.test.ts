import { describe, expect, it } from 'vitest';
import { isConcordError } from '../kernel/index.js';
import { CountryTable } from './countries.js';
import { DEFAULT_DATA_DIR } from './data-files.js';

const countries = CountryTable.load(DEFAULT_DATA_DIR);

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

describe(CountryTable.name, () => {
  it('holds the 249 countries of ISO 3166-1', () => {
    expect(countries.countries).toHaveLength(249);
  });

  describe('find', () => {
    it.each(['NL', 'nl', ' NL ', 'NLD', 'nld', '528', 528, 'Netherlands', 'pays-bas', 'Pays-Bas (Royaume des)'])(
      'finds the Netherlands from %j',
      (input) => {
        expect(countries.find(input)?.alpha2).toBe('NL');
      },
    );

    it('returns every field', () => {
      expect(countries.find('NLD')).toEqual({
        alpha2: 'NL',
        alpha3: 'NLD',
        numeric: '528',
        name: { en: 'Netherlands', fr: 'Pays-Bas (Royaume des)' },
        commonName: 'Netherlands',
        currencies: ['EUR'],
        centroid: { latitude: 52.34, longitude: 5.87 },
      });
    });

    it('reads numeric codes with or without leading zeros', () => {
      expect(countries.find('4')?.alpha2).toBe('AF');
      expect(countries.find('004')?.alpha2).toBe('AF');
    });

    it('keeps Namibia, whose alpha-2 code "NA" many CSV readers turn into null', () => {
      expect(countries.find('NA')?.name.en).toBe('Namibia');
    });

    it('finds names whatever their case, accents and apostrophes', () => {
      expect(countries.find("cote d'ivoire")?.alpha2).toBe('CI');
      expect(countries.find('ÉTATS-UNIS D’AMÉRIQUE')?.alpha2).toBe('US');
      expect(countries.find('South Korea')?.alpha2).toBe('KR');
    });

    it('does not take a short unknown code for a name ("UK" is not ISO 3166-1)', () => {
      expect(countries.find('UK')).toBeUndefined();
      expect(countries.find('XX')).toBeUndefined();
      expect(countries.find('999')).toBeUndefined();
    });

    it('finds every country by each of its codes', () => {
      for (const country of countries.countries) {
        expect(countries.find(country.alpha3)).toBe(country);
        expect(countries.find(country.numeric)).toBe(country);
        expect(countries.find(country.alpha2.toLowerCase())).toBe(country);
      }
    });
  });

  describe('get', () => {
    it('refuses an unknown country with REF_COUNTRY_UNKNOWN', () => {
      expect(codeOf(() => countries.get('Atlantis'))).toBe('REF_COUNTRY_UNKNOWN');
      expect(codeOf(() => countries.get(''))).toBe('REF_COUNTRY_UNKNOWN');
    });
  });

  describe('toAlpha2', () => {
    it('normalizes every form to alpha-2', () => {
      expect(['NLD', '528', 'nl', 'Kenya', 'SGP'].map((c) => countries.toAlpha2(c))).toEqual([
        'NL',
        'NL',
        'NL',
        'KE',
        'SG',
      ]);
    });

    it('refuses an unknown country with REF_COUNTRY_UNKNOWN', () => {
      expect(codeOf(() => countries.toAlpha2('ZZZ'))).toBe('REF_COUNTRY_UNKNOWN');
    });
  });

  describe('centroid', () => {
    /** [south, west, north, east]: the country's extent, rounded outwards. */
    const EXTENTS: Record<string, [number, number, number, number]> = {
      NL: [50.7, 3.3, 53.6, 7.3],
      SG: [1.1, 103.6, 1.5, 104.1],
      KE: [-4.7, 33.9, 5.1, 41.9],
      FR: [41.3, -5.2, 51.1, 9.6],
    };

    it.each(Object.keys(EXTENTS))('places %s within its borders', (code) => {
      const [south, west, north, east] = EXTENTS[code]!;
      const { latitude, longitude } = countries.get(code).centroid!;
      expect(latitude).toBeGreaterThanOrEqual(south);
      expect(latitude).toBeLessThanOrEqual(north);
      expect(longitude).toBeGreaterThanOrEqual(west);
      expect(longitude).toBeLessThanOrEqual(east);
    });

    it('averages on the sphere, so Fiji, across the 180th meridian, stays beside it', () => {
      expect(Math.abs(countries.get('FJ').centroid!.longitude)).toBeGreaterThan(175);
    });

    it('is known for every country except the six without coordinates', () => {
      const without = countries.countries.filter((country) => country.centroid === undefined).map((c) => c.alpha2);
      expect(without).toEqual(['BV', 'IO', 'NF', 'PN', 'TV', 'UM']);
    });
  });
});
