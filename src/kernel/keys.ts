import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { canonicalize } from './canonical-json.js';
import { ConcordError } from './errors.js';
import { sha256 } from './hash.js';

/**
 * A public key as an RFC 8037 OKP JSON Web Key: Ed25519 for signatures, X25519 for ECDH-ES encryption. `kid`, when
 * present, is the key's RFC 7638 thumbprint.
 */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519' | 'X25519';
  x: string;
  kid?: string;
}

/**
 * An Ed25519 key pair; `kid` is the RFC 7638 thumbprint of the public key, which `publicJwk` also carries. The
 * literal `crv` keeps an encryption pair from being passed where a signing pair is expected.
 */
export interface SigningKeyPair {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: PublicJwk & { crv: 'Ed25519'; kid: string };
}

/** An X25519 key pair for ECDH-ES (RFC 8037 §3.2); `kid` as for {@link SigningKeyPair}. */
export interface EncryptionKeyPair {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: PublicJwk & { crv: 'X25519'; kid: string };
}

type PairOf<C extends Curve> = C extends 'Ed25519' ? SigningKeyPair : EncryptionKeyPair;

type Curve = PublicJwk['crv'];

/** Both curves have 32-byte public and private keys (RFC 8032 §5.1.5, RFC 7748 §5). */
const KEY_BYTES = 32;

/** Group and others get no access to a private key file; anything looser is refused on load. */
const PRIVATE_FILE_MODE = 0o600;
const PRIVATE_DIR_MODE = 0o700;

/** A fresh Ed25519 key pair for signing envelopes, checkpoints and agreements. */
export function generateSigningKey(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return pairOf(privateKey, publicKey, 'Ed25519');
}

/** A fresh X25519 key pair for receiving JWE (ECDH-ES). */
export function generateEncryptionKey(): EncryptionKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return pairOf(privateKey, publicKey, 'X25519');
}

/**
 * Writes the private key as a JWK (RFC 8037 §2, with `kid`) to `path`, replacing any file there. The file is created
 * with mode 0600 and swapped in by rename, so a crash never leaves a half-written or world-readable key; a missing
 * parent directory is created with mode 0700.
 */
