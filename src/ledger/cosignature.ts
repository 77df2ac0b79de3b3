/**
 * C2SP tlog-cosignature v1, Ed25519 (https://c2sp.org/tlog-cosignature): a witness's statement that, as of a time,
 * the checkpoint is the largest consistent tree head it has seen for that log.
 *
 * A cosignature is a signed-note signature line of type 0x04, `— <witness name> base64(key ID ‖ timestamp ‖ sig)`,
 * where the key ID is SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4], the timestamp is 8 bytes big-endian POSIX
 * seconds, and the Ed25519 signature covers `cosignature/v1\ntime <timestamp>\n` followed by the checkpoint text.
 */
import { sign as signEd25519, verify as verifyEd25519, type KeyObject } from 'node:crypto';
import { ConcordError, type SigningKeyPair } from '../kernel/index.js';
import { parseCheckpoint } from './checkpoint.js';
import {
  DEFAULT_NOTE_LIMITS,
  ed25519PublicKeyObject,
  hex8,
  isKeyName,
  noteKeyId,
  parseNote,
  parseVerifierKey,
  privateKeyOf,
  rawEd25519PublicKey,
  type NoteLimits,
  type NoteSignature,
  type NoteVerifier,
} from './note.js';

/** Signature type byte of timestamped Ed25519 cosignatures. */
export const COSIGNATURE_V1_TYPE = 0x04;

const HEADER = 'cosignature/v1\n';
const TIMESTAMP_BYTES = 8;
const ED25519_SIGNATURE_BYTES = 64;
const utf8 = new TextEncoder();

/** A cosignature read from its signature line. */
export interface Cosignature {
  readonly name: string;
  readonly keyId: number;
  /** POSIX seconds at which the witness signed. */
  readonly timestamp: number;
  readonly signature: Uint8Array;
}

/** A witness key that cosigns checkpoints. */
export interface Cosigner {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  /** Cosigns checkpoint note text at `timestamp` (POSIX seconds); format the result with `formatSignatureLine`. */
  cosign(checkpointText: string, timestamp: number): NoteSignature;
}

/**
 * The exact bytes a v1 cosignature signs.
 *
 * @example
 * new TextDecoder().decode(cosignatureMessage('example.com/log\n3\n…=\n', 1679315147));
 * // 'cosignature/v1\ntime 1679315147\nexample.com/log\n3\n…=\n'
 */
export function cosignatureMessage(checkpointText: string, timestamp: number): Uint8Array {
  requireTimestamp(timestamp);
  return utf8.encode(`${HEADER}time ${timestamp}\n${checkpointText}`);
}

/** The key ID of a cosigner: SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]. */
export function cosignatureKeyId(name: string, publicKey: Uint8Array): number {
  return noteKeyId(name, COSIGNATURE_V1_TYPE, publicKey);
}

/**
 * A cosigner for an Ed25519 private key. Use a key for this purpose only: the v1 message does not name the
 * cosigner, so the spec forbids sharing a key between cosigners.
 */
export function ed25519Cosigner(name: string, key: KeyObject | SigningKeyPair): Cosigner {
  const privateKey = privateKeyOf(key);
  if (!isKeyName(name)) throw new ConcordError('KEY_INVALID', `invalid cosigner name ${JSON.stringify(name)}`);
  const publicKey = rawEd25519PublicKey(privateKey);
  const keyId = cosignatureKeyId(name, publicKey);
  return {
    name,
    keyId,
    publicKey,
    cosign(checkpointText, timestamp) {
      parseCheckpoint(checkpointText);
      const signature = signEd25519(null, cosignatureMessage(checkpointText, timestamp), privateKey);
      return { name, keyId, signature: encodeTimestamped(timestamp, signature) };
    },
  };
}

/** A note verifier for a cosigner's v1 cosignatures; use it with `openNote` or {@link verifyCosignatures}. */
export function cosignatureVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isKeyName(name)) throw new ConcordError('KEY_INVALID', `invalid cosigner name ${JSON.stringify(name)}`);
  const key = ed25519PublicKeyObject(publicKey);
  return {
    name,
    keyId: cosignatureKeyId(name, publicKey),
    verify(text, payload) {
      const parsed = decodeTimestamped(payload);
      if (!parsed) return false;
      const message = concat(utf8.encode(`${HEADER}time ${parsed.timestamp}\n`), text);
      return verifyEd25519(null, message, key, parsed.signature);
    },
  };
}

