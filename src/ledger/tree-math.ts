/**
 * Index arithmetic for Merkle trees of up to 2^53 − 1 leaves.
 *
 * JavaScript's bitwise operators truncate to 32 bits, and a log passes 2^32 entries in a few years of heavy use, so
 * everything here is plain division and multiplication on safe integers. Browser-safe: no imports.
 */

/** A tree size or leaf index that this code can handle: a non-negative safe integer. */
export function isTreeIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** True when the lowest bit of `n` is set. */
export function isOdd(n: number): boolean {
  return n % 2 === 1;
}

/** `n >> 1` without the 32-bit truncation. */
export function half(n: number): number {
  return Math.floor(n / 2);
}

/** True for 1, 2, 4, 8, … */
export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/** The largest power of two strictly below `n` (n ≥ 2): the split point k of RFC 9162 §2.1.1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The largest power of two that is at most `n` (n ≥ 1). */
export function largestPowerOfTwoAtMost(n: number): number {
  let k = 1;
  while (k * 2 <= n) k *= 2;
  return k;
}

/** log2 of a power of two. */
export function log2Exact(powerOfTwo: number): number {
  let level = 0;
  while (powerOfTwo > 1) {
    powerOfTwo /= 2;
    level++;
  }
  return level;
}

/** Number of trailing one bits of `n` (0 for even numbers). */
export function trailingOnes(n: number): number {
  let count = 0;
  while (n % 2 === 1) {
    n = (n - 1) / 2;
    count++;
  }
  return count;
}
