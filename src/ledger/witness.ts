/**
 * The witness's decision, as a pure function: given the latest checkpoint this witness cosigned for a log, a newly
 * submitted signed checkpoint and a consistency proof, cosign it or refuse it. It follows the `add-checkpoint` rules
 * of C2SP tlog-witness (https://c2sp.org/tlog-witness); HTTP, storage and locking belong to the caller.
 *
 * The caller must read the latest cosigned checkpoint and persist the new one atomically (compare-and-set on the
 * size), before returning the cosignature: otherwise two concurrent requests can roll the witness back.
 */
import { ConcordError } from '../kernel/index.js';
import { encodeBase64 } from './base64.js';
import { openCheckpoint, type SignedCheckpoint } from './checkpoint.js';
import { checkConsistency, planConsistency } from './consistency-proof.js';
import type { Cosigner } from './cosignature.js';
import { bytesEqual } from './hasher.js';
import { EMPTY_ROOT, nodeHasher } from './merkle.js';
import { formatSignatureLine, parseNote, type NoteSignature, type NoteVerifier } from './note.js';
import { isTreeIndex } from './tree-math.js';

/** A log this witness follows: its origin and the keys it signs checkpoints with. */
export interface WitnessedLog {
  readonly origin: string;
  readonly verifiers: readonly NoteVerifier[];
}

/** The body of a tlog-witness `add-checkpoint` request. */
export interface AddCheckpointRequest {
  /**
   * The size of the checkpoint the submitter believes this witness last cosigned (tlog-witness `old`), which the
   * proof starts from. When absent, the witness's own latest size is assumed.
   */
  readonly oldSize?: number;
  /** Consistency proof from the old size to the submitted checkpoint; empty when the old size is 0. */
  readonly proof: readonly Uint8Array[];
  readonly signedCheckpoint: string;
}

export interface WitnessInput {
  readonly log: WitnessedLog;
  /** The latest checkpoint this witness cosigned for the log, or undefined if none. */
  readonly latest: SignedCheckpoint | undefined;
  readonly request: AddCheckpointRequest;
  readonly cosigner: Cosigner;
  /** Milliseconds since the epoch (from the node's Clock); the cosignature carries it in seconds. */
  readonly now: number;
}

export interface WitnessResult {
  readonly cosignature: NoteSignature;
  /** The response body of `add-checkpoint`: the cosignature line, newline included. */
  readonly cosignatureLine: string;
  /** The new latest cosigned checkpoint, to persist before answering. */
  readonly latest: SignedCheckpoint;
}

/** Evidence of a split view: the checkpoint this witness cosigned, the one it was asked to cosign, and the proof. */
export interface SplitViewEvidence {
  readonly origin: string;
  readonly cosigned: string;
  readonly submitted: string;
  readonly oldSize: number;
  readonly newSize: number;
  /** The consistency proof, base64. */
  readonly proof: readonly string[];
}

/**
 * The origin line of a signed checkpoint, unverified: only for finding which log's keys and state to load.
 *
 * @throws ConcordError `LEDGER_NOTE_MALFORMED`.
 */
export function checkpointOrigin(signedCheckpoint: string): string {
  const { text } = parseNote(signedCheckpoint);
  return text.slice(0, text.indexOf('\n'));
}

/**
 * Decides on an `add-checkpoint` request and, if every check passes, cosigns the checkpoint.
 *
 * @throws ConcordError, in the order of tlog-witness's checks:
 * - `LEDGER_WITNESS_ORIGIN_UNKNOWN` (404) — the checkpoint is not for this log;
 * - `LEDGER_NOTE_*`, `LEDGER_CHECKPOINT_MALFORMED` — not validly signed by the log;
 * - `LEDGER_CHECKPOINT_ROLLBACK` (409) — smaller than the latest cosigned checkpoint, with both as evidence;
 * - `LEDGER_SIZE_INVALID` (400) — the old size exceeds the checkpoint size;
 * - `LEDGER_WITNESS_SIZE_MISMATCH` (409) — the old size is not the latest cosigned size (`details.latestSize`);
 * - `LEDGER_PROOF_INVALID` — the proof is malformed for the two sizes;
 * - `LEDGER_SPLIT_VIEW` (409) — same size with another root, or a proof that does not join the two roots; `details`
 *   is {@link SplitViewEvidence}.
 * @example
 * const log = logs.get(checkpointOrigin(body.signedCheckpoint));
 * const result = witnessCheckpoint({ log, latest, request: body, cosigner, now: clock.now() });
 * await saveLatestIfSizeIs(latest?.checkpoint.size ?? 0, result.latest); // atomically
 * reply(result.cosignatureLine);
 */
