import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isConcordError } from '../kernel/index.js';
import {
  DEFAULT_DATA_DIR,
  findCountry,
  getCurrency,
  getHsCode,
  getLocation,
  hsChildren,
  isCurrentCurrency,
  isDeclarableHs,
  isSeaPort,
  loadReferenceData,
  searchHs,
  toAlpha2,
  translateHs,
} from './index.js';

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

const scratch = mkdtempSync(join(tmpdir(), 'concord-reference-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe(loadReferenceData.name, () => {
  it('reads the project’s data/ folder by default, resolved from the module', () => {
    expect(DEFAULT_DATA_DIR).toMatch(/[/\\]data[/\\]$/);
    expect(loadReferenceData().dataDir).toBe(DEFAULT_DATA_DIR);
  });

  it('returns the same bundle for the same folder, however it is named', () => {
    const data = loadReferenceData();
    expect(loadReferenceData(DEFAULT_DATA_DIR.slice(0, -1))).toBe(data);
    expect(loadReferenceData(pathToFileURL(DEFAULT_DATA_DIR))).toBe(data);
    expect(data.countries).toBe(data.countries);
  });

  it('preloads every part well under a few seconds, and reports the time', () => {
    const started = performance.now();
    const data = loadReferenceData().preload();
    const ms = performance.now() - started;
    console.log(`reference data preloaded in ${ms.toFixed(0)} ms (locations: ${data.locations.size})`);
    expect(ms).toBeLessThan(5000);
  });

  it('validates the shipped sample rates against ISO 4217', () => {
    expect(loadReferenceData().sampleExchangeRates.currencies()).toContain('KES');
  });

  it('loads an administration’s rates file, refusing codes ISO 4217 does not know', () => {
    const path = join(scratch, 'rates.csv');
    writeFileSync(path, 'currency,date,rate\nKES,2024-01-01,160.5\n');
    expect(loadReferenceData().loadExchangeRates(path).rateOn('KES', '2024-02-01').rate).toBe(160.5);
    writeFileSync(path, 'currency,date,rate\nKES,2024-01-01,160.5\nKSH,2024-01-01,160.5\n');
    expect(codeOf(() => loadReferenceData().loadExchangeRates(path))).toBe('REF_RATES_FILE_INVALID');
  });

  it('bundles the unit table', () => {
    expect(loadReferenceData().units.convert(2, 'TNE', 'KGM')).toBe(2000);
  });

  it('refuses a folder that does not exist with REF_DATA_UNAVAILABLE', () => {
    expect(codeOf(() => loadReferenceData(join(scratch, 'missing')))).toBe('REF_DATA_UNAVAILABLE');
  });

  it('refuses a missing or malformed file with REF_DATA_UNAVAILABLE when the part is used', () => {
    writeFileSync(join(scratch, 'countries.tsv'), 'code\tname\nNL\tNetherlands\n');
    const data = loadReferenceData(scratch);
    expect(codeOf(() => data.countries)).toBe('REF_DATA_UNAVAILABLE');
    expect(codeOf(() => data.currencies)).toBe('REF_DATA_UNAVAILABLE');
    expect(codeOf(() => data.hs.get(2022, '01'))).toBe('REF_DATA_UNAVAILABLE');
  });
});

describe('the shortcuts on the default data', () => {
  it('answer the questions of a customs node', () => {
    expect(getHsCode(2022, '850650').description).toBe('Cells and batteries; primary, lithium');
    expect(isDeclarableHs(2017, '850760')).toBe(true);
    expect(hsChildren(2022, '8507').length).toBe(7);
    expect(searchHs('lithium batteries', { limit: 1 })[0]?.entry.code).toBe('850650');
    expect(translateHs({ from: 2017, to: 2022, code: '490510' }).candidates).toEqual(['490590']);
    expect(findCountry('NLD')?.alpha2).toBe('NL');
    expect(toAlpha2('404')).toBe('KE');
    expect(getCurrency('SGD').minorUnits).toBe(2);
    expect(isCurrentCurrency('HRK', '2024-01-01')).toBe(false);
    expect(getLocation('SGSIN').name).toBe('Singapore');
    expect(isSeaPort('KEMBA')).toBe(true);
  });
});
