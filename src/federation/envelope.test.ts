import { describe, expect, it } from 'vitest';
import { generateEncryptionKey, generateSigningKey, isConcordError } from '../kernel/index.js';
import { Directory } from './directory.js';
import {
  authenticateEnvelope,
  checkEnvelopeTiming,
  parseEnvelope,
  sealEnvelope,
  signReceipt,
  unsealPayload,
  verifyReceipt,
} from './envelope.js';
import { memberEntry, newDirectory } from './members.js';

const nl = { signing: generateSigningKey(), encryption: generateEncryptionKey() };
const sg = { signing: generateSigningKey(), encryption: generateEncryptionKey() };
const NOW = Date.parse('2026-06-01T12:00:00.000Z');
const directory = new Directory(
  newDirectory({
    network: 'test',
    threshold: 1,
    governance: [{ name: 'g', key: generateSigningKey() }],
    members: (
      [
        ['NL', nl],
        ['SG', sg],
      ] as const
    ).map(([id, keys]) =>
      memberEntry({
        id,
        name: id,
        endpoint: `http://${id.toLowerCase()}.example`,
        signing: [keys.signing.publicJwk],
        encryption: [keys.encryption.publicJwk],
        notBefore: '2026-01-01T00:00:00.000Z',
      }),
    ),
  }),
);

const payload = { type: 'export', ucr: '4NL123-1', items: [{ sequence: 1, hs: { code: '090111' } }] };

function seal(overrides: Partial<Parameters<typeof sealEnvelope>[0]> = {}) {
  return sealEnvelope({
    id: 'e-1',
    from: 'NL',
    to: 'SG',
    category: 'declaration.prearrival',
    purpose: 'risk-assessment',
    agreement: { id: 'cmaa-nl-sg', version: 1 },
    created: NOW,
    expires: NOW + 3_600_000,
    payload,
    signingKey: nl.signing,
    ...overrides,
  });
}

async function code(work: () => unknown): Promise<string> {
  try {
    await work();
    return 'accepted';
  } catch (error) {
    if (isConcordError(error)) return error.code;
    throw error;
  }
}

/** Replaces the JWS payload's JSON (keeping the signature): what an attacker on the wire can do. */
function rewrite(compact: string, change: (body: Record<string, unknown>) => void): string {
  const [h, p, s] = compact.split('.');
  const body = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>;
  change(body);
  return `${h}.${Buffer.from(JSON.stringify(body)).toString('base64url')}.${s}`;
}

describe('envelopes', () => {
  it('round-trips a signed envelope and a signed-and-encrypted one', async () => {
    const plain = await seal();
    const parsed = parseEnvelope(plain.compact);
    await authenticateEnvelope(parsed, directory);
    checkEnvelopeTiming(parsed.header, 'SG', NOW + 1000);
    expect(await unsealPayload(parsed, [sg.encryption])).toEqual(payload);

    const secret = await seal({ encryptTo: directory.encryptionKey('SG', NOW) });
    expect(secret.compact).not.toContain(Buffer.from('4NL123').toString('base64url').slice(0, 6));
    const opened = parseEnvelope(secret.compact);
    expect(opened.payload).toBeUndefined();
    await authenticateEnvelope(opened, directory);
    expect(await unsealPayload(opened, [sg.encryption])).toEqual(payload);
    // only the recipient can read it
    expect(await code(() => unsealPayload(opened, [generateEncryptionKey()]))).toBe('FEDERATION_DECRYPTION_FAILED');
  });

  it('names each failure with its own code', async () => {
    const { compact } = await seal();
    const authenticate = (c: string) => authenticateEnvelope(parseEnvelope(c), directory);
    expect(await code(() => parseEnvelope('not.a-jws'))).toBe('FEDERATION_ENVELOPE_MALFORMED');
    expect(await code(() => parseEnvelope(compact, 100))).toBe('FEDERATION_ENVELOPE_TOO_LARGE');
    expect(
      await code(() =>
        authenticate(
          rewrite(compact, (b) => {
            (b.payload as { ucr: string }).ucr = 'CHANGED';
          }),
        ),
      ),
    ).toBe('FEDERATION_PAYLOAD_TAMPERED');
    expect(
      await code(() =>
        authenticate(
          rewrite(compact, (b) => {
            b.purpose = 'statistics';
          }),
        ),
      ),
    ).toBe('FEDERATION_SIGNATURE_INVALID');
    const forger = generateSigningKey();
    const forged = await seal({ signingKey: { ...forger, kid: nl.signing.kid } });
    expect(await code(() => authenticate(forged.compact))).toBe('FEDERATION_SIGNATURE_INVALID');
    expect(await code(async () => authenticate((await seal({ from: 'ZZ' })).compact))).toBe(
      'FEDERATION_SENDER_UNKNOWN',
    );
    expect(await code(async () => authenticate((await seal({ signingKey: forger })).compact))).toBe(
      'FEDERATION_KEY_UNKNOWN',
    );
    const header = parseEnvelope(compact).header;
    expect(await code(() => checkEnvelopeTiming(header, 'KE', NOW))).toBe('FEDERATION_WRONG_RECIPIENT');
    expect(await code(() => checkEnvelopeTiming(header, 'SG', NOW + 3 * 3_600_000))).toBe(
      'FEDERATION_ENVELOPE_EXPIRED',
    );
    expect(await code(() => checkEnvelopeTiming(header, 'SG', NOW - 10 * 60_000))).toBe('FEDERATION_CLOCK_SKEW');
    expect(await code(() => checkEnvelopeTiming(header, 'SG', NOW - 2 * 60_000))).toBe('accepted');
  });

  it('signs receipts that verify only for their envelope and their signer', async () => {
    const { hash } = await seal();
    const receipt = await signReceipt(
      {
        type: 'concord-receipt/1',
        envelopeId: 'e-1',
        envelopeHash: hash,
        by: 'SG',
        sender: 'NL',
        status: 'accepted',
        code: null,
        message: null,
        at: new Date(NOW).toISOString(),
        result: { prearrival: 'p-1' },
      },
      sg.signing,
    );
    expect((await verifyReceipt(receipt, directory, 'SG', hash)).result).toEqual({ prearrival: 'p-1' });
    expect(await code(() => verifyReceipt(receipt, directory, 'SG', 'f'.repeat(64)))).toBe(
      'FEDERATION_RECEIPT_INVALID',
    );
    expect(await code(() => verifyReceipt(receipt, directory, 'NL', hash))).toBe('FEDERATION_RECEIPT_INVALID');
  });
});