export function witnessCheckpoint(input: WitnessInput): WitnessResult {
  const { log, latest, request, cosigner } = input;
  if (checkpointOrigin(request.signedCheckpoint) !== log.origin) {
    throw new ConcordError('LEDGER_WITNESS_ORIGIN_UNKNOWN', `this witness does not follow that log`, {
      origin: log.origin,
    });
  }
  const submitted = openCheckpoint(request.signedCheckpoint, log.verifiers, { origin: log.origin });
  const newSize = submitted.checkpoint.size;
  const latestSize = latest?.checkpoint.size ?? 0;
  if (newSize === 0 && !bytesEqual(submitted.checkpoint.rootHash, EMPTY_ROOT)) {
    throw new ConcordError('LEDGER_CHECKPOINT_MALFORMED', 'the empty tree has the root SHA-256("")');
  }

  if (latest && newSize < latestSize) {
    throw new ConcordError('LEDGER_CHECKPOINT_ROLLBACK', `size ${newSize} is below the cosigned ${latestSize}`, {
      origin: log.origin,
      latestSize,
      cosigned: latest.note,
      submitted: request.signedCheckpoint,
    });
  }
  const oldSize = request.oldSize ?? latestSize;
  if (!isTreeIndex(oldSize) || oldSize > newSize) {
    throw new ConcordError('LEDGER_SIZE_INVALID', `old size ${String(oldSize)} exceeds the checkpoint size ${newSize}`);
  }
  if (oldSize !== latestSize) {
    throw new ConcordError('LEDGER_WITNESS_SIZE_MISMATCH', `the latest cosigned size is ${latestSize}`, { latestSize });
  }

  if (latest && latestSize > 0) {
    const evidence: SplitViewEvidence = {
      origin: log.origin,
      cosigned: latest.note,
      submitted: request.signedCheckpoint,
      oldSize: latestSize,
      newSize,
      proof: request.proof.map(encodeBase64),
    };
    const proof = { size1: latestSize, size2: newSize, hashes: request.proof };
    const oldRoot = latest.checkpoint.rootHash;
    const newRoot = submitted.checkpoint.rootHash;
    if (newSize === latestSize && request.proof.length === 0 && !bytesEqual(oldRoot, newRoot)) {
      throw splitView('the log signed two different roots for the same size', evidence);
    }
    const plan = planConsistency(proof, oldRoot, newRoot);
    if (!plan.ok) throw new ConcordError(plan.code, plan.reason, { size1: latestSize, size2: newSize });
    // A well-formed proof that does not join the roots: the log signed the new checkpoint and cannot prove it
    // extends the one this witness cosigned. Both signed notes are the evidence partners need to raise it.
    const verdict = checkConsistency(nodeHasher, proof, oldRoot, newRoot);
    if (!verdict.ok) throw splitView('the checkpoint is not consistent with the one cosigned', evidence);
  } else if (request.proof.length > 0) {
    throw new ConcordError('LEDGER_PROOF_INVALID', 'the proof from size 0 must be empty');
  }

  const cosignature = cosigner.cosign(submitted.text, Math.floor(input.now / 1000));
  return { cosignature, cosignatureLine: formatSignatureLine(cosignature), latest: submitted };
}

function splitView(message: string, evidence: SplitViewEvidence): ConcordError {
  return new ConcordError('LEDGER_SPLIT_VIEW', message, { ...evidence });
}
