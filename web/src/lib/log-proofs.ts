/**
 * What the Log page checks in the browser: the checkpoint's signature by the node's note key, and an entry's
 * inclusion in the checkpoint's tree. The node's answers are not trusted: the leaf hash is recomputed from the entry
 * bytes shown, and the proof is folded up to the signed root with WebCrypto.
 */
import { ApiError } from '../api/client.js';
import type { InclusionProofBody } from '../api/types.js';
import { checkInclusionAsync, decodeBase64, webCryptoHasher, type ProofVerdict } from './ledger.js';
import {
  checkNoteSignature,
  cosignaturesOf,
  parseCheckpointBody,
  parseSignedNote,
  parseVerifierKey,
  type CheckpointBody,
  type CosignatureLine,
  type NoteSignatureCheck,
  type SignedNote,
} from './signed-note.js';

export interface CheckpointView {
  /** The signed note exactly as the node sent it. */
  readonly raw: string;
  readonly note: SignedNote;
  readonly body: CheckpointBody;
  readonly cosignatures: readonly CosignatureLine[];
  /** The node's verifier key, as published at `/api/v1/log/key`. */
  readonly verifierKey: string;
  readonly signature: NoteSignatureCheck;
}

/** Reads the node's checkpoint and checks its signature against the node's verifier key. */
export async function readCheckpoint(raw: string, verifierKey: string): Promise<CheckpointView> {
  const note = parseSignedNote(raw);
  const body = note ? parseCheckpointBody(note.text) : undefined;
  if (!note || !body) {
    // Shown like an error of the node, with its code: the node answered something that is not a checkpoint.
    throw new ApiError({
      type: 'about:blank',
      title: 'The checkpoint is malformed',
      detail: 'The node answered with something that is not a C2SP signed checkpoint.',
      status: 0,
      code: 'LEDGER_CHECKPOINT_MALFORMED',
    });
  }
  const key = await parseVerifierKey(verifierKey);
  const signature: NoteSignatureCheck = key
    ? await checkNoteSignature(note, key)
    : { status: 'invalid', code: 'KEY_INVALID' };
  return { raw, note, body, cosignatures: cosignaturesOf(note), verifierKey: verifierKey.trim(), signature };
}

/** A log entry read from its leaf bytes, or undefined when the bytes are not UTF-8 JSON. */
export interface DecodedEntry {
  readonly bytes: Uint8Array;
  readonly value: Record<string, unknown> | undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeEntry(base64: string): DecodedEntry | undefined {
  const bytes = decodeBase64(base64);
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(strictUtf8.decode(bytes));
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    return { bytes, value: isObject ? (value as Record<string, unknown>) : undefined };
  } catch {
    return { bytes, value: undefined };
  }
}

/**
 * Checks that the entry bytes are leaf `index` of the checkpoint's tree, with the node's proof (RFC 9162 §2.1.3.2).
 * A proof for another index or size, or hashes that are not base64, fail as LEDGER_PROOF_INVALID.
 */
export async function checkEntryInclusion(
  entryBytes: Uint8Array,
  index: number,
  proof: InclusionProofBody,
  checkpoint: CheckpointBody,
): Promise<ProofVerdict> {
  const hashes = proof.hashes.map((hash) => decodeBase64(hash));
  if (proof.index !== index || proof.size !== checkpoint.size || hashes.some((hash) => hash === undefined)) {
    return { ok: false, code: 'LEDGER_PROOF_INVALID', reason: 'the proof is not for this entry and tree size' };
  }
  const leafHash = await webCryptoHasher.hashLeaf(entryBytes);
  return checkInclusionAsync(
    webCryptoHasher,
    { leafIndex: index, treeSize: checkpoint.size, hashes: hashes as Uint8Array[] },
    leafHash,
    checkpoint.rootHash,
  );
}
