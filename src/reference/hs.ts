import { ConcordError } from '../kernel/index.js';
import { readTsv } from './data-files.js';
import { TextSearchIndex } from './hs-search.js';

/**
 * The Harmonized System (HS): the WCO's goods classification, revised about every five years. Codes are 2 digits
 * (chapter), 4 (heading) or 6 (subheading); sections (I–XXI) group chapters. Goods are declared at 6 digits or more
 * (national tariffs extend the HS to 8–10), so only subheadings are "declarable" here. Descriptions are UN Comtrade's
 * short texts, not the WCO's legal wording (see data/SOURCES.md).
 */
export const HS_EDITIONS = [2017, 2022] as const;

/** An HS edition Concord carries. */
export type HsEdition = (typeof HS_EDITIONS)[number];

export type HsLevel = 'chapter' | 'heading' | 'subheading';

export interface HsEntry {
  readonly edition: HsEdition;
  /** 2, 4 or 6 digits, with leading zeros: "01", "0101", "010121". */
  readonly code: string;
  readonly level: HsLevel;
  readonly description: string;
  /** The chapter of a heading, the heading of a subheading; undefined for a chapter (see `section`). */
  readonly parent: string | undefined;
  /** The section's Roman numeral, "I" to "XXI". */
  readonly section: string;
  /** True for 6-digit subheadings, the level a goods item is classified at. */
  readonly declarable: boolean;
}

export interface HsSection {
  readonly edition: HsEdition;
  /** Roman numeral, "I" to "XXI". */
  readonly id: string;
  readonly title: string;
  /** Its chapters' codes, in order. */
  readonly chapters: readonly string[];
}

export interface HsSearchOptions {
  /** Defaults to 2022. */
  readonly edition?: HsEdition;
  /** At most this many hits; defaults to 10. */
  readonly limit?: number;
}

export interface HsSearchHit {
  readonly entry: HsEntry;
  /** Relevance, only comparable within one search. */
  readonly score: number;
}

/** Multiplier on a subheading's search score: it is what the user will declare. */
const SUBHEADING_BOOST = 1.15;

/**
 * The edition a boundary value names: 2022, "2022" or "HS2022".
 *
 * @throws ConcordError `REF_HS_EDITION_UNKNOWN` for anything else.
 */
export function parseHsEdition(value: unknown): HsEdition {
  const text = typeof value === 'number' || typeof value === 'string' ? String(value).trim().toUpperCase() : '';
  const year = Number(text.replace(/^HS\s*/, ''));
  const edition = HS_EDITIONS.find((e) => e === year);
  if (edition === undefined) {
    throw new ConcordError('REF_HS_EDITION_UNKNOWN', `HS edition ${String(value)} is not one of ${HS_EDITIONS}`, {
      edition: value,
    });
  }
  return edition;
}

/**
 * An HS code without the dots and spaces people write in it ("8506.50" → "850650").
 *
 * @throws ConcordError `REF_HS_CODE_MALFORMED` unless the result is 2, 4 or 6 digits.
 */
export function normalizeHsCode(code: string): string {
  const digits = String(code).replace(/[\s.]/g, '');
  if (!/^\d{2}(?:\d{2}){0,2}$/.test(digits)) {
    throw new ConcordError('REF_HS_CODE_MALFORMED', `"${code}" is not an HS code of 2, 4 or 6 digits`, { code });
  }
  return digits;
}

const LEVELS: Readonly<Record<number, HsLevel>> = { 2: 'chapter', 4: 'heading', 6: 'subheading' };

/** One edition's entries, their tree and (built on first use) its search index. */
class HsEditionTable {
  readonly byCode = new Map<string, HsEntry>();
  readonly children = new Map<string, HsEntry[]>();
  readonly sections = new Map<string, HsSection>();
  private index: TextSearchIndex | undefined;

  constructor(
    readonly edition: HsEdition,
    readonly entries: readonly HsEntry[],
    sections: readonly HsSection[],
  ) {
    for (const section of sections) this.sections.set(section.id, section);
    for (const entry of entries) {
      this.byCode.set(entry.code, entry);
      const parent = entry.parent ?? entry.section;
      const siblings = this.children.get(parent);
      if (siblings === undefined) this.children.set(parent, [entry]);
      else siblings.push(entry);
    }
  }

  get searchIndex(): TextSearchIndex {
    this.index ??= TextSearchIndex.build(
      this.entries.map((entry) => ({
        text: entry.description,
        context: entry.level === 'subheading' ? this.byCode.get(entry.parent!)?.description : undefined,
        boost: entry.declarable ? SUBHEADING_BOOST : 1,
      })),
    );
    return this.index;
  }
}

/**
 * The HS nomenclature of every edition Concord carries. Each edition is read on first use.
 *
 * @example
 * const hs = HsNomenclature.load(dataDir);
 * hs.get(2022, '8506.50').description; // 'Cells and batteries; primary, lithium'
 */
