import type { KeyObject } from 'node:crypto';
import { CompactEncrypt, CompactSign, compactDecrypt, compactVerify } from 'jose';
import { ConcordError } from './errors.js';
import { jwkThumbprint, type EncryptionKeyPair, type SigningKeyPair } from './keys.js';

/** A JWS whose signature checked out: its payload and its protected header. */
export interface VerifiedJws {
  payload: Uint8Array;
  header: Record<string, unknown>;
}

/** A JWE that decrypted: its plaintext and its protected header. */
export interface DecryptedJwe {
  plaintext: Uint8Array;
  header: Record<string, unknown>;
}

/** A fixed key, or a function that picks one from the (not yet verified) protected header, typically by `kid`. */
type JwsKeyResolver = KeyObject | ((header: Record<string, unknown>) => KeyObject | Promise<KeyObject>);

/**
 * A compact JWS (RFC 7515 §7.1) signed with EdDSA over Ed25519 (RFC 8037 §3.1). `header` members are added to the
 * protected header; `alg` and `kid` (the key's RFC 7638 thumbprint) are always ours.
 *
 * @example
 * const jws = await signJws(canonicalBytes(envelope), node.keys.signing, { typ: 'concord-envelope+jws' });
 */
export async function signJws(
  payload: Uint8Array,
  key: SigningKeyPair,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new CompactSign(payload).setProtectedHeader({ ...header, alg: 'EdDSA', kid: key.kid }).sign(key.privateKey);
}

/**
 * Verifies a compact JWS. Only `alg: EdDSA` is accepted, whatever the key, so a token cannot pick a weaker
 * algorithm (RFC 8725 §3.1); the allow-list is checked before `resolveKey` is called.
 *
 * @throws ConcordError `JWS_INVALID` for any structural, algorithm, key or signature failure, with the reason in
 *   the message. A ConcordError thrown by `resolveKey` (an unknown `kid`, a database outage) passes through
 *   unchanged, so callers can tell "we could not check" from "it is forged".
 */
export async function verifyJws(jws: string, resolveKey: JwsKeyResolver): Promise<VerifiedJws> {
  try {
    const { payload, protectedHeader } = await compactVerify(
      jws,
      typeof resolveKey === 'function' ? (header) => resolveKey(header as Record<string, unknown>) : resolveKey,
      { algorithms: ['EdDSA'] },
    );
    return { payload, header: protectedHeader as Record<string, unknown> };
  } catch (error) {
    if (error instanceof ConcordError) throw error;
    throw new ConcordError('JWS_INVALID', `JWS refused: ${reason(error)}`, undefined, { cause: error });
  }
}

/**
 * A compact JWE (RFC 7516 §7.1) to an X25519 public key: ECDH-ES key agreement (RFC 8037 §3.2, RFC 7518 §4.6) and
 * AES-256-GCM content encryption. `kid` defaults to the recipient key's thumbprint so a node holding several keys
 * (during rotation) knows which one to use; `header` members are added to the protected header.
 *
 * @throws ConcordError `KEY_INVALID` when `recipient` is not an X25519 public key.
 */
export async function encryptJwe(
  plaintext: Uint8Array,
  recipient: KeyObject,
  header: Record<string, unknown> = {},
): Promise<string> {
  if (recipient.asymmetricKeyType !== 'x25519' || recipient.type !== 'public') {
    throw new ConcordError('KEY_INVALID', 'a JWE recipient must be an X25519 public key');
  }
  const kid = jwkThumbprint({ kty: 'OKP', crv: 'X25519', x: recipient.export({ format: 'jwk' }).x! });
  return new CompactEncrypt(plaintext)
    .setProtectedHeader({ kid, ...header, alg: 'ECDH-ES', enc: 'A256GCM' })
    .encrypt(recipient);
}

/**
 * Decrypts a compact JWE made by {@link encryptJwe}. Only ECDH-ES with A256GCM is accepted; a JWE whose `kid` names
 * another key is refused before any key agreement.
 *
 * @throws ConcordError `JWE_INVALID` for any failure, with the reason in the message.
 */
export async function decryptJwe(jwe: string, key: EncryptionKeyPair): Promise<DecryptedJwe> {
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(
      jwe,
      (header) => {
        if (header.kid !== undefined && header.kid !== key.kid) {
          throw new Error(`it is addressed to key ${JSON.stringify(header.kid)}, not ${key.kid}`);
        }
        return key.privateKey;
      },
      { keyManagementAlgorithms: ['ECDH-ES'], contentEncryptionAlgorithms: ['A256GCM'] },
    );
    return { plaintext, header: protectedHeader as Record<string, unknown> };
  } catch (error) {
    throw new ConcordError('JWE_INVALID', `JWE refused: ${reason(error)}`, undefined, { cause: error });
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
