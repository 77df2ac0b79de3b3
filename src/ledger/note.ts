/**
 * C2SP signed notes (https://c2sp.org/signed-note): text, a blank line, then signature lines
 * `— <key name> <base64(key ID ‖ signature)>`. Checkpoints and their witness cosignatures are signed notes.
 *
 * A note is untrusted input until opened against the keys the caller trusts: {@link openNote} parses it within
 * limits, ignores signatures from unknown keys (as the spec requires, so logs can rotate keys and witnesses can add
 * cosignatures), refuses the whole note if a known key's signature fails, and refuses it if no known key signed.
 */
import { createPublicKey, sign as signEd25519, verify as verifyEd25519, type KeyObject } from 'node:crypto';
import { ConcordError, sha256, type SigningKeyPair } from '../kernel/index.js';
import { decodeBase64, encodeBase64 } from './base64.js';

/** Signature type byte of plain Ed25519 note signatures (signed-note §"Signature types"). */
export const NOTE_ED25519_TYPE = 0x01;

/** One signature line: the key it claims, and the signature bytes after the 4-byte key ID. */
export interface NoteSignature {
  readonly name: string;
  /** The key ID, a big-endian uint32 (for Ed25519 keys, the first 4 bytes of a hash of name, type and key). */
  readonly keyId: number;
  readonly signature: Uint8Array;
}

/** A parsed, not yet verified, note. `text` includes its final newline. */
export interface Note {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** A note opened against trusted keys. */
export interface OpenedNote {
  readonly text: string;
  /** Signatures by trusted keys, each key once. Never empty. */
  readonly verified: readonly NoteSignature[];
  /** Signatures by keys the caller did not name (other witnesses, rotated keys), kept but not trusted. */
  readonly unverified: readonly NoteSignature[];
}

/** Produces signatures over note text for one key. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(text: Uint8Array): Uint8Array;
}

/** Checks signatures over note text for one key; the signature type decides what `signature` holds. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/**
 * Bounds on what {@link parseNote} reads. The spec requires accepting at least 16 signatures; 100 is also the limit
 * of Go's golang.org/x/mod/sumdb/note.
 */
export interface NoteLimits {
  readonly maxBytes: number;
  readonly maxSignatures: number;
}

export const DEFAULT_NOTE_LIMITS: NoteLimits = Object.freeze({ maxBytes: 64 * 1024, maxSignatures: 100 });

const SIGNATURE_PREFIX = '\u2014 ';
const KEY_ID_BYTES = 4;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * True for a valid key name: non-empty, no Unicode white space, no `+` (which separates the parts of a verifier key).
 */
export function isKeyName(name: string): boolean {
  return name.length > 0 && !/[\p{White_Space}+]/u.test(name) && isNoteSafe(name);
}

/**
 * The key ID of a key: SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], read as a big-endian uint32.
 *
 * @example
 * noteKeyId('PeterNeumann', NOTE_ED25519_TYPE, publicKey).toString(16); // 'c74f20a3'
 */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const digest = sha256(Buffer.concat([utf8.encode(name), Buffer.of(0x0a, type), publicKey]));
  return digest.readUInt32BE(0);
}

/**
 * Parses a signed note without verifying anything.
 *
 * @throws ConcordError `LEDGER_NOTE_MALFORMED` on any deviation from the format or beyond `limits`.
 */
export function parseNote(signed: string | Uint8Array, limits: NoteLimits = DEFAULT_NOTE_LIMITS): Note {
  const message = decodeNote(signed, limits.maxBytes);
  // The text ends at the last blank line; the signature block holds no blank line.
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const text = message.slice(0, split + 1);
  const block = message.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw malformed('the signature block must end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > limits.maxSignatures) {
    throw malformed(`more than ${limits.maxSignatures} signatures`, { signatures: lines.length });
  }
  return { text, signatures: lines.map(parseSignatureLine) };
}

/**
 * Formats a note with its signature lines.
 *
 * @throws ConcordError `LEDGER_NOTE_MALFORMED` if the text is not note text or a key name is invalid.
 */
export function formatNote(note: Note): string {
  requireNoteText(note.text);
  return `${note.text}\n${note.signatures.map(formatSignatureLine).join('')}`;
}

/** One signature line, newline included. */
export function formatSignatureLine(signature: NoteSignature): string {
  if (!isKeyName(signature.name)) throw malformed(`invalid key name ${JSON.stringify(signature.name)}`);
  const payload = new Uint8Array(KEY_ID_BYTES + signature.signature.length);
  new DataView(payload.buffer).setUint32(0, signature.keyId >>> 0);
  payload.set(signature.signature, KEY_ID_BYTES);
  return `${SIGNATURE_PREFIX}${signature.name} ${encodeBase64(payload)}\n`;
}

