/**
 * What this browser remembers of a log: the last checkpoint it saw, per origin. On the next visit it asks the node
 * for a consistency proof from that tree to the new one and checks it here (RFC 9162 §2.1.4), so a log that rewrote
 * or rolled back its history is caught by any reader who came before — the browser acts as a small monitor.
 */
import type { ConsistencyProofBody } from '../api/types.js';
import { checkConsistencyAsync, decodeBase64, webCryptoHasher } from './ledger.js';
import type { CheckpointBody } from './signed-note.js';

const STORAGE_PREFIX = 'concord.log.seen.';

export interface SeenCheckpoint {
  readonly size: number;
  /** Base64, as in the note. */
  readonly rootHash: string;
  readonly seenAt: string;
}

export type HistoryCheck =
  | { readonly status: 'first' }
  | { readonly status: 'same' | 'consistent'; readonly seen: SeenCheckpoint }
  | { readonly status: 'inconsistent'; readonly seen: SeenCheckpoint; readonly code: string };

function readSeen(origin: string): SeenCheckpoint | undefined {
  try {
    const value = JSON.parse(window.localStorage.getItem(STORAGE_PREFIX + origin) ?? 'null') as SeenCheckpoint | null;
    const valid = value && Number.isSafeInteger(value.size) && typeof value.rootHash === 'string';
    return valid ? value : undefined;
  } catch {
    return undefined;
  }
}

function remember(body: CheckpointBody): void {
  const seen: SeenCheckpoint = { size: body.size, rootHash: body.rootHashText, seenAt: new Date().toISOString() };
  try {
    window.localStorage.setItem(STORAGE_PREFIX + body.origin, JSON.stringify(seen));
  } catch {
    // storage disabled: every visit is a first one
  }
}

/**
 * Checks the checkpoint against the one this browser saw last, then remembers it — unless it is inconsistent, in
 * which case the earlier one is kept, as the evidence it is.
 */
export async function checkHistory(
  body: CheckpointBody,
  consistencyProof: (from: number, to: number) => Promise<ConsistencyProofBody>,
): Promise<HistoryCheck> {
  const seen = readSeen(body.origin);
  // Any tree extends the empty one, and RFC 9162 has no proof from size 0.
  if (!seen || seen.size === 0) {
    remember(body);
    return { status: 'first' };
  }
  if (seen.size > body.size) return { status: 'inconsistent', seen, code: 'LEDGER_CHECKPOINT_ROLLBACK' };
  if (seen.size === body.size) {
    return seen.rootHash === body.rootHashText
      ? { status: 'same', seen }
      : { status: 'inconsistent', seen, code: 'LEDGER_SPLIT_VIEW' };
  }
  const seenRoot = decodeBase64(seen.rootHash);
  const proof = await consistencyProof(seen.size, body.size);
  const hashes = proof.hashes.map((hash) => decodeBase64(hash));
  if (!seenRoot || proof.from !== seen.size || proof.to !== body.size || hashes.some((hash) => !hash)) {
    return { status: 'inconsistent', seen, code: 'LEDGER_PROOF_INVALID' };
  }
  const verdict = await checkConsistencyAsync(
    webCryptoHasher,
    { size1: seen.size, size2: body.size, hashes: hashes as Uint8Array[] },
    seenRoot,
    body.rootHash,
  );
  if (!verdict.ok) return { status: 'inconsistent', seen, code: verdict.code };
  remember(body);
  return { status: 'consistent', seen };
}
