import { describe, expect, it } from 'vitest';
import { isConcordError } from '../kernel/index.js';
import { DEFAULT_DATA_DIR } from './data-files.js';
import { HsNomenclature, normalizeHsCode, parseHsEdition } from './hs.js';

const hs = HsNomenclature.load(DEFAULT_DATA_DIR);

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

/** The codes of the first `limit` hits for `query`. */
function ranked(query: string, edition: 2017 | 2022 = 2022, limit = 10): string[] {
  return hs.search(query, { edition, limit }).map((hit) => hit.entry.code);
}

describe(parseHsEdition.name, () => {
  it('accepts 2017 and 2022 as numbers, strings or "HS2022"', () => {
    expect([parseHsEdition(2017), parseHsEdition('2022'), parseHsEdition('hs2022')]).toEqual([2017, 2022, 2022]);
  });

  it('refuses another edition with REF_HS_EDITION_UNKNOWN', () => {
    expect(codeOf(() => parseHsEdition(2012))).toBe('REF_HS_EDITION_UNKNOWN');
    expect(codeOf(() => parseHsEdition(undefined))).toBe('REF_HS_EDITION_UNKNOWN');
  });
});

describe(normalizeHsCode.name, () => {
  it('removes the dots and spaces people write', () => {
    expect(normalizeHsCode('8506.50')).toBe('850650');
    expect(normalizeHsCode(' 85 06 ')).toBe('8506');
  });

  it.each(['', '8', '85065', '85065010', '85a6', '85-06'])('refuses "%s" with REF_HS_CODE_MALFORMED', (code) => {
    expect(codeOf(() => normalizeHsCode(code))).toBe('REF_HS_CODE_MALFORMED');
  });
});

