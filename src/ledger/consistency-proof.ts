/**
 * Merkle consistency proof verification, RFC 9162 §2.1.4.2.
 *
 * Browser-safe, and built like inclusion-proof.ts: {@link planConsistency} does the RFC's index walk without
 * hashing, and the synchronous (`node:crypto`) and asynchronous (WebCrypto) checks fold hashes along that plan.
 *
 * Edge cases follow transparency-dev/merkle, whose test vectors this code passes: a proof from size 0 proves nothing
 * and is refused (callers that accept any tree after an empty one, like a witness, decide that before calling);
 * for equal sizes the proof must be empty and the two roots equal.
 */
import { bytesEqual, isHash, type AsyncMerkleHasher, type MerkleHasher } from './hasher.js';
import { PROOF_OK, checkProofHashes, proofFailure, type ProofFailure, type ProofVerdict } from './proof-verdict.js';
import { half, isOdd, isPowerOfTwo, isTreeIndex } from './tree-math.js';

/** Proof that the tree of `size1` leaves is a prefix of the tree of `size2` leaves (RFC 9162 §2.1.4). */
export interface ConsistencyProof {
  readonly size1: number;
  readonly size2: number;
  /** The consistency path, RFC 9162 §2.1.4.1 order. */
  readonly hashes: readonly Uint8Array[];
}

/** How one path hash is folded in step 6: into both running roots from the left, or into the second from the right. */
export type ConsistencyStep = 'both-left' | 'second-right';

/** The hashing-free part of the check. `equalSizes` means there is nothing to hash: the roots must match. */
export type ConsistencyPlan =
  | { readonly ok: true; readonly equalSizes: true }
  | {
      readonly ok: true;
      readonly equalSizes: false;
      /** The path of step 2: the proof, with the first root in front when `size1` is a power of two. */
      readonly path: readonly Uint8Array[];
      /** One step per path hash after the first. */
      readonly steps: readonly ConsistencyStep[];
    };

/** Runs RFC 9162 §2.1.4.2 steps 1–7 without hashing. */
export function planConsistency(
  proof: ConsistencyProof,
  root1: Uint8Array,
  root2: Uint8Array,
): ConsistencyPlan | ProofFailure {
  const { size1, size2, hashes } = proof;
  if (!isTreeIndex(size1) || !isTreeIndex(size2)) {
    return proofFailure('LEDGER_SIZE_INVALID', 'tree sizes must be non-negative safe integers');
  }
  if (size1 > size2) return proofFailure('LEDGER_SIZE_INVALID', `size1 ${size1} is larger than size2 ${size2}`);
  if (size1 === 0) return proofFailure('LEDGER_SIZE_INVALID', 'a consistency proof from the empty tree proves nothing');
  if (!Array.isArray(hashes)) return proofFailure('LEDGER_PROOF_INVALID', 'the proof is not a list of hashes');
  if (size1 === size2) {
    if (hashes.length > 0) return proofFailure('LEDGER_PROOF_INVALID', 'the proof between equal sizes must be empty');
    return { ok: true, equalSizes: true };
  }
  if (!isHash(root1)) return proofFailure('LEDGER_PROOF_INVALID', 'the first root hash is not 32 bytes');
  if (!isHash(root2)) return proofFailure('LEDGER_PROOF_INVALID', 'the second root hash is not 32 bytes');
  const malformed = checkProofHashes(hashes);
  if (malformed) return malformed;

  // Step 1.
  if (hashes.length === 0) return proofFailure('LEDGER_PROOF_INVALID', 'the proof is empty');
  // Step 2.
  const path = isPowerOfTwo(size1) ? [root1, ...hashes] : [...hashes];
  // Steps 3–4.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // Step 6, without the hashing.
  const steps: ConsistencyStep[] = [];
  for (let i = 1; i < path.length; i++) {
    if (sn === 0) return proofFailure('LEDGER_PROOF_INVALID', 'the proof has more hashes than the path');
    if (isOdd(fn) || fn === sn) {
      steps.push('both-left');
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      steps.push('second-right');
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 7, first part.
  if (sn !== 0) return proofFailure('LEDGER_PROOF_INVALID', 'the proof has fewer hashes than the path');
  return { ok: true, equalSizes: false, path, steps };
}

/**
 * Checks a consistency proof with a synchronous hasher and returns the verdict.
 *
 * @example
 * const verdict = checkConsistency(nodeHasher, { size1: 3, size2: 7, hashes }, oldRoot, newRoot);
 */
export function checkConsistency(
  hasher: MerkleHasher,
  proof: ConsistencyProof,
  root1: Uint8Array,
  root2: Uint8Array,
): ProofVerdict {
  const plan = planConsistency(proof, root1, root2);
  if (!plan.ok) return plan;
  if (plan.equalSizes) return equalRoots(root1, root2);
  let fr = plan.path[0]!;
  let sr = fr;
  plan.steps.forEach((step, i) => {
    const c = plan.path[i + 1]!;
    if (step === 'both-left') {
      fr = hasher.hashChildren(c, fr);
      sr = hasher.hashChildren(c, sr);
    } else {
      sr = hasher.hashChildren(sr, c);
    }
  });
  return rootsMatch(fr, root1, sr, root2);
}

/** {@link checkConsistency} with an asynchronous hasher, such as `webCryptoHasher` in the browser. */
export async function checkConsistencyAsync(
  hasher: AsyncMerkleHasher,
  proof: ConsistencyProof,
  root1: Uint8Array,
  root2: Uint8Array,
): Promise<ProofVerdict> {
  const plan = planConsistency(proof, root1, root2);
  if (!plan.ok) return plan;
  if (plan.equalSizes) return equalRoots(root1, root2);
  let fr = plan.path[0]!;
  let sr = fr;
  for (const [i, step] of plan.steps.entries()) {
    const c = plan.path[i + 1]!;
    if (step === 'both-left') {
      fr = await hasher.hashChildren(c, fr);
      sr = await hasher.hashChildren(c, sr);
    } else {
      sr = await hasher.hashChildren(sr, c);
    }
  }
  return rootsMatch(fr, root1, sr, root2);
}

function equalRoots(root1: Uint8Array, root2: Uint8Array): ProofVerdict {
  const same = root1 instanceof Uint8Array && root2 instanceof Uint8Array && bytesEqual(root1, root2);
  return same ? PROOF_OK : proofFailure('LEDGER_PROOF_INVALID', 'the trees have the same size but different roots');
}

function rootsMatch(fr: Uint8Array, root1: Uint8Array, sr: Uint8Array, root2: Uint8Array): ProofVerdict {
  if (!bytesEqual(fr, root1) || !bytesEqual(sr, root2)) {
    return proofFailure('LEDGER_PROOF_INVALID', 'the proof does not lead to both root hashes');
  }
  return PROOF_OK;
}
