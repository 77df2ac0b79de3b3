import { randomUUID } from 'node:crypto';
import { ConcordError, sha256Hex } from '../kernel/index.js';
import { canonicalDeclarationText } from './canonical-text.js';
import { dayOf, type DeclarationEnvironment, normalizeText } from './environment.js';
import { type HarmonizationStep, harmonizeDeclaration } from './harmonize.js';
import type { Declaration, Party } from './model.js';
import type { DeclarationsTable } from './tables.js';
import { type DeclarationProblem, validateDeclaration, type ValidationOutcome } from './validate.js';

/** A declaration validated and, when valid, harmonized: what storage keeps and the API shows. */
export interface CheckedDeclaration {
  readonly outcome: ValidationOutcome;
  readonly declaration?: Declaration;
  readonly canonical?: Declaration;
  /** The canonical form's RFC 8785 text, which its content hash is taken over; set with `canonical`. */
  readonly canonicalText?: string;
  readonly trace?: HarmonizationStep[];
}

/**
 * One item of a submission: a parsed value, or the JSON text of one record not parsed yet (an NDJSON line). A text
 * is parsed where it is checked, which may be a checking worker, and is kept as the original when it is stored.
 */
export type SubmissionItem = { readonly value: unknown } | { readonly text: string };

/** The columns of a row that hold its large texts: a few kilobytes each. */
export const LARGE_COLUMNS = ['original', 'canonical', 'trace'] as const;
export type LargeColumn = (typeof LARGE_COLUMNS)[number];

/**
 * A row on its way to storage. Its large texts may be their UTF-8 bytes, as a checking worker sends them (see
 * `PackedChunk`): SQLite stores those bytes as the very same text, so the storing thread neither copies nor converts
 * a string of them; {@link withTexts} makes the strings where they are needed (Kysely, PostgreSQL).
 */
export type RowToStore = Omit<DeclarationsTable, LargeColumn> & Record<LargeColumn, string | Buffer>;

/** A large text of a {@link RowToStore} as a string. */
export function textOf(text: string | Buffer): string {
  return typeof text === 'string' ? text : text.toString('utf8');
}

/** The row with its large texts as strings. */
export function withTexts(row: RowToStore): DeclarationsTable {
  return { ...row, original: textOf(row.original), canonical: textOf(row.canonical), trace: textOf(row.trace) };
}

/** An item checked and, when valid, turned into the row storage would insert. */
export interface CheckedItem {
  readonly errors: DeclarationProblem[];
  readonly warnings: DeclarationProblem[];
  readonly row?: RowToStore;
  /** A rejected item's functional reference as given, when it gave a text one: what its sender knows it by. */
  readonly reference?: string;
}

/**
 * Validation, then harmonization of what is valid, then the canonical form's RFC 8785 text. That last step is where a
 * string that is not well-formed Unicode (a lone surrogate, which JSON's `\ud800` escapes can carry) shows: it has
 * no canonical form, so the declaration is invalid (`DECL_TEXT_INVALID`, with the pointer to the string).
 */
export function checkDeclaration(input: unknown, env: DeclarationEnvironment): CheckedDeclaration {
  const { outcome, declaration } = validateDeclaration(input, env);
  if (!outcome.valid || declaration === undefined) return { outcome, ...(declaration ? { declaration } : {}) };
  const { canonical, trace } = harmonizeDeclaration(declaration, env);
  let canonicalText: string;
  try {
    canonicalText = canonicalDeclarationText(canonical);
  } catch (error) {
    if (!(error instanceof ConcordError) || error.code !== 'JSON_NOT_CANONICALIZABLE') throw error;
    const pointer = (error.details as { pointer?: string } | undefined)?.pointer ?? '';
    const problem: DeclarationProblem = {
      code: 'DECL_TEXT_INVALID',
      severity: 'error',
      pointer,
      message: 'not well-formed Unicode: a lone surrogate (RFC 7493 §2.1)',
    };
    return { outcome: { ...outcome, valid: false, errors: [...outcome.errors, problem] }, declaration };
  }
  return { outcome, declaration, canonical, canonicalText, trace };
}

/**
 * Parses (for a text), validates and harmonizes one item, and builds its row: everything a submission does to an
 * item before it meets storage. Pure but for the row's random id, so it runs the same on any thread.
 */
export function checkItem(item: SubmissionItem, env: DeclarationEnvironment, now: string, actor: string): CheckedItem {
  let value: unknown;
  let original: string | undefined;
  if ('text' in item) {
    const read = readJsonObject(item.text);
    if ('error' in read) {
      return {
        errors: [{ code: 'DECL_INPUT_MALFORMED', severity: 'error', pointer: '', message: read.error }],
        warnings: [],
      };
    }
    value = read.value;
    original = item.text;
  } else {
    value = item.value;
  }
  const checked = checkDeclaration(value, env);
  if (checked.canonical === undefined) {
    const reference = referenceOf(value);
    return {
      errors: checked.outcome.errors,
      warnings: checked.outcome.warnings,
      ...(reference === undefined ? {} : { reference }),
    };
  }
  return {
    errors: checked.outcome.errors,
    warnings: checked.outcome.warnings,
    row: toRow(original ?? JSON.stringify(value), checked, now, actor),
  };
}

