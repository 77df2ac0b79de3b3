import { existsSync } from 'node:fs';
import { ConcordError } from '../kernel/index.js';
import { CountryTable, type Country } from './countries.js';
import { CurrencyTable, type Currency } from './currencies.js';
import { resolveDataDir } from './data-files.js';
import { loadExchangeRates, type ExchangeRates, type ExchangeRatesFileOptions } from './exchange-rates.js';
import { HsCorrelation, type HsTranslation, type HsTranslationRequest } from './hs-correlation.js';
import { HsNomenclature, type HsEdition, type HsEntry, type HsSearchHit, type HsSearchOptions } from './hs.js';
import { LocationTable, type Location } from './locations.js';
import { UNITS_CATALOGUE, type UnitsCatalogue } from './units.js';

/**
 * Everything a node looks up at run time, read from one data folder. Each part is read the first time it is used
 * (UN/LOCODE is most of the cost), and once per process: {@link loadReferenceData} caches the bundle per folder.
 */
export interface ReferenceData {
  /** The folder the files are read from, ending with a separator. */
  readonly dataDir: string;
  readonly hs: HsNomenclature;
  readonly hsCorrelation: HsCorrelation;
  readonly countries: CountryTable;
  readonly currencies: CurrencyTable;
  readonly locations: LocationTable;
  /** UN/ECE Rec. 20 units: a fixed table, no file. */
  readonly units: UnitsCatalogue;
  /**
   * `exchange-rates-sample.csv`: approximate monthly rates for demos and tests, NOT official rates. Load the
   * administration's own with `loadExchangeRates`.
   */
  readonly sampleExchangeRates: ExchangeRates;
  /**
   * An administration's rates file (see `parseExchangeRatesCsv`), every currency checked against ISO 4217.
   *
   * @throws ConcordError `REF_RATES_FILE_INVALID`, with the faulty lines.
   */
  loadExchangeRates(path: string | URL, options?: Omit<ExchangeRatesFileOptions, 'isKnownCurrency'>): ExchangeRates;
  /** Reads every part now (and builds the HS search indexes), so that no request pays for it later. */
  preload(): ReferenceData;
}

class LazyReferenceData implements ReferenceData {
  private hsValue: HsNomenclature | undefined;
  private hsCorrelationValue: HsCorrelation | undefined;
  private countriesValue: CountryTable | undefined;
  private currenciesValue: CurrencyTable | undefined;
  private locationsValue: LocationTable | undefined;
  private ratesValue: ExchangeRates | undefined;

  readonly units = UNITS_CATALOGUE;

  constructor(readonly dataDir: string) {}

  get hs(): HsNomenclature {
    return (this.hsValue ??= HsNomenclature.load(this.dataDir));
  }

  get hsCorrelation(): HsCorrelation {
    return (this.hsCorrelationValue ??= HsCorrelation.load(this.dataDir, this.hs));
  }

  get countries(): CountryTable {
    return (this.countriesValue ??= CountryTable.load(this.dataDir));
  }

  get currencies(): CurrencyTable {
    return (this.currenciesValue ??= CurrencyTable.load(this.dataDir));
  }

  get locations(): LocationTable {
    return (this.locationsValue ??= LocationTable.load(this.dataDir));
  }

  get sampleExchangeRates(): ExchangeRates {
    this.ratesValue ??= this.loadExchangeRates(this.dataDir + 'exchange-rates-sample.csv', {
      source: 'data/exchange-rates-sample.csv',
    });
    return this.ratesValue;
  }

  loadExchangeRates(
    path: string | URL,
    options: Omit<ExchangeRatesFileOptions, 'isKnownCurrency'> = {},
  ): ExchangeRates {
    return loadExchangeRates(path, { ...options, isKnownCurrency: (code) => this.currencies.find(code) !== undefined });
  }

