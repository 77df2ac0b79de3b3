import { describe, expect, it } from 'vitest';
import { sha256, sha256Hex } from './hash.js';

// FIPS 180-4 example vectors (NIST CSRC "SHA256.pdf"): "abc" and the empty message.
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe(sha256.name, () => {
  it('digests the FIPS 180-4 example "abc"', () => {
    expect(sha256('abc').toString('hex')).toBe(ABC);
  });

  it('digests the empty message', () => {
    expect(sha256(new Uint8Array()).toString('hex')).toBe(EMPTY);
  });

  it('digests a string as its UTF-8 bytes', () => {
    expect(sha256('Ørsted 😂')).toEqual(sha256(Buffer.from('Ørsted 😂', 'utf8')));
  });

  it('returns 32 bytes', () => {
    expect(sha256('x')).toHaveLength(32);
  });
});

describe(sha256Hex.name, () => {
  it('writes the digest as lower-case hex', () => {
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(ABC);
  });
});