/**
 * A cosignature verifier from a verifier key of type 0x04 (`name+keyid+base64(0x04 ‖ key)`).
 *
 * @throws ConcordError `KEY_INVALID`.
 */
export function cosignatureVerifierFromKey(vkey: string): NoteVerifier {
  const key = parseVerifierKey(vkey);
  if (key.type !== COSIGNATURE_V1_TYPE) {
    throw new ConcordError('KEY_INVALID', `signature type 0x${key.type.toString(16)} is not cosignature/v1 (0x04)`);
  }
  return cosignatureVerifier(key.name, key.publicKey);
}

/**
 * Reads the timestamp and signature of a cosignature line.
 *
 * @throws ConcordError `LEDGER_NOTE_MALFORMED` unless the payload is 8 + 64 bytes with a timestamp below 2^53.
 */
export function parseCosignature(signature: NoteSignature): Cosignature {
  const parsed = decodeTimestamped(signature.signature);
  if (!parsed) {
    throw new ConcordError('LEDGER_NOTE_MALFORMED', `the signature of ${signature.name} is not a v1 cosignature`);
  }
  return { name: signature.name, keyId: signature.keyId, ...parsed };
}

/**
 * Verifies the cosignatures on a signed checkpoint from the given cosigners, ignoring every other signature line
 * (the log's own, unknown witnesses). Returns the valid cosignatures, one per cosigner; how many are enough is the
 * caller's policy.
 *
 * @throws ConcordError `LEDGER_NOTE_MALFORMED`, `LEDGER_CHECKPOINT_MALFORMED`, or `LEDGER_NOTE_SIGNATURE_INVALID` when
 * a listed cosigner's line does not verify or is dated after `notAfter` (POSIX seconds).
 */
export function verifyCosignatures(
  signedCheckpoint: string,
  cosigners: readonly NoteVerifier[],
  options: { readonly notAfter?: number; readonly limits?: NoteLimits } = {},
): Cosignature[] {
  const note = parseNote(signedCheckpoint, options.limits ?? DEFAULT_NOTE_LIMITS);
  parseCheckpoint(note.text);
  const text = utf8.encode(note.text);
  const found = new Map<string, Cosignature>();
  for (const line of note.signatures) {
    const cosigner = cosigners.find((c) => c.name === line.name && c.keyId === line.keyId);
    if (!cosigner) continue;
    const key = `${line.name}+${hex8(line.keyId)}`;
    const parsed = decodeTimestamped(line.signature);
    if (!parsed || !safeVerify(cosigner, text, line.signature)) {
      throw new ConcordError('LEDGER_NOTE_SIGNATURE_INVALID', `invalid cosignature for key ${key}`, { key });
    }
    if (options.notAfter !== undefined && parsed.timestamp > options.notAfter) {
      throw new ConcordError('LEDGER_NOTE_SIGNATURE_INVALID', `the cosignature of ${key} is dated in the future`, {
        key,
        timestamp: parsed.timestamp,
      });
    }
    if (!found.has(key)) found.set(key, { name: line.name, keyId: line.keyId, ...parsed });
  }
  return [...found.values()];
}

function safeVerify(verifier: NoteVerifier, text: Uint8Array, payload: Uint8Array): boolean {
  try {
    return verifier.verify(text, payload);
  } catch {
    return false;
  }
}

function encodeTimestamped(timestamp: number, signature: Uint8Array): Uint8Array {
  const payload = new Uint8Array(TIMESTAMP_BYTES + signature.length);
  new DataView(payload.buffer).setBigUint64(0, BigInt(timestamp));
  payload.set(signature, TIMESTAMP_BYTES);
  return payload;
}

function decodeTimestamped(payload: Uint8Array): { timestamp: number; signature: Uint8Array } | undefined {
  if (payload.length !== TIMESTAMP_BYTES + ED25519_SIGNATURE_BYTES) return undefined;
  const timestamp = new DataView(payload.buffer, payload.byteOffset).getBigUint64(0);
  if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { timestamp: Number(timestamp), signature: payload.subarray(TIMESTAMP_BYTES) };
}

function requireTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new ConcordError('LEDGER_NOTE_MALFORMED', `cosignature timestamp ${timestamp} is not POSIX seconds`);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