/**
 * Signs note text with each signer and returns the signed note.
 *
 * @example
 * const signed = signNote('Hello\n', [ed25519NoteSigner('example.org/log', privateKey)]);
 */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  requireNoteText(text);
  const bytes = utf8.encode(text);
  return formatNote({
    text,
    signatures: signers.map((s) => ({ name: s.name, keyId: s.keyId, signature: s.sign(bytes) })),
  });
}

/**
 * Parses a signed note and verifies it against the trusted keys.
 *
 * @throws ConcordError `LEDGER_NOTE_MALFORMED`; `LEDGER_NOTE_SIGNATURE_INVALID` when a signature by a trusted key
 * fails (the whole note is refused); `LEDGER_NOTE_UNKNOWN_KEY` when no trusted key signed it.
 */
export function openNote(
  signed: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  limits: NoteLimits = DEFAULT_NOTE_LIMITS,
): OpenedNote {
  const note = parseNote(signed, limits);
  const text = utf8.encode(note.text);
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const signature of note.signatures) {
    const matching = verifiers.filter((v) => v.name === signature.name && v.keyId === signature.keyId);
    const key = `${signature.name}+${hex8(signature.keyId)}`;
    if (matching.length === 0) {
      unverified.push(signature);
      continue;
    }
    if (matching.length > 1) throw new ConcordError('CONFIG_INVALID', `ambiguous verifier key ${key}`);
    if (!safeVerify(matching[0]!, text, signature.signature)) {
      throw new ConcordError('LEDGER_NOTE_SIGNATURE_INVALID', `invalid signature for key ${key}`, {
        name: signature.name,
        keyId: hex8(signature.keyId),
      });
    }
    if (!seen.has(key)) {
      seen.add(key);
      verified.push(signature);
    }
  }
  if (verified.length === 0) {
    throw new ConcordError('LEDGER_NOTE_UNKNOWN_KEY', 'the note has no signature from a trusted key', {
      signers: note.signatures.map((s) => `${s.name}+${hex8(s.keyId)}`),
    });
  }
  return { text: note.text, verified, unverified };
}

/** A signer producing plain Ed25519 note signatures (type 0x01), from a kernel key pair or a node:crypto key. */
export function ed25519NoteSigner(
  name: string,
  key: KeyObject | SigningKeyPair,
): NoteSigner & { readonly publicKey: Uint8Array } {
  requireKeyName(name);
  const privateKey = privateKeyOf(key);
  const publicKey = rawEd25519PublicKey(privateKey);
  return {
    name,
    keyId: noteKeyId(name, NOTE_ED25519_TYPE, publicKey),
    publicKey,
    sign: (text) => signEd25519(null, text, privateKey),
  };
}

/** A verifier of plain Ed25519 note signatures (type 0x01) for a raw 32-byte public key. */
export function ed25519NoteVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  requireKeyName(name);
  const key = ed25519PublicKeyObject(publicKey);
  return {
    name,
    keyId: noteKeyId(name, NOTE_ED25519_TYPE, publicKey),
    verify: (text, signature) => signature.length === 64 && verifyEd25519(null, text, key, signature),
  };
}

/** A parsed verifier key (signed-note "vkey"): `<name>+<key ID, 8 hex digits>+<base64(type ‖ public key)>`. */
export interface VerifierKey {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Uint8Array;
}

/**
 * Formats a verifier key, the text form in which a node publishes (and a partner configures) a note public key.
 *
 * @example
 * formatVerifierKey('concord.example/nl', NOTE_ED25519_TYPE, publicKey); // 'concord.example/nl+1a2b3c4d+AQ…'
 */
export function formatVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  requireKeyName(name);
  const material = new Uint8Array(1 + publicKey.length);
  material[0] = type;
  material.set(publicKey, 1);
  return `${name}+${hex8(noteKeyId(name, type, publicKey))}+${encodeBase64(material)}`;
}

/**
 * Parses a verifier key and checks that its key ID matches its name, type and key.
 *
 * @throws ConcordError `KEY_INVALID`.
 */
export function parseVerifierKey(vkey: string): VerifierKey {
  // The name holds no '+', the key ID is hex; the base64 after the second '+' may itself contain '+'.
  const [name, id, ...rest] = vkey.split('+');
  const material = rest.join('+');
  if (!name || !id || !material || !isKeyName(name) || !/^[0-9a-f]{8}$/.test(id)) {
    throw new ConcordError('KEY_INVALID', 'a verifier key is <name>+<8 hex digits>+<base64 key>');
  }
  const bytes = decodeBase64(material);
  if (!bytes || bytes.length < 2) throw new ConcordError('KEY_INVALID', 'the verifier key material is not base64');
  const type = bytes[0]!;
  const publicKey = bytes.subarray(1);
  const keyId = noteKeyId(name, type, publicKey);
  if (keyId !== Number.parseInt(id, 16)) {
    throw new ConcordError('KEY_INVALID', `the key ID ${id} does not match the key (${hex8(keyId)})`);
  }
  return { name, keyId, type, publicKey };
}

