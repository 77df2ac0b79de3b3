import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '../kernel/index.js';
import {
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatNote,
  formatVerifierKey,
  hex8,
  isNoteText,
  NOTE_ED25519_TYPE,
  noteKeyId,
  noteVerifierFromKey,
  openNote,
  parseNote,
  parseVerifierKey,
  signNote,
} from './note.js';
import { keyFromGoSignerKey } from './test-support/keys.js';

// Published vectors of golang.org/x/mod/sumdb/note (note_test.go), the reference implementation of signed notes.
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

const peter = noteVerifierFromKey(PETER_VKEY);
const enoch = noteVerifierFromKey(ENOCH_VKEY);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('signed notes, with the golang.org/x/mod/sumdb/note vectors', () => {
  it('signs exactly as Go does (Ed25519 is deterministic)', () => {
    const { name, key } = keyFromGoSignerKey(PETER_SKEY);
    expect(signNote(TEXT, [ed25519NoteSigner(name, key)])).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  it('derives the key hash hint c74f20a3 from name, type 0x01 and key', () => {
    const { name, key } = keyFromGoSignerKey(PETER_SKEY);
    const signer = ed25519NoteSigner(name, key);
    expect(hex8(signer.keyId)).toBe('c74f20a3');
    expect(formatVerifierKey(name, NOTE_ED25519_TYPE, signer.publicKey)).toBe(PETER_VKEY);
  });

  it('verifies the signature of a trusted key and keeps the unknown one aside', () => {
    const opened = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter]);
    expect(opened.text).toBe(TEXT);
    expect(opened.verified.map((s) => `${s.name}+${hex8(s.keyId)}`)).toEqual(['PeterNeumann+c74f20a3']);
    expect(opened.unverified.map((s) => `${s.name}+${hex8(s.keyId)}`)).toEqual(['EnochRoot+af0cfe78']);
  });

  it('verifies both when both keys are trusted', () => {
    expect(openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter, enoch]).verified).toHaveLength(2);
  });

  it('counts a key once when its line is repeated', () => {
    expect(openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}`, [peter]).verified).toHaveLength(1);
  });

  describe('when no trusted key signed', () => {
    it('refuses the note with LEDGER_NOTE_UNKNOWN_KEY', () => {
      expect(codeOf(() => openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, []))).toBe('LEDGER_NOTE_UNKNOWN_KEY');
    });

    it('ignores a line that shares only the name, or only the key ID, of a trusted key', () => {
      const misnamed = PETER_SIG.replace('PeterNeumann', 'CarmenSandiego');
      expect(codeOf(() => openNote(`${TEXT}\n${misnamed}`, [peter]))).toBe('LEDGER_NOTE_UNKNOWN_KEY');
      const otherId = PETER_SIG.replace('x08g', 'xxxx');
      expect(codeOf(() => openNote(`${TEXT}\n${otherId}`, [peter]))).toBe('LEDGER_NOTE_UNKNOWN_KEY');
    });
  });

  describe('when a trusted key signature does not verify', () => {
    it('refuses the whole note with LEDGER_NOTE_SIGNATURE_INVALID', () => {
      const corrupted = `${TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
      expect(codeOf(() => openNote(corrupted, [peter]))).toBe('LEDGER_NOTE_SIGNATURE_INVALID');
    });

    it('refuses a flipped bit anywhere in the text', () => {
      fc.assert(
        fc.property(fc.nat(TEXT.length - 1), (i) => {
          const flipped = TEXT.slice(0, i) + String.fromCharCode(TEXT.charCodeAt(i) ^ 0x20) + TEXT.slice(i + 1);
          fc.pre(isNoteText(flipped) && !flipped.includes('\n\n'));
          expect(codeOf(() => openNote(`${flipped}\n${PETER_SIG}`, [peter]))).toBe('LEDGER_NOTE_SIGNATURE_INVALID');
        }),
      );
    });
  });

  describe('when the note is malformed', () => {
    it.each([
      ['no signatures', TEXT],
      ['a blank line only', `${TEXT}\n`],
      ['no final newline', `${TEXT}\n${PETER_SIG.slice(0, -1)}`],
      ['a control character', `\x01${TEXT}\n${PETER_SIG}`],
      [
        'a space in the key name',
        `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
      ],
      ['a line that is not a signature', `${TEXT}\n${PETER_SIG}Unexpected line.\n`],
      ['base64 without padding', `${TEXT}\n${PETER_SIG.replace('M=\n', 'M\n')}`],
      ['a signature too short for a key ID', `${TEXT}\n— PeterNeumann AAAA\n`],
      ['a hyphen instead of the em dash', `${TEXT}\n${PETER_SIG.replace('—', '-')}`],
    ])('refuses %s with LEDGER_NOTE_MALFORMED', (_, message) => {
      expect(codeOf(() => openNote(message, [peter]))).toBe('LEDGER_NOTE_MALFORMED');
    });

    it('refuses invalid UTF-8 bytes', () => {
      const bytes = Buffer.concat([Buffer.from([0xff]), Buffer.from(`${TEXT}\n${PETER_SIG}`)]);
      expect(codeOf(() => openNote(bytes, [peter]))).toBe('LEDGER_NOTE_MALFORMED');
    });

    it('refuses more signatures than the limit (101 > 100, as Go)', () => {
      expect(codeOf(() => openNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, [peter]))).toBe('LEDGER_NOTE_MALFORMED');
      expect(openNote(`${TEXT}\n${PETER_SIG.repeat(100)}`, [peter]).verified).toHaveLength(1);
    });

    it('refuses a note over the size limit', () => {
      const limits = { maxBytes: 200, maxSignatures: 100 };
      expect(codeOf(() => openNote(`${'x'.repeat(200)}\n\n${PETER_SIG}`, [peter], limits))).toBe(
        'LEDGER_NOTE_MALFORMED',
      );
    });
  });

  it('separates text and signatures at the last blank line', () => {
    const text = 'first\n\nsecond paragraph\n';
    const note = parseNote(`${text}\n${PETER_SIG}`);
    expect(note.text).toBe(text);
    expect(note.signatures).toHaveLength(1);
  });
});

describe(parseVerifierKey.name, () => {
  it('accepts the Go vector, whose base64 may contain +', () => {
    expect(parseVerifierKey(PETER_VKEY)).toMatchObject({ name: 'PeterNeumann', keyId: 0xc74f20a3, type: 1 });
    expect(parseVerifierKey('TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6').name).toBe('TEST');
  });

  it('refuses every single-character mangling of a key with KEY_INVALID', () => {
    for (let i = 0; i < PETER_VKEY.length; i++) {
      const mangled =
        PETER_VKEY.slice(0, i) + String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) + PETER_VKEY.slice(i + 1);
      expect(
        codeOf(() => noteVerifierFromKey(mangled)),
        mangled,
      ).toBe('KEY_INVALID');
    }
  });

  it('refuses every truncation with KEY_INVALID', () => {
    for (let i = 0; i < PETER_VKEY.length; i++) {
      expect(codeOf(() => noteVerifierFromKey(PETER_VKEY.slice(0, i)))).toBe('KEY_INVALID');
      expect(codeOf(() => noteVerifierFromKey(PETER_VKEY.slice(i + 1)))).toBe('KEY_INVALID');
    }
  });

  it('refuses a wrong-length key or an unknown algorithm, even with a matching key hash (Go vectors)', () => {
    expect(
      codeOf(() => noteVerifierFromKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==')),
    ).toBe('KEY_INVALID');
    expect(
      codeOf(() => noteVerifierFromKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')),
    ).toBe('KEY_INVALID');
  });
});

describe('signing with Concord keys', () => {
  const pair = generateSigningKey();
  const signer = ed25519NoteSigner('concord.example/NL', pair);
  const verifier = ed25519NoteVerifier('concord.example/NL', signer.publicKey);

  it('round-trips any note text and any valid key name', () => {
    const line = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .filter((s) => !s.includes('\n') && isNoteText(`${s}\n`));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 5 }), (lines) => {
        const text = lines.join('\n') + '\n';
        const opened = openNote(signNote(text, [signer]), [verifier]);
        expect(opened.text).toBe(text);
      }),
    );
  });

  it('formats and parses signature lines back to the same bytes', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9./_-]{1,30}$/),
        fc.nat(0xffffffff),
        fc.uint8Array({ minLength: 1, maxLength: 100 }),
        (name, keyId, signature) => {
          const note = formatNote({ text: 'x\n', signatures: [{ name, keyId, signature }] });
          const [parsed] = parseNote(note).signatures;
          expect(parsed).toMatchObject({ name, keyId });
          expect(Buffer.from(parsed!.signature).equals(Buffer.from(signature))).toBe(true);
        },
      ),
    );
  });

  it('computes the key ID as SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4]', () => {
    expect(signer.keyId).toBe(noteKeyId('concord.example/NL', 0x01, signer.publicKey));
    expect(verifier.keyId).toBe(signer.keyId);
  });

  it('refuses a key name with a space or a plus', () => {
    expect(codeOf(() => ed25519NoteSigner('a b', pair))).toBe('KEY_INVALID');
    expect(codeOf(() => ed25519NoteSigner('a+b', pair))).toBe('KEY_INVALID');
  });

  it('refuses a key that is not Ed25519', () => {
    const { privateKey } = generateKeyPairSync('x25519');
    expect(codeOf(() => ed25519NoteSigner('a', privateKey))).toBe('KEY_INVALID');
  });

  it('refuses text that is not note text', () => {
    expect(codeOf(() => signNote('abc', [signer]))).toBe('LEDGER_NOTE_MALFORMED');
    expect(codeOf(() => signNote('a\tb\n', [signer]))).toBe('LEDGER_NOTE_MALFORMED');
  });
});
