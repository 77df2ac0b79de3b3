/**
 * How a document becomes the SHA-256 the log anchors.
 *
 * - A JSON document: the SHA-256 of its RFC 8785 canonical form, so re-serializing it (key order, white space) does
 *   not change its hash.
 * - Any other file: the SHA-256 of its bytes.
 * - A *disclosable* JSON object: each top-level field gets a random salt and the hash
 *   SHA-256(RFC 8785 `[salt, name, value]`); the anchored hash is the SHA-256 of the RFC 8785 object of those field
 *   hashes (the *disclosure digest*). The holder keeps the salts and can later show only some fields: the hidden ones
 *   travel as their hashes, and the digest still recomputes. The salts keep a hidden low-entropy field (a country, a
 *   yes/no) from being guessed from its hash. This is the idea of SD-JWT (RFC 9901) on a plain JSON object.
 */
import { randomBytes } from 'node:crypto';
import { ConcordError, canonicalBytes, sha256Hex } from '../kernel/index.js';
import { decodeBase64, encodeBase64 } from './base64.js';

export const DISCLOSURE_FORMAT = 'concord-disclosure/v1';

/** A document shown field by field: disclosed fields with their salts, hidden ones by their hash only. */
export interface Disclosure {
  readonly format: typeof DISCLOSURE_FORMAT;
  readonly disclosed: Readonly<Record<string, { readonly salt: string; readonly value: unknown }>>;
  /** SHA-256 (hex) of each hidden field's `[salt, name, value]`. */
  readonly hidden: Readonly<Record<string, string>>;
}

/** The hashes a held file may have been anchored under: its bytes, its RFC 8785 form, its disclosure digest. */
export function documentHashesOf(bytes: Uint8Array): string[] {
  const hashes = [sha256Hex(bytes)];
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return hashes;
  }
  try {
    hashes.push(isDisclosure(value) ? disclosureDigest(value) : sha256Hex(canonicalBytes(value)));
  } catch {
    // Not canonicalizable (a number out of range): only the byte hash applies.
  }
  return hashes;
}

/** The hash the log anchors for a file: the RFC 8785 hash when it is JSON, else the hash of its bytes. */
export function anchorHashOf(bytes: Uint8Array): string {
  const hashes = documentHashesOf(bytes);
  return hashes[hashes.length - 1]!;
}

/**
 * Salts every top-level field of a JSON object and returns the full disclosure (every field shown), whose digest is
 * what to anchor.
 *
 * @throws ConcordError `REQUEST_INVALID` unless `document` is a non-empty JSON object.
 */
export function discloseAll(document: unknown): Disclosure {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new ConcordError('REQUEST_INVALID', 'a disclosable document is a JSON object');
  }
  const entries = Object.entries(document as Record<string, unknown>);
  if (entries.length === 0) throw new ConcordError('REQUEST_INVALID', 'a disclosable document has fields');
  const disclosed: Record<string, { salt: string; value: unknown }> = {};
  for (const [name, value] of entries) disclosed[name] = { salt: encodeBase64(randomBytes(16)), value };
  return { format: DISCLOSURE_FORMAT, disclosed, hidden: {} };
}

/**
 * Hides every field but `keep`; the digest is unchanged.
 *
 * @example
 * const shown = restrictDisclosure(full, ['origin', 'hsCode']);
 */
export function restrictDisclosure(disclosure: Disclosure, keep: readonly string[]): Disclosure {
  const disclosed: Record<string, { salt: string; value: unknown }> = {};
  const hidden: Record<string, string> = { ...disclosure.hidden };
  for (const [name, field] of Object.entries(disclosure.disclosed)) {
    if (keep.includes(name)) disclosed[name] = field;
    else hidden[name] = fieldHash(name, field.salt, field.value);
  }
  return { format: DISCLOSURE_FORMAT, disclosed, hidden };
}

/**
 * The digest a disclosure recomputes to.
 *
 * @throws ConcordError `REQUEST_INVALID` for a malformed salt, hash or a field both shown and hidden.
 */
export function disclosureDigest(disclosure: Disclosure): string {
  const hashes: Record<string, string> = {};
  for (const [name, field] of Object.entries(disclosure.disclosed)) {
    if (!decodeBase64(field.salt) || Object.hasOwn(disclosure.hidden, name)) {
      throw new ConcordError('REQUEST_INVALID', `field ${name} of the disclosure is malformed`);
    }
    hashes[name] = fieldHash(name, field.salt, field.value);
  }
  for (const [name, hash] of Object.entries(disclosure.hidden)) {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new ConcordError('REQUEST_INVALID', `hidden field ${name} is malformed`);
    hashes[name] = hash;
  }
  return sha256Hex(canonicalBytes(hashes));
}

export function isDisclosure(value: unknown): value is Disclosure {
  const d = value as Partial<Disclosure> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    d.format === DISCLOSURE_FORMAT &&
    typeof d.disclosed === 'object' &&
    d.disclosed !== null &&
    Object.values(d.disclosed).every((f) => typeof (f as { salt?: unknown } | null)?.salt === 'string') &&
    typeof d.hidden === 'object' &&
    d.hidden !== null &&
    Object.values(d.hidden).every((h) => typeof h === 'string')
  );
}

function fieldHash(name: string, salt: string, value: unknown): string {
  return sha256Hex(canonicalBytes([salt, name, value]));
}
