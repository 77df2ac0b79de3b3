import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, sha256Hex } from '../kernel/index.js';
import { decodeEntry, encodeEntry, hashEntry, LEDGER_ENTRY_TYPES, validateEntry, type LedgerEntry } from './entry.js';
import { hashLeaf } from './merkle.js';

const hash = sha256Hex('anything');
const at = '2026-03-14T09:26:53.589Z';

const examples: LedgerEntry[] = [
  {
    type: 'envelope.sent',
    at,
    envelopeId: '01956a7e-6f00-7c4e-9a10-2b3c4d5e6f70',
    to: 'SG',
    agreementId: 'NL-SG-CMAA-2026',
    purpose: 'risk-assessment',
    category: 'declaration.prearrival',
    payloadHash: hash,
  },
  {
    type: 'envelope.accepted',
    at,
    envelopeId: 'e-2',
    from: 'US-CBP',
    agreementId: 'NL-US-CMAA',
    purpose: 'enforcement',
    category: 'intelligence.seizure',
    payloadHash: hash,
  },
  {
    type: 'envelope.refused',
    at,
    envelopeId: 'e-3',
    from: 'SG',
    code: 'FEDERATION_SIGNATURE_INVALID',
    envelopeHash: hash,
  },
  {
    type: 'decision.shared-data',
    at,
    decisionId: 'd-1',
    envelopeId: 'e-2',
    agreementId: 'NL-US-CMAA',
    purpose: 'risk-assessment',
    outcome: 'lane.red',
  },
  {
    type: 'document.anchored',
    at,
    documentId: 'CO-2026-000042',
    documentType: 'certificate-of-origin',
    documentHash: hash,
    issuer: 'NL',
    validUntil: '2027-03-14T00:00:00.000Z',
    subjectHash: hash,
  },
  { type: 'document.revoked', at, documentId: 'CO-2026-000042', documentHash: hash, reason: 'withdrawn' },
  {
    type: 'agreement.signed',
    at,
    agreementId: 'NL-SG-CMAA-2026',
    agreementHash: hash,
    party: 'NL',
    keyThumbprint: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
  },
  { type: 'agreement.lifecycle', at, agreementId: 'nl-sg-cmaa-2026', event: 'suspended', party: 'SG' },
  { type: 'declaration.accepted', at, declarationId: 'dcl-1', declarationHash: hash, ucr: '6NL123456789-2026-000042' },
];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe(encodeEntry.name, () => {
  it('covers every entry type with an example', () => {
    expect(examples.map((e) => e.type).sort()).toEqual([...LEDGER_ENTRY_TYPES].sort());
  });

  it.each(examples)('encodes $type as RFC 8785 canonical JSON and reads it back', (entry) => {
    const bytes = encodeEntry(entry);
    expect(Buffer.from(bytes).equals(canonicalBytes(entry))).toBe(true);
    expect(decodeEntry(bytes)).toEqual(entry);
    expect(Buffer.from(hashEntry(entry)).equals(Buffer.from(hashLeaf(bytes)))).toBe(true);
  });

  it('gives the same leaf bytes whatever the key order of the object', () => {
    const reversed = Object.fromEntries(Object.entries(examples[0]!).reverse()) as LedgerEntry;
    expect(Buffer.from(encodeEntry(reversed)).equals(Buffer.from(encodeEntry(examples[0]!)))).toBe(true);
  });

  it('refuses to log a malformed entry', () => {
    expect(codeOf(() => encodeEntry({ ...examples[0]!, to: 'Singapore' } as LedgerEntry))).toBe(
      'LEDGER_ENTRY_MALFORMED',
    );
  });
});

