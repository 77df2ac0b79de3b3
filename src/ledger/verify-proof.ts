import { ConcordError } from '../kernel/index.js';
import { checkConsistency, type ConsistencyProof } from './consistency-proof.js';
import { checkInclusion, type InclusionProof } from './inclusion-proof.js';
import { nodeHasher } from './merkle.js';
import type { ProofVerdict } from './proof-verdict.js';

/**
 * Verifies an inclusion proof (RFC 9162 §2.1.3.2) on `node:crypto`, failing closed.
 *
 * @throws ConcordError `LEDGER_INDEX_OUT_OF_RANGE`, `LEDGER_SIZE_INVALID` or `LEDGER_PROOF_INVALID`.
 * @example
 * verifyInclusion({ leafIndex: 5, treeSize: 8, hashes }, hashLeaf(entryBytes), checkpoint.rootHash);
 */
export function verifyInclusion(proof: InclusionProof, leafHash: Uint8Array, rootHash: Uint8Array): void {
  raise(checkInclusion(nodeHasher, proof, leafHash, rootHash), {
    leafIndex: proof.leafIndex,
    treeSize: proof.treeSize,
  });
}

/**
 * Verifies a consistency proof (RFC 9162 §2.1.4.2) on `node:crypto`, failing closed.
 *
 * @throws ConcordError `LEDGER_SIZE_INVALID` or `LEDGER_PROOF_INVALID`.
 * @example
 * verifyConsistency({ size1: old.size, size2: next.size, hashes }, old.rootHash, next.rootHash);
 */
export function verifyConsistency(proof: ConsistencyProof, root1: Uint8Array, root2: Uint8Array): void {
  raise(checkConsistency(nodeHasher, proof, root1, root2), { size1: proof.size1, size2: proof.size2 });
}

function raise(verdict: ProofVerdict, details: Record<string, unknown>): void {
  if (!verdict.ok) throw new ConcordError(verdict.code, verdict.reason, { ...details, reason: verdict.reason });
}