describe(HsNomenclature.name, () => {
  describe('get', () => {
    it('finds a subheading in both editions, with its parent, section and declarability', () => {
      for (const edition of [2017, 2022] as const) {
        expect(hs.get(edition, '8506.50')).toEqual({
          edition,
          code: '850650',
          level: 'subheading',
          description: 'Cells and batteries; primary, lithium',
          parent: '8506',
          section: 'XVI',
          declarable: true,
        });
      }
    });

    it('gives a chapter no parent but its section', () => {
      expect(hs.get(2022, '01')).toMatchObject({ level: 'chapter', parent: undefined, section: 'I' });
      expect(hs.get(2022, '0101')).toMatchObject({ level: 'heading', parent: '01', declarable: false });
    });

    it('knows codes only of their own edition', () => {
      expect(hs.get(2022, '880621').description).toMatch(/^Unmanned aircraft/);
      expect(codeOf(() => hs.get(2017, '880621'))).toBe('REF_HS_CODE_UNKNOWN');
      expect(hs.get(2017, '300219').code).toBe('300219');
      expect(codeOf(() => hs.get(2022, '300219'))).toBe('REF_HS_CODE_UNKNOWN');
    });

    it('refuses chapter 77 (reserved) and 99 (a Comtrade addition) with REF_HS_CODE_UNKNOWN', () => {
      expect(codeOf(() => hs.get(2022, '77'))).toBe('REF_HS_CODE_UNKNOWN');
      expect(codeOf(() => hs.get(2022, '999999'))).toBe('REF_HS_CODE_UNKNOWN');
    });

    it('refuses an unknown edition with REF_HS_EDITION_UNKNOWN', () => {
      expect(codeOf(() => hs.get(2012 as 2017, '0101'))).toBe('REF_HS_EDITION_UNKNOWN');
    });
  });

  describe('entries', () => {
    it('has the counts of the sources (without the TOTAL row and Comtrade chapter 99)', () => {
      const count = (edition: 2017 | 2022, level: string): number =>
        hs.entries(edition).filter((e) => e.level === level).length;
      expect([count(2022, 'chapter'), count(2022, 'heading'), count(2022, 'subheading')]).toEqual([96, 1228, 5612]);
      expect([count(2017, 'chapter'), count(2017, 'heading'), count(2017, 'subheading')]).toEqual([96, 1222, 5387]);
    });
  });

  describe('isDeclarable', () => {
    it('is true for subheadings only, and false for an unknown code', () => {
      expect(hs.isDeclarable(2022, '850650')).toBe(true);
      expect(hs.isDeclarable(2022, '160100')).toBe(true);
      expect(hs.isDeclarable(2022, '1601')).toBe(false);
      expect(hs.isDeclarable(2022, '85')).toBe(false);
      expect(hs.isDeclarable(2017, '880621')).toBe(false);
    });
  });

  describe('children', () => {
    it('walks section → chapters → headings → subheadings', () => {
      expect(hs.children(2022, 'XVI').map((e) => e.code)).toEqual(['84', '85']);
      const headings = hs.children(2022, '85').map((e) => e.code);
      expect([headings.length, headings[0], headings.at(-1), headings.includes('8520')]).toEqual([
        48,
        '8501',
        '8549',
        false,
      ]);
      expect(hs.children(2022, '8506').map((e) => e.code)).toEqual([
        '850610',
        '850630',
        '850640',
        '850650',
        '850660',
        '850680',
        '850690',
      ]);
      expect(hs.children(2022, '850650')).toEqual([]);
    });

    it('refuses an unknown section or code with REF_HS_CODE_UNKNOWN', () => {
      expect(codeOf(() => hs.children(2022, 'XXII'))).toBe('REF_HS_CODE_UNKNOWN');
      expect(codeOf(() => hs.children(2022, '7700'))).toBe('REF_HS_CODE_UNKNOWN');
    });
  });

  describe('sections', () => {
    it('lists the 21 sections, every chapter in exactly one', () => {
      const sections = hs.sections(2022);
      expect(sections.map((s) => s.id).slice(0, 3)).toEqual(['I', 'II', 'III']);
      expect(sections).toHaveLength(21);
      const chapters = sections.flatMap((s) => s.chapters);
      expect(chapters).toEqual(
        hs
          .entries(2022)
          .filter((e) => e.level === 'chapter')
          .map((e) => e.code),
      );
      expect(sections[0]!.title).toBe('Live animals; animal products');
    });
  });

  describe('search', () => {
    it('ranks the lithium subheadings first for "lithium batteries"', () => {
      expect(ranked('lithium batteries').slice(0, 2)).toEqual(['850650', '850760']);
      expect(ranked('lithium batteries', 2017).slice(0, 2)).toEqual(['850650', '850760']);
    });

    it.each([
      ['mobile phones', '851713'],
      ['smartphone', '851713'],
      ['sparkling wine', '220410'],
      ['roasted coffee', '090121'],
      ['frozen shrimps', '030617'],
      ['crude petroleum oil', '270900'],
      ['laptop', '847130'],
      ['solar panels', '854143'],
      ['cut roses', '060311'],
      ['sports shoes', '640411'],
    ])('finds %s at %s first', (query, code) => {
      expect(ranked(query)[0]).toBe(code);
    });

    it('finds everyday words through the nomenclature’s own ("drone" → unmanned aircraft)', () => {
      expect(ranked('drone', 2022, 3).every((code) => code.startsWith('88'))).toBe(true);
      expect(ranked('electric car', 2022, 3)).toContain('870380');
    });

    it('ignores case and accents, and completes a word being typed', () => {
      expect(ranked('LITHIUM Battéries')).toEqual(ranked('lithium batteries'));
      expect(ranked('lithium batt').slice(0, 1)).toEqual(['850650']);
    });

    it('lists the entries under a code or the start of one, in code order', () => {
      expect(ranked('8506')).toEqual(['8506', '850610', '850630', '850640', '850650', '850660', '850680', '850690']);
      expect(ranked('8506.5')).toEqual(['850650']);
    });

    it('honours the limit and returns nothing for an empty or stop-word query', () => {
      expect(ranked('oil', 2022, 3)).toHaveLength(3);
      expect(ranked('')).toEqual([]);
      expect(ranked('of the and')).toEqual([]);
      expect(ranked('lithium', 2022, 0)).toEqual([]);
    });

    it('answers in a few milliseconds once the index is built', () => {
      ranked('warm up');
      const queries = ['lithium batteries', 'frozen fish fillets', 'steel pipes', 'cotton t-shirts', 'olive oil'];
      const start = performance.now();
      for (let i = 0; i < 20; i++) for (const query of queries) ranked(query);
      const perQuery = (performance.now() - start) / (20 * queries.length);
      expect(perQuery).toBeLessThan(20);
    });
  });
});
