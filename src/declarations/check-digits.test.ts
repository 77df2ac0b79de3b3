import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { imoCheckDigit, isValidContainerNumber, isValidImoNumber } from './index.js';

const vectors = JSON.parse(
  readFileSync(new URL('../../../shared/data/iso6346/container-numbers.json', import.meta.url), 'utf8'),
) as { valid: { id: string }[]; invalid: { id: string }[] };

describe(isValidContainerNumber.name, () => {
  it.each(vectors.valid.map((v) => v.id))('accepts %s (ISO 6346 vectors of validator.js and python-stdnum)', (id) => {
    expect(isValidContainerNumber(id)).toBe(true);
  });

  it.each(vectors.invalid.map((v) => v.id))('refuses %s', (id) => {
    expect(isValidContainerNumber(id)).toBe(false);
  });
});

describe(isValidImoNumber.name, () => {
  it('accepts IMO 9074729 (the example of IMO resolution A.1078(28)) with or without its prefix', () => {
    expect(isValidImoNumber('9074729')).toBe(true);
    expect(isValidImoNumber('IMO 9074729')).toBe(true);
  });

  it('refuses a wrong check digit, and numbers that are not seven digits', () => {
    expect(isValidImoNumber('9074728')).toBe(false);
    expect(isValidImoNumber('12345')).toBe(false);
    expect(isValidImoNumber('IMO90747290')).toBe(false);
  });

  it('computes the check digit from the first six digits weighted 7 to 2', () => {
    expect(imoCheckDigit('907472')).toBe(9);
  });
});
