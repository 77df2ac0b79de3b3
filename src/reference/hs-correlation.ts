import { ConcordError } from '../kernel/index.js';
import { parseCsv } from './csv.js';
import { readDataFile } from './data-files.js';
import { normalizeHsCode, parseHsEdition, type HsEdition, type HsLevel, type HsNomenclature } from './hs.js';

/**
 * How codes of two HS editions correspond, read in the direction of the translation: "1:n" means the code splits
 * into several codes of the target edition, "n:1" that it merges with others into one, "n:n" both. Only "1:1" and
 * "n:1" name a single target code, so only they translate exactly.
 */
export type HsRelationship = '1:1' | '1:n' | 'n:1' | 'n:n';

export interface HsTranslationRequest {
  readonly from: HsEdition;
  readonly to: HsEdition;
  /** A chapter, heading or subheading of the `from` edition, dots and spaces allowed. */
  readonly code: string;
}

/** One target code and how the source code and it correspond. */
export interface HsCorrelationLink {
  readonly code: string;
  readonly relationship: HsRelationship;
}

export interface HsTranslation {
  readonly from: HsEdition;
  readonly to: HsEdition;
  /** The source code, normalized. */
  readonly code: string;
  /** The level of the source code; the candidates are of the same level. */
  readonly level: HsLevel;
  /** True when the code has exactly one target ("1:1" or "n:1"): goods classified under it go to that code. */
  readonly exact: boolean;
  /** Of the code as a whole: "1:n" or "n:n" when it splits, "n:1" or "n:n" when a target also receives other codes. */
  readonly relationship: HsRelationship;
  /** The target codes, in code order; one when exact. */
  readonly candidates: string[];
  /** The candidates with the relationship of each pair, as the UN table gives it for subheadings. */
  readonly links: HsCorrelationLink[];
}

const UNSPECIFIED = '999999';

/** Codes linked to each code, at one level and in one direction. */
type Links = Map<string, Set<string>>;

/** The correlation at one level (2, 4 or 6 digits): subheading pairs truncated to that many digits. */
interface LevelGraph {
  readonly forward: Links;
  readonly backward: Links;
}

/**
 * The HS 2022 ↔ HS 2017 correlation of the UN Statistics Division (`data/hs2022-hs2017-correlation.csv`, one row per
 * pair of linked subheadings). Headings and chapters are translated on the same pairs truncated to 4 or 2 digits, so
 * "8506" maps to the headings that hold the targets of 8506's subheadings, with the relationship those headings have.
 *
 * @example
 * correlation.translate({ from: 2022, to: 2017, code: '293149' });
 * // { exact: false, relationship: '1:n', candidates: ['293134', '293137'], … }
 */
export class HsCorrelation {
  private levels: Map<number, LevelGraph> | undefined;

  private constructor(
    private readonly dataDir: string,
    private readonly hs: HsNomenclature,
  ) {}

  /** The correlation table in `dataDir`, read on first use; `hs` checks that source codes exist. */
  static load(dataDir: string, hs: HsNomenclature): HsCorrelation {
    return new HsCorrelation(dataDir, hs);
  }

  /**
   * The codes of edition `to` that correspond to `code` of edition `from`. A code that is the same in both editions
   * maps to itself, exactly; so does any code when `from` and `to` are the same edition.
   *
   * @throws ConcordError `REF_HS_EDITION_UNKNOWN`, `REF_HS_CODE_MALFORMED`, `REF_HS_CODE_UNKNOWN` (not a code of
   *   `from`), or `REF_HS_CORRELATION_MISSING` (the UN table omits it: HS 2017 300219 is the one case).
   */
  translate(request: HsTranslationRequest): HsTranslation {
    const from = parseHsEdition(request.from);
    const to = parseHsEdition(request.to);
    const entry = this.hs.get(from, normalizeHsCode(request.code));
    const { code, level } = entry;
    const identity = (): HsTranslation => ({
      from,
      to,
      code,
      level,
      exact: true,
      relationship: '1:1',
      candidates: [code],
      links: [{ code, relationship: '1:1' }],
    });
    if (from === to) return identity();

    const graph = this.graph(code.length);
    const [out, back] = from === 2022 ? [graph.forward, graph.backward] : [graph.backward, graph.forward];
    const targets = out.get(code);
    if (targets === undefined) {
      // Not in the table: unchanged codes map to themselves, anything else is a gap in the table.
      if (this.hs.find(to, code)?.description === entry.description) return identity();
      throw new ConcordError('REF_HS_CORRELATION_MISSING', `the HS ${from}→${to} correlation has no row for ${code}`, {
        from,
        to,
        code,
      });
    }
    const split = targets.size > 1;
    const links = [...targets].sort().map((target): HsCorrelationLink => {
      const merged = (back.get(target)?.size ?? 0) > 1;
      return { code: target, relationship: relationship(merged, split) };
    });
    const merged = links.some((link) => link.relationship.startsWith('n'));
    return {
      from,
      to,
      code,
      level,
      exact: !split,
      relationship: relationship(merged, split),
      candidates: links.map((link) => link.code),
      links,
    };
  }

  private graph(digits: number): LevelGraph {
    this.levels ??= this.read();
    return this.levels.get(digits)!;
  }

  private read(): Map<number, LevelGraph> {
    const file = 'hs2022-hs2017-correlation.csv';
    const [header, ...records] = parseCsv(readDataFile(this.dataDir, file));
    if (header?.fields.join(',') !== 'hs2022,hs2017,relationship') {
      throw new ConcordError('REF_DATA_UNAVAILABLE', `${file}: unexpected header`);
    }
    const levels = new Map<number, LevelGraph>(
      [2, 4, 6].map((digits) => [digits, { forward: new Map(), backward: new Map() }]),
    );
    for (const { line, fields } of records) {
      const [hs2022 = '', hs2017 = ''] = fields;
      // Comtrade's "commodities not specified according to kind" is no WCO code and not in the nomenclature.
      if (hs2022 === UNSPECIFIED) continue;
      if (!/^\d{6}$/.test(hs2022) || !/^\d{6}$/.test(hs2017)) {
        throw new ConcordError('REF_DATA_UNAVAILABLE', `${file} line ${line}: malformed codes`);
      }
      for (const [digits, graph] of levels) {
        link(graph.forward, hs2022.slice(0, digits), hs2017.slice(0, digits));
        link(graph.backward, hs2017.slice(0, digits), hs2022.slice(0, digits));
      }
    }
    return levels;
  }
}

function link(links: Links, from: string, to: string): void {
  const targets = links.get(from);
  if (targets === undefined) links.set(from, new Set([to]));
  else targets.add(to);
}

function relationship(merged: boolean, split: boolean): HsRelationship {
  return `${merged ? 'n' : '1'}:${split ? 'n' : '1'}`;
}
