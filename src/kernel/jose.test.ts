import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CompactEncrypt, CompactSign } from 'jose';
import { describe, expect, it } from 'vitest';
import { ConcordError, isConcordError } from './errors.js';
import { decryptJwe, encryptJwe, signJws, verifyJws } from './jose.js';
import { generateEncryptionKey, generateSigningKey, publicKeyFromJwk } from './keys.js';

/** RFC 8037 Appendix A.4: the compact JWS over "Example of Ed25519 signing" by the Appendix A.1 key. */
const RFC8037_JWS =
  'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.' +
  'hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg';
const RFC8037_PUBLIC = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const payload = encoder.encode('{"ucr":"6NL123456789-2026-000042","value":71999.99}');

/** The ConcordError code the promise rejects with, or undefined when it resolves. */
async function codeOf(promise: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await promise();
  } catch (error) {
    if (isConcordError(error)) return error.code;
    throw error;
  }
  return undefined;
}

/** `token` with one character of part `part` (0 header, 1 payload, 2 signature…) changed. */
function tamper(token: string, part: number): string {
  const parts = token.split('.');
  const segment = parts[part]!;
  const at = Math.floor(segment.length / 2);
  parts[part] = segment.slice(0, at) + (segment[at] === 'A' ? 'B' : 'A') + segment.slice(at + 1);
  return parts.join('.');
}

function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe(signJws.name, () => {
  const signer = generateSigningKey();

  it('makes a compact EdDSA JWS naming the key by its thumbprint', async () => {
    const jws = await signJws(payload, signer);
    expect(jws.split('.')).toHaveLength(3);
    expect(headerOf(jws)).toEqual({ alg: 'EdDSA', kid: signer.kid });
  });

  it('adds extra protected header members', async () => {
    const jws = await signJws(payload, signer, { typ: 'concord-envelope+jws', agreement: 'NL-SG-2026' });
    expect(headerOf(jws)).toEqual({
      typ: 'concord-envelope+jws',
      agreement: 'NL-SG-2026',
      alg: 'EdDSA',
      kid: signer.kid,
    });
  });

  it('keeps alg and kid its own whatever the caller asks', async () => {
    const jws = await signJws(payload, signer, { alg: 'none', kid: 'someone-else' });
    expect(headerOf(jws)).toMatchObject({ alg: 'EdDSA', kid: signer.kid });
  });
});

describe(verifyJws.name, () => {
  const signer = generateSigningKey();

  it('returns the payload and header of a JWS it signed', async () => {
    const jws = await signJws(payload, signer, { typ: 'concord-envelope+jws' });
    const verified = await verifyJws(jws, signer.publicKey);
    expect(decoder.decode(verified.payload)).toBe(decoder.decode(payload));
    expect(verified.header).toEqual({ typ: 'concord-envelope+jws', alg: 'EdDSA', kid: signer.kid });
  });

  it('verifies the RFC 8037 Appendix A.4 example', async () => {
    const verified = await verifyJws(RFC8037_JWS, publicKeyFromJwk(RFC8037_PUBLIC, 'Ed25519'));
    expect(decoder.decode(verified.payload)).toBe('Example of Ed25519 signing');
  });

  it('looks the key up by the header when given a resolver', async () => {
    const other = generateSigningKey();
    const directory = new Map<unknown, KeyObject>([
      [signer.kid, signer.publicKey],
      [other.kid, other.publicKey],
    ]);
    const jws = await signJws(payload, other);
    const verified = await verifyJws(jws, (header) => directory.get(header['kid'])!);
    expect(verified.header['kid']).toBe(other.kid);
  });

  it('accepts an async resolver', async () => {
    const jws = await signJws(payload, signer);
    await expect(verifyJws(jws, () => Promise.resolve(signer.publicKey))).resolves.toBeDefined();
  });

  it('refuses a tampered payload with JWS_INVALID', async () => {
    const jws = await signJws(payload, signer);
    expect(await codeOf(() => verifyJws(tamper(jws, 1), signer.publicKey))).toBe('JWS_INVALID');
  });

  it('refuses a tampered signature with JWS_INVALID', async () => {
    const jws = await signJws(payload, signer);
    expect(await codeOf(() => verifyJws(tamper(jws, 2), signer.publicKey))).toBe('JWS_INVALID');
  });

  it('refuses a tampered header with JWS_INVALID', async () => {
    const jws = await signJws(payload, signer, { purpose: 'risk-assessment' });
    const [, body, signature] = jws.split('.');
    const header = Buffer.from(JSON.stringify({ ...headerOf(jws), purpose: 'prosecution' })).toString('base64url');
    expect(await codeOf(() => verifyJws(`${header}.${body}.${signature}`, signer.publicKey))).toBe('JWS_INVALID');
  });

  it("refuses another key's signature with JWS_INVALID", async () => {
    const jws = await signJws(payload, generateSigningKey());
    expect(await codeOf(() => verifyJws(jws, signer.publicKey))).toBe('JWS_INVALID');
  });

  it('refuses an HS256 token with JWS_INVALID, before asking for a key', async () => {
    const secret = encoder.encode('a shared secret of thirty-two bytes!');
    const hs256 = await new CompactSign(payload).setProtectedHeader({ alg: 'HS256', kid: signer.kid }).sign(secret);
    let asked = false;
    const resolve = (): KeyObject => {
      asked = true;
      return signer.publicKey;
    };
    expect(await codeOf(() => verifyJws(hs256, resolve))).toBe('JWS_INVALID');
    expect(asked).toBe(false);
  });

  it('refuses an unsecured (alg none) token with JWS_INVALID', async () => {
    const header = Buffer.from('{"alg":"none"}').toString('base64url');
    const unsecured = `${header}.${Buffer.from(payload).toString('base64url')}.`;
    expect(await codeOf(() => verifyJws(unsecured, signer.publicKey))).toBe('JWS_INVALID');
  });

  it('refuses a key of the wrong type with JWS_INVALID', async () => {
    const jws = await signJws(payload, signer);
    const { publicKey } = generateKeyPairSync('x25519');
    expect(await codeOf(() => verifyJws(jws, () => publicKey))).toBe('JWS_INVALID');
  });

  for (const [what, token] of [
    ['an empty string', ''],
    ['two parts', 'a.b'],
    ['a header that is not JSON', 'bm90IGpzb24.e30.AAAA'],
    ['a JWE', 'a.b.c.d.e'],
  ] as const) {
    it(`refuses ${what} with JWS_INVALID`, async () => {
      expect(await codeOf(() => verifyJws(token, signer.publicKey))).toBe('JWS_INVALID');
    });
  }

  it('lets a ConcordError from the resolver through unchanged', async () => {
    const jws = await signJws(payload, signer);
    const refusal = new ConcordError('KEY_INVALID', 'unknown kid');
    await expect(
      verifyJws(jws, () => {
        throw refusal;
      }),
    ).rejects.toBe(refusal);
  });

  it('gives the reason in the message', async () => {
    const jws = await signJws(payload, generateSigningKey());
    await expect(verifyJws(jws, signer.publicKey)).rejects.toThrow(/signature verification failed/);
  });
});

