import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '../kernel/index.js';
import { formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint, type Checkpoint } from './checkpoint.js';
import { ed25519NoteSigner, ed25519NoteVerifier, hex8, isNoteText, parseNote, signNote } from './note.js';

// The example of c2sp.org/tlog-checkpoint.
const SPEC_TEXT = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SPEC_SIGNED = `${SPEC_TEXT}\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n`;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

/** A non-empty line of note text, any Unicode. */
const noteLine = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
  .filter((s) => !s.includes('\n') && isNoteText(`${s}\n`));

describe(parseCheckpoint.name, () => {
  it('reads the tlog-checkpoint example', () => {
    const checkpoint = parseCheckpoint(SPEC_TEXT);
    expect(checkpoint.origin).toBe('example.com/behind-the-sofa');
    expect(checkpoint.size).toBe(20852163);
    expect(Buffer.from(checkpoint.rootHash).toString('base64')).toBe('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
    expect(checkpoint.extensions).toEqual([]);
    expect(formatCheckpoint(checkpoint)).toBe(SPEC_TEXT);
  });

  it('reads the signed example as a note with the log key hint', () => {
    const note = parseNote(SPEC_SIGNED);
    expect(note.text).toBe(SPEC_TEXT);
    expect(note.signatures.map((s) => `${s.name}+${hex8(s.keyId)}`)).toEqual(['example.com/behind-the-sofa+033de0ae']);
  });

  it('keeps extension lines', () => {
    expect(parseCheckpoint(`${SPEC_TEXT}ext one\next two\n`).extensions).toEqual(['ext one', 'ext two']);
  });

  it.each([
    ['two lines', 'example.com/log\n0\n'],
    ['no final newline', SPEC_TEXT.slice(0, -1)],
    ['a size with a leading zero', SPEC_TEXT.replace('20852163', '020852163')],
    ['a negative size', SPEC_TEXT.replace('20852163', '-1')],
    ['a size with a sign', SPEC_TEXT.replace('20852163', '+1')],
    ['a size beyond 2^53', SPEC_TEXT.replace('20852163', '9007199254740993')],
    [
      'a root of 31 bytes',
      SPEC_TEXT.replace('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', Buffer.alloc(31).toString('base64')),
    ],
    ['an unpadded root', SPEC_TEXT.replace('q2I=', 'q2I')],
    ['a non-canonical root encoding', SPEC_TEXT.replace('q2I=', 'q2J=')],
    ['URL-safe base64', SPEC_TEXT.replace('/Xajj7', '_Xajj7')],
    ['an empty origin', SPEC_TEXT.replace('example.com/behind-the-sofa', '')],
    ['an empty extension line', `${SPEC_TEXT}\nafter blank\n`],
    ['a carriage return', SPEC_TEXT.replace('\n', '\r\n')],
  ])('refuses %s with LEDGER_CHECKPOINT_MALFORMED', (_, text) => {
    expect(codeOf(() => parseCheckpoint(text))).toBe('LEDGER_CHECKPOINT_MALFORMED');
  });

  it('round-trips any checkpoint', () => {
    const checkpoint = fc.record({
      origin: fc.stringMatching(/^[a-z0-9./-]{1,40}$/),
      size: fc.maxSafeNat(),
      rootHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      extensions: fc.array(noteLine, { maxLength: 3 }),
    });
    fc.assert(
      fc.property(checkpoint, (c: Checkpoint) => {
        const parsed = parseCheckpoint(formatCheckpoint(c));
        expect({ ...parsed, rootHash: Buffer.from(parsed.rootHash) }).toEqual({
          ...c,
          rootHash: Buffer.from(c.rootHash),
        });
      }),
    );
  });

  it('refuses to format what it could not parse', () => {
    const root = new Uint8Array(32);
    expect(codeOf(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: root, extensions: [] }))).toBe(
      'LEDGER_CHECKPOINT_MALFORMED',
    );
    expect(codeOf(() => formatCheckpoint({ origin: 'a', size: -1, rootHash: root, extensions: [] }))).toBe(
      'LEDGER_CHECKPOINT_MALFORMED',
    );
    expect(codeOf(() => formatCheckpoint({ origin: 'a', size: 1, rootHash: root.subarray(1), extensions: [] }))).toBe(
      'LEDGER_CHECKPOINT_MALFORMED',
    );
    expect(codeOf(() => formatCheckpoint({ origin: 'a', size: 1, rootHash: root, extensions: [''] }))).toBe(
      'LEDGER_CHECKPOINT_MALFORMED',
    );
  });
});

describe(openCheckpoint.name, () => {
  const origin = 'concord.example/NL';
  const signer = ed25519NoteSigner(origin, generateSigningKey());
  const verifier = ed25519NoteVerifier(origin, signer.publicKey);
  const checkpoint: Checkpoint = { origin, size: 42, rootHash: new Uint8Array(32).fill(7), extensions: [] };

  it('verifies the log signature and returns the checkpoint with its note', () => {
    const signed = signCheckpoint(checkpoint, [signer]);
    const opened = openCheckpoint(signed, [verifier], { origin });
    expect(opened.checkpoint.size).toBe(42);
    expect(opened.note).toBe(signed);
    expect(opened.text).toBe(formatCheckpoint(checkpoint));
  });

  it('refuses a checkpoint whose size was edited with LEDGER_NOTE_SIGNATURE_INVALID', () => {
    const signed = signCheckpoint(checkpoint, [signer]).replace('\n42\n', '\n43\n');
    expect(codeOf(() => openCheckpoint(signed, [verifier]))).toBe('LEDGER_NOTE_SIGNATURE_INVALID');
  });

  it('refuses a checkpoint for another origin', () => {
    const other = ed25519NoteSigner('concord.example/SG', generateSigningKey());
    const signed = signCheckpoint({ ...checkpoint, origin: 'concord.example/SG' }, [other]);
    expect(codeOf(() => openCheckpoint(signed, [verifier], { origin }))).toBe('LEDGER_NOTE_UNKNOWN_KEY');
  });

  it('refuses a validly signed note that is not a checkpoint with LEDGER_CHECKPOINT_MALFORMED', () => {
    expect(codeOf(() => openCheckpoint(signNote('hello\n', [signer]), [verifier]))).toBe('LEDGER_CHECKPOINT_MALFORMED');
  });
});