/** The longest functional reference a rejected item's result repeats (the schema allows 70 characters). */
const MAX_REFERENCE_ECHO = 70;

/** The functional reference of an input that may be anything, when it is a text of a sensible length. */
function referenceOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const reference = (value as { functionalReference?: unknown }).functionalReference;
  if (typeof reference !== 'string') return undefined;
  const trimmed = reference.trim();
  return trimmed.length > 0 && trimmed.length <= MAX_REFERENCE_ECHO ? trimmed : undefined;
}

/** One record's JSON text as an object, or why it is not one. */
export function readJsonObject(text: string): { value: object } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `not valid JSON: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { error: 'a declaration is a JSON object' };
  }
  return { value };
}

/** Half of the idempotency key: the declarant's first identifier, else its name. */
export function declarantKey(party: Party): string {
  const identifier = party.identifiers?.[0];
  if (identifier !== undefined) return `${identifier.scheme}:${identifier.value}`;
  return `name:${normalizeText(party.name ?? '').toLowerCase()}`;
}

/** The row a checked declaration is stored as; `original` is the submitted JSON text. */
export function toRow(original: string, checked: CheckedDeclaration, now: string, actor: string): DeclarationsTable {
  const canonical = checked.canonical!;
  const chapters = new Set<string>();
  const origins = new Set<string>();
  for (const item of canonical.items) {
    if (item.hs !== undefined) chapters.add(item.hs.code.slice(0, 2));
    if (item.origin !== undefined) origins.add(item.origin);
  }
  const canonicalText = checked.canonicalText!;
  return {
    id: uuidV7(Date.parse(now)),
    declarant_key: declarantKey(canonical.declarant),
    functional_reference: canonical.functionalReference,
    type: canonical.type,
    status: 'accepted',
    version: 1,
    lodged_on: dayOf(canonical.dates.lodged),
    ucr: canonical.ucr ?? null,
    chapters: `,${[...chapters].join(',')},`,
    origins: `,${[...origins].join(',')},`,
    item_count: canonical.items.length,
    content_hash: sha256Hex(canonicalText),
    original,
    canonical: canonicalText,
    trace: JSON.stringify(checked.trace ?? []),
    warnings: JSON.stringify(checked.outcome.warnings),
    created_at: now,
    created_by: actor,
    updated_at: now,
    cancelled_at: null,
    cancelled_by: null,
    cancel_reason: null,
  };
}

/** The counter of {@link uuidV7} runs over 42 bits: 12 of `rand_a`, then the first 30 of `rand_b`. */
const COUNTER_LIMIT = 2 ** 42;
/** The millisecond of the last id this thread made, and its counter. */
let lastMs = -1;
let counter = 0;

/**
 * A UUID version 7 (RFC 9562 §5.7) greater than the last one this thread made, by RFC 9562 §6.2's method 1 for ids
 * made in batches: after the 48 bits of Unix milliseconds, a 42-bit counter that starts at a random value below 2^41
 * in each new millisecond and grows by one per id within it (or while the clock stands still or steps back), then 32
 * random bits. A submission's rows share one `now`; with random bits there, each insert landed on a different page of
 * the indexes that hold the id (the primary key, `declarations_lodged`), and through a node ~13 % more bytes were
 * written per declaration (~5 % fewer stored per second, on the benchmark's clock that never moves). The randomness is
 * that of Node's pooled `randomUUID`: one system call per 128 ids, where the kernel's `newId` makes one per id, which
 * was a tenth of the time spent storing a batch.
 */
function uuidV7(now: number): string {
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx: 122 random bits around the version and variant
  if (now > lastMs || ++counter === COUNTER_LIMIT) {
    lastMs = Math.max(now, lastMs + 1);
    counter = parseInt(random.slice(0, 8), 16) * 2 ** 9 + (parseInt(random.slice(9, 12), 16) >>> 3); // 41 bits
  }
  const time = lastMs.toString(16).padStart(12, '0');
  const randA = Math.floor(counter / 2 ** 30)
    .toString(16)
    .padStart(3, '0');
  const low = counter % 2 ** 30;
  const variant = (0x8000 | (low >>> 16)).toString(16); // 0b10, then the counter's next 14 bits
  const rest = (low & 0xffff).toString(16).padStart(4, '0') + random.slice(28);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randA}-${variant}-${rest}`;
}
