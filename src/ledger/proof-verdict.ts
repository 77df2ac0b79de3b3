import type { ErrorCode } from '../kernel/index.js';
import { isHash } from './hasher.js';

/** The codes a Merkle proof check can fail with. */
export type ProofErrorCode = Extract<
  ErrorCode,
  'LEDGER_PROOF_INVALID' | 'LEDGER_INDEX_OUT_OF_RANGE' | 'LEDGER_SIZE_INVALID'
>;

/**
 * The outcome of checking a Merkle proof, as a value.
 *
 * The checking algorithms return a verdict instead of throwing because they must run in the browser, where the
 * kernel (and so `ConcordError`, which sits beside `node:crypto` code behind the kernel's index) is not loaded.
 * Server code calls `verifyInclusion` / `verifyConsistency` (verify-proof.ts), which turn a failed verdict into a
 * `ConcordError` with the same code. The `ErrorCode` import above is type-only and erased from the build.
 */
export type ProofVerdict = { readonly ok: true } | ProofFailure;

/** Why a proof was refused: the error code it maps to and a sentence for people. */
export interface ProofFailure {
  readonly ok: false;
  readonly code: ProofErrorCode;
  readonly reason: string;
}

export const PROOF_OK: ProofVerdict = Object.freeze({ ok: true });

export function proofFailure(code: ProofErrorCode, reason: string): ProofFailure {
  return { ok: false, code, reason };
}

/** Refuses a proof whose hash list is not a list of 32-byte values. */
export function checkProofHashes(hashes: unknown): ProofFailure | undefined {
  if (!Array.isArray(hashes)) return proofFailure('LEDGER_PROOF_INVALID', 'the proof is not a list of hashes');
  for (const [i, hash] of hashes.entries()) {
    if (!isHash(hash)) return proofFailure('LEDGER_PROOF_INVALID', `proof hash ${i} is not 32 bytes`);
  }
  return undefined;
}
