/**
 * The SHA-256 hashes a held file may have been anchored under, computed in the browser as the node computes them
 * (src/ledger/documents.ts): the hash of its bytes; for JSON, the hash of its RFC 8785 canonical form, so key order
 * and white space do not matter; for a `concord-disclosure/v1` document shown field by field, its disclosure digest.
 */
import { canonicalize } from './canonical-json.js';
import { decodeBase64 } from './ledger.js';

const DISCLOSURE_FORMAT = 'concord-disclosure/v1';
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(bytes)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function sha256OfCanonical(value: unknown): Promise<string> {
  return sha256Hex(utf8.encode(canonicalize(value)));
}

interface Disclosure {
  format: typeof DISCLOSURE_FORMAT;
  disclosed: Record<string, { salt: string; value: unknown }>;
  hidden: Record<string, string>;
}

function isDisclosure(value: unknown): value is Disclosure {
  const d = value as Partial<Disclosure> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    d.format === DISCLOSURE_FORMAT &&
    typeof d.disclosed === 'object' &&
    d.disclosed !== null &&
    Object.values(d.disclosed).every((field) => typeof (field as { salt?: unknown } | null)?.salt === 'string') &&
    typeof d.hidden === 'object' &&
    d.hidden !== null &&
    Object.values(d.hidden).every((hash) => typeof hash === 'string')
  );
}

/** SHA-256 of the RFC 8785 object of field hashes: each shown field's `[salt, name, value]`, each hidden one's hash. */
async function disclosureDigest(disclosure: Disclosure): Promise<string | undefined> {
  const hashes: Record<string, string> = {};
  for (const [name, field] of Object.entries(disclosure.disclosed)) {
    if (!decodeBase64(field.salt) || Object.hasOwn(disclosure.hidden, name)) return undefined;
    hashes[name] = await sha256OfCanonical([field.salt, name, field.value]);
  }
  for (const [name, hash] of Object.entries(disclosure.hidden)) {
    if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
    hashes[name] = hash;
  }
  return sha256OfCanonical(hashes);
}

/**
 * The hashes the file may be anchored under, the one the node anchors for such a file last (JSON: canonical form or
 * disclosure digest; anything else: its bytes).
 */
export async function documentHashesOf(bytes: Uint8Array): Promise<string[]> {
  const hashes = [await sha256Hex(bytes)];
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8.decode(bytes));
  } catch {
    return hashes;
  }
  try {
    const hash = isDisclosure(value) ? await disclosureDigest(value) : await sha256OfCanonical(value);
    if (hash && !hashes.includes(hash)) hashes.push(hash);
  } catch {
    // Not canonicalizable (a lone surrogate): only the byte hash applies.
  }
  return hashes;
}