export class HsNomenclature {
  private readonly tables = new Map<HsEdition, HsEditionTable>();

  private constructor(private readonly dataDir: string) {}

  /** The nomenclature in `dataDir` (files `hs-sections.tsv`, `hs2017.tsv`, `hs2022.tsv`), read lazily. */
  static load(dataDir: string): HsNomenclature {
    return new HsNomenclature(dataDir);
  }

  /** The entry for `code` in `edition`, or undefined when the edition has no such code. */
  find(edition: HsEdition, code: string): HsEntry | undefined {
    return this.table(edition).byCode.get(normalizeHsCode(code));
  }

  /**
   * The entry for `code` in `edition`.
   *
   * @throws ConcordError `REF_HS_CODE_UNKNOWN`, `REF_HS_CODE_MALFORMED` or `REF_HS_EDITION_UNKNOWN`.
   */
  get(edition: HsEdition, code: string): HsEntry {
    const entry = this.find(edition, code);
    if (entry === undefined) {
      throw new ConcordError('REF_HS_CODE_UNKNOWN', `HS ${edition} has no code ${code}`, { edition, code });
    }
    return entry;
  }

  /** True when `code` is a 6-digit subheading of `edition`; false for headings, chapters and unknown codes. */
  isDeclarable(edition: HsEdition, code: string): boolean {
    return this.find(edition, code)?.declarable ?? false;
  }

  /**
   * The chapters of a section (given by its Roman numeral), the headings of a chapter or the subheadings of a
   * heading, in code order; none for a subheading.
   *
   * @throws ConcordError `REF_HS_CODE_UNKNOWN` when `code` is neither a section nor a code of the edition.
   */
  children(edition: HsEdition, code: string): readonly HsEntry[] {
    const table = this.table(edition);
    const key = /^[IVX]+$/i.test(code.trim()) ? code.trim().toUpperCase() : this.get(edition, code).code;
    if (!table.byCode.has(key) && !table.sections.has(key)) {
      throw new ConcordError('REF_HS_CODE_UNKNOWN', `HS ${edition} has no section ${code}`, { edition, code });
    }
    return table.children.get(key) ?? [];
  }

  /** The 21 sections of `edition`, in order. */
  sections(edition: HsEdition): readonly HsSection[] {
    return [...this.table(edition).sections.values()];
  }

  /** Every chapter, heading and subheading of `edition`, in code order. */
  entries(edition: HsEdition): readonly HsEntry[] {
    return this.table(edition).entries;
  }

  /**
   * Entries whose description matches `query` best (see hs-search.ts), or, when the query is a code or the start of
   * one ("8506", "8506.5"), the entries under it in code order.
   *
   * @example
   * hs.search('lithium batteries', { edition: 2022, limit: 5 }).map((hit) => hit.entry.code); // ['850650', '850760', …]
   */
  search(query: string, options: HsSearchOptions = {}): HsSearchHit[] {
    const table = this.table(options.edition ?? 2022);
    const limit = Math.max(0, Math.floor(options.limit ?? 10));
    const digits = query.replace(/[\s.]/g, '');
    if (/^\d{1,6}$/.test(digits)) {
      return table.entries
        .filter((entry) => entry.code.startsWith(digits))
        .slice(0, limit)
        .map((entry) => ({ entry, score: digits.length / entry.code.length }));
    }
    return table.searchIndex.search(query, limit).map(({ index, score }) => ({ entry: table.entries[index]!, score }));
  }

  private table(edition: HsEdition): HsEditionTable {
    const checked = parseHsEdition(edition);
    let table = this.tables.get(checked);
    if (table === undefined) {
      table = readEdition(this.dataDir, checked);
      this.tables.set(checked, table);
    }
    return table;
  }
}

function readEdition(dataDir: string, edition: HsEdition): HsEditionTable {
  const sectionOfChapter = new Map<string, string>();
  const sections = readTsv(dataDir, 'hs-sections.tsv', ['section', 'chapters', 'title']).rows.map(
    ([id = '', chapters = '', title = '']): HsSection => {
      const list = chapters.split(' ');
      for (const chapter of list) sectionOfChapter.set(chapter, id);
      return { edition, id, title, chapters: list };
    },
  );
  const entries = readTsv(dataDir, `hs${edition}.tsv`, ['code', 'description']).rows.map(
    ([code = '', description = '']): HsEntry => {
      const level = LEVELS[code.length];
      const section = sectionOfChapter.get(code.slice(0, 2));
      if (level === undefined || section === undefined || !/^\d+$/.test(code)) {
        throw new ConcordError('REF_DATA_UNAVAILABLE', `hs${edition}.tsv: odd code ${code}`);
      }
      return {
        edition,
        code,
        level,
        description,
        parent: code.length === 2 ? undefined : code.slice(0, -2),
        section,
        declarable: code.length === 6,
      };
    },
  );
  return new HsEditionTable(edition, entries, sections);
}