  preload(): ReferenceData {
    for (const edition of [2017, 2022] as const) this.hs.search('preload', { edition, limit: 1 });
    this.hsCorrelation.translate({ from: 2022, to: 2017, code: '01' });
    void this.countries;
    void this.currencies;
    void this.locations;
    void this.sampleExchangeRates;
    return this;
  }
}

const cache = new Map<string, ReferenceData>();

/**
 * The reference data of `dataDir` (default: the project's `data/` folder), the same object for every call with the
 * same folder. Nothing is read until a part is used.
 *
 * @throws ConcordError `REF_DATA_UNAVAILABLE` when the folder does not exist; a part throws it when its file is
 *   missing or malformed.
 * @example
 * const ref = loadReferenceData();
 * ref.countries.toAlpha2('NLD'); // 'NL'
 */
export function loadReferenceData(dataDir?: string | URL): ReferenceData {
  const dir = resolveDataDir(dataDir);
  let data = cache.get(dir);
  if (data === undefined) {
    if (!existsSync(dir)) {
      throw new ConcordError('REF_DATA_UNAVAILABLE', `no reference data folder ${dir}`, { dataDir: dir });
    }
    data = new LazyReferenceData(dir);
    cache.set(dir, data);
  }
  return data;
}

// Shortcuts on the project's own data folder, for code that does not choose one.

/** {@link HsNomenclature.get} on the default data. */
export function getHsCode(edition: HsEdition, code: string): HsEntry {
  return loadReferenceData().hs.get(edition, code);
}

/** {@link HsNomenclature.find} on the default data. */
export function findHsCode(edition: HsEdition, code: string): HsEntry | undefined {
  return loadReferenceData().hs.find(edition, code);
}

/** {@link HsNomenclature.isDeclarable} on the default data. */
export function isDeclarableHs(edition: HsEdition, code: string): boolean {
  return loadReferenceData().hs.isDeclarable(edition, code);
}

/** {@link HsNomenclature.children} on the default data. */
export function hsChildren(edition: HsEdition, code: string): readonly HsEntry[] {
  return loadReferenceData().hs.children(edition, code);
}

/** {@link HsNomenclature.search} on the default data. */
export function searchHs(query: string, options: HsSearchOptions = {}): HsSearchHit[] {
  return loadReferenceData().hs.search(query, options);
}

/** {@link HsCorrelation.translate} on the default data. */
export function translateHs(request: HsTranslationRequest): HsTranslation {
  return loadReferenceData().hsCorrelation.translate(request);
}

/** {@link CountryTable.find} on the default data. */
export function findCountry(codeOrName: string | number): Country | undefined {
  return loadReferenceData().countries.find(codeOrName);
}

/** {@link CountryTable.get} on the default data. */
export function getCountry(codeOrName: string | number): Country {
  return loadReferenceData().countries.get(codeOrName);
}

/** {@link CountryTable.toAlpha2} on the default data. */
export function toAlpha2(codeOrName: string | number): string {
  return loadReferenceData().countries.toAlpha2(codeOrName);
}

/** {@link CurrencyTable.find} on the default data. */
export function findCurrency(code: string | number): Currency | undefined {
  return loadReferenceData().currencies.find(code);
}

/** {@link CurrencyTable.get} on the default data. */
export function getCurrency(code: string | number): Currency {
  return loadReferenceData().currencies.get(code);
}

/** {@link CurrencyTable.isCurrent} on the default data. */
export function isCurrentCurrency(code: string | number, date?: string | Date): boolean {
  return loadReferenceData().currencies.isCurrent(code, date);
}

/** {@link LocationTable.find} on the default data. */
export function findLocation(code: string): Location | undefined {
  return loadReferenceData().locations.find(code);
}

/** {@link LocationTable.get} on the default data. */
export function getLocation(code: string): Location {
  return loadReferenceData().locations.get(code);
}

/** {@link LocationTable.isSeaPort} on the default data. */
export function isSeaPort(code: string): boolean {
  return loadReferenceData().locations.isSeaPort(code);
}
