import { describe, expect, it } from 'vitest';
import { findUnit } from '../reference/index.js';
import { defaultEnvironment, isCalendarDate } from './environment.js';
import { referenceCache } from './reference-cache.js';

describe('referenceCache', () => {
  const env = defaultEnvironment({ clock: { now: () => Date.parse('2026-01-01T00:00:00Z') } });
  const cache = referenceCache(env);

  it('is one cache per environment', () => {
    expect(referenceCache(env)).toBe(cache);
    expect(referenceCache(defaultEnvironment({ reference: env.reference }))).not.toBe(cache);
  });

  it('answers as the reference data does, every time', () => {
    for (let round = 0; round < 2; round++) {
      expect(cache.country('NLD')).toEqual({ alpha2: 'NL', valid: true });
      expect(cache.country('nl')).toEqual({ alpha2: 'NL', valid: true });
      expect(cache.country('528')).toEqual({ alpha2: 'NL', valid: true });
      expect(cache.country('XX').valid).toBe(false);
      expect(cache.country('Netherlands')).toMatchObject({ valid: false });
      expect(cache.location('NLRTM')).toMatchObject({ code: 'NLRTM', seaPort: true });
      expect(cache.location('ZZZZZ')).toBeUndefined();
      expect(cache.hsDeclarable(2022, '847130')).toBe(env.reference.hs.isDeclarable(2022, '847130'));
      expect(cache.hsDeclarable(2017, '999999')).toBe(false);
      expect(cache.unit('kgm')).toBe(findUnit('KGM'));
      expect(cache.unit('NOPE')).toBeUndefined();
      expect(cache.calendarDate('2024-02-30')).toBe(isCalendarDate('2024-02-30'));
      expect(cache.calendarDate('2024-02-29')).toBe(true);
    }
  });

  it('groups the answers of one day: currencies, rates and the conversion note', () => {
    const day = cache.day('2024-03-14');
    expect(cache.day('2024-03-14')).toBe(day);
    expect(day.edition).toBe(2022);
    expect(cache.day('2021-12-31').edition).toBe(2017);
    expect(day.currencyInUse('usd')).toBe(true);
    expect(day.currencyInUse('US')).toBe(false);
    const usd = env.rates.findRateOn('USD', '2024-03-14')!;
    expect(day.hasRate('USD')).toBe(true);
    expect(day.conversion('USD')).toEqual({
      from: usd.rate,
      to: 1,
      // The base currency's rate is 1 on the day itself.
      noteTail: ` at ${(1 / usd.rate).toPrecision(6)} (EUR rates of ${usd.date} and 2024-03-14, in force on 2024-03-14)`,
    });
    expect(cache.day('1990-01-01').conversion('USD')).toBeUndefined();
  });
});
