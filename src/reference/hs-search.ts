import { foldText, stemWord, words } from './text-normalization.js';

/**
 * Full-text search over goods descriptions: an inverted index scored with Okapi BM25 (Robertson & Zaragoza, "The
 * Probabilistic Relevance Framework: BM25 and Beyond", 2009), plus what a classifier typing "lithium batteries"
 * expects of it:
 *
 * - case, accents and English plurals do not matter (see text-normalization.ts);
 * - words the nomenclature uses for what people call something else count too, at a lower weight
 *   ("battery" also finds "accumulator", "drone" finds "unmanned aircraft"): {@link SYNONYMS};
 * - a word that is not in the vocabulary is taken as the start of one ("lith" finds "lithium"), for search as you type;
 * - a description that names a word only to exclude it ("primary cells, other than … lithium") counts that word at a
 *   quarter of its weight, so it ranks below the subheading that is about it;
 * - a document that matches every word of the query beats one that matches only some, however often.
 */

/** A text to index and a multiplier for its score (e.g. a bonus for declarable subheadings). */
export interface SearchDocument {
  readonly text: string;
  /** Text that gives `text` its context (a subheading's heading), indexed at {@link CONTEXT_WEIGHT}. */
  readonly context?: string | undefined;
  readonly boost: number;
}

/** A document of the index, by its position in the array given to {@link TextSearchIndex.build}, and its score. */
export interface ScoredDocument {
  readonly index: number;
  readonly score: number;
}

/** Words too common in the nomenclature to tell documents apart. */
const STOPWORDS = new Set(
  (
    'a an and or of the in on for with without by to from as at its their whether not nor other than including ' +
    'excluding except thereof therefor such etc e g n c nes kind used heading headings subheading item no chapter'
  )
    .split(' ')
    .map(stemWord),
);

/**
 * Everyday words and the nomenclature's words for the same goods (WCO descriptions say "accumulators", "footwear",
 * "automatic data processing machines"). Keys are stemmed query words; each value is a phrase whose words must all
 * appear in a description for it to count.
 */
export const SYNONYMS: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries({
    battery: ['accumulator', 'cell'],
    accumulator: ['battery'],
    phone: ['telephone'],
    cellphone: ['telephone cellular', 'smartphone'],
    mobile: ['cellular', 'wireless'],
    laptop: ['portable data processing machine'],
    notebook: ['portable data processing machine'],
    computer: ['data processing machine'],
    car: ['motor car'],
    automobile: ['motor car'],
    tv: ['television'],
    shoe: ['footwear'],
    sneaker: ['sports footwear'],
    boot: ['footwear'],
    solar: ['photovoltaic'],
    panel: ['module'],
    shrimp: ['prawn'],
    fridge: ['refrigerator'],
    drone: ['unmanned aircraft'],
    tire: ['tyre'],
    aluminum: ['aluminium'],
    airplane: ['aeroplane'],
    plane: ['aeroplane'],
    medicine: ['medicament'],
    drug: ['medicament'],
    jewelry: ['jewellery'],
    fiber: ['fibre'],
    color: ['colour'],
    gasoline: ['motor spirit'],
    petrol: ['motor spirit'],
  }),
);

const K1 = 1.2;
const B = 0.75;
/** Weights of the ways a query word can match, relative to the word itself. */
const SYNONYM_WEIGHT = 0.7;
const PREFIX_WEIGHT = 0.8;
const EXCLUDED_WEIGHT = 0.25;
/** Weight of a document's context words: "Vehicles; with only electric motor" is a motor car by its heading. */
export const CONTEXT_WEIGHT = 0.3;
const MAX_PREFIX_TERMS = 30;

/** One way a query word matches: all of `terms` in a document, scored at `weight`. */
interface Alternative {
  readonly terms: readonly number[];
  readonly weight: number;
}

