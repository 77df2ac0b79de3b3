import { ConcordError } from '../kernel/index.js';

/**
 * Units of measure by their UN/ECE Recommendation 20 common codes ("Codes for Units of Measure Used in International
 * Trade", Annexes II and III; the codes WCO DM and EU customs declarations carry), limited to what customs
 * declarations use: net and gross mass, the supplementary units of tariffs (pieces, pairs, litres, m², m³, kWh,
 * carats, litres of pure alcohol, kilograms of a named substance…) and their common multiples.
 *
 * Each unit has a dimension and its factor to that dimension's base unit (the SI unit, or a count of one), as
 * Rec. 20 gives the conversion factor. Units of a named substance (kilograms of nitrogen, litres of pure alcohol)
 * are dimensions of their own: a kilogram of N is not convertible to a kilogram of goods.
 */
export type UnitDimension =
  | 'mass'
  | 'volume'
  | 'area'
  | 'length'
  | 'count'
  | 'energy'
  | 'power'
  | 'radioactivity'
  | 'alcohol-volume'
  | 'carrying-capacity'
  | 'nitrogen-mass'
  | 'potassium-oxide-mass'
  | 'phosphorus-pentoxide-mass'
  | 'potassium-hydroxide-mass'
  | 'sodium-hydroxide-mass'
  | 'dry-substance-mass'
  | 'uranium-mass'
  | 'fissile-isotope-mass'
  | 'methylamine-mass';

export interface Unit {
  /** Rec. 20 common code: "KGM". */
  readonly code: string;
  readonly name: string;
  readonly symbol: string;
  readonly dimension: UnitDimension;
  /** How many base units (see {@link BASE_UNITS}) one of this unit is. */
  readonly factor: number;
}

/** The unit each dimension's factors are relative to. */
export const BASE_UNITS: Readonly<Record<UnitDimension, string>> = {
  mass: 'KGM',
  volume: 'MTQ',
  area: 'MTK',
  length: 'MTR',
  count: 'C62',
  energy: 'JOU',
  power: 'WTT',
  radioactivity: 'BQL',
  'alcohol-volume': 'LPA',
  'carrying-capacity': 'CCT',
  'nitrogen-mass': 'KNI',
  'potassium-oxide-mass': 'KPO',
  'phosphorus-pentoxide-mass': 'KPP',
  'potassium-hydroxide-mass': 'KPH',
  'sodium-hydroxide-mass': 'KSH',
  'dry-substance-mass': 'KSD',
  'uranium-mass': 'KUR',
  'fissile-isotope-mass': 'GFI',
  'methylamine-mass': 'KMA',
};

type UnitRow = readonly [code: string, name: string, symbol: string, dimension: UnitDimension, factor: number];

