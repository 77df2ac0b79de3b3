/**
 * Merkle inclusion proof verification, RFC 9162 §2.1.3.2.
 *
 * Browser-safe (nothing here reaches a `node:` module). One algorithm, two drivers: on which side each proof hash
 * joins depends only on the leaf index and the tree size, so that walk is done first, without hashing
 * ({@link planInclusion}); the synchronous and asynchronous checks then only fold hashes along the plan. This keeps
 * a single copy of the RFC's index arithmetic for `node:crypto` on the server and WebCrypto in the browser, and
 * refuses a malformed proof before hashing anything.
 */
import { bytesEqual, isHash, type AsyncMerkleHasher, type MerkleHasher } from './hasher.js';
import { PROOF_OK, checkProofHashes, proofFailure, type ProofFailure, type ProofVerdict } from './proof-verdict.js';
import { half, isOdd, isTreeIndex } from './tree-math.js';

/** Proof that the leaf at `leafIndex` is in the tree of `treeSize` leaves (RFC 9162 §2.1.3). */
export interface InclusionProof {
  readonly leafIndex: number;
  readonly treeSize: number;
  /** The inclusion path, from the leaf's sibling up to a child of the root (RFC 9162 §2.1.3.1 order). */
  readonly hashes: readonly Uint8Array[];
}

/** The hashing-free part of the check: for each proof hash, whether it is the left operand of its node. */
export interface InclusionPlan {
  readonly ok: true;
  readonly leftSides: readonly boolean[];
}

/**
 * Runs RFC 9162 §2.1.3.2 steps 1–5 without hashing. Fails closed on everything the walk rejects (index ≥ size, a
 * path too long or too short for the leaf's position) and on hashes that are not 32 bytes long.
 */
export function planInclusion(
  proof: InclusionProof,
  leafHash: Uint8Array,
  rootHash: Uint8Array,
): InclusionPlan | ProofFailure {
  const { leafIndex, treeSize, hashes } = proof;
  if (!isTreeIndex(treeSize) || !isTreeIndex(leafIndex)) {
    return proofFailure('LEDGER_SIZE_INVALID', 'the leaf index and tree size must be non-negative safe integers');
  }
  if (leafIndex >= treeSize) {
    return proofFailure('LEDGER_INDEX_OUT_OF_RANGE', `leaf index ${leafIndex} is not below tree size ${treeSize}`);
  }
  if (!isHash(leafHash)) return proofFailure('LEDGER_PROOF_INVALID', 'the leaf hash is not 32 bytes');
  if (!isHash(rootHash)) return proofFailure('LEDGER_PROOF_INVALID', 'the root hash is not 32 bytes');
  const malformed = checkProofHashes(hashes);
  if (malformed) return malformed;

  let fn = leafIndex;
  let sn = treeSize - 1;
  const leftSides: boolean[] = [];
  for (let i = 0; i < hashes.length; i++) {
    if (sn === 0) return proofFailure('LEDGER_PROOF_INVALID', `the proof has more hashes than the path`);
    if (isOdd(fn) || fn === sn) {
      leftSides.push(true);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      leftSides.push(false);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return proofFailure('LEDGER_PROOF_INVALID', 'the proof has fewer hashes than the path');
  return { ok: true, leftSides };
}

/**
 * Checks an inclusion proof with a synchronous hasher and returns the verdict.
 *
 * @example
 * const verdict = checkInclusion(nodeHasher, { leafIndex: 0, treeSize: 8, hashes }, leafHash, rootHash);
 * if (!verdict.ok) show(verdict.code, verdict.reason);
 */
export function checkInclusion(
  hasher: MerkleHasher,
  proof: InclusionProof,
  leafHash: Uint8Array,
  rootHash: Uint8Array,
): ProofVerdict {
  const plan = planInclusion(proof, leafHash, rootHash);
  if (!plan.ok) return plan;
  let r = leafHash;
  plan.leftSides.forEach((left, i) => {
    const p = proof.hashes[i]!;
    r = left ? hasher.hashChildren(p, r) : hasher.hashChildren(r, p);
  });
  return rootMatches(r, rootHash);
}

/** {@link checkInclusion} with an asynchronous hasher, such as `webCryptoHasher` in the browser. */
export async function checkInclusionAsync(
  hasher: AsyncMerkleHasher,
  proof: InclusionProof,
  leafHash: Uint8Array,
  rootHash: Uint8Array,
): Promise<ProofVerdict> {
  const plan = planInclusion(proof, leafHash, rootHash);
  if (!plan.ok) return plan;
  let r = leafHash;
  for (const [i, left] of plan.leftSides.entries()) {
    const p = proof.hashes[i]!;
    r = left ? await hasher.hashChildren(p, r) : await hasher.hashChildren(r, p);
  }
  return rootMatches(r, rootHash);
}

function rootMatches(computed: Uint8Array, rootHash: Uint8Array): ProofVerdict {
  return bytesEqual(computed, rootHash)
    ? PROOF_OK
    : proofFailure('LEDGER_PROOF_INVALID', 'the proof does not lead to the root hash');
}