export class TextSearchIndex {
  private constructor(
    private readonly termIds: ReadonlyMap<string, number>,
    /** Terms in code-unit order, for prefix expansion by binary search. */
    private readonly sortedTerms: readonly string[],
    private readonly postingDocs: readonly Int32Array[],
    private readonly postingWeights: readonly Float64Array[],
    private readonly lengths: Float64Array,
    private readonly averageLength: number,
    private readonly boosts: Float64Array,
  ) {}

  /** Indexes `documents`: about 100 ms for one HS edition. */
  static build(documents: readonly SearchDocument[]): TextSearchIndex {
    const termIds = new Map<string, number>();
    const docs: number[][] = [];
    const weights: number[][] = [];
    const lengths = new Float64Array(documents.length);
    const boosts = new Float64Array(documents.length);
    // A few thousand distinct words over a hundred thousand occurrences: stem each once.
    const stems = new Map<string, string>();
    const stem = (word: string): string => {
      let s = stems.get(word);
      if (s === undefined) stems.set(word, (s = stemWord(word)));
      return s;
    };
    // Term frequencies of the current document, by term id, without a map per document.
    let frequencies = new Float64Array(1024);
    const touched: number[] = [];
    const add = (term: string, weight: number): void => {
      let id = termIds.get(term);
      if (id === undefined) {
        id = docs.length;
        termIds.set(term, id);
        docs.push([]);
        weights.push([]);
        if (id >= frequencies.length) {
          const grown = new Float64Array(frequencies.length * 2);
          grown.set(frequencies);
          frequencies = grown;
        }
      }
      if (frequencies[id] === 0) touched.push(id);
      frequencies[id]! += weight;
    };
    for (let index = 0; index < documents.length; index++) {
      const document = documents[index]!;
      boosts[index] = document.boost;
      visitTerms(document.text, 1, stem, add);
      if (document.context !== undefined) visitTerms(document.context, CONTEXT_WEIGHT, stem, add);
      for (const id of touched) {
        docs[id]!.push(index);
        weights[id]!.push(frequencies[id]!);
        lengths[index]! += frequencies[id]!;
        frequencies[id] = 0;
      }
      touched.length = 0;
    }
    const total = lengths.reduce((sum, length) => sum + length, 0);
    return new TextSearchIndex(
      termIds,
      [...termIds.keys()].sort(),
      docs.map((d) => Int32Array.from(d)),
      weights.map((w) => Float64Array.from(w)),
      lengths,
      documents.length === 0 ? 1 : total / documents.length,
      boosts,
    );
  }

  /** The best `limit` documents for `query`, best first; ties in document order. */
  search(query: string, limit: number): ScoredDocument[] {
    const groups = this.queryGroups(query);
    if (groups.length === 0 || limit <= 0) return [];
    const n = this.lengths.length;
    const scores = new Float64Array(n);
    const matched = new Uint16Array(n);
    for (const alternatives of groups) {
      const best = new Map<number, number>();
      for (const alternative of alternatives) {
        for (const [doc, score] of this.scoreAlternative(alternative)) {
          if (score > (best.get(doc) ?? 0)) best.set(doc, score);
        }
      }
      for (const [doc, score] of best) {
        scores[doc]! += score;
        matched[doc]!++;
      }
    }
    const hits: ScoredDocument[] = [];
    for (let doc = 0; doc < n; doc++) {
      if (matched[doc] === 0) continue;
      hits.push({ index: doc, score: (scores[doc]! * this.boosts[doc]! * matched[doc]!) / groups.length });
    }
    hits.sort((a, b) => b.score - a.score || a.index - b.index);
    return hits.slice(0, limit);
  }

  /** One group per distinct query word: the word itself or its prefix expansion, and its synonyms. */
  private queryGroups(query: string): Alternative[][] {
    const groups: Alternative[][] = [];
    const seen = new Set<string>();
    for (const word of words(query)) {
      const stem = stemWord(word);
      if (STOPWORDS.has(stem) || seen.has(stem)) continue;
      seen.add(stem);
      const alternatives: Alternative[] = [];
      const id = this.termIds.get(stem);
      if (id !== undefined) alternatives.push({ terms: [id], weight: 1 });
      else if (word.length >= 3) {
        for (const term of this.termsStartingWith(word)) {
          alternatives.push({ terms: [this.termIds.get(term)!], weight: PREFIX_WEIGHT });
        }
      }
      for (const phrase of SYNONYMS.get(stem) ?? []) {
        const ids = words(phrase).map((w) => this.termIds.get(stemWord(w)));
        if (ids.every((i) => i !== undefined)) alternatives.push({ terms: ids, weight: SYNONYM_WEIGHT });
      }
      groups.push(alternatives);
    }
    return groups;
  }

