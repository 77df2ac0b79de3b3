import { describe, expect, it } from 'vitest';
import { isConcordError } from '../kernel/index.js';
import { DEFAULT_DATA_DIR } from './data-files.js';
import { LocationTable } from './locations.js';

const started = performance.now();
const locations = LocationTable.load(DEFAULT_DATA_DIR);
const loadMs = performance.now() - started;

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

describe(LocationTable.name, () => {
  it('loads the three parts of UN/LOCODE well under a second', () => {
    expect(locations.size).toBeGreaterThan(115_000);
    expect(loadMs).toBeLessThan(1000);
  });

  describe('get', () => {
    it('describes Rotterdam', () => {
      expect(locations.get('NLRTM')).toEqual({
        code: 'NLRTM',
        country: 'NL',
        name: 'Rotterdam',
        alternativeNames: [],
        subdivision: { code: 'ZH', name: 'Zuid-Holland' },
        functions: ['port', 'rail', 'road', 'airport', 'postal'],
        status: 'AF',
        iata: undefined,
        coordinates: { latitude: 51.91667, longitude: 4.5 },
        edition: '2024-2',
        seaPort: true,
      });
    });

    it('reads Part 1 (2023-2) as well as Parts 2 and 3 (2024-2)', () => {
      expect(locations.get('DEHAM')).toMatchObject({ name: 'Hamburg', edition: '2023-2', country: 'DE' });
      expect(locations.get('SGSIN')).toMatchObject({ name: 'Singapore', edition: '2024-2' });
      expect(locations.get('KEMBA')).toMatchObject({ name: 'Mombasa', edition: '2024-2' });
    });

    it('gives southern and western coordinates negative signs', () => {
      expect(locations.get('BRSSZ').coordinates).toEqual({ latitude: -23.93333, longitude: -46.31667 });
    });

    it('takes coordinates from the sea-ports list when UN/LOCODE has none', () => {
      expect(locations.get('KEMBA').coordinates).toBeDefined();
    });

    it('keeps the second name of a bilingual place', () => {
      expect(locations.get('BEBRU')).toMatchObject({
        name: 'Brussel (Bruxelles)',
        alternativeNames: ['Bruxelles (Brussel)'],
      });
    });

    it('accepts any case and a space after the country', () => {
      expect(locations.get('nl rtm').code).toBe('NLRTM');
    });

    it('refuses an unknown code with REF_LOCATION_UNKNOWN', () => {
      expect(codeOf(() => locations.get('NLZZZ'))).toBe('REF_LOCATION_UNKNOWN');
      expect(codeOf(() => locations.get(''))).toBe('REF_LOCATION_UNKNOWN');
      expect(locations.find('XXXXX')).toBeUndefined();
    });
  });

  describe('isSeaPort', () => {
    it.each(['NLRTM', 'SGSIN', 'KEMBA', 'DEHAM', 'GBFXT', 'USNYC'])('says %s is a sea port', (code) => {
      expect(locations.isSeaPort(code)).toBe(true);
    });

    it('says an inland airport and road location is not', () => {
      expect(locations.get('DEMUC').functions).toEqual(['rail', 'road', 'airport', 'postal']);
      expect(locations.isSeaPort('DEMUC')).toBe(false);
    });

    it('counts the sea-ports list where UN/LOCODE files the code otherwise (CNSHA is an airport there)', () => {
      expect(locations.get('CNSHA').functions).toEqual(['airport']);
      expect(locations.isSeaPort('CNSHA')).toBe(true);
    });

    it('refuses an unknown code with REF_LOCATION_UNKNOWN', () => {
      expect(codeOf(() => locations.isSeaPort('ZZZZZ'))).toBe('REF_LOCATION_UNKNOWN');
    });
  });

  describe('all', () => {
    it('yields every location once, in code order', () => {
      let count = 0;
      let previous = '';
      for (const location of locations.all()) {
        expect(location.code > previous).toBe(true);
        previous = location.code;
        count++;
      }
      expect(count).toBe(locations.size);
    });
  });
});
