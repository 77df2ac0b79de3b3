import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/index.js';
import {
  defaultEnvironment,
  generateDeclarationBatch,
  IRREGULARITY_KINDS,
  isValidContainerNumber,
  isValidImoNumber,
  validateDeclaration,
} from './index.js';

const env = defaultEnvironment({ clock: new ManualClock(Date.parse('2026-01-01T00:00:00Z')) });

describe(generateDeclarationBatch.name, () => {
  it('gives the same declarations for the same seed, and others for another seed', () => {
    const a = generateDeclarationBatch(env, { seed: 'demo-NL', count: 20, country: 'NL', irregularRate: 0.3 });
    const b = generateDeclarationBatch(env, { seed: 'demo-NL', count: 20, country: 'NL', irregularRate: 0.3 });
    const c = generateDeclarationBatch(env, { seed: 'demo-SG', count: 20, country: 'NL', irregularRate: 0.3 });
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('only produces declarations that validate without errors or warnings when no irregularity is asked (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(undefined, 'NL', 'SG', 'KE', 'CH'), (seed, country) => {
        for (const { declaration, irregularities } of generateDeclarationBatch(env, { seed, count: 5, country })) {
          expect(irregularities).toEqual([]);
          expect(validateDeclaration(declaration, env).outcome).toEqual({ valid: true, errors: [], warnings: [] });
        }
      }),
      { numRuns: 80 },
    );
  });

  it('lodges with the country asked: imports into it, exports from it, transits through it', () => {
    const batch = generateDeclarationBatch(env, { seed: 3, count: 300, country: 'KE' });
    for (const { declaration: d } of batch) {
      if (d.type === 'import') expect(d.destinationCountry).toBe('KE');
      if (d.type === 'export') expect(d.dispatchCountry).toBe('KE');
      if (d.type === 'transit') expect(d.places?.unloading?.slice(0, 2)).toBe('KE');
    }
    expect(new Set(batch.map((g) => g.declaration.type))).toEqual(new Set(['import', 'export', 'transit']));
  });

  it('uses valid container and IMO numbers and names traders in several scripts', () => {
    const batch = generateDeclarationBatch(env, { seed: 11, count: 200 });
    const names = batch.flatMap(({ declaration: d }) => [d.exporter!.name!, d.importer!.name!]).join(' ');
    for (const { declaration: d } of batch) {
      expect(d.containers!.every(isValidContainerNumber)).toBe(true);
      expect(isValidImoNumber(d.transport!.meansId!)).toBe(true);
    }
    expect(names).toMatch(/\p{Script=Han}/u);
    expect(names).toMatch(/\p{Script=Latin}/u);
    expect(names).toMatch(/\p{Script=Arabic}|\p{Script=Hangul}|\p{Script=Thai}|\p{Script=Cyrillic}/u);
  });

  it('plants every kind of irregularity when asked, labelled, in declarations that still validate', () => {
    const batch = generateDeclarationBatch(env, { seed: 5, count: 400, irregularRate: 0.5 });
    const kinds = new Set(batch.flatMap((g) => g.irregularities.map((i) => i.kind)));
    expect(kinds).toEqual(new Set(IRREGULARITY_KINDS));
    const share = batch.filter((g) => g.irregularities.length > 0).length / batch.length;
    expect(share).toBeGreaterThan(0.35);
    for (const { declaration } of batch) expect(validateDeclaration(declaration, env).outcome.errors).toEqual([]);
  });

  it('labels an undervaluation with the declared and the real value', () => {
    const batch = generateDeclarationBatch(env, { seed: 9, count: 50, irregularRate: 1, kinds: ['undervaluation'] });
    for (const { declaration, irregularities } of batch) {
      const [label] = irregularities;
      const item = declaration.items.find((it) => it.sequence === label!.item)!;
      expect(item.customsValue).toEqual(label!.declared);
      expect((label!.actual as { amount: number }).amount).toBeGreaterThan(item.customsValue!.amount);
    }
  });
});
