import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConcordError } from '../kernel/index.js';
import { BASE_UNITS, convertUnit, findUnit, getUnit, listUnits, toBaseUnit, type UnitDimension } from './units.js';

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

describe(convertUnit.name, () => {
  it.each([
    [2.5, 'TNE', 'KGM', 2500],
    [1500, 'GRM', 'KGM', 1.5],
    [5, 'CTM', 'GRM', 1],
    [1, 'DTN', 'KGM', 100],
    [1, 'LBR', 'KGM', 0.45359237],
    [750, 'LTR', 'MTQ', 0.75],
    [1, 'HLT', 'LTR', 100],
    [1, 'BLL', 'LTR', 158.987294928],
    [1, 'HAR', 'MTK', 10_000],
    [1, 'FOT', 'CMT', 30.48],
    [3, 'NPR', 'PCE', 6],
    [2, 'DZN', 'NAR', 24],
    [1, 'GRO', 'DZN', 12],
    [1500, 'KWH', 'MWH', 1.5],
    [1, 'KWH', '3B', 3.6],
    [2, 'GBQ', 'BQL', 2e9],
  ])('converts %d %s to %d %s', (value, from, to, expected) => {
    expect(convertUnit(value, from, to)).toBeCloseTo(expected, 9);
  });

  it('returns the value itself for the same unit', () => {
    expect(convertUnit(0.1, 'KGM', 'kgm')).toBe(0.1);
  });

  it('refuses units of different dimensions with REF_UNIT_INCOMPATIBLE', () => {
    expect(codeOf(() => convertUnit(1, 'KGM', 'LTR'))).toBe('REF_UNIT_INCOMPATIBLE');
    expect(codeOf(() => convertUnit(1, 'LTR', 'LPA'))).toBe('REF_UNIT_INCOMPATIBLE');
    expect(codeOf(() => convertUnit(1, 'KNI', 'KGM'))).toBe('REF_UNIT_INCOMPATIBLE');
  });

  it('refuses an unknown unit with REF_UNIT_UNKNOWN', () => {
    expect(codeOf(() => convertUnit(1, 'KGS', 'KGM'))).toBe('REF_UNIT_UNKNOWN');
    expect(codeOf(() => convertUnit(1, 'KGM', ''))).toBe('REF_UNIT_UNKNOWN');
  });

  it('converting there and back gives the value again, within float tolerance', () => {
    const units = listUnits();
    const byDimension = new Map<UnitDimension, string[]>();
    for (const unit of units) byDimension.set(unit.dimension, [...(byDimension.get(unit.dimension) ?? []), unit.code]);
    const pair = fc
      .constantFrom(...byDimension.values())
      .chain((codes) => fc.tuple(fc.constantFrom(...codes), fc.constantFrom(...codes)));
    const value = fc.double({ min: -1e12, max: 1e12, noNaN: true });
    fc.assert(
      fc.property(pair, value, ([from, to], x) => {
        const back = convertUnit(convertUnit(x, from, to), to, from);
        expect(Math.abs(back - x)).toBeLessThanOrEqual(Math.abs(x) * 1e-12 + 1e-300);
      }),
      { numRuns: 2000 },
    );
  });
});

describe(toBaseUnit.name, () => {
  it('expresses a quantity in its dimension’s base unit', () => {
    expect(toBaseUnit(3, 'TNE')).toEqual({ value: 3000, unit: 'KGM', dimension: 'mass' });
    expect(toBaseUnit(2, 'NPR')).toEqual({ value: 4, unit: 'C62', dimension: 'count' });
  });
});

describe(getUnit.name, () => {
  it('describes a unit', () => {
    expect(getUnit('ctm')).toEqual({
      code: 'CTM',
      name: 'carat (metric)',
      symbol: 'ct',
      dimension: 'mass',
      factor: 2e-4,
    });
  });

  it('refuses an unknown unit with REF_UNIT_UNKNOWN', () => {
    expect(codeOf(() => getUnit('XYZ'))).toBe('REF_UNIT_UNKNOWN');
    expect(findUnit('XYZ')).toBeUndefined();
  });
});

describe(listUnits.name, () => {
  it('has one base unit of factor 1 per dimension, and unique codes', () => {
    const units = listUnits();
    expect(new Set(units.map((u) => u.code)).size).toBe(units.length);
    for (const [dimension, code] of Object.entries(BASE_UNITS)) {
      expect(getUnit(code)).toMatchObject({ dimension, factor: 1 });
    }
  });

  it('includes the units customs declarations use', () => {
    const codes = listUnits().map((u) => u.code);
    for (const code of [
      'KGM',
      'GRM',
      'TNE',
      'LTR',
      'MTQ',
      'MTK',
      'MTR',
      'NAR',
      'NPR',
      'PCE',
      'DZN',
      'KWH',
      'CTM',
      'LPA',
    ]) {
      expect(codes).toContain(code);
    }
  });
});