describe(decodeEntry.name, () => {
  const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

  it('refuses an unknown type with LEDGER_ENTRY_TYPE_UNKNOWN', () => {
    expect(codeOf(() => decodeEntry(canonicalBytes({ type: 'envelope.lost', at })))).toBe('LEDGER_ENTRY_TYPE_UNKNOWN');
    expect(codeOf(() => decodeEntry(canonicalBytes({ type: 'toString', at })))).toBe('LEDGER_ENTRY_TYPE_UNKNOWN');
    expect(codeOf(() => decodeEntry(canonicalBytes({ at })))).toBe('LEDGER_ENTRY_TYPE_UNKNOWN');
  });

  it.each([
    ['an extra field', { ...examples[4]!, note: 'hi' }],
    ['a missing field', { type: 'document.revoked', at, documentId: 'x', documentHash: hash }],
    ['an upper-case hash', { ...examples[4]!, documentHash: hash.toUpperCase() }],
    ['a time without milliseconds', { ...examples[4]!, at: '2026-03-14T09:26:53Z' }],
    ['a time with an offset', { ...examples[4]!, at: '2026-03-14T09:26:53.589+01:00' }],
    ['an impossible date', { ...examples[4]!, at: '2026-02-30T09:26:53.589Z' }],
    ['an administration that is not ISO 3166-1 alpha-2', { ...examples[0]!, to: 'sg' }],
    ['an array', [examples[0]]],
    ['a string', 'envelope.sent'],
  ])('refuses %s with LEDGER_ENTRY_MALFORMED', (_, value) => {
    expect(codeOf(() => decodeEntry(canonicalBytes(value)))).toBe('LEDGER_ENTRY_MALFORMED');
  });

  it('points at the offending field', () => {
    expect(() => decodeEntry(canonicalBytes({ ...examples[4]!, documentHash: 'x' }))).toThrowError(
      expect.objectContaining({ code: 'LEDGER_ENTRY_MALFORMED', details: { pointer: '/documentHash' } }),
    );
  });

  it('refuses anything but the canonical encoding, so an entry has one leaf hash', () => {
    const entry = examples[6]!;
    expect(codeOf(() => decodeEntry(encode(entry)))).toBe('LEDGER_ENTRY_MALFORMED'); // member order
    const spaced = new TextEncoder().encode(new TextDecoder().decode(canonicalBytes(entry)).replace(':', ': '));
    expect(codeOf(() => decodeEntry(spaced))).toBe('LEDGER_ENTRY_MALFORMED');
    const duplicated = new TextEncoder().encode(
      new TextDecoder().decode(canonicalBytes(entry)).replace('{', `{"at":"2020-01-01T00:00:00.000Z",`),
    );
    expect(codeOf(() => decodeEntry(duplicated))).toBe('LEDGER_ENTRY_MALFORMED');
  });

  it('refuses invalid UTF-8, non-JSON and oversized input', () => {
    expect(codeOf(() => decodeEntry(Uint8Array.of(0xff)))).toBe('LEDGER_ENTRY_MALFORMED');
    expect(codeOf(() => decodeEntry(new TextEncoder().encode('{')))).toBe('LEDGER_ENTRY_MALFORMED');
    expect(codeOf(() => decodeEntry(new Uint8Array(20_000)))).toBe('LEDGER_ENTRY_MALFORMED');
  });

  it('reads back every valid entry it encodes (property)', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,30}$/);
    const code = fc.stringMatching(/^[a-z0-9]{1,10}(?:[.-][a-z0-9]{1,10}){0,2}$/);
    const sha = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
    const time = fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString());
    const admin = fc.stringMatching(/^[A-Z]{2}(?:-[A-Z0-9]{1,16})?$/);
    const entry = fc.oneof(
      fc.record({
        type: fc.constant('envelope.sent' as const),
        at: time,
        envelopeId: id,
        to: admin,
        agreementId: id,
        purpose: code,
        category: code,
        payloadHash: sha,
      }),
      fc.record({
        type: fc.constant('decision.shared-data' as const),
        at: time,
        decisionId: id,
        envelopeId: id,
        agreementId: id,
        purpose: code,
        outcome: code,
      }),
      fc.record(
        {
          type: fc.constant('document.anchored' as const),
          at: time,
          documentId: id,
          documentType: code,
          documentHash: sha,
          issuer: admin,
          validUntil: time,
        },
        { requiredKeys: ['type', 'at', 'documentId', 'documentType', 'documentHash', 'issuer'] },
      ),
      fc.record(
        {
          type: fc.constant('declaration.accepted' as const),
          at: time,
          declarationId: id,
          declarationHash: sha,
          ucr: fc.stringMatching(/^[0-9A-Z][0-9A-Z+-]{0,34}$/),
        },
        { requiredKeys: ['type', 'at', 'declarationId', 'declarationHash'] },
      ),
    );
    fc.assert(
      fc.property(entry, (e) => {
        expect(decodeEntry(encodeEntry(e))).toEqual(e);
      }),
    );
  });

  it('validates without encoding', () => {
    expect(validateEntry(examples[1])).toBe(examples[1]);
  });
});
