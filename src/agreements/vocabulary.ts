/**
 * The words an agreement is written in: data categories, purposes, field classes and their treatments, kinds of
 * agreement, handling codes. Categories and purposes are open lists: a node may add its own (a regional arrangement
 * may define `transit.guarantee`), but an agreement may only name what the node knows, so that a typo never
 * becomes a clause that silently matches nothing.
 */

/** What is exchanged. The prefix is the family (declarations, intelligence, assistance, AEO, documents). */
export const DATA_CATEGORIES = [
  'declaration.prearrival',
  'declaration.export',
  'intelligence.seizure',
  'intelligence.alert',
  'assistance.request',
  'assistance.reply',
  'aeo.status',
  'document.proof',
] as const;

/** What the receiver may use the data for. */
export const PURPOSES = [
  'risk-assessment',
  'enforcement',
  'investigation',
  'prosecution',
  'statistics',
  'mutual-assistance',
  'aeo-recognition',
  'document-verification',
] as const;

/**
 * Classes of fields, each treated by a clause as a whole:
 * - `personal`: data about natural persons (names, addresses, identifiers);
 * - `commercial`: commercially sensitive data (values, prices, quantities of a trader);
 * - `enforcement`: enforcement-sensitive data (risk notes, targeting results, sources);
 * - `public`: what is not sensitive in itself (HS codes, ports, dates).
 */
export const FIELD_CLASSES = ['personal', 'commercial', 'enforcement', 'public'] as const;
export type FieldClass = (typeof FIELD_CLASSES)[number];

/** How a field crosses the border, from the most to the least open. The order is the order of strictness. */
export const TREATMENTS = ['full', 'pseudonymized', 'withheld'] as const;
export type Treatment = (typeof TREATMENTS)[number];

/** Kinds of legal instrument: a bilateral CMAA, a multilateral convention, a regional arrangement, an AEO MRA. */
export const AGREEMENT_KINDS = ['bilateral-cmaa', 'multilateral-convention', 'regional', 'aeo-mra'] as const;
export type AgreementKind = (typeof AGREEMENT_KINDS)[number];

/**
 * EU-style handling codes an originator puts on intelligence: H0 may be shared with law-enforcement authorities,
 * H1 may not be used as evidence without the originator's permission, H2 may not be passed on without the
 * originator's permission, H3 carries restrictions the originator states.
 */
export const HANDLING_CODES = ['H0', 'H1', 'H2', 'H3'] as const;

/** An administration id: ISO 3166-1 alpha-2 plus an optional suffix (`NL`, `US-CBP`), as the node's own. */
export const PARTY_ID = /^[A-Z]{2}(-[A-Z0-9]{1,8})?$/;
/** A category name: dotted lower-case words (`declaration.prearrival`). */
export const CATEGORY_NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;
/** A purpose name: one lower-case word with dashes (`risk-assessment`). */
export const PURPOSE_NAME = /^[a-z][a-z0-9-]*$/;
/** An agreement id: lower-case letters, digits and dashes (`cmaa-nl-sg`). */
export const AGREEMENT_ID = /^[a-z0-9][a-z0-9-]{2,63}$/;

/** The categories and purposes a node understands. */
export interface Vocabulary {
  readonly categories: ReadonlySet<string>;
  readonly purposes: ReadonlySet<string>;
}

export const DEFAULT_VOCABULARY: Vocabulary = {
  categories: new Set(DATA_CATEGORIES),
  purposes: new Set(PURPOSES),
};

/**
 * The default vocabulary plus a node's own categories and purposes.
 *
 * @example
 * extendVocabulary({ categories: ['transit.guarantee'] });
 */
export function extendVocabulary(extra: { categories?: readonly string[]; purposes?: readonly string[] }): Vocabulary {
  for (const c of extra.categories ?? []) {
    if (!CATEGORY_NAME.test(c)) throw new TypeError(`"${c}" is not a category name such as declaration.prearrival`);
  }
  for (const p of extra.purposes ?? []) {
    if (!PURPOSE_NAME.test(p)) throw new TypeError(`"${p}" is not a purpose name such as risk-assessment`);
  }
  return {
    categories: new Set([...DATA_CATEGORIES, ...(extra.categories ?? [])]),
    purposes: new Set([...PURPOSES, ...(extra.purposes ?? [])]),
  };
}

const STRICTNESS: Record<Treatment, number> = { full: 0, pseudonymized: 1, withheld: 2 };

/** The stricter of two treatments: the one that lets less through. */
export function stricterTreatment(a: Treatment, b: Treatment): Treatment {
  return STRICTNESS[a] >= STRICTNESS[b] ? a : b;
}