  private termsStartingWith(prefix: string): string[] {
    const terms = this.sortedTerms;
    let lo = 0;
    let hi = terms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (terms[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const found: string[] = [];
    for (let i = lo; i < terms.length && found.length < MAX_PREFIX_TERMS && terms[i]!.startsWith(prefix); i++) {
      found.push(terms[i]!);
    }
    return found;
  }

  /** BM25 of each document holding every term of the alternative (the mean over its terms), times its weight. */
  private scoreAlternative(alternative: Alternative): Map<number, number> {
    const n = this.lengths.length;
    const sums = new Map<number, { score: number; count: number }>();
    for (const term of alternative.terms) {
      const docs = this.postingDocs[term]!;
      const weights = this.postingWeights[term]!;
      const idf = Math.log(1 + (n - docs.length + 0.5) / (docs.length + 0.5));
      for (let i = 0; i < docs.length; i++) {
        const doc = docs[i]!;
        const tf = weights[i]!;
        const norm = K1 * (1 - B + (B * this.lengths[doc]!) / this.averageLength);
        const score = (idf * tf * (K1 + 1)) / (tf + norm);
        const sum = sums.get(doc);
        if (sum === undefined) sums.set(doc, { score, count: 1 });
        else {
          sum.score += score;
          sum.count++;
        }
      }
    }
    const result = new Map<number, number>();
    const size = alternative.terms.length;
    for (const [doc, sum] of sums) {
      if (sum.count === size) result.set(doc, (alternative.weight * sum.score) / size);
    }
    return result;
  }
}

/**
 * The stemmed terms of a description and their weights: one per occurrence, a quarter inside an exclusion. An
 * exclusion starts at "other than", "excluding" or "except" and runs to a semicolon, a parenthesis or a word that
 * starts a new qualification ("including", "whether", "with"); one that starts at "not" ("Coffee; not roasted") also
 * ends at a comma, and "or not" ("whether or not roasted") excludes nothing.
 */
export function indexTerms(text: string): Map<string, number> {
  const terms = new Map<string, number>();
  visitTerms(text, 1, stemWord, (term, weight) => terms.set(term, (terms.get(term) ?? 0) + weight));
  return terms;
}

function visitTerms(
  text: string,
  factor: number,
  stem: (word: string) => string,
  visit: (term: string, weight: number) => void,
): void {
  const folded = foldText(text);
  // The ASCII pattern is several times faster than the Unicode one, and almost every description is printable ASCII.
  const tokens = /[^ -~]/.test(folded) ? folded.match(/[\p{L}\p{N}]+|[;(),]/gu) : folded.match(/[a-z0-9]+|[;(),]/g);
  let exclusion: 'none' | 'list' | 'phrase' = 'none';
  let previous = '';
  for (const token of tokens ?? []) {
    if (token === ';' || token === '(' || token === ')' || token === ',') {
      if (token !== ',' || exclusion === 'phrase') exclusion = 'none';
      previous = token;
      continue;
    }
    if (token === 'including' || token === 'whether' || token === 'with') exclusion = 'none';
    else if ((previous === 'other' && token === 'than') || token === 'excluding' || token === 'except') {
      exclusion = 'list';
    } else if (token === 'not' && previous !== 'or' && exclusion === 'none') exclusion = 'phrase';
    previous = token;
    const term = stem(token);
    if (!STOPWORDS.has(term)) visit(term, factor * (exclusion === 'none' ? 1 : EXCLUDED_WEIGHT));
  }
}