// Factors are exact by definition (SI prefixes; the international yard and pound of 1959; the metric carat of 200 mg;
// the US gallon of 231 in³; the imperial gallon of 4.54609 L; the US petroleum barrel of 42 US gallons).
const ROWS: readonly UnitRow[] = [
  ['KGM', 'kilogram', 'kg', 'mass', 1],
  ['GRM', 'gram', 'g', 'mass', 1e-3],
  ['MGM', 'milligram', 'mg', 'mass', 1e-6],
  ['HGM', 'hectogram', 'hg', 'mass', 0.1],
  ['DTN', 'decitonne (quintal)', 'dt', 'mass', 100],
  ['TNE', 'tonne (metric ton)', 't', 'mass', 1000],
  ['CTM', 'carat (metric)', 'ct', 'mass', 2e-4],
  ['LBR', 'pound', 'lb', 'mass', 0.45359237],
  ['ONZ', 'ounce (avoirdupois)', 'oz', 'mass', 0.028349523125],
  ['APZ', 'troy ounce', 'tr oz', 'mass', 0.0311034768],
  ['STN', 'short ton (US)', 'ton (US)', 'mass', 907.18474],
  ['LTN', 'long ton (UK)', 'ton (UK)', 'mass', 1016.0469088],

  ['MTQ', 'cubic metre', 'm³', 'volume', 1],
  ['LTR', 'litre', 'l', 'volume', 1e-3],
  ['MLT', 'millilitre', 'ml', 'volume', 1e-6],
  ['CLT', 'centilitre', 'cl', 'volume', 1e-5],
  ['DLT', 'decilitre', 'dl', 'volume', 1e-4],
  ['HLT', 'hectolitre', 'hl', 'volume', 0.1],
  ['CMQ', 'cubic centimetre', 'cm³', 'volume', 1e-6],
  ['DMQ', 'cubic decimetre', 'dm³', 'volume', 1e-3],
  ['GLL', 'gallon (US)', 'gal (US)', 'volume', 3.785411784e-3],
  ['GLI', 'gallon (UK)', 'gal (UK)', 'volume', 4.54609e-3],
  ['BLL', 'barrel (US) (petroleum)', 'barrel (US)', 'volume', 0.158987294928],

  ['MTK', 'square metre', 'm²', 'area', 1],
  ['CMK', 'square centimetre', 'cm²', 'area', 1e-4],
  ['DMK', 'square decimetre', 'dm²', 'area', 1e-2],
  ['MMK', 'square millimetre', 'mm²', 'area', 1e-6],
  ['KMK', 'square kilometre', 'km²', 'area', 1e6],
  ['HAR', 'hectare', 'ha', 'area', 1e4],
  ['FTK', 'square foot', 'ft²', 'area', 0.09290304],
  ['INK', 'square inch', 'in²', 'area', 6.4516e-4],

  ['MTR', 'metre', 'm', 'length', 1],
  ['MMT', 'millimetre', 'mm', 'length', 1e-3],
  ['CMT', 'centimetre', 'cm', 'length', 1e-2],
  ['DMT', 'decimetre', 'dm', 'length', 0.1],
  ['KMT', 'kilometre', 'km', 'length', 1000],
  ['INH', 'inch', 'in', 'length', 0.0254],
  ['FOT', 'foot', 'ft', 'length', 0.3048],
  ['YRD', 'yard', 'yd', 'length', 0.9144],
  ['SMI', 'mile (statute mile)', 'mile', 'length', 1609.344],

  ['C62', 'one', '1', 'count', 1],
  ['NAR', 'number of articles', 'p/st', 'count', 1],
  ['PCE', 'piece', 'pce', 'count', 1],
  ['H87', 'piece', 'pce', 'count', 1],
  ['NPR', 'number of pairs', 'pa', 'count', 2],
  ['PR', 'pair', 'pr', 'count', 2],
  ['TPR', 'ten pair', 'tpr', 'count', 20],
  ['DZN', 'dozen', 'doz', 'count', 12],
  ['DPC', 'dozen piece', 'dz pce', 'count', 12],
  ['GRO', 'gross', 'gr', 'count', 144],
  ['CEN', 'hundred', '100 p/st', 'count', 100],
  ['MIL', 'thousand', '1000 p/st', 'count', 1000],
  ['NCL', 'number of cells', 'ce/el', 'count', 1],

  ['JOU', 'joule', 'J', 'energy', 1],
  ['KJO', 'kilojoule', 'kJ', 'energy', 1e3],
  ['3B', 'megajoule', 'MJ', 'energy', 1e6],
  ['GV', 'gigajoule', 'GJ', 'energy', 1e9],
  ['D30', 'terajoule', 'TJ', 'energy', 1e12],
  ['WHR', 'watt hour', 'W·h', 'energy', 3.6e3],
  ['KWH', 'kilowatt hour', 'kW·h', 'energy', 3.6e6],
  ['MWH', 'megawatt hour (1000 kW·h)', 'MW·h', 'energy', 3.6e9],
  ['GWH', 'gigawatt hour', 'GW·h', 'energy', 3.6e12],

  ['WTT', 'watt', 'W', 'power', 1],
  ['KWT', 'kilowatt', 'kW', 'power', 1e3],
  ['MAW', 'megawatt', 'MW', 'power', 1e6],

  ['BQL', 'becquerel', 'Bq', 'radioactivity', 1],
  ['GBQ', 'gigabecquerel', 'GBq', 'radioactivity', 1e9],
  ['CUR', 'curie', 'Ci', 'radioactivity', 3.7e10],

  ['LPA', 'litre of pure alcohol', 'l alc. 100 %', 'alcohol-volume', 1],
  ['CCT', 'carrying capacity in metric ton', 'ct/l', 'carrying-capacity', 1],
  ['KNI', 'kilogram of nitrogen', 'kg N', 'nitrogen-mass', 1],
  ['KPO', 'kilogram of potassium oxide', 'kg K₂O', 'potassium-oxide-mass', 1],
  ['KPP', 'kilogram of phosphorus pentoxide', 'kg P₂O₅', 'phosphorus-pentoxide-mass', 1],
  ['KPH', 'kilogram of potassium hydroxide', 'kg KOH', 'potassium-hydroxide-mass', 1],
  ['KSH', 'kilogram of sodium hydroxide', 'kg NaOH', 'sodium-hydroxide-mass', 1],
  ['KSD', 'kilogram of substance 90 % dry', 'kg 90 % sdt', 'dry-substance-mass', 1],
  ['KUR', 'kilogram of uranium', 'kg U', 'uranium-mass', 1],
  ['GFI', 'gram of fissile isotopes', 'gi F/S', 'fissile-isotope-mass', 1],
  ['KMA', 'kilogram of methylamine', 'kg met.am.', 'methylamine-mass', 1],
];

