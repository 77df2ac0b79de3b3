/**
 * C2SP signed notes and checkpoints, read in the browser: the node's checkpoint (https://c2sp.org/tlog-checkpoint),
 * its signature lines (https://c2sp.org/signed-note), the witnesses' cosignatures (https://c2sp.org/tlog-cosignature)
 * and the log's verifier key. The server's readers (src/ledger/note.ts, checkpoint.ts) rest on `node:crypto`; these
 * rest on WebCrypto, and return values instead of throwing, because what they read is shown to people.
 */
import { decodeBase64 } from './ledger.js';

/** Signature type bytes: plain Ed25519 note signatures, and timestamped Ed25519 cosignatures (v1). */
export const NOTE_ED25519_TYPE = 0x01;
export const COSIGNATURE_V1_TYPE = 0x04;

const SIGNATURE_PREFIX = '\u2014 ';
const KEY_ID_BYTES = 4;
const ED25519_SIGNATURE_BYTES = 64;
const TIMESTAMP_BYTES = 8;
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;
const utf8 = new TextEncoder();

/** One signature line: the key name it claims, the 4-byte key ID, and what follows the key ID. */
export interface SignatureLine {
  readonly name: string;
  readonly keyId: number;
  readonly payload: Uint8Array;
}

export interface SignedNote {
  /** The signed text, final newline included. */
  readonly text: string;
  readonly signatures: readonly SignatureLine[];
}

export interface CheckpointBody {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** The root hash as it appears in the note (standard base64). */
  readonly rootHashText: string;
}

/** A witness's cosignature, read but not verified (the console does not hold the witnesses' keys). */
export interface CosignatureLine {
  readonly name: string;
  readonly keyId: number;
  /** POSIX seconds at which the witness cosigned. */
  readonly timestamp: number;
}

/** A signed-note verifier key, `<name>+<key ID, 8 hex digits>+<base64(type ‖ public key)>`. */
export interface VerifierKey {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Uint8Array;
}

/** Splits a signed note into its text and signature lines; undefined if it is not one. */
export function parseSignedNote(signed: string): SignedNote | undefined {
  const split = signed.lastIndexOf('\n\n');
  if (split < 0) return undefined;
  const text = signed.slice(0, split + 1);
  const block = signed.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) return undefined;
  const signatures: SignatureLine[] = [];
  for (const line of block.slice(0, -1).split('\n')) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return undefined;
    const parts = line.slice(SIGNATURE_PREFIX.length).split(' ');
    const [name, encoded] = parts;
    if (parts.length !== 2 || !name || !encoded) return undefined;
    const bytes = decodeBase64(encoded);
    if (!bytes || bytes.length <= KEY_ID_BYTES) return undefined;
    const keyId = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
    signatures.push({ name, keyId, payload: bytes.subarray(KEY_ID_BYTES) });
  }
  return { text, signatures };
}

/** Reads checkpoint text: origin, decimal tree size, base64 root hash of 32 bytes (extension lines ignored). */
export function parseCheckpointBody(text: string): CheckpointBody | undefined {
  const [origin, size, root] = text.split('\n');
  if (!origin || !size || !root || !DECIMAL.test(size) || !Number.isSafeInteger(Number(size))) return undefined;
  const rootHash = decodeBase64(root);
  if (!rootHash || rootHash.length !== 32) return undefined;
  return { origin, size: Number(size), rootHash, rootHashText: root };
}

/** The signature lines shaped as v1 cosignatures (key ID, 8-byte timestamp, 64-byte signature). */
export function cosignaturesOf(note: SignedNote): CosignatureLine[] {
  return note.signatures
    .filter((line) => line.payload.length === TIMESTAMP_BYTES + ED25519_SIGNATURE_BYTES)
    .map((line) => {
      const view = new DataView(line.payload.buffer, line.payload.byteOffset);
      const timestamp = view.getUint32(0) * 2 ** 32 + view.getUint32(4);
      return { name: line.name, keyId: line.keyId, timestamp };
    });
}

/** SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4] as a big-endian uint32: the key ID signature lines carry. */
export async function noteKeyId(name: string, type: number, publicKey: Uint8Array): Promise<number> {
  const nameBytes = utf8.encode(name);
  const input = new Uint8Array(nameBytes.length + 2 + publicKey.length);
  input.set(nameBytes);
  input[nameBytes.length] = 0x0a;
  input[nameBytes.length + 1] = type;
  input.set(publicKey, nameBytes.length + 2);
  const digest = await crypto.subtle.digest('SHA-256', input);
  return new DataView(digest).getUint32(0);
}

/** Parses a verifier key and checks that its key ID matches its name, type and key; undefined if it does not. */
export async function parseVerifierKey(vkey: string): Promise<VerifierKey | undefined> {
  const [name, id, ...rest] = vkey.trim().split('+');
  const material = decodeBase64(rest.join('+'));
  if (!name || !id || !/^[0-9a-f]{8}$/.test(id) || /\s/.test(name) || !material || material.length < 2) {
    return undefined;
  }
  const type = material[0]!;
  const publicKey = material.subarray(1);
  const keyId = await noteKeyId(name, type, publicKey);
  if (keyId !== Number.parseInt(id, 16)) return undefined;
  return { name, keyId, type, publicKey };
}

/**
 * The outcome of checking a note's signature by one key. `unsupported` means this browser's WebCrypto has no
 * Ed25519 (Chromium and Firefox have it, older Safari does not): nothing was checked.
 */
export type NoteSignatureCheck =
  | { readonly status: 'valid' }
  | { readonly status: 'unsupported' }
  | {
      readonly status: 'invalid';
      readonly code: 'KEY_INVALID' | 'LEDGER_NOTE_UNKNOWN_KEY' | 'LEDGER_NOTE_SIGNATURE_INVALID';
    };

/** Checks the Ed25519 signature of `key` on the note, with WebCrypto. */
export async function checkNoteSignature(note: SignedNote, key: VerifierKey): Promise<NoteSignatureCheck> {
  if (key.type !== NOTE_ED25519_TYPE || key.publicKey.length !== 32) return { status: 'invalid', code: 'KEY_INVALID' };
  const line = note.signatures.find((candidate) => candidate.name === key.name && candidate.keyId === key.keyId);
  if (!line) return { status: 'invalid', code: 'LEDGER_NOTE_UNKNOWN_KEY' };
  if (line.payload.length !== ED25519_SIGNATURE_BYTES)
    return { status: 'invalid', code: 'LEDGER_NOTE_SIGNATURE_INVALID' };
  let publicKey: CryptoKey;
  try {
    publicKey = await crypto.subtle.importKey('raw', new Uint8Array(key.publicKey), { name: 'Ed25519' }, false, [
      'verify',
    ]);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'NotSupportedError') return { status: 'unsupported' };
    return { status: 'invalid', code: 'KEY_INVALID' };
  }
  const valid = await crypto.subtle.verify(
    { name: 'Ed25519' },
    publicKey,
    new Uint8Array(line.payload),
    utf8.encode(note.text),
  );
  return valid ? { status: 'valid' } : { status: 'invalid', code: 'LEDGER_NOTE_SIGNATURE_INVALID' };
}

/**
 * A witness as people name it: the administration of a Concord witness (`concord.sg/witness` → `SG`, the node's
 * naming convention, docs/decisions/0008), any other cosigner name as it is.
 */
export function witnessLabel(name: string): string {
  const match = /^concord\.([a-z0-9-]+)\/witness$/.exec(name);
  return match ? match[1]!.toUpperCase() : name;
}
