import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '../kernel/index.js';
import { formatCheckpoint, signCheckpoint } from './checkpoint.js';
import {
  cosignatureMessage,
  cosignatureVerifier,
  cosignatureVerifierFromKey,
  ed25519Cosigner,
  parseCosignature,
  verifyCosignatures,
} from './cosignature.js';
import {
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatSignatureLine,
  formatVerifierKey,
  hex8,
  noteKeyId,
  openNote,
  parseNote,
} from './note.js';

// The example of c2sp.org/tlog-cosignature: a checkpoint with the log's signature and one witness cosignature.
const SPEC_TEXT = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SPEC_WITNESS_LINE =
  '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe(parseCosignature.name, () => {
  it('reads the key ID and the timestamp of the spec example (time 1679315147)', () => {
    const [line] = parseNote(`${SPEC_TEXT}\n${SPEC_WITNESS_LINE}`).signatures;
    const cosignature = parseCosignature(line!);
    expect(hex8(cosignature.keyId)).toBe('8d66cf3f');
    expect(cosignature.timestamp).toBe(1679315147);
    expect(cosignature.signature).toHaveLength(64);
  });

  it('reads the timestamp of the transparency-dev/formats vector (1727964367)', () => {
    const payload = Buffer.from(
      'ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==',
      'base64',
    );
    const cosignature = parseCosignature({ name: 'w', keyId: payload.readUInt32BE(0), signature: payload.subarray(4) });
    expect(cosignature.timestamp).toBe(1727964367);
  });

  it('refuses a plain Ed25519 note signature (transparency-dev/formats "wrong type" vector)', () => {
    const payload = Buffer.from(
      'eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xkNQY=',
      'base64',
    );
    expect(codeOf(() => parseCosignature({ name: 'w', keyId: 0, signature: payload.subarray(4) }))).toBe(
      'LEDGER_NOTE_MALFORMED',
    );
  });
});

describe(cosignatureVerifierFromKey.name, () => {
  it('accepts a published cosignature/v1 verifier key, whose key ID uses type 0x04', () => {
    const verifier = cosignatureVerifierFromKey('remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2');
    expect(verifier.name).toBe('remora.n621.de');
    expect(hex8(verifier.keyId)).toBe('da77ade7');
  });

  it('refuses a plain Ed25519 (type 0x01) key', () => {
    expect(
      codeOf(() => cosignatureVerifierFromKey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')),
    ).toBe('KEY_INVALID');
  });
});

describe('cosigning a checkpoint', () => {
  const origin = 'concord.example/NL';
  const log = ed25519NoteSigner(origin, generateSigningKey());
  const logVerifier = ed25519NoteVerifier(origin, log.publicKey);
  const witness = ed25519Cosigner('concord.example/SG/witness', generateSigningKey());
  const witnessVerifier = cosignatureVerifier(witness.name, witness.publicKey);
  const checkpoint = { origin, size: 7, rootHash: new Uint8Array(32).fill(9), extensions: [] };
  const text = formatCheckpoint(checkpoint);
  const signed = signCheckpoint(checkpoint, [log]);
  const time = 1_767_225_600;
  const line = formatSignatureLine(witness.cosign(text, time));

  it('signs "cosignature/v1\\ntime <t>\\n" followed by the checkpoint text', () => {
    expect(Buffer.from(cosignatureMessage(text, time)).toString()).toBe(`cosignature/v1\ntime ${time}\n${text}`);
  });

  it('uses the key ID SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[:4], distinct from the plain Ed25519 one', () => {
    expect(witness.keyId).toBe(noteKeyId(witness.name, 0x04, witness.publicKey));
    expect(witness.keyId).not.toBe(noteKeyId(witness.name, 0x01, witness.publicKey));
    expect(formatVerifierKey(witness.name, 0x04, witness.publicKey)).toMatch(
      /^concord\.example\/SG\/witness\+[0-9a-f]{8}\+B/,
    );
  });

  it('produces a line of key ID ‖ 8-byte big-endian timestamp ‖ 64-byte signature', () => {
    const payload = Buffer.from(line.trim().split(' ')[2]!, 'base64');
    expect(payload).toHaveLength(4 + 8 + 64);
    expect(payload.readUInt32BE(0)).toBe(witness.keyId);
    expect(Number(payload.readBigUInt64BE(4))).toBe(time);
  });

  it('verifies once appended to the signed checkpoint, beside the log signature', () => {
    const cosigned = signed + line;
    expect(verifyCosignatures(cosigned, [witnessVerifier])).toMatchObject([{ name: witness.name, timestamp: time }]);
    // The log's own signature still verifies, and the cosignature is an unknown key to a log-only verifier.
    expect(openNote(cosigned, [logVerifier]).unverified).toHaveLength(1);
    expect(openNote(cosigned, [witnessVerifier]).verified).toHaveLength(1);
  });

  it('returns nothing when the witness did not cosign', () => {
    expect(verifyCosignatures(signed, [witnessVerifier])).toEqual([]);
  });

  describe('when the cosignature is tampered with', () => {
    it('refuses a flipped bit in the signature with LEDGER_NOTE_SIGNATURE_INVALID', () => {
      const payload = Buffer.from(line.trim().split(' ')[2]!, 'base64');
      payload[40]! ^= 0x01;
      const tampered = `— ${witness.name} ${payload.toString('base64')}\n`;
      expect(codeOf(() => verifyCosignatures(signed + tampered, [witnessVerifier]))).toBe(
        'LEDGER_NOTE_SIGNATURE_INVALID',
      );
    });

    it('refuses a changed timestamp', () => {
      const payload = Buffer.from(line.trim().split(' ')[2]!, 'base64');
      payload.writeBigUInt64BE(BigInt(time + 1), 4);
      const tampered = `— ${witness.name} ${payload.toString('base64')}\n`;
      expect(codeOf(() => verifyCosignatures(signed + tampered, [witnessVerifier]))).toBe(
        'LEDGER_NOTE_SIGNATURE_INVALID',
      );
    });

    it('refuses the cosignature moved to another checkpoint', () => {
      const other = signCheckpoint({ ...checkpoint, size: 8 }, [log]);
      expect(codeOf(() => verifyCosignatures(other + line, [witnessVerifier]))).toBe('LEDGER_NOTE_SIGNATURE_INVALID');
    });

    it('covers extension lines', () => {
      const extended = { ...checkpoint, extensions: ['Extendo'] };
      const cosig = formatSignatureLine(witness.cosign(formatCheckpoint(extended), time));
      const edited = signCheckpoint({ ...extended, extensions: ['Extend@'] }, [log]);
      expect(codeOf(() => verifyCosignatures(edited + cosig, [witnessVerifier]))).toBe('LEDGER_NOTE_SIGNATURE_INVALID');
    });
  });

  it('refuses a cosignature dated after notAfter', () => {
    expect(codeOf(() => verifyCosignatures(signed + line, [witnessVerifier], { notAfter: time - 1 }))).toBe(
      'LEDGER_NOTE_SIGNATURE_INVALID',
    );
  });

  it('refuses to cosign text that is not a checkpoint', () => {
    expect(codeOf(() => witness.cosign('hello\n', time))).toBe('LEDGER_CHECKPOINT_MALFORMED');
  });
});
