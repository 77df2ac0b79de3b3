import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalize, ManualClock } from '../kernel/index.js';
import { canonicalDeclarationText } from './canonical-text.js';
import {
  type Declaration,
  defaultEnvironment,
  generateDeclarationBatch,
  harmonizeDeclaration,
  importWcoDeclaration,
  sampleDeclaration,
  validateDeclaration,
} from './index.js';

const env = defaultEnvironment({ clock: new ManualClock(Date.parse('2026-01-01T00:00:00Z')) });
const SAMPLES = new URL('../../../shared/data/customs-declarations/hmrc-cds/samples/', import.meta.url).pathname;

/** Declarations as lodged (validated) and in canonical form: every one the schema accepts. */
function declarations(): Declaration[] {
  const lodged: Declaration[] = [sampleDeclaration()];
  for (const country of ['NL', 'KE', 'SG']) {
    const batch = generateDeclarationBatch(env, { seed: `text-${country}`, count: 300, country, irregularRate: 0.3 });
    lodged.push(...batch.map((generated) => generated.declaration));
  }
  for (const name of readdirSync(SAMPLES).filter((file) => file.endsWith('.xml'))) {
    const imported = importWcoDeclaration(readFileSync(join(SAMPLES, name)));
    if (imported.kind === 'declaration') lodged.push(imported.declaration);
  }
  const all: Declaration[] = [];
  for (const input of lodged) {
    const { declaration } = validateDeclaration(input, env);
    if (declaration === undefined) continue;
    all.push(declaration, harmonizeDeclaration(declaration, env).canonical);
  }
  return all;
}

describe(canonicalDeclarationText.name, () => {
  it('writes exactly what canonicalize writes, for generated, sample and HMRC declarations in both forms', () => {
    const all = declarations();
    expect(all.length).toBeGreaterThan(1800);
    for (const declaration of all) expect(canonicalDeclarationText(declaration)).toBe(canonicalize(declaration));
  });

  it('writes texts in any script, escapes and emoji as canonicalize does', () => {
    const d = sampleDeclaration();
    d.items[0]!.description = 'Ünïcödé 中文 العربية "quoted" back\\slash tab\t 📱 \u0001 \u2028';
    d.declarant.name = 'C:\\udrive'; // a backslash then "ud": not an escape of a surrogate, so the exact path
    d.items[0]!.customsValue = { amount: 1e-7, currency: 'EUR' };
    d.items[1]!.customsValue = { amount: 123456789012.5, currency: 'EUR' };
    expect(canonicalDeclarationText(d)).toBe(canonicalize(d));
    expect(JSON.parse(canonicalDeclarationText(d))).toEqual(d);
  });

  it('sorts the members of every object, whatever order they came in', () => {
    const d = sampleDeclaration();
    const reversed = JSON.parse(JSON.stringify(d), (_key, value: unknown) =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).reverse())
        : value,
    ) as Declaration;
    expect(Object.keys(reversed)[0]).not.toBe(Object.keys(d)[0]);
    expect(canonicalDeclarationText(reversed)).toBe(canonicalDeclarationText(d));
    expect(canonicalDeclarationText(reversed)).toBe(canonicalize(d));
  });

  it('refuses a lone surrogate and a number that is not finite, as canonicalize does', () => {
    const surrogate = sampleDeclaration();
    surrogate.items[0]!.description = 'half \ud83d an emoji';
    expect(() => canonicalDeclarationText(surrogate)).toThrow(
      expect.objectContaining({ code: 'JSON_NOT_CANONICALIZABLE', details: { pointer: '/items/0/description' } }),
    );
    const infinite = sampleDeclaration();
    infinite.items[0]!.customsValue = { amount: Infinity, currency: 'EUR' };
    expect(() => canonicalDeclarationText(infinite)).toThrow(
      expect.objectContaining({ code: 'JSON_NOT_CANONICALIZABLE' }),
    );
  });
});
