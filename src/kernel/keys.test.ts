import { generateKeyPairSync } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConcordError } from './errors.js';
import {
  generateEncryptionKey,
  generateSigningKey,
  jwkThumbprint,
  loadEncryptionKey,
  loadSigningKey,
  publicKeyFromJwk,
  saveKeyPair,
  signBytes,
  verifyBytes,
} from './keys.js';

/** RFC 8037 Appendix A.1–A.4: the example Ed25519 key, its thumbprint, and the signature over the example input. */
const RFC8037 = {
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
  thumbprint: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
  signingInput: 'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc',
  signature: 'hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg',
};

const POSIX = process.platform !== 'win32';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'concord-keys-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The ConcordError code the promise or function rejects with, or undefined when it succeeds. */
async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (error) {
    if (isConcordError(error)) return error.code;
    throw error;
  }
  return undefined;
}

async function writeKeyFile(name: string, content: unknown, mode = 0o600): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content), { mode });
  await chmod(path, mode);
  return path;
}

const data = new TextEncoder().encode('UCR 6NL123456789-2026-000042');

describe(generateSigningKey.name, () => {
  it('makes an Ed25519 pair whose kid is its thumbprint', () => {
    const pair = generateSigningKey();
    expect(pair.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(pair.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: pair.kid });
    expect(pair.kid).toBe(jwkThumbprint(pair.publicJwk));
  });

  it('makes a different key each time', () => {
    expect(generateSigningKey().kid).not.toBe(generateSigningKey().kid);
  });
});

describe(generateEncryptionKey.name, () => {
  it('makes an X25519 pair whose kid is its thumbprint', () => {
    const pair = generateEncryptionKey();
    expect(pair.privateKey.asymmetricKeyType).toBe('x25519');
    expect(pair.publicJwk).toEqual({ kty: 'OKP', crv: 'X25519', x: expect.any(String), kid: pair.kid });
    expect(pair.kid).toBe(jwkThumbprint(pair.publicJwk));
  });
});

describe(jwkThumbprint.name, () => {
  it('gives the RFC 8037 Appendix A.3 thumbprint', () => {
    expect(jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: RFC8037.x })).toBe(RFC8037.thumbprint);
  });

  it('ignores members other than crv, kty and x (RFC 7638 §3.2)', () => {
    expect(jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: RFC8037.x, kid: 'anything' })).toBe(RFC8037.thumbprint);
  });
});

describe(saveKeyPair.name, () => {
  it('writes a file only its owner can read, in a folder only its owner can enter', async () => {
    const path = join(dir, 'fresh', 'nested', 'signing.jwk');
    await saveKeyPair(path, generateSigningKey());
    if (POSIX) {
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'fresh', 'nested'))).mode & 0o777).toBe(0o700);
    }
  });

  it('writes the private JWK with its kid', async () => {
    const pair = generateEncryptionKey();
    const path = join(dir, 'encryption.jwk');
    await saveKeyPair(path, pair);
    const jwk = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect(jwk).toEqual({ kty: 'OKP', crv: 'X25519', x: pair.publicJwk.x, d: expect.any(String), kid: pair.kid });
  });

  it('replaces an existing key and leaves no temporary file behind', async () => {
    const path = join(dir, 'replace', 'signing.jwk');
    await saveKeyPair(path, generateSigningKey());
    const second = generateSigningKey();
    await saveKeyPair(path, second);
    expect((await loadSigningKey(path)).kid).toBe(second.kid);
    expect(await readdir(join(dir, 'replace'))).toEqual(['signing.jwk']);
  });
});