export async function saveKeyPair(path: string, pair: SigningKeyPair | EncryptionKeyPair): Promise<void> {
  const { kty, crv, x, d } = pair.privateKey.export({ format: 'jwk' });
  const text = JSON.stringify({ kty, crv, x, d, kid: pair.kid }, null, 2) + '\n';

  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const file = await open(temp, 'wx', PRIVATE_FILE_MODE);
  try {
    try {
      await file.chmod(PRIVATE_FILE_MODE); // the umask may have taken bits away, never added; make it exact
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

/**
 * Reads an Ed25519 private JWK written by {@link saveKeyPair}.
 *
 * @throws ConcordError `KEY_FILE_UNSAFE` when group or others have any access to the file (POSIX), `KEY_INVALID`
 *   when it cannot be opened or is not an Ed25519 private JWK whose `x` and `kid` match its `d`.
 */
export async function loadSigningKey(path: string): Promise<SigningKeyPair> {
  return loadKeyPair(path, 'Ed25519');
}

/** Reads an X25519 private JWK written by {@link saveKeyPair}; refuses it as {@link loadSigningKey} does. */
export async function loadEncryptionKey(path: string): Promise<EncryptionKeyPair> {
  return loadKeyPair(path, 'X25519');
}

/**
 * The public key in an untrusted OKP JWK (RFC 8037 §2), e.g. from a partner's directory entry.
 *
 * @throws ConcordError `KEY_INVALID` unless `jwk` is an OKP public key on `crv` with a 32-byte `x`. A JWK carrying
 *   the private `d` is refused too, and so is one whose `kid` is not its thumbprint.
 */
export function publicKeyFromJwk(jwk: unknown, crv: Curve): KeyObject {
  const { x, kid } = checkJwkShape(jwk, crv);
  if ((jwk as { d?: unknown }).d !== undefined) throw invalid('a public JWK must not carry the private "d"');
  if (kid !== undefined && kid !== jwkThumbprint({ kty: 'OKP', crv, x })) {
    throw invalid('the JWK "kid" is not its RFC 7638 thumbprint');
  }
  try {
    return createPublicKey({ key: { kty: 'OKP', crv, x }, format: 'jwk' });
  } catch (error) {
    throw new ConcordError('KEY_INVALID', `not a valid ${crv} public key`, undefined, { cause: error });
  }
}

/**
 * The RFC 7638 thumbprint of an OKP key: SHA-256 of `{"crv":…,"kty":"OKP","x":…}` (the required members in
 * lexicographic order, no whitespace; RFC 8037 §2), in base64url. It is Concord's key id (`kid`).
 *
 * @example
 * jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' });
 * // 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k' (RFC 8037 Appendix A.3)
 */
export function jwkThumbprint(jwk: PublicJwk): string {
  // RFC 7638 §3.3's JSON rules are a subset of RFC 8785, so the canonical form of the members is the hash input.
  return sha256(canonicalize({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })).toString('base64url');
}

/** A raw Ed25519 signature (RFC 8032 §5.1.6, 64 bytes) over `data`. */
export function signBytes(data: Uint8Array, key: SigningKeyPair): Buffer {
  return sign(null, data, key.privateKey);
}

/**
 * True when `signature` is a valid Ed25519 signature over `data` by `publicKey` (RFC 8032 §5.1.7).
 *
 * @throws ConcordError `KEY_INVALID` when `publicKey` is not an Ed25519 key, rather than answering for another
 *   algorithm.
 */
export function verifyBytes(data: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw invalid('an Ed25519 public key is required to verify');
  return verify(null, data, publicKey, signature);
}

function pairOf<C extends Curve>(privateKey: KeyObject, publicKey: KeyObject, crv: C): PairOf<C> {
  const x = publicKey.export({ format: 'jwk' }).x!;
  const kid = jwkThumbprint({ kty: 'OKP', crv, x });
  return { kid, privateKey, publicKey, publicJwk: { kty: 'OKP', crv, x, kid } } as PairOf<C>;
}

async function loadKeyPair<C extends Curve>(path: string, crv: C): Promise<PairOf<C>> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConcordError('KEY_INVALID', `cannot read the key file ${path} (${reason})`, { path }, { cause: error });
  }
  let text: string;
  try {
    // Mode and content come from the same open file, so the file cannot be swapped between the check and the read.
    const { mode } = await file.stat();
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new ConcordError(
        'KEY_FILE_UNSAFE',
        `${path} has mode ${(mode & 0o777).toString(8).padStart(4, '0')}; private keys must be 0600 (chmod 600 ${path})`,
        { path },
      );
    }
    text = await file.readFile('utf8');
  } finally {
    await file.close();
  }

  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch (error) {
    throw new ConcordError('KEY_INVALID', `${path} is not JSON`, { path }, { cause: error });
  }
  const { x, kid } = checkJwkShape(jwk, crv);
  const d = (jwk as { d?: unknown }).d;
  if (!isKeyBytes(d)) throw invalid(`${path} is not a ${crv} private JWK: "d" must be 32 bytes in base64url`);

  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: { kty: 'OKP', crv, x, d } satisfies JsonWebKey, format: 'jwk' });
  } catch (error) {
    throw new ConcordError('KEY_INVALID', `${path} holds no valid ${crv} private key`, { path }, { cause: error });
  }
  // The public half is derived from d, never trusted from the file: a mismatch means the file was tampered with.
  const pair = pairOf(privateKey, createPublicKey(privateKey), crv);
  if (pair.publicJwk.x !== x) throw invalid(`${path}: "x" is not the public key of "d"`);
  if (kid !== undefined && kid !== pair.kid) throw invalid(`${path}: "kid" is not the key's thumbprint`);
  return pair;
}

/** Checks the members every OKP JWK on `crv` must have (RFC 8037 §2) and returns them. */
function checkJwkShape(jwk: unknown, crv: Curve): { x: string; kid: string | undefined } {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw invalid('a JWK must be a JSON object');
  const { kty, crv: actualCrv, x, kid } = jwk as Record<string, unknown>;
  if (kty !== 'OKP') throw invalid(`the JWK "kty" must be "OKP", not ${JSON.stringify(kty)}`);
  if (actualCrv !== crv) throw invalid(`the JWK "crv" must be "${crv}", not ${JSON.stringify(actualCrv)}`);
  if (!isKeyBytes(x)) throw invalid('the JWK "x" must be 32 bytes in base64url');
  if (kid !== undefined && typeof kid !== 'string') throw invalid('the JWK "kid" must be a string');
  return { x, kid };
}

/** 32 bytes in canonical unpadded base64url (RFC 7515 §2): Buffer's decoder alone would accept sloppy forms. */
function isKeyBytes(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 43) return false;
  const bytes = Buffer.from(value, 'base64url');
  return bytes.length === KEY_BYTES && bytes.toString('base64url') === value;
}

function invalid(message: string): ConcordError {
  return new ConcordError('KEY_INVALID', message);
}

/** Makes a rename durable (POSIX); Windows cannot open a directory for syncing and does not need it. */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
