import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { canonicalBytes, ConcordError, sha256Hex } from '../kernel/index.js';
import {
  AGREEMENT_ID,
  AGREEMENT_KINDS,
  CATEGORY_NAME,
  FIELD_CLASSES,
  HANDLING_CODES,
  PARTY_ID,
  PURPOSE_NAME,
  TREATMENTS,
  type Vocabulary,
} from './vocabulary.js';

const Party = Type.String({ pattern: PARTY_ID.source, description: 'Administration id: NL, SG, US-CBP' });
const PartyOrAny = Type.String({
  pattern: `(${PARTY_ID.source})|^\\*$`,
  description: 'Administration id, or * for every party',
});
const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Calendar date, UTC (YYYY-MM-DD)' });
const TreatmentSchema = Type.Union(TREATMENTS.map((t) => Type.Literal(t)));

export const LegalReferenceSchema = Type.Object(
  {
    article: Type.String({ minLength: 1, maxLength: 40, description: 'As cited: "Art. 7", "Art. 12(2)"' }),
    title: Type.String({ minLength: 1, maxLength: 300 }),
  },
  { additionalProperties: false },
);

export const OnwardTransferSchema = Type.Union([
  Type.Object({ rule: Type.Literal('forbidden') }, { additionalProperties: false }),
  Type.Object(
    { rule: Type.Literal('named-parties'), parties: Type.Array(Party, { minItems: 1, maxItems: 200 }) },
    { additionalProperties: false },
  ),
  Type.Object({ rule: Type.Literal('with-consent') }, { additionalProperties: false }),
]);

export const ClauseSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }),
    from: PartyOrAny,
    to: PartyOrAny,
    categories: Type.Array(Type.String({ pattern: CATEGORY_NAME.source }), { minItems: 1, maxItems: 50 }),
    purposes: Type.Array(Type.String({ pattern: PURPOSE_NAME.source }), { minItems: 1, maxItems: 50 }),
    fields: Type.Object(
      Object.fromEntries(FIELD_CLASSES.map((c) => [c, TreatmentSchema])) as Record<
        (typeof FIELD_CLASSES)[number],
        typeof TreatmentSchema
      >,
      { additionalProperties: false, description: 'Treatment of each field class' },
    ),
    retention: Type.Object(
      {
        days: Type.Integer({ minimum: 1, maximum: 36500 }),
        onExpiry: Type.Union([Type.Literal('delete'), Type.Literal('anonymize')]),
      },
      { additionalProperties: false },
    ),
    onwardTransfer: OnwardTransferSchema,
    handlingCodes: Type.Array(Type.String({ pattern: '^H[0-9]$' }), { maxItems: 10 }),
    replyDeadlineDays: Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Null()]),
    articles: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { minItems: 1, maxItems: 20 }),
    /** The data travels encrypted to the receiver's directory key (JWE), not only signed. */
    confidential: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/**
 * An agreement as signed: one version of it. Every party signs Ed25519 over its RFC 8785 canonical bytes, so the
 * JSON below is the legal text's machine-readable twin; its SHA-256 is the version's hash.
 */