describe(loadSigningKey.name, () => {
  it('reads back the pair that was saved', async () => {
    const pair = generateSigningKey();
    const path = join(dir, 'round-trip.jwk');
    await saveKeyPair(path, pair);
    const loaded = await loadSigningKey(path);
    expect(loaded.kid).toBe(pair.kid);
    expect(loaded.publicJwk).toEqual(pair.publicJwk);
    expect(verifyBytes(data, signBytes(data, loaded), pair.publicKey)).toBe(true);
  });

  it('reads a JWK written elsewhere: the RFC 8037 example key signs as in Appendix A.4', async () => {
    const path = await writeKeyFile('rfc8037.jwk', { kty: 'OKP', crv: 'Ed25519', d: RFC8037.d, x: RFC8037.x });
    const pair = await loadSigningKey(path);
    expect(pair.kid).toBe(RFC8037.thumbprint);
    expect(signBytes(new TextEncoder().encode(RFC8037.signingInput), pair).toString('base64url')).toBe(
      RFC8037.signature,
    );
  });

  it.runIf(POSIX)('refuses a file others can read (0644) with KEY_FILE_UNSAFE', async () => {
    const path = join(dir, 'loose.jwk');
    await saveKeyPair(path, generateSigningKey());
    await chmod(path, 0o644);
    expect(await codeOf(() => loadSigningKey(path))).toBe('KEY_FILE_UNSAFE');
  });

  it.runIf(POSIX)('refuses a file its group can write (0620) with KEY_FILE_UNSAFE', async () => {
    const path = join(dir, 'group.jwk');
    await saveKeyPair(path, generateSigningKey());
    await chmod(path, 0o620);
    expect(await codeOf(() => loadSigningKey(path))).toBe('KEY_FILE_UNSAFE');
  });

  it('refuses an X25519 key with KEY_INVALID', async () => {
    const path = join(dir, 'x25519-as-signing.jwk');
    await saveKeyPair(path, generateEncryptionKey());
    expect(await codeOf(() => loadSigningKey(path))).toBe('KEY_INVALID');
  });

  it('refuses a public JWK (no d) with KEY_INVALID', async () => {
    const path = await writeKeyFile('public-only.jwk', generateSigningKey().publicJwk);
    expect(await codeOf(() => loadSigningKey(path))).toBe('KEY_INVALID');
  });

  it('refuses a file whose x is not the public key of its d with KEY_INVALID', async () => {
    const other = generateSigningKey().publicJwk.x;
    const path = await writeKeyFile('mismatch.jwk', { kty: 'OKP', crv: 'Ed25519', d: RFC8037.d, x: other });
    expect(await codeOf(() => loadSigningKey(path))).toBe('KEY_INVALID');
  });

  it('refuses a file whose kid is not the thumbprint with KEY_INVALID', async () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', d: RFC8037.d, x: RFC8037.x, kid: 'someone-else' };
    const path = await writeKeyFile('wrong-kid.jwk', jwk);
    expect(await codeOf(() => loadSigningKey(path))).toBe('KEY_INVALID');
  });

  it('refuses a file that is not JSON with KEY_INVALID', async () => {
    const path = await writeKeyFile('garbage.jwk', '-----BEGIN PRIVATE KEY-----');
    expect(await codeOf(() => loadSigningKey(path))).toBe('KEY_INVALID');
  });

  it('refuses a missing file with KEY_INVALID', async () => {
    expect(await codeOf(() => loadSigningKey(join(dir, 'absent.jwk')))).toBe('KEY_INVALID');
  });
});

describe(loadEncryptionKey.name, () => {
  it('reads back the pair that was saved', async () => {
    const pair = generateEncryptionKey();
    const path = join(dir, 'encryption-round-trip.jwk');
    await saveKeyPair(path, pair);
    const loaded = await loadEncryptionKey(path);
    expect(loaded.kid).toBe(pair.kid);
    expect(loaded.privateKey.asymmetricKeyType).toBe('x25519');
  });

  it('refuses an Ed25519 key with KEY_INVALID', async () => {
    const path = join(dir, 'ed25519-as-encryption.jwk');
    await saveKeyPair(path, generateSigningKey());
    expect(await codeOf(() => loadEncryptionKey(path))).toBe('KEY_INVALID');
  });

  it.runIf(POSIX)('refuses a file others can read (0644) with KEY_FILE_UNSAFE', async () => {
    const path = join(dir, 'loose-encryption.jwk');
    await saveKeyPair(path, generateEncryptionKey());
    await chmod(path, 0o644);
    expect(await codeOf(() => loadEncryptionKey(path))).toBe('KEY_FILE_UNSAFE');
  });
});

