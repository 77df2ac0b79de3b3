import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldText, nameKey, stemWord, words } from './text-normalization.js';

describe(foldText.name, () => {
  it('folds case, accents and compatibility forms', () => {
    expect(foldText('Côte d’Ivoire')).toBe('cote d’ivoire');
    expect(foldText('ÅLAND')).toBe('aland');
    expect(foldText('ﬁne m²')).toBe('fine m2');
  });

  it('leaves printable ASCII alone but for case', () => {
    expect(foldText('Cells AND Batteries; (primary)')).toBe('cells and batteries; (primary)');
  });
});

describe(words.name, () => {
  it('splits on everything but letters and digits', () => {
    expect(words('Lithium-ion, 10kg; São Tomé')).toEqual(['lithium', 'ion', '10kg', 'sao', 'tome']);
  });
});

describe(nameKey.name, () => {
  it('makes names that differ in case, accents and punctuation equal', () => {
    expect(nameKey("Côte d'Ivoire")).toBe(nameKey('COTE D’IVOIRE'));
    expect(nameKey('Pays-Bas (les)')).toBe('pays bas les');
  });
});

describe(stemWord.name, () => {
  it.each([
    ['batteries', 'battery'],
    ['accumulators', 'accumulator'],
    ['boxes', 'box'],
    ['watches', 'watch'],
    ['glasses', 'glass'],
    ['tomatoes', 'tomato'],
    ['shoes', 'shoe'],
    ['knives', 'knife'],
    ['glass', 'glass'],
    ['asbestos', 'asbesto'],
    ['analysis', 'analysis'],
    ['gas', 'gas'],
    ['10kgs', '10kgs'],
  ])('stems %s to %s', (word, stem) => {
    expect(stemWord(word)).toBe(stem);
  });

  it('is idempotent, so a stemmed query word finds a stemmed index term', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,14}$/), (word) => {
        expect(stemWord(stemWord(word))).toBe(stemWord(word));
      }),
    );
  });

  it('does not take inherited object keys for irregular plurals', () => {
    expect(stemWord('constructor')).toBe('constructor');
  });
});
