import { describe, expect, it } from 'vitest';
import { generateEncryptionKey, generateSigningKey, isConcordError } from '../kernel/index.js';
import { Directory, signDirectory, verifyDirectory } from './directory.js';
import { memberEntry, newDirectory, withMember, withRevokedKey, withRotatedKey } from './members.js';

const governance = [generateSigningKey(), generateSigningKey(), generateSigningKey()];
const nl = { signing: generateSigningKey(), encryption: generateEncryptionKey() };
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

function firstDirectory() {
  return newDirectory({
    network: 'test',
    threshold: 2,
    governance: governance.map((key, i) => ({ name: `g${i}`, key })),
    members: [
      memberEntry({
        id: 'NL',
        name: 'Netherlands',
        endpoint: 'http://127.0.0.1:1/',
        signing: [nl.signing.publicJwk],
        encryption: [nl.encryption.publicJwk],
        notBefore: new Date(T0).toISOString(),
      }),
    ],
    issuedAt: new Date(T0).toISOString(),
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isConcordError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('directory signatures (m of n)', () => {
  it('verifies with the threshold of distinct governance signatures, and not with fewer', async () => {
    const document = firstDirectory();
    const once = await signDirectory(document, governance[0]!);
    expect(await codeOf(verifyDirectory(once, document.governance))).toBe('FEDERATION_DIRECTORY_UNTRUSTED');
    // the same key twice still counts once
    const twiceSame = await signDirectory(once, governance[0]!);
    expect(twiceSame.jws.signatures).toHaveLength(1);
    const twice = await signDirectory(once, governance[2]!);
    const { signers } = await verifyDirectory(twice, document.governance);
    expect(signers.sort()).toEqual([governance[0]!.kid, governance[2]!.kid].sort());
  });

  it('refuses a signer that is not a governance key, a changed document and a forged signature', async () => {
    const document = firstDirectory();
    expect(await codeOf(signDirectory(document, generateSigningKey()))).toBe('FEDERATION_DIRECTORY_INVALID');
    const signed = await signDirectory(await signDirectory(document, governance[0]!), governance[1]!);
    // the document shown beside the JWS is not what counts: the signed payload is
    const changedPayload = structuredClone(signed);
    const decoded = JSON.parse(Buffer.from(changedPayload.jws.payload, 'base64url').toString('utf8')) as {
      members: { endpoint: string }[];
    };
    decoded.members[0]!.endpoint = 'http://attacker.example';
    changedPayload.jws.payload = Buffer.from(JSON.stringify(decoded)).toString('base64url');
    expect(['FEDERATION_DIRECTORY_UNTRUSTED', 'FEDERATION_DIRECTORY_INVALID']).toContain(
      await codeOf(verifyDirectory(changedPayload, document.governance)),
    );
    const forged = structuredClone(signed);
    forged.jws.signatures[1]!.signature = forged.jws.signatures[0]!.signature;
    expect(await codeOf(verifyDirectory(forged, document.governance))).toBe('FEDERATION_DIRECTORY_UNTRUSTED');
  });

  it('refuses malformed documents with a pointer', async () => {
    const document = firstDirectory();
    const bad = { ...document, governance: { ...document.governance, threshold: 4 } };
    expect(() => withMember(bad as typeof document, document.members[0]!)).toThrowError(/threshold/);
    const mismatched = structuredClone(document);
    mismatched.members[0]!.keys[0]!.kid = governance[0]!.kid;
    try {
      withMember(mismatched, mismatched.members[0]!);
      expect.unreachable();
    } catch (error) {
      expect(isConcordError(error, 'FEDERATION_DIRECTORY_INVALID')).toBe(true);
      expect((error as { details: { pointer: string } }).details.pointer).toMatch(/^\/members\/0\/keys\/0/);
    }
  });
});

describe('key validity, rotation and revocation', () => {
  it('accepts a signing key only inside its validity and never once revoked', () => {
    const document = firstDirectory();
    const directory = new Directory(document);
    expect(() => directory.signingKey('NL', nl.signing.kid, T0 + 1000)).not.toThrow();
    expect(() => directory.signingKey('NL', nl.signing.kid, T0 - 1000)).toThrowError(/valid from/);
    expect(() => directory.signingKey('ZZ', nl.signing.kid, T0)).toThrowError(/not in directory/);
    expect(() => directory.signingKey('NL', generateSigningKey().kid, T0)).toThrowError(/not a signing key/);
    const revoked = new Directory(
      withRevokedKey(document, 'NL', nl.signing.kid, 'compromised', new Date(T0 + 5000).toISOString()),
    );
    // revocation counts whatever creation time the envelope claims
    try {
      revoked.signingKey('NL', nl.signing.kid, T0 + 1000);
      expect.unreachable();
    } catch (error) {
      expect(isConcordError(error, 'FEDERATION_KEY_REVOKED')).toBe(true);
    }
  });

  it('rotates without downtime: both keys valid during the overlap, the old one not after it', () => {
    const document = firstDirectory();
    const next = generateSigningKey();
    const rotatedAt = T0 + 86_400_000;
    const rotated = withRotatedKey(document, 'NL', next.publicJwk, { use: 'sig', at: rotatedAt, overlapMs: 3_600_000 });
    expect(rotated.version).toBe(2);
    const directory = new Directory(rotated);
    expect(() => directory.signingKey('NL', nl.signing.kid, rotatedAt + 60_000)).not.toThrow();
    expect(() => directory.signingKey('NL', next.kid, rotatedAt + 60_000)).not.toThrow();
    expect(() => directory.signingKey('NL', nl.signing.kid, rotatedAt + 7_200_000)).toThrowError(/valid from/);
    expect(() => directory.signingKey('NL', next.kid, rotatedAt - 60_000)).toThrowError(/valid from/);
    // sealing goes to the newest valid encryption key
    const encNext = generateEncryptionKey();
    const encRotated = new Directory(withRotatedKey(rotated, 'NL', encNext.publicJwk, { use: 'enc', at: rotatedAt }));
    expect(encRotated.encryptionKey('NL', rotatedAt + 1000).kid).toBe(encNext.kid);
    expect(encRotated.encryptionKey('NL', rotatedAt - 1000).kid).toBe(nl.encryption.kid);
    // senders wait before sealing to a new key, so the member has loaded it
    expect(encRotated.encryptionKey('NL', rotatedAt + 1000, 120_000).kid).toBe(nl.encryption.kid);
    expect(encRotated.encryptionKey('NL', rotatedAt + 121_000, 120_000).kid).toBe(encNext.kid);
  });
});