const UNITS: ReadonlyMap<string, Unit> = new Map(
  ROWS.map(([code, name, symbol, dimension, factor]) => [code, { code, name, symbol, dimension, factor }]),
);

/** Every unit Concord knows, in the order of the table above (by dimension). */
export function listUnits(): Unit[] {
  return [...UNITS.values()];
}

/** The unit with this Rec. 20 code (any case), or undefined. */
export function findUnit(code: string): Unit | undefined {
  return UNITS.get(String(code).trim().toUpperCase());
}

/**
 * The unit with this Rec. 20 code.
 *
 * @throws ConcordError `REF_UNIT_UNKNOWN`.
 */
export function getUnit(code: string): Unit {
  const unit = findUnit(code);
  if (unit === undefined) {
    throw new ConcordError('REF_UNIT_UNKNOWN', `"${code}" is not a UN/ECE Rec. 20 unit Concord knows`, { unit: code });
  }
  return unit;
}

/**
 * `value` in `from` units expressed in `to` units, through the dimension's base unit.
 *
 * @throws ConcordError `REF_UNIT_UNKNOWN`, or `REF_UNIT_INCOMPATIBLE` when the units measure different dimensions.
 * @example
 * convertUnit(2.5, 'TNE', 'KGM'); // 2500
 * convertUnit(1, 'NPR', 'PCE'); // 2 (a pair is two pieces)
 */
export function convertUnit(value: number, from: string, to: string): number {
  const source = getUnit(from);
  const target = getUnit(to);
  if (source.dimension !== target.dimension) {
    throw new ConcordError(
      'REF_UNIT_INCOMPATIBLE',
      `${source.code} measures ${source.dimension} and ${target.code} measures ${target.dimension}`,
      { from: source.code, to: target.code },
    );
  }
  if (source.code === target.code) return value;
  return (value * source.factor) / target.factor;
}

/**
 * `value` in `unit` as a quantity in its dimension's base unit (KGM for mass, MTQ for volume…).
 *
 * @throws ConcordError `REF_UNIT_UNKNOWN`.
 */
export function toBaseUnit(value: number, unit: string): { value: number; unit: string; dimension: UnitDimension } {
  const { factor, dimension } = getUnit(unit);
  return { value: value * factor, unit: BASE_UNITS[dimension], dimension };
}

/** The unit functions as one value, for the `units` of the reference-data bundle. */
export const UNITS_CATALOGUE = {
  list: listUnits,
  find: findUnit,
  get: getUnit,
  convert: convertUnit,
  toBase: toBaseUnit,
} as const;

export type UnitsCatalogue = typeof UNITS_CATALOGUE;
