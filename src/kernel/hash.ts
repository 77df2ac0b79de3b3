import { hash } from 'node:crypto';

/**
 * SHA-256 (FIPS 180-4) of bytes, or of a string's UTF-8 encoding: the one digest of Concord (RFC 9162 Merkle
 * leaves, RFC 7638 thumbprints, document anchors).
 *
 * @example
 * sha256(canonicalBytes(declaration));
 */
export function sha256(data: Uint8Array | string): Buffer {
  return hash('sha256', data, 'buffer');
}

/** {@link sha256} as 64 lower-case hexadecimal digits. */
export function sha256Hex(data: Uint8Array | string): string {
  return hash('sha256', data, 'hex');
}
