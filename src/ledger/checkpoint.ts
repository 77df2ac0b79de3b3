/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): a log's signed tree head, as signed-note text
 *
 *     <origin>
 *     <tree size, decimal>
 *     <root hash, base64>
 *     [extension lines]
 *
 * Parsing is strict (no leading zeros, canonical base64 of exactly 32 bytes, no empty lines), so one tree head has
 * one text and the text a witness cosigns is the text a client verifies.
 */
import { ConcordError } from '../kernel/index.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { isHash } from './hasher.js';
import {
  DEFAULT_NOTE_LIMITS,
  isNoteText,
  openNote,
  signNote,
  type NoteLimits,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
} from './note.js';
import { isTreeIndex } from './tree-math.js';

/** A log's tree head: the log's name (origin), how many entries, and the Merkle root over them. */
export interface Checkpoint {
  /** Unique name of the log, e.g. `concord.example/NL`; by convention also the log's note key name. */
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** Opaque extra lines; NOT RECOMMENDED by the spec, since monitors cannot audit them. */
  readonly extensions: readonly string[];
}

/** A checkpoint whose log signature was verified, with the signed note it came in (evidence, and for cosigning). */
export interface SignedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** The whole signed note, text and every signature line, exactly as received. */
  readonly note: string;
  /** The note text: what the log signed and what a witness cosigns. */
  readonly text: string;
  readonly verified: readonly NoteSignature[];
}

const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/**
 * The note text of a checkpoint.
 *
 * @throws ConcordError `LEDGER_CHECKPOINT_MALFORMED` if a field cannot be written in the format.
 * @example
 * formatCheckpoint({ origin: 'concord.example/NL', size: 3, rootHash, extensions: [] });
 * // 'concord.example/NL\n3\nqs6fo0h5N7rhvP0Xnhf0o6z/dyFPaQq5ZpEq8SFn9R8=\n'
 */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions } = checkpoint;
  if (!isLine(origin)) throw malformed('the origin must be one non-empty line');
  if (!isTreeIndex(size)) throw malformed(`tree size ${String(size)} is not a non-negative safe integer`);
  if (!isHash(rootHash)) throw malformed('the root hash must be 32 bytes');
  for (const line of extensions) if (!isLine(line)) throw malformed('extension lines must be non-empty single lines');
  return [origin, String(size), encodeBase64(rootHash), ...extensions].map((line) => `${line}\n`).join('');
}

/**
 * Parses checkpoint note text (without signatures).
 *
 * @throws ConcordError `LEDGER_CHECKPOINT_MALFORMED`.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (!isNoteText(text)) throw malformed('checkpoint text must end with a newline and hold no control characters');
  const lines = text.slice(0, -1).split('\n');
  const [origin, size, root, ...extensions] = lines;
  if (origin === undefined || size === undefined || root === undefined) {
    throw malformed('a checkpoint has at least three lines: origin, tree size, root hash');
  }
  if (lines.some((line) => line.length === 0)) throw malformed('checkpoint lines must be non-empty');
  if (!DECIMAL.test(size) || !Number.isSafeInteger(Number(size))) {
    throw malformed(`tree size ${JSON.stringify(size)} is not a decimal without leading zeros below 2^53`);
  }
  const rootHash = decodeBase64(root);
  if (!rootHash || !isHash(rootHash)) throw malformed('the root hash is not the base64 of 32 bytes');
  return { origin, size: Number(size), rootHash, extensions };
}

/**
 * Formats and signs a checkpoint; returns the signed note.
 *
 * @example
 * const signed = signCheckpoint(checkpoint, [ed25519NoteSigner(checkpoint.origin, logKey)]);
 */
export function signCheckpoint(checkpoint: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), signers);
}

/**
 * Verifies a signed checkpoint against the log's keys and parses it. With `origin`, also requires that origin.
 *
 * @throws ConcordError the codes of `openNote`, `LEDGER_CHECKPOINT_MALFORMED`, or `LEDGER_NOTE_UNKNOWN_KEY` when the
 * origin is not the expected one.
 */
export function openCheckpoint(
  signed: string,
  verifiers: readonly NoteVerifier[],
  options: { readonly origin?: string; readonly limits?: NoteLimits } = {},
): SignedCheckpoint {
  const opened = openNote(signed, verifiers, options.limits ?? DEFAULT_NOTE_LIMITS);
  const checkpoint = parseCheckpoint(opened.text);
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    throw new ConcordError(
      'LEDGER_NOTE_UNKNOWN_KEY',
      `the checkpoint is for ${checkpoint.origin}, not ${options.origin}`,
      {
        origin: checkpoint.origin,
      },
    );
  }
  return { checkpoint, note: signed, text: opened.text, verified: opened.verified };
}

function isLine(value: string): boolean {
  return typeof value === 'string' && value.length > 0 && !value.includes('\n') && isNoteText(`${value}\n`);
}

function malformed(message: string): ConcordError {
  return new ConcordError('LEDGER_CHECKPOINT_MALFORMED', message);
}
