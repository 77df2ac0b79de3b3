import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isConcordError } from '../kernel/index.js';
import { parseCsv } from './csv.js';
import { DEFAULT_DATA_DIR } from './data-files.js';
import { HsCorrelation, type HsRelationship, type HsTranslation } from './hs-correlation.js';
import { HsNomenclature, type HsEdition } from './hs.js';

const hs = HsNomenclature.load(DEFAULT_DATA_DIR);
const correlation = HsCorrelation.load(DEFAULT_DATA_DIR, hs);

/** The UN table as staged in ../shared/data (see its SOURCE.md), not the copy under data/. */
const UN_TABLE = new URL('../../../shared/data/hs/hs2022-hs2017-correlation.csv', import.meta.url);
const rows = parseCsv(readFileSync(UN_TABLE, 'utf8'))
  .slice(1)
  .map(({ fields: [hs2022 = '', hs2017 = '', relationship = ''] }) => ({ hs2022, hs2017, relationship }))
  // Comtrade's "not specified" code 999999 is no WCO code, so it is not in the nomenclature.
  .filter((row) => row.hs2022 !== '999999');

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

const reversed = (relationship: string): string => relationship.split(':').reverse().join(':');

/** Translations memoized by direction and code: each code is translated once for the whole table. */
const memo = new Map<string, HsTranslation>();
function translate(from: HsEdition, to: HsEdition, code: string): HsTranslation {
  const key = `${from}>${to}:${code}`;
  let translation = memo.get(key);
  if (translation === undefined) memo.set(key, (translation = correlation.translate({ from, to, code })));
  return translation;
}

describe(HsCorrelation.name, () => {
  describe('on the UN table', () => {
    it('reads all 15,656 rows of WCO codes', () => {
      expect(rows).toHaveLength(15_656);
    });

    it('reproduces every row from HS 2022 to HS 2017, relationship included', () => {
      const wrong = rows.filter(({ hs2022, hs2017, relationship }) => {
        const link = translate(2022, 2017, hs2022).links.find((l) => l.code === hs2017);
        return link?.relationship !== relationship;
      });
      expect(wrong).toEqual([]);
    });

    it('reproduces every row from HS 2017 to HS 2022, with the relationship read the other way', () => {
      const wrong = rows.filter(({ hs2022, hs2017, relationship }) => {
        const link = translate(2017, 2022, hs2017).links.find((l) => l.code === hs2022);
        return link?.relationship !== reversed(relationship);
      });
      expect(wrong).toEqual([]);
    });

    it('gives each code exactly the partners the table gives it, and calls it exact only when there is one', () => {
      const partners = new Map<string, Set<string>>();
      for (const { hs2022, hs2017 } of rows) {
        partners.set(hs2022, (partners.get(hs2022) ?? new Set()).add(hs2017));
      }
      for (const [code, expected] of partners) {
        const translation = translate(2022, 2017, code);
        expect(translation.candidates).toEqual([...expected].sort());
        expect(translation.exact).toBe(expected.size === 1);
        expect(['1:1', 'n:1'].includes(translation.relationship)).toBe(translation.exact);
      }
    });
  });

  describe('translate', () => {
    it('maps an unchanged code to itself, exactly', () => {
      for (const [from, to] of [
        [2022, 2017],
        [2017, 2022],
      ] as const) {
        expect(correlation.translate({ from, to, code: '0101.21' })).toMatchObject({
          exact: true,
          relationship: '1:1',
          candidates: ['010121'],
        });
      }
    });

    it('lists the candidates of a code split in the target edition (1:n)', () => {
      expect(correlation.translate({ from: 2022, to: 2017, code: '490590' })).toMatchObject({
        exact: false,
        relationship: '1:n',
        candidates: ['490510', '490599'],
      });
    });

    it('translates exactly a code merged into one in the target edition (n:1)', () => {
      expect(correlation.translate({ from: 2017, to: 2022, code: '490510' })).toMatchObject({
        exact: true,
        relationship: 'n:1',
        candidates: ['490590'],
      });
      expect(correlation.translate({ from: 2022, to: 2017, code: '080291' })).toMatchObject({
        exact: true,
        relationship: 'n:1',
        candidates: ['080290'],
      });
    });

    it('gives n:n with its candidates when a code both splits and merges', () => {
      const translation = correlation.translate({ from: 2022, to: 2017, code: '293149' });
      expect(translation).toMatchObject({ exact: false, relationship: 'n:n' });
      expect(translation.links).toEqual([
        { code: '293134', relationship: '1:n' },
        { code: '293137', relationship: '1:n' },
        { code: '293139', relationship: 'n:n' },
      ]);
    });

    it('translates a heading to headings, and a chapter to chapters', () => {
      expect(correlation.translate({ from: 2017, to: 2022, code: '0101' })).toMatchObject({
        level: 'heading',
        exact: true,
        relationship: '1:1',
        candidates: ['0101'],
      });
      expect(correlation.translate({ from: 2022, to: 2017, code: '8506' })).toMatchObject({
        exact: true,
        candidates: ['8506'],
      });
      expect(correlation.translate({ from: 2022, to: 2017, code: '01' })).toMatchObject({
        level: 'chapter',
        candidates: ['01'],
      });
    });

    it('maps each heading to the headings of its subheadings’ targets', () => {
      for (const heading of hs.entries(2022).filter((e) => e.level === 'heading')) {
        const viaSubheadings = new Set(
          hs
            .children(2022, heading.code)
            .flatMap((sub) => translate(2022, 2017, sub.code).candidates.map((c) => c.slice(0, 4))),
        );
        expect(translate(2022, 2017, heading.code).candidates).toEqual([...viaSubheadings].sort());
      }
    });

    it('maps every code to itself within one edition', () => {
      expect(correlation.translate({ from: 2017, to: 2017, code: '300219' }).candidates).toEqual(['300219']);
    });

    it('refuses a code the UN table omits (HS 2017 300219) with REF_HS_CORRELATION_MISSING', () => {
      expect(codeOf(() => correlation.translate({ from: 2017, to: 2022, code: '300219' }))).toBe(
        'REF_HS_CORRELATION_MISSING',
      );
    });

    it('refuses a code of the other edition with REF_HS_CODE_UNKNOWN', () => {
      expect(codeOf(() => correlation.translate({ from: 2017, to: 2022, code: '880621' }))).toBe('REF_HS_CODE_UNKNOWN');
    });

    it('refuses a malformed code with REF_HS_CODE_MALFORMED and an unknown edition with REF_HS_EDITION_UNKNOWN', () => {
      expect(codeOf(() => correlation.translate({ from: 2022, to: 2017, code: '85065010' }))).toBe(
        'REF_HS_CODE_MALFORMED',
      );
      expect(codeOf(() => correlation.translate({ from: 2012 as HsEdition, to: 2022, code: '0101' }))).toBe(
        'REF_HS_EDITION_UNKNOWN',
      );
    });

    it('returns only the four relationship kinds', () => {
      const kinds = new Set<HsRelationship>(rows.map((r) => translate(2017, 2022, r.hs2017).relationship));
      expect([...kinds].sort()).toEqual(['1:1', '1:n', 'n:1', 'n:n']);
    });
  });
});
