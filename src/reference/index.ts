// The reference data a customs node needs at run time, read from the project's data/ folder (see data/SOURCES.md).
export {
  loadReferenceData,
  getHsCode,
  findHsCode,
  isDeclarableHs,
  hsChildren,
  searchHs,
  translateHs,
  findCountry,
  getCountry,
  toAlpha2,
  findCurrency,
  getCurrency,
  isCurrentCurrency,
  findLocation,
  getLocation,
  isSeaPort,
  type ReferenceData,
} from './reference-data.js';
export { DEFAULT_DATA_DIR } from './data-files.js';
export {
  HS_EDITIONS,
  HsNomenclature,
  parseHsEdition,
  normalizeHsCode,
  type HsEdition,
  type HsLevel,
  type HsEntry,
  type HsSection,
  type HsSearchOptions,
  type HsSearchHit,
} from './hs.js';
export {
  HsCorrelation,
  type HsRelationship,
  type HsTranslationRequest,
  type HsTranslation,
  type HsCorrelationLink,
} from './hs-correlation.js';
export { CountryTable, type Country } from './countries.js';
export { CurrencyTable, type Currency } from './currencies.js';
export { LocationTable, type Location, type LocationFunction } from './locations.js';
export {
  BASE_UNITS,
  listUnits,
  findUnit,
  getUnit,
  convertUnit,
  toBaseUnit,
  UNITS_CATALOGUE,
  type UnitsCatalogue,
  type Unit,
  type UnitDimension,
} from './units.js';
export {
  ExchangeRates,
  parseExchangeRatesCsv,
  loadExchangeRates,
  type ExchangeRate,
  type Conversion,
  type RateLookupOptions,
  type ExchangeRatesFileOptions,
  type RatesFileError,
} from './exchange-rates.js';
export { toIsoDate } from './dates.js';
