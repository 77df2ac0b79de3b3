import { createHash } from 'node:crypto';

/** SHA-256 (FIPS 180-4) of bytes or of a string's UTF-8 encoding. */
export function sha256(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(data).digest();
}

/** SHA-256 as lowercase hex. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
