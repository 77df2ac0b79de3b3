/**
 * The hashing seam of the Merkle code, and the one part of it that differs between Node and the browser.
 *
 * Browser-safe: this file imports nothing at run time. Proof *verification* (inclusion-proof.ts,
 * consistency-proof.ts) is written against {@link MerkleHasher} / {@link AsyncMerkleHasher}, so the same algorithm
 * runs on `node:crypto` (merkle.ts, synchronous, on the server) and on WebCrypto ({@link webCryptoHasher},
 * asynchronous, in the web console).
 */

/** SHA-256 output size; every leaf hash, node hash and root hash of the log has this length. */
export const HASH_SIZE = 32;

/** RFC 9162 §2.1.1 domain separation: leaf hashes are SHA-256(0x00 ‖ data), node hashes SHA-256(0x01 ‖ l ‖ r). */
export const LEAF_PREFIX = 0x00;
export const NODE_PREFIX = 0x01;

/** Synchronous RFC 9162 hashing (node:crypto). */
export interface MerkleHasher {
  hashLeaf(data: Uint8Array): Uint8Array;
  hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array;
}

/** Asynchronous RFC 9162 hashing (WebCrypto's `crypto.subtle.digest` only exists as a promise). */
export interface AsyncMerkleHasher {
  hashLeaf(data: Uint8Array): Promise<Uint8Array>;
  hashChildren(left: Uint8Array, right: Uint8Array): Promise<Uint8Array>;
}

/**
 * RFC 9162 hashing on WebCrypto, for the browser (and any runtime with `globalThis.crypto.subtle`).
 *
 * @example
 * const verdict = await checkInclusionAsync(webCryptoHasher, proof, leafHash, rootHash);
 */
export const webCryptoHasher: AsyncMerkleHasher = {
  hashLeaf: (data) => digestWithPrefix(LEAF_PREFIX, [data]),
  hashChildren: (left, right) => digestWithPrefix(NODE_PREFIX, [left, right]),
};

async function digestWithPrefix(prefix: number, parts: readonly Uint8Array[]): Promise<Uint8Array> {
  let length = 1;
  for (const part of parts) length += part.length;
  const input = new Uint8Array(length);
  input[0] = prefix;
  let offset = 1;
  for (const part of parts) {
    input.set(part, offset);
    offset += part.length;
  }
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input));
}

/** True for a 32-byte value: the only length a leaf, node or root hash can have. */
export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

/** Byte equality. Hashes here are public values, so no constant-time comparison is needed. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