/**
 * A verifier for a plain Ed25519 verifier key (type 0x01).
 *
 * @throws ConcordError `KEY_INVALID` for other types or key sizes.
 * @example
 * openNote(signed, [noteVerifierFromKey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')]);
 */
export function noteVerifierFromKey(vkey: string): NoteVerifier {
  const key = parseVerifierKey(vkey);
  if (key.type !== NOTE_ED25519_TYPE) {
    throw new ConcordError('KEY_INVALID', `signature type 0x${key.type.toString(16)} is not Ed25519 (0x01)`);
  }
  return ed25519NoteVerifier(key.name, key.publicKey);
}

/** The 32-byte raw form of an Ed25519 key (RFC 8032), from a private or public node:crypto key. */
export function rawEd25519PublicKey(key: KeyObject): Uint8Array {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new ConcordError('KEY_INVALID', 'not an Ed25519 key');
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.from(jwk.x!, 'base64url');
}

/** A node:crypto public key from the 32-byte raw form of an Ed25519 key. */
export function ed25519PublicKeyObject(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new ConcordError('KEY_INVALID', 'an Ed25519 public key is 32 bytes');
  try {
    return createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
      format: 'jwk',
    });
  } catch (cause) {
    throw new ConcordError('KEY_INVALID', 'not an Ed25519 public key', undefined, { cause });
  }
}

/** The node:crypto private key of a kernel key pair, or the key itself. */
export function privateKeyOf(key: KeyObject | SigningKeyPair): KeyObject {
  const privateKey = 'privateKey' in key ? key.privateKey : key;
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new ConcordError('KEY_INVALID', 'an Ed25519 private key is required');
  }
  return privateKey;
}

/** A key ID as the 8 lowercase hex digits of verifier keys and messages. */
export function hex8(keyId: number): string {
  return (keyId >>> 0).toString(16).padStart(8, '0');
}

/** Note text: UTF-8 ending in a newline, without control characters other than newline. */
export function isNoteText(text: string): boolean {
  return text.length > 0 && text.endsWith('\n') && isNoteSafe(text);
}

function requireNoteText(text: string): void {
  if (!isNoteText(text)) throw malformed('note text must end with a newline and hold no control characters');
}

function requireKeyName(name: string): void {
  if (!isKeyName(name)) throw new ConcordError('KEY_INVALID', `invalid note key name ${JSON.stringify(name)}`);
}

/** Well-formed UTF-16 (so valid UTF-8 once encoded) without ASCII control characters other than newline. */
function isNoteSafe(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) return false;
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

function decodeNote(signed: string | Uint8Array, maxBytes: number): string {
  let message: string;
  if (typeof signed === 'string') {
    if (signed.length > maxBytes) throw malformed(`the note exceeds ${maxBytes} bytes`);
    message = signed;
  } else {
    if (signed.length > maxBytes) throw malformed(`the note exceeds ${maxBytes} bytes`);
    try {
      message = strictUtf8.decode(signed);
    } catch {
      throw malformed('the note is not valid UTF-8');
    }
  }
  if (!isNoteSafe(message)) throw malformed('the note holds control characters or is not valid UTF-8');
  if (utf8.encode(message).length > maxBytes) throw malformed(`the note exceeds ${maxBytes} bytes`);
  return message;
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) throw malformed('a signature line must start with an em dash and a space');
  const parts = line.slice(SIGNATURE_PREFIX.length).split(' ');
  const [name, encoded] = parts;
  if (parts.length !== 2 || name === undefined || encoded === undefined || !isKeyName(name)) {
    throw malformed('a signature line is "— <key name> <base64 signature>"');
  }
  const payload = decodeBase64(encoded);
  if (!payload || payload.length <= KEY_ID_BYTES) throw malformed(`the signature of ${name} is not valid base64`);
  const keyId = new DataView(payload.buffer, payload.byteOffset).getUint32(0);
  return { name, keyId, signature: payload.subarray(KEY_ID_BYTES) };
}

function safeVerify(verifier: NoteVerifier, text: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verifier.verify(text, signature);
  } catch {
    return false;
  }
}

function malformed(message: string, details?: Record<string, unknown>): ConcordError {
  return new ConcordError('LEDGER_NOTE_MALFORMED', message, details);
}