describe(encryptJwe.name, () => {
  const recipient = generateEncryptionKey();

  it("makes a compact ECDH-ES/A256GCM JWE naming the recipient's key", async () => {
    const jwe = await encryptJwe(payload, recipient.publicKey, { cty: 'application/json' });
    expect(jwe.split('.')).toHaveLength(5);
    expect(headerOf(jwe)).toMatchObject({
      alg: 'ECDH-ES',
      enc: 'A256GCM',
      kid: recipient.kid,
      cty: 'application/json',
    });
  });

  it('keeps alg and enc its own whatever the caller asks', async () => {
    const jwe = await encryptJwe(payload, recipient.publicKey, { alg: 'dir', enc: 'A128CBC-HS256' });
    expect(headerOf(jwe)).toMatchObject({ alg: 'ECDH-ES', enc: 'A256GCM' });
  });

  it('refuses an Ed25519 recipient with KEY_INVALID', async () => {
    expect(await codeOf(() => encryptJwe(payload, generateSigningKey().publicKey))).toBe('KEY_INVALID');
  });

  it('refuses a private key as recipient with KEY_INVALID', async () => {
    expect(await codeOf(() => encryptJwe(payload, recipient.privateKey))).toBe('KEY_INVALID');
  });
});

describe(decryptJwe.name, () => {
  const recipient = generateEncryptionKey();

  it('returns the plaintext and header of a JWE to its key', async () => {
    const jwe = await encryptJwe(payload, recipient.publicKey, { cty: 'application/json' });
    const decrypted = await decryptJwe(jwe, recipient);
    expect(decoder.decode(decrypted.plaintext)).toBe(decoder.decode(payload));
    expect(decrypted.header).toMatchObject({ alg: 'ECDH-ES', enc: 'A256GCM', kid: recipient.kid });
  });

  it('decrypts a JWE without kid', async () => {
    const jwe = await encryptJwe(payload, recipient.publicKey, { kid: undefined });
    expect(headerOf(jwe)).not.toHaveProperty('kid');
    expect(decoder.decode((await decryptJwe(jwe, recipient)).plaintext)).toBe(decoder.decode(payload));
  });

  it('refuses a JWE addressed to another key with JWE_INVALID', async () => {
    const jwe = await encryptJwe(payload, generateEncryptionKey().publicKey);
    expect(await codeOf(() => decryptJwe(jwe, recipient))).toBe('JWE_INVALID');
    await expect(decryptJwe(jwe, recipient)).rejects.toThrow(/addressed to key/);
  });

  it('refuses a JWE to another key that does not say so with JWE_INVALID', async () => {
    const jwe = await encryptJwe(payload, generateEncryptionKey().publicKey, { kid: undefined });
    expect(await codeOf(() => decryptJwe(jwe, recipient))).toBe('JWE_INVALID');
  });

  for (const [part, name] of [
    [0, 'header'],
    [2, 'initialization vector'],
    [3, 'ciphertext'],
    [4, 'authentication tag'],
  ] as const) {
    it(`refuses a tampered ${name} with JWE_INVALID`, async () => {
      const jwe = await encryptJwe(payload, recipient.publicKey);
      expect(await codeOf(() => decryptJwe(tamper(jwe, part), recipient))).toBe('JWE_INVALID');
    });
  }

  it('refuses content encryption other than A256GCM with JWE_INVALID', async () => {
    const jwe = await new CompactEncrypt(payload)
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A128GCM', kid: recipient.kid })
      .encrypt(recipient.publicKey);
    expect(await codeOf(() => decryptJwe(jwe, recipient))).toBe('JWE_INVALID');
  });

  it('refuses key management other than ECDH-ES with JWE_INVALID', async () => {
    const jwe = await new CompactEncrypt(payload)
      .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: recipient.kid })
      .encrypt(recipient.publicKey);
    expect(await codeOf(() => decryptJwe(jwe, recipient))).toBe('JWE_INVALID');
  });

  it('refuses a JWS with JWE_INVALID', async () => {
    const jws = await signJws(payload, generateSigningKey());
    expect(await codeOf(() => decryptJwe(jws, recipient))).toBe('JWE_INVALID');
  });
});
