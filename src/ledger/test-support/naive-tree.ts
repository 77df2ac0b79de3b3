/**
 * The oracle for the Merkle code: RFC 9162 §2.1 transcribed literally — recursive MTH, PATH and PROOF over the whole
 * list of leaves, with its own SHA-256 calls. Slow (it rehashes everything every time) and obviously correct.
 * Used only by tests.
 */
import { createHash } from 'node:crypto';

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest();
}

export function naiveLeafHash(data: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(0), data);
}

function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(1), left, right);
}

/** The largest power of two smaller than n (n > 1). */
function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}

/** MTH(D[n]) over leaf *hashes*. */
export function naiveRoot(leaves: readonly Uint8Array[]): Uint8Array {
  const n = leaves.length;
  if (n === 0) return sha256();
  if (n === 1) return leaves[0]!;
  return nodeHash(naiveRoot(leaves.slice(0, k(n))), naiveRoot(leaves.slice(k(n))));
}

/** PATH(m, D[n]). */
export function naivePath(m: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  const n = leaves.length;
  if (n <= 1) return [];
  const split = k(n);
  if (m < split) return [...naivePath(m, leaves.slice(0, split)), naiveRoot(leaves.slice(split))];
  return [...naivePath(m - split, leaves.slice(split)), naiveRoot(leaves.slice(0, split))];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
export function naiveProof(m: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  return subproof(m, leaves, true);
}

function subproof(m: number, leaves: readonly Uint8Array[], b: boolean): Uint8Array[] {
  const n = leaves.length;
  if (m === n) return b ? [] : [naiveRoot(leaves)];
  const split = k(n);
  if (m <= split) return [...subproof(m, leaves.slice(0, split), b), naiveRoot(leaves.slice(split))];
  return [...subproof(m - split, leaves.slice(split), false), naiveRoot(leaves.slice(0, split))];
}
