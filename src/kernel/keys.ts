import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConcordError } from './errors.js';

/** A public key as a JWK (RFC 8037 OKP): Ed25519 for signing, X25519 for encryption. */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519' | 'X25519';
  x: string;
  kid?: string;
}

interface KeyPair<C extends 'Ed25519' | 'X25519'> {
  /** RFC 7638 thumbprint of the public key. */
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: PublicJwk & { crv: C; kid: string };
}
export type SigningKeyPair = KeyPair<'Ed25519'>;
export type EncryptionKeyPair = KeyPair<'X25519'>;

/** RFC 7638 JWK thumbprint: SHA-256 over the required members in lexicographic order, base64url. */
export function jwkThumbprint(jwk: Pick<PublicJwk, 'crv' | 'kty' | 'x'>): string {
  const members = `{"crv":${JSON.stringify(jwk.crv)},"kty":${JSON.stringify(jwk.kty)},"x":${JSON.stringify(jwk.x)}}`;
  return createHash('sha256').update(members).digest('base64url');
}

function pairFrom<C extends 'Ed25519' | 'X25519'>(privateKey: KeyObject, crv: C): KeyPair<C> {
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
  if (jwk.kty !== 'OKP' || jwk.crv !== crv) throw new ConcordError('KEY_INVALID', `expected an ${crv} key`);
  const kid = jwkThumbprint({ kty: 'OKP', crv, x: jwk.x });
  return { kid, privateKey, publicKey, publicJwk: { kty: 'OKP', crv, x: jwk.x, kid } };
}

export function generateSigningKey(): SigningKeyPair {
  return pairFrom(generateKeyPairSync('ed25519').privateKey, 'Ed25519');
}

export function generateEncryptionKey(): EncryptionKeyPair {
  return pairFrom(generateKeyPairSync('x25519').privateKey, 'X25519');
}

/**
 * Writes the private key as a JWK, readable by the owner only (0600, in a 0700 folder), atomically: a crash leaves
 * the old file or the new one, never half a key.
 */
export async function saveKeyPair(path: string, pair: SigningKeyPair | EncryptionKeyPair): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const jwk = { ...(pair.privateKey.export({ format: 'jwk' }) as object), kid: pair.kid };
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(jwk) + '\n', { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, path);
}

async function loadPair<C extends 'Ed25519' | 'X25519'>(path: string, crv: C): Promise<KeyPair<C>> {
  let info;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new ConcordError('KEY_INVALID', `no key file at ${path}`, { path }, { cause });
  }
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    throw new ConcordError(
      'KEY_FILE_UNSAFE',
      `${path} is readable by others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600`,
      { path },
    );
  }
  let privateKey: KeyObject;
  try {
    const jwk = JSON.parse(await readFile(path, 'utf8')) as { kty?: string; crv?: string; d?: string; x?: string };
    if (jwk.kty !== 'OKP' || jwk.crv !== crv || typeof jwk.d !== 'string') throw new Error(`not an ${crv} private JWK`);
    privateKey = createPrivateKey({ key: jwk as never, format: 'jwk' });
  } catch (cause) {
    throw new ConcordError('KEY_INVALID', `${path}: ${(cause as Error).message}`, { path }, { cause });
  }
  return pairFrom(privateKey, crv);
}

export function loadSigningKey(path: string): Promise<SigningKeyPair> {
  return loadPair(path, 'Ed25519');
}

export function loadEncryptionKey(path: string): Promise<EncryptionKeyPair> {
  return loadPair(path, 'X25519');
}

/** A public key from an untrusted JWK: checked for shape and curve, refused with KEY_INVALID otherwise. */
export function publicKeyFromJwk(jwk: unknown, crv: 'Ed25519' | 'X25519'): KeyObject {
  const j = jwk as Partial<PublicJwk> | null;
  if (!j || typeof j !== 'object' || j.kty !== 'OKP' || j.crv !== crv || typeof j.x !== 'string') {
    throw new ConcordError('KEY_INVALID', `expected an OKP ${crv} public JWK`);
  }
  if (!/^[A-Za-z0-9_-]{43}$/.test(j.x)) throw new ConcordError('KEY_INVALID', 'x is not a 32-byte base64url value');
  try {
    return createPublicKey({ key: { kty: 'OKP', crv, x: j.x }, format: 'jwk' });
  } catch (cause) {
    throw new ConcordError('KEY_INVALID', (cause as Error).message, undefined, { cause });
  }
}

/** Ed25519 signature (RFC 8032) of raw bytes. */
export function signBytes(data: Uint8Array, key: SigningKeyPair): Buffer {
  return sign(null, data, key.privateKey);
}

/** Verifies an Ed25519 signature; false (never a throw) for a bad signature or a key of the wrong type. */
export function verifyBytes(data: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  try {
    return verify(null, data, publicKey, signature);
  } catch {
    return false;
  }
}
