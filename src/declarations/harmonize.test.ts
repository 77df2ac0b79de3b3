import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/index.js';
import {
  defaultEnvironment,
  generateDeclarationBatch,
  harmonizeDeclaration,
  sampleDeclaration,
  validateDeclaration,
} from './index.js';

const env = defaultEnvironment({ clock: new ManualClock(Date.parse('2026-01-01T00:00:00Z')) });

describe(harmonizeDeclaration.name, () => {
  const { canonical, trace } = harmonizeDeclaration(sampleDeclaration(), env);

  it('keeps HS 2022 at six digits with the national line beside it', () => {
    expect(canonical.items[0]!.hs).toEqual({ code: '851713', edition: 2022, national: '85171300' });
    expect(trace).toContainEqual(expect.objectContaining({ pointer: '/items/0/hs', rule: 'hs' }));
  });

  it('converts amounts at the rate in force on the declaration date, and says which', () => {
    const rate = env.rates.rateOn('USD', '2024-03-14');
    expect(canonical.items[0]!.customsValue).toEqual({
      amount: Math.round((250000 / rate.rate) * 100) / 100,
      currency: 'EUR',
    });
    const step = trace.find((s) => s.pointer === '/items/0/customsValue')!;
    expect(step.note).toContain(`rates of ${rate.date}`);
    expect(step.from).toEqual({ amount: 250000, currency: 'USD' });
  });

  it('expresses masses in kilograms', () => {
    expect(canonical.items[1]!.grossMass).toEqual({ value: 500, unit: 'KGM' });
    expect(trace.find((s) => s.pointer === '/items/1/grossMass')!.note).toBe('0.5 TNE → 500 KGM');
  });

  it('translates HS 2017 codes to HS 2022 and writes countries as alpha-2, text as NFC', () => {
    const d = sampleDeclaration({ dates: { lodged: '2021-05-03' } });
    d.items[0]!.hs = { code: '8517.12.00' };
    d.items[0]!.origin = 'CHN';
    d.items[1]!.description = '  Cafe\u0301   verde ';
    const result = harmonizeDeclaration(d, env);
    expect(result.canonical.items[0]!.hs!.edition).toBe(2022);
    expect(['851713', '851714']).toContain(result.canonical.items[0]!.hs!.code);
    expect(result.canonical.items[0]!.hs!.national).toBe('85171200');
    expect(result.canonical.items[0]!.origin).toBe('CN');
    expect(result.canonical.items[1]!.description).toBe('Café verde');
    expect(result.trace.find((s) => s.pointer === '/items/0/hs')!.note).toMatch(/^HS 2017 851712 → HS 2022/);
  });

  it('gives a canonical declaration that validates and that harmonization leaves unchanged', () => {
    expect(validateDeclaration(canonical, env).outcome.errors).toEqual([]);
    expect(harmonizeDeclaration(canonical, env)).toEqual({ canonical, trace: [] });
  });

  it('is idempotent on any generated declaration, honest or not (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0, max: 1, noNaN: true }), (seed, irregularRate) => {
        for (const { declaration } of generateDeclarationBatch(env, { seed, count: 3, irregularRate })) {
          const once = harmonizeDeclaration(declaration, env).canonical;
          const twice = harmonizeDeclaration(once, env);
          expect(twice.trace).toEqual([]);
          expect(twice.canonical).toEqual(once);
        }
      }),
      { numRuns: 60 },
    );
  });
});