describe(publicKeyFromJwk.name, () => {
  it('accepts a published public JWK, kid included', () => {
    const pair = generateSigningKey();
    const key = publicKeyFromJwk(JSON.parse(JSON.stringify(pair.publicJwk)), 'Ed25519');
    expect(verifyBytes(data, signBytes(data, pair), key)).toBe(true);
  });

  it('accepts an X25519 key when asked for one', () => {
    const key = publicKeyFromJwk(generateEncryptionKey().publicJwk, 'X25519');
    expect(key.asymmetricKeyType).toBe('x25519');
  });

  const ed = { kty: 'OKP', crv: 'Ed25519', x: RFC8037.x };
  const refused: [string, unknown][] = [
    ['null', null],
    ['a string', RFC8037.x],
    ['an array', [ed]],
    ['an X25519 key where Ed25519 is expected', generateEncryptionKey().publicJwk],
    ['an EC key', { kty: 'EC', crv: 'P-256', x: RFC8037.x, y: RFC8037.x }],
    ['a JWK without x', { kty: 'OKP', crv: 'Ed25519' }],
    ['an x of 31 bytes', { ...ed, x: Buffer.alloc(31, 1).toString('base64url') }],
    ['an x in padded base64', { ...ed, x: Buffer.from(RFC8037.x, 'base64url').toString('base64') }],
    ['an x with a non-canonical last character', { ...ed, x: RFC8037.x.slice(0, 42) + 'p' }],
    ['a private JWK (with d)', { ...ed, d: RFC8037.d }],
    ['a kid that is not the thumbprint', { ...ed, kid: 'forged' }],
    ['a kid that is not a string', { ...ed, kid: 7 }],
  ];
  for (const [what, jwk] of refused) {
    it(`refuses ${what} with KEY_INVALID`, async () => {
      expect(await codeOf(() => publicKeyFromJwk(jwk, 'Ed25519'))).toBe('KEY_INVALID');
    });
  }
});

describe(signBytes.name, () => {
  it('makes a 64-byte Ed25519 signature', () => {
    expect(signBytes(data, generateSigningKey())).toHaveLength(64);
  });
});

describe(verifyBytes.name, () => {
  const pair = generateSigningKey();
  const signature = signBytes(data, pair);

  it('accepts the signature over the same bytes', () => {
    expect(verifyBytes(data, signature, pair.publicKey)).toBe(true);
  });

  it('rejects a signature over other bytes', () => {
    const other = Uint8Array.from(data);
    other[0]! ^= 1;
    expect(verifyBytes(other, signature, pair.publicKey)).toBe(false);
  });

  it('rejects a signature with one bit flipped', () => {
    for (const index of [0, 31, 32, 63]) {
      const flipped = Buffer.from(signature);
      flipped[index]! ^= 0x80;
      expect(verifyBytes(data, flipped, pair.publicKey)).toBe(false);
    }
  });

  it('rejects a truncated signature', () => {
    expect(verifyBytes(data, signature.subarray(0, 63), pair.publicKey)).toBe(false);
  });

  it("rejects another key's signature", () => {
    expect(verifyBytes(data, signature, generateSigningKey().publicKey)).toBe(false);
  });

  it('refuses an X25519 key with KEY_INVALID', async () => {
    const { publicKey } = generateKeyPairSync('x25519');
    expect(await codeOf(() => verifyBytes(data, signature, publicKey))).toBe('KEY_INVALID');
  });
});
