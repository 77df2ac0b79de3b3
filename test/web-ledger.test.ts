import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize as nodeCanonicalize, generateSigningKey } from '../src/kernel/index.js';
import {
  NOTE_ED25519_TYPE,
  discloseAll,
  documentHashesOf as nodeDocumentHashesOf,
  ed25519Cosigner,
  ed25519NoteSigner,
  formatCheckpoint,
  formatSignatureLine,
  formatVerifierKey,
  rawEd25519PublicKey,
  restrictDisclosure,
  signCheckpoint,
} from '../src/ledger/index.js';
import { canonicalize } from '../web/src/lib/canonical-json.js';
import { documentHashesOf } from '../web/src/lib/document-hashes.js';
import {
  checkNoteSignature,
  cosignaturesOf,
  parseCheckpointBody,
  parseSignedNote,
  parseVerifierKey,
  witnessLabel,
} from '../web/src/lib/signed-note.js';

/**
 * The console verifies in the browser with code of its own (web/src/lib/) where the ledger's browser-safe surface
 * has none: RFC 8785, document hashes, signed notes. Each must agree with the node's implementation, byte for byte.
 */

const VECTORS = new URL('../../shared/data/jcs-rfc8785/', import.meta.url);
const utf8 = new TextEncoder();

describe('the console’s RFC 8785 canonicalizer', () => {
  it('writes every RFC 8785 test vector as the RFC does', () => {
    const names = readdirSync(new URL('input/', VECTORS)).filter((name) => name.endsWith('.json'));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const input = JSON.parse(readFileSync(new URL(`input/${name}`, VECTORS), 'utf8')) as unknown;
      const expected = readFileSync(new URL(`output/${name}`, VECTORS), 'utf8');
      expect(canonicalize(input), name).toBe(expected);
    }
  });

  it('agrees with the node’s canonicalizer on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const parsed = JSON.parse(JSON.stringify(value)) as unknown; // what JSON.parse hands the console
        expect(canonicalize(parsed)).toBe(nodeCanonicalize(parsed));
      }),
    );
  });
});

describe('the console’s document hashes', () => {
  it('are the node’s, for a file, a JSON document and a disclosure', async () => {
    const full = discloseAll({ origin: 'NL', hsCode: '842890', quantity: 12 });
    const files = [
      utf8.encode('%PDF-1.7 certificate of origin'),
      utf8.encode('{ "b": [1, 2.5e3, "é"], "a": { "z": null, "y": true } }'),
      utf8.encode(JSON.stringify(full)),
      utf8.encode(JSON.stringify(restrictDisclosure(full, ['origin']))),
    ];
    for (const bytes of files) {
      const node = nodeDocumentHashesOf(bytes);
      // The node may list the byte hash twice (a file already canonical); the console lists it once.
      expect(await documentHashesOf(bytes)).toEqual([...new Set(node)]);
    }
  });
});

describe('the console’s signed-note reader', () => {
  const logKey = generateSigningKey();
  const signer = ed25519NoteSigner('concord.nl/log', logKey);
  const vkey = formatVerifierKey('concord.nl/log', NOTE_ED25519_TYPE, rawEd25519PublicKey(logKey.privateKey));
  const rootHash = new Uint8Array(32).fill(7);
  const text = formatCheckpoint({ origin: 'concord.nl/log', size: 3, rootHash, extensions: [] });
  const cosigned = [
    ed25519Cosigner('concord.ke/witness', generateSigningKey()).cosign(text, 1_772_000_000),
    ed25519Cosigner('concord.sg/witness', generateSigningKey()).cosign(text, 1_772_000_001),
  ];
  const note = signCheckpoint({ origin: 'concord.nl/log', size: 3, rootHash, extensions: [] }, [signer]);
  const withCosignatures = note + cosigned.map(formatSignatureLine).join('');

  it('reads the checkpoint, its log signature and the witnesses’ cosignatures', () => {
    const parsed = parseSignedNote(withCosignatures)!;
    expect(parsed.text).toBe(text);
    expect(parseCheckpointBody(parsed.text)).toMatchObject({ origin: 'concord.nl/log', size: 3, rootHash });
    expect(cosignaturesOf(parsed).map((c) => [witnessLabel(c.name), c.timestamp])).toEqual([
      ['KE', 1_772_000_000],
      ['SG', 1_772_000_001],
    ]);
  });

  it('checks the log signature with WebCrypto against the published verifier key', async () => {
    const key = (await parseVerifierKey(`${vkey}\n`))!;
    expect(key.keyId).toBe(signer.keyId);
    await expect(checkNoteSignature(parseSignedNote(withCosignatures)!, key)).resolves.toEqual({ status: 'valid' });

    const forged = withCosignatures.replace('\n3\n', '\n4\n');
    await expect(checkNoteSignature(parseSignedNote(forged)!, key)).resolves.toEqual({
      status: 'invalid',
      code: 'LEDGER_NOTE_SIGNATURE_INVALID',
    });
    const otherKey = generateSigningKey();
    const other = (await parseVerifierKey(
      formatVerifierKey('concord.nl/log', NOTE_ED25519_TYPE, rawEd25519PublicKey(otherKey.privateKey)),
    ))!;
    await expect(checkNoteSignature(parseSignedNote(note)!, other)).resolves.toEqual({
      status: 'invalid',
      code: 'LEDGER_NOTE_UNKNOWN_KEY',
    });
  });

  it('refuses a verifier key whose key ID does not match its key', async () => {
    const [name, , material] = vkey.split('+');
    await expect(parseVerifierKey(`${name}+00000000+${material}`)).resolves.toBeUndefined();
    await expect(parseVerifierKey('not a key')).resolves.toBeUndefined();
  });

  it('refuses what is not a signed note or a checkpoint', () => {
    expect(parseSignedNote('concord.nl/log\n3\n')).toBeUndefined();
    expect(parseSignedNote(`${text}\n— concord.nl/log not-base64\n`)).toBeUndefined();
    expect(parseCheckpointBody('concord.nl/log\n03\nAAAA\n')).toBeUndefined();
  });
});