export const AgreementDocumentSchema = Type.Object(
  {
    id: Type.String({ pattern: AGREEMENT_ID.source, description: 'Stable across versions: cmaa-nl-sg' }),
    version: Type.Integer({ minimum: 1, maximum: 10_000 }),
    supersedes: Type.Union(
      [
        Type.Object(
          { version: Type.Integer({ minimum: 1 }), hash: Type.String({ pattern: '^[0-9a-f]{64}$' }) },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'The version this one amends and its hash; null for version 1' },
    ),
    title: Type.String({ minLength: 1, maxLength: 300 }),
    kind: Type.Union(AGREEMENT_KINDS.map((k) => Type.Literal(k))),
    parties: Type.Array(Party, { minItems: 2, maxItems: 200 }),
    legalReferences: Type.Array(LegalReferenceSchema, { minItems: 1, maxItems: 200 }),
    validity: Type.Object(
      {
        from: IsoDate,
        until: Type.Union([IsoDate, Type.Null()], { description: 'Last day in force; null: until terminated' }),
      },
      { additionalProperties: false },
    ),
    clauses: Type.Array(ClauseSchema, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false },
);

export type AgreementDocument = Static<typeof AgreementDocumentSchema>;
export type Clause = Static<typeof ClauseSchema>;
export type OnwardTransfer = Static<typeof OnwardTransferSchema>;
export type LegalReference = Static<typeof LegalReferenceSchema>;

const checkShape = TypeCompiler.Compile(AgreementDocumentSchema);

/** What a document is checked against besides its shape. */
export interface DocumentContext {
  /** Administrations the node knows (its own included); every party must be one. */
  readonly knownParties: ReadonlySet<string>;
  readonly vocabulary: Vocabulary;
  /** The node's own administration: it only holds agreements it is a party to. */
  readonly self: string;
}

/**
 * Parses an untrusted agreement document: its shape, then its meaning.
 *
 * @throws ConcordError `AGREEMENT_INVALID` (shape, with `errors[]`), `AGREEMENT_PARTY_UNKNOWN`,
 *   `AGREEMENT_PARTIES_INVALID`, `AGREEMENT_VALIDITY_INVALID`, `AGREEMENT_CATEGORY_UNKNOWN`,
 *   `AGREEMENT_PURPOSE_UNKNOWN` or `AGREEMENT_CLAUSE_INVALID`, each with `details.pointer`.
 */
export function parseAgreementDocument(value: unknown, context: DocumentContext): AgreementDocument {
  if (!checkShape.Check(value)) {
    const errors = [...checkShape.Errors(value)]
      .slice(0, 20)
      .map((e) => ({ pointer: e.path || '/', message: e.message }));
    throw new ConcordError('AGREEMENT_INVALID', errors.map((e) => `${e.pointer}: ${e.message}`).join('; '), { errors });
  }
  const document = value;
  checkParties(document, context);
  checkValidity(document);
  const articles = new Set<string>();
  document.legalReferences.forEach((reference, i) => {
    if (articles.has(reference.article)) {
      throw clauseError(`/legalReferences/${i}/article`, `article "${reference.article}" is listed twice`);
    }
    articles.add(reference.article);
  });
  const clauseIds = new Set<string>();
  document.clauses.forEach((clause, i) => {
    if (clauseIds.has(clause.id)) throw clauseError(`/clauses/${i}/id`, `clause id "${clause.id}" is used twice`);
    clauseIds.add(clause.id);
    checkClause(clause, `/clauses/${i}`, document, articles, context);
  });
  return document;
}

function checkParties(document: AgreementDocument, context: DocumentContext): void {
  const seen = new Set<string>();
  document.parties.forEach((party, i) => {
    if (seen.has(party)) {
      throw new ConcordError('AGREEMENT_PARTIES_INVALID', `${party} is named twice`, { pointer: `/parties/${i}` });
    }
    seen.add(party);
    if (!context.knownParties.has(party)) {
      throw new ConcordError(
        'AGREEMENT_PARTY_UNKNOWN',
        `${party} is not a known administration; register its public key first`,
        { pointer: `/parties/${i}`, party },
      );
    }
  });
  if (document.kind === 'bilateral-cmaa' && document.parties.length !== 2) {
    throw new ConcordError('AGREEMENT_PARTIES_INVALID', 'a bilateral CMAA has exactly two parties', {
      pointer: '/parties',
    });
  }
  if (!seen.has(context.self)) {
    throw new ConcordError(
      'AGREEMENT_PARTIES_INVALID',
      `this node (${context.self}) is not a party; a node holds only its own agreements`,
      { pointer: '/parties' },
    );
  }
}

function checkValidity(document: AgreementDocument): void {
  const { from, until } = document.validity;
  if (!isCalendarDate(from)) {
    throw new ConcordError('AGREEMENT_VALIDITY_INVALID', `${from} is not a calendar date`, {
      pointer: '/validity/from',
    });
  }
  if (until !== null && !isCalendarDate(until)) {
    throw new ConcordError('AGREEMENT_VALIDITY_INVALID', `${until} is not a calendar date`, {
      pointer: '/validity/until',
    });
  }
  if (until !== null && until < from) {
    throw new ConcordError('AGREEMENT_VALIDITY_INVALID', `validity ends (${until}) before it starts (${from})`, {
      pointer: '/validity',
    });
  }
}

function checkClause(
  clause: Clause,
  pointer: string,
  document: AgreementDocument,
  articles: ReadonlySet<string>,
  context: DocumentContext,
): void {
  const parties = new Set(document.parties);
  for (const side of ['from', 'to'] as const) {
    const party = clause[side];
    if (party !== '*' && !parties.has(party)) {
      throw clauseError(`${pointer}/${side}`, `${party} is not a party to this agreement`);
    }
  }
  if (clause.from === clause.to && clause.from !== '*') {
    throw clauseError(pointer, `a clause cannot run from ${clause.from} to itself`);
  }
  clause.categories.forEach((category, i) => {
    if (!context.vocabulary.categories.has(category)) {
      throw new ConcordError('AGREEMENT_CATEGORY_UNKNOWN', `unknown data category "${category}"`, {
        pointer: `${pointer}/categories/${i}`,
        known: [...context.vocabulary.categories],
      });
    }
  });
  clause.purposes.forEach((purpose, i) => {
    if (!context.vocabulary.purposes.has(purpose)) {
      throw new ConcordError('AGREEMENT_PURPOSE_UNKNOWN', `unknown purpose "${purpose}"`, {
        pointer: `${pointer}/purposes/${i}`,
        known: [...context.vocabulary.purposes],
      });
    }
  });
  clause.handlingCodes.forEach((code, i) => {
    if (!(HANDLING_CODES as readonly string[]).includes(code)) {
      throw clauseError(`${pointer}/handlingCodes/${i}`, `unknown handling code "${code}"`);
    }
  });
  clause.articles.forEach((article, i) => {
    if (!articles.has(article)) {
      throw clauseError(`${pointer}/articles/${i}`, `"${article}" is not among the agreement's legal references`);
    }
  });
  if (clause.onwardTransfer.rule === 'named-parties') {
    clause.onwardTransfer.parties.forEach((party, i) => {
      if (!context.knownParties.has(party)) {
        throw new ConcordError('AGREEMENT_PARTY_UNKNOWN', `${party} is not a known administration`, {
          pointer: `${pointer}/onwardTransfer/parties/${i}`,
          party,
        });
      }
    });
  }
}

function clauseError(pointer: string, message: string): ConcordError {
  return new ConcordError('AGREEMENT_CLAUSE_INVALID', message, { pointer });
}

/** True for a real date of the proleptic Gregorian calendar in `YYYY-MM-DD` (no 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

/** The hash that identifies a version: SHA-256 of its RFC 8785 canonical bytes, hexadecimal. */
export function documentHash(document: AgreementDocument): string {
  return sha256Hex(canonicalBytes(document));
}

/** Milliseconds of the first instant of `from`, and of the first instant after `until` (validity is whole UTC days). */
export function validityBounds(document: AgreementDocument): { startsAt: number; endsAt: number } {
  const known = boundsCache.get(document);
  if (known !== undefined) return known;
  const startsAt = Date.parse(`${document.validity.from}T00:00:00Z`);
  const endsAt =
    document.validity.until === null
      ? Number.POSITIVE_INFINITY
      : Date.parse(`${document.validity.until}T00:00:00Z`) + 86_400_000;
  const bounds = { startsAt, endsAt };
  boundsCache.set(document, bounds);
  return bounds;
}

/** Documents are not mutated once parsed; the policy decision point asks for their bounds on every decision. */
const boundsCache = new WeakMap<AgreementDocument, { startsAt: number; endsAt: number }>();

/** Whether two versions' validity periods share at least one day. */
export function validityOverlaps(a: AgreementDocument, b: AgreementDocument): boolean {
  const x = validityBounds(a);
  const y = validityBounds(b);
  return x.startsAt < y.endsAt && y.startsAt < x.endsAt;
}
