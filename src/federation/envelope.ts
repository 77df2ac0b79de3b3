import type { KeyObject } from 'node:crypto';
import {
  canonicalBytes,
  ConcordError,
  decryptJwe,
  encryptJwe,
  type EncryptionKeyPair,
  isConcordError,
  sha256Hex,
  signJws,
  type SigningKeyPair,
  verifyJws,
} from '../kernel/index.js';
import type { Directory } from './directory.js';

/**
 * Envelopes: every message between nodes. A compact JWS (EdDSA, RFC 7515/8037) whose payload is the RFC 8785 form
 * of the envelope: the header (id, from, to, category, purpose, agreement id and version, created, expires, the
 * SHA-256 of the payload) and either the payload in clear or, for a category its agreement marks confidential, a
 * compact JWE (ECDH-ES with X25519, A256GCM) of the payload to the recipient's directory key. The receiver checks
 * the signature against the sender's key in the directory valid at `created`, and the hash against the payload.
 */

export const ENVELOPE_JWS_TYPE = 'concord-envelope+jws';
export const RECEIPT_JWS_TYPE = 'concord-receipt+jws';
/** The largest envelope a node accepts, in bytes of its compact serialization. */
export const MAX_ENVELOPE_BYTES = 512 * 1024;
/** How far in the future an envelope's `created` may be (the sender's clock ahead of ours). */
export const DEFAULT_MAX_SKEW_MS = 5 * 60_000;

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const ADMINISTRATION = /^[A-Z]{2}(-[A-Z0-9]{1,8})?$/;
const CATEGORY = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;
const PURPOSE = /^[a-z][a-z0-9-]{0,63}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface EnvelopeHeader {
  v: 1;
  id: string;
  from: string;
  to: string;
  category: string;
  purpose: string;
  /** The agreement it travels under; null for the network's own messages (checkpoints, agreement proposals). */
  agreement: { id: string; version: number } | null;
  created: string;
  expires: string;
  /** SHA-256 (hex) of the payload's RFC 8785 bytes. */
  payloadHash: string;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface SealInput {
  id: string;
  from: string;
  to: string;
  category: string;
  purpose: string;
  agreement: { id: string; version: number } | null;
  /** Unix ms. */
  created: number;
  expires: number;
  payload: JsonValue;
  signingKey: SigningKeyPair;
  /** The recipient's X25519 key (from the directory): the payload travels as a JWE to it. */
  encryptTo?: { kid: string; key: KeyObject } | undefined;
}

export interface SealedEnvelope {
  header: EnvelopeHeader;
  /** The compact JWS: what is sent. */
  compact: string;
  /** SHA-256 (hex) of the compact serialization: how logs and receipts name this exact envelope. */
  hash: string;
  encrypted: boolean;
}

/** Seals an envelope: the payload hashed, encrypted when asked, the whole signed. */
export async function sealEnvelope(input: SealInput): Promise<SealedEnvelope> {
  const payloadBytes = canonicalBytes(input.payload);
  const header: EnvelopeHeader = {
    v: 1,
    id: input.id,
    from: input.from,
    to: input.to,
    category: input.category,
    purpose: input.purpose,
    agreement: input.agreement,
    created: new Date(input.created).toISOString(),
    expires: new Date(input.expires).toISOString(),
    payloadHash: sha256Hex(payloadBytes),
  };
  const body = input.encryptTo
    ? {
        ...header,
        jwe: await encryptJwe(payloadBytes, input.encryptTo.key, {
          kid: input.encryptTo.kid,
          cty: 'json',
          eid: input.id,
        }),
      }
    : { ...header, payload: input.payload };
  const compact = await signJws(canonicalBytes(body), input.signingKey, { typ: ENVELOPE_JWS_TYPE });
  return { header, compact, hash: sha256Hex(compact), encrypted: input.encryptTo !== undefined };
}

/** An envelope read but not yet trusted: its claimed header and the signing key id. */
export interface ParsedEnvelope {
  compact: string;
  hash: string;
  kid: string;
  header: EnvelopeHeader;
  payload?: JsonValue;
  jwe?: string;
}

/**
 * Reads an envelope's structure, before any trust: size, JWS shape, header fields. Nothing here is believed until
 * {@link authenticateEnvelope} has checked the signature.
 *
 * @throws ConcordError `FEDERATION_ENVELOPE_TOO_LARGE`, `FEDERATION_ENVELOPE_MALFORMED`.
 */
export function parseEnvelope(compact: string, maxBytes = MAX_ENVELOPE_BYTES): ParsedEnvelope {
  if (typeof compact !== 'string') throw malformed('an envelope is a compact JWS string');
  if (Buffer.byteLength(compact) > maxBytes) {
    throw new ConcordError('FEDERATION_ENVELOPE_TOO_LARGE', `the envelope is larger than ${maxBytes} bytes`, {
      limit: maxBytes,
    });
  }
  const parts = compact.split('.');
  if (parts.length !== 3) throw malformed('a compact JWS has three parts');
  let protectedHeader: Record<string, unknown>;
  let body: Record<string, unknown>;
  try {
    protectedHeader = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    body = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw malformed('the JWS header or payload is not JSON');
  }
  if (protectedHeader.typ !== ENVELOPE_JWS_TYPE) throw malformed(`the JWS type is not ${ENVELOPE_JWS_TYPE}`);
  if (protectedHeader.alg !== 'EdDSA') throw malformed('envelopes are signed with EdDSA');
  if (typeof protectedHeader.kid !== 'string') throw malformed('the JWS header has no kid');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw malformed('the payload is not an object');
  const header = readHeader(body);
  const hasPayload = Object.hasOwn(body, 'payload');
  const hasJwe = typeof body.jwe === 'string';
  if (hasPayload === hasJwe) throw malformed('an envelope carries either "payload" or "jwe"');
  const known = new Set([...HEADER_FIELDS, 'payload', 'jwe']);
  const extra = Object.keys(body).find((k) => !known.has(k));
  if (extra !== undefined) throw malformed(`unknown envelope member "${extra}"`);
  return {
    compact,
    hash: sha256Hex(compact),
    kid: protectedHeader.kid,
    header,
    ...(hasPayload ? { payload: body.payload as JsonValue } : { jwe: body.jwe as string }),
  };
}

const HEADER_FIELDS = [
  'v',
  'id',
  'from',
  'to',
  'category',
  'purpose',
  'agreement',
  'created',
  'expires',
  'payloadHash',
] as const;

function readHeader(body: Record<string, unknown>): EnvelopeHeader {
  const text = (name: string, pattern: RegExp): string => {
    const value = body[name];
    if (typeof value !== 'string' || !pattern.test(value)) throw malformed(`header "${name}" is missing or malformed`);
    return value;
  };
  if (body.v !== 1) throw malformed('unsupported envelope version');
  const agreement = body.agreement;
  let parsedAgreement: EnvelopeHeader['agreement'] = null;
  if (agreement !== null) {
    const a = agreement as { id?: unknown; version?: unknown } | undefined;
    if (
      typeof a !== 'object' ||
      typeof a.id !== 'string' ||
      !ID.test(a.id) ||
      !Number.isInteger(a.version) ||
      Object.keys(a).length !== 2
    ) {
      throw malformed('header "agreement" is missing or malformed');
    }
    parsedAgreement = { id: a.id, version: a.version as number };
  }
  return {
    v: 1,
    id: text('id', ID),
    from: text('from', ADMINISTRATION),
    to: text('to', ADMINISTRATION),
    category: text('category', CATEGORY),
    purpose: text('purpose', PURPOSE),
    agreement: parsedAgreement,
    created: text('created', ISO_TIME),
    expires: text('expires', ISO_TIME),
    payloadHash: text('payloadHash', SHA256_HEX),
  };
}

/**
 * Checks who sent it: the plain payload against the signed hash (a payload changed in transit is named as such),
 * then the signature against the sender's key in the directory valid at the envelope's creation time.
 *
 * @throws ConcordError `FEDERATION_PAYLOAD_TAMPERED`, `FEDERATION_SENDER_UNKNOWN`, `FEDERATION_SENDER_INACTIVE`,
 *   `FEDERATION_KEY_UNKNOWN`, `FEDERATION_KEY_REVOKED`, `FEDERATION_KEY_NOT_VALID`, `FEDERATION_SIGNATURE_INVALID`.
 */
export async function authenticateEnvelope(envelope: ParsedEnvelope, directory: Directory): Promise<void> {
  if (envelope.payload !== undefined && sha256Hex(canonicalBytes(envelope.payload)) !== envelope.header.payloadHash) {
    throw new ConcordError('FEDERATION_PAYLOAD_TAMPERED', 'the payload does not match the hash the envelope carries', {
      envelopeId: envelope.header.id,
    });
  }
  const key = directory.signingKey(envelope.header.from, envelope.kid, Date.parse(envelope.header.created));
  try {
    await verifyJws(envelope.compact, key);
  } catch (error) {
    if (isConcordError(error, 'JWS_INVALID')) {
      throw new ConcordError(
        'FEDERATION_SIGNATURE_INVALID',
        `the signature of ${envelope.header.from} does not verify`,
        {
          envelopeId: envelope.header.id,
          kid: envelope.kid,
        },
      );
    }
    throw error;
  }
}

/**
 * Checks that the envelope is for us and current: addressed to `self`, created no later than `now + maxSkewMs`,
 * and not expired (with the same tolerance for the sender's clock).
 *
 * @throws ConcordError `FEDERATION_WRONG_RECIPIENT`, `FEDERATION_CLOCK_SKEW`, `FEDERATION_ENVELOPE_EXPIRED`.
 */
export function checkEnvelopeTiming(
  header: EnvelopeHeader,
  self: string,
  now: number,
  maxSkewMs = DEFAULT_MAX_SKEW_MS,
): void {
  if (header.to !== self) {
    throw new ConcordError('FEDERATION_WRONG_RECIPIENT', `the envelope is addressed to ${header.to}, not ${self}`, {
      to: header.to,
    });
  }
  const created = Date.parse(header.created);
  if (created > now + maxSkewMs) {
    throw new ConcordError(
      'FEDERATION_CLOCK_SKEW',
      `the envelope was created ${Math.round((created - now) / 1000)} s in our future; the tolerance is ${maxSkewMs / 1000} s`,
      { created: header.created, now: new Date(now).toISOString(), toleranceMs: maxSkewMs },
    );
  }
  if (Date.parse(header.expires) + maxSkewMs < now) {
    throw new ConcordError('FEDERATION_ENVELOPE_EXPIRED', `the envelope expired at ${header.expires}`, {
      expires: header.expires,
    });
  }
}

/**
 * The payload, decrypted when it travels as a JWE, checked against the signed hash.
 *
 * @throws ConcordError `FEDERATION_DECRYPTION_FAILED`, `FEDERATION_PAYLOAD_TAMPERED`, `FEDERATION_ENVELOPE_MALFORMED`.
 */
export async function unsealPayload(envelope: ParsedEnvelope, keys: readonly EncryptionKeyPair[]): Promise<JsonValue> {
  if (envelope.jwe === undefined) return envelope.payload!;
  const kid = jweKid(envelope.jwe);
  const key = keys.find((k) => k.kid === kid);
  if (!key) {
    throw new ConcordError(
      'FEDERATION_DECRYPTION_FAILED',
      `the payload is encrypted to key ${kid}, which this node does not hold`,
      {
        kid,
      },
    );
  }
  let plaintext: Uint8Array;
  try {
    const decrypted = await decryptJwe(envelope.jwe, key);
    if (decrypted.header.eid !== envelope.header.id) throw new Error('the JWE belongs to another envelope');
    plaintext = decrypted.plaintext;
  } catch (error) {
    throw new ConcordError('FEDERATION_DECRYPTION_FAILED', (error as Error).message, {
      envelopeId: envelope.header.id,
    });
  }
  if (sha256Hex(plaintext) !== envelope.header.payloadHash) {
    throw new ConcordError('FEDERATION_PAYLOAD_TAMPERED', 'the decrypted payload does not match the signed hash', {
      envelopeId: envelope.header.id,
    });
  }
  try {
    return JSON.parse(Buffer.from(plaintext).toString('utf8')) as JsonValue;
  } catch {
    throw malformed('the decrypted payload is not JSON');
  }
}

function jweKid(jwe: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(jwe.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

function malformed(message: string): ConcordError {
  return new ConcordError('FEDERATION_ENVELOPE_MALFORMED', message);
}

// ---- receipts

/** A receiver's signed answer to one envelope: accepted, or refused with a code. */
export interface Receipt {
  type: 'concord-receipt/1';
  /** The envelope's id; null when it was too malformed to have one. */
  envelopeId: string | null;
  /** SHA-256 (hex) of the envelope's compact form, as received. */
  envelopeHash: string;
  /** The receiver (who signs the receipt). */
  by: string;
  /** The claimed sender. */
  sender: string | null;
  status: 'accepted' | 'refused';
  code: string | null;
  message: string | null;
  at: string;
  /** What applying the envelope produced that the sender needs (a cosignature, a record id). */
  result: JsonValue;
}

export async function signReceipt(receipt: Receipt, key: SigningKeyPair): Promise<string> {
  return signJws(canonicalBytes(receipt), key, { typ: RECEIPT_JWS_TYPE });
}

/**
 * Verifies a receipt from `partner` about the envelope `envelopeHash`, with the partner's directory key valid at
 * the receipt's time.
 *
 * @throws ConcordError `FEDERATION_RECEIPT_INVALID`.
 */
export async function verifyReceipt(
  compact: string,
  directory: Directory,
  partner: string,
  envelopeHash: string,
): Promise<Receipt> {
  const invalid = (why: string) =>
    new ConcordError('FEDERATION_RECEIPT_INVALID', `receipt from ${partner}: ${why}`, { partner });
  let receipt: Receipt;
  let kid: string;
  try {
    const [h, p] = compact.split('.');
    kid = (JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')) as { kid: string }).kid;
    receipt = JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as Receipt;
  } catch {
    throw invalid('not a compact JWS');
  }
  if (receipt.type !== 'concord-receipt/1' || receipt.by !== partner) throw invalid('not a receipt by this partner');
  if (receipt.envelopeHash !== envelopeHash) throw invalid('it is about another envelope');
  let key;
  try {
    key = directory.signingKey(partner, kid, Date.parse(receipt.at));
  } catch (error) {
    throw invalid((error as Error).message);
  }
  try {
    const { header } = await verifyJws(compact, key);
    if (header.typ !== RECEIPT_JWS_TYPE) throw invalid('wrong JWS type');
  } catch (error) {
    if (isConcordError(error, 'FEDERATION_RECEIPT_INVALID')) throw error;
    throw invalid('the signature does not verify');
  }
  return receipt;
}

/** Reads a receipt's payload without checking it (for display of stored, already verified receipts). */
export function readReceipt(compact: string): Receipt {
  return JSON.parse(Buffer.from(compact.split('.')[1] ?? '', 'base64url').toString('utf8')) as Receipt;
}
