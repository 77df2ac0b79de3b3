import type { KeyObject } from 'node:crypto';
import { CompactEncrypt, CompactSign, compactDecrypt, compactVerify } from 'jose';
import { ConcordError } from './errors.js';
import type { EncryptionKeyPair, SigningKeyPair } from './keys.js';

export interface VerifiedJws {
  payload: Uint8Array;
  header: Record<string, unknown>;
}

export interface DecryptedJwe {
  plaintext: Uint8Array;
  header: Record<string, unknown>;
}

/** A compact JWS (RFC 7515) with EdDSA over Ed25519 (RFC 8037); `kid` is the signing key's thumbprint. */
export async function signJws(
  payload: Uint8Array,
  key: SigningKeyPair,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new CompactSign(payload).setProtectedHeader({ ...header, alg: 'EdDSA', kid: key.kid }).sign(key.privateKey);
}

/**
 * Verifies a compact JWS. Only EdDSA is accepted (no algorithm confusion); the key may be looked up from the
 * protected header (its `kid`). Any failure is JWS_INVALID.
 */
export async function verifyJws(
  jws: string,
  resolveKey: KeyObject | ((header: Record<string, unknown>) => KeyObject | Promise<KeyObject>),
): Promise<VerifiedJws> {
  try {
    const result = await compactVerify(
      jws,
      typeof resolveKey === 'function' ? (header) => resolveKey(header as Record<string, unknown>) : resolveKey,
      { algorithms: ['EdDSA'] },
    );
    return { payload: result.payload, header: result.protectedHeader as Record<string, unknown> };
  } catch (cause) {
    if (cause instanceof ConcordError) throw cause;
    throw new ConcordError('JWS_INVALID', `JWS refused: ${(cause as Error).message}`, undefined, { cause });
  }
}

/** A compact JWE (RFC 7516) with ECDH-ES key agreement on X25519 and AES-256-GCM content encryption. */
export async function encryptJwe(
  plaintext: Uint8Array,
  recipient: KeyObject,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new CompactEncrypt(plaintext)
    .setProtectedHeader({ ...header, alg: 'ECDH-ES', enc: 'A256GCM' })
    .encrypt(recipient);
}

/** Decrypts a compact JWE made by `encryptJwe`; other algorithms and any failure are JWE_INVALID. */
export async function decryptJwe(jwe: string, key: EncryptionKeyPair): Promise<DecryptedJwe> {
  try {
    const result = await compactDecrypt(jwe, key.privateKey, {
      keyManagementAlgorithms: ['ECDH-ES'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    return { plaintext: result.plaintext, header: result.protectedHeader as Record<string, unknown> };
  } catch (cause) {
    throw new ConcordError('JWE_INVALID', `JWE refused: ${(cause as Error).message}`, undefined, { cause });
  }
}
