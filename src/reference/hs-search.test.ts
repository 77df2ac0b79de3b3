import { describe, expect, it } from 'vitest';
import { indexTerms, TextSearchIndex } from './hs-search.js';

describe(indexTerms.name, () => {
  it('stems words and drops stop words', () => {
    expect(Object.fromEntries(indexTerms('Cells and batteries; primary, lithium'))).toEqual({
      cell: 1,
      battery: 1,
      primary: 1,
      lithium: 1,
    });
  });

  it('weighs a word named only to be excluded at a quarter, up to the closing parenthesis', () => {
    const terms = indexTerms('Cells and batteries; primary, (other than silver oxide, lithium or air-zinc), small');
    expect(terms.get('lithium')).toBe(0.25);
    expect(terms.get('silver')).toBe(0.25);
    expect(terms.get('small')).toBe(1);
  });

  it('ends an exclusion at "including"', () => {
    const terms = indexTerms('Electric accumulators; other than lead-acid and lithium-ion, including separators');
    expect([terms.get('lithium'), terms.get('separator')]).toEqual([0.25, 1]);
  });

  it('ends a "not" at the comma, and excludes nothing after "or not"', () => {
    expect(indexTerms('Coffee; not roasted or decaffeinated').get('roasted')).toBe(0.25);
    expect(indexTerms('Coffee; decaffeinated, not roasted').get('decaffeinated')).toBe(1);
    expect(indexTerms('Coffee, whether or not roasted').get('roasted')).toBe(1);
  });
});

describe(TextSearchIndex.name, () => {
  const documents = [
    'Lithium oxide; lithium hydroxide; lithium carbonate',
    'Cells and batteries; primary, lithium',
    'Electric accumulators; lithium-ion',
    'Batteries for toys',
  ].map((text) => ({ text, boost: 1 }));
  const index = TextSearchIndex.build(documents);
  const ranked = (query: string): number[] => index.search(query, 10).map((hit) => hit.index);

  it('puts a document with every query word before one that repeats a single word', () => {
    expect(ranked('lithium battery')[0]).toBe(1);
    expect(ranked('lithium battery').indexOf(0)).toBeGreaterThan(ranked('lithium battery').indexOf(2));
  });

  it('counts a synonym at a lower weight than the word itself', () => {
    const hits = index.search('battery', 10);
    expect(hits.map((h) => h.index)).toEqual([3, 1, 2]);
  });

  it('expands a word that is not in the vocabulary as a prefix', () => {
    expect(ranked('lith')).toEqual(expect.arrayContaining([0, 1, 2]));
    expect(ranked('zzz')).toEqual([]);
  });

  it('applies the boost and breaks ties in document order', () => {
    const twins = TextSearchIndex.build([
      { text: 'wine', boost: 1 },
      { text: 'wine', boost: 1 },
      { text: 'wine', boost: 2 },
    ]);
    expect(twins.search('wine', 3).map((h) => h.index)).toEqual([2, 0, 1]);
  });

  it('takes no inherited object key for a synonym or a term', () => {
    expect(ranked('constructor toString __proto__')).toEqual([]);
  });

  it('finds nothing in an empty index', () => {
    expect(TextSearchIndex.build([]).search('anything', 5)).toEqual([]);
  });
});
