/**
 * Document verification bundles, and their offline check.
 *
 * A bundle is everything a holder needs to show that a document was anchored by its issuer and not revoked as of a
 * checkpoint: the anchoring entry's exact leaf bytes and inclusion proof, the revocation entry and its proof when
 * there is one, and the issuer's signed checkpoint with the cosignatures of its witnesses. It verifies against the
 * issuer's published note verifier key alone; no node is asked.
 *
 * Browser-safe: signatures are checked with WebCrypto's Ed25519 and hashes with `webCryptoHasher`, so the web console
 * verifies a bundle without a node. Only type-level imports reach outside this folder. A bundle proves the status
 * *as of its checkpoint*: a revocation logged after it is not in it, so a verifier that needs freshness fetches a new
 * bundle (or the latest checkpoint) from the issuer.
 */
import { decodeBase64 } from './base64.js';
import { bytesEqual, webCryptoHasher } from './hasher.js';
import { checkInclusionAsync } from './inclusion-proof.js';

export const BUNDLE_FORMAT = 'concord-document-bundle/v1';

/** One entry of the issuer's log with its inclusion proof to the bundle's checkpoint. */
export interface BundleEntry {
  readonly index: number;
  /** The entry's exact leaf bytes (RFC 8785 JSON), base64. */
  readonly entry: string;
  /** The inclusion path, base64 hashes (RFC 9162 §2.1.3.1 order). */
  readonly proof: readonly string[];
}

export interface DocumentBundle {
  readonly format: typeof BUNDLE_FORMAT;
  /** SHA-256 (hex) of the document, as anchored. */
  readonly documentHash: string;
  readonly anchor: BundleEntry;
  /** The `document.revoked` entry, when the document was revoked at the checkpoint's size. */
  readonly revocation: BundleEntry | null;
  /** The issuer's signed checkpoint (C2SP signed note) with its witnesses' cosignature lines. */
  readonly checkpoint: string;
}

export type BundleStatus = 'valid' | 'revoked' | 'expired' | 'tampered';

export interface BundleVerdict {
  readonly status: BundleStatus;
  /** A sentence for people. */
  readonly reason: string;
  readonly origin?: string;
  readonly treeSize?: number;
  readonly documentType?: string;
  readonly documentId?: string;
  readonly issuer?: string;
  readonly anchoredAt?: string;
  readonly validUntil?: string;
  readonly revokedAt?: string;
  readonly revocationReason?: string;
  /** Names of the witnesses whose cosignatures verified against `witnessKeys`. */
  readonly witnessedBy: readonly string[];
  /** Names on cosignature lines no given witness key covers (not verified). */
  readonly unverifiedCosigners: readonly string[];
}

export interface CheckBundleOptions {
  /** The issuer's note verifier key, `<name>+<key ID>+<base64(0x01 ‖ Ed25519 key)>`. */
  readonly logKey: string;
  /** Cosignature verifier keys (type 0x04) of witnesses the verifier trusts. */
  readonly witnessKeys?: readonly string[];
  /** The SHA-256 (hex) hashes of the document as held: its bytes, its RFC 8785 form, or its disclosure digest. */
  readonly documentHashes: readonly string[];
  /** Milliseconds since the epoch, for `validUntil` (default: now). */
  readonly now?: number;
}

interface ParsedKey {
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly type: number;
  readonly publicKey: Uint8Array;
}

interface SignatureLine {
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly signature: Uint8Array;
}

const utf8 = new TextEncoder();
const NOTE_ED25519 = 0x01;
const COSIGNATURE_V1 = 0x04;

class Tampered extends Error {}

/**
 * Verifies a bundle for a document offline. Fails closed: anything malformed, unsigned or unproven is `tampered`.
 *
 * @example
 * const verdict = await checkBundle(bundle, { logKey, documentHashes: [sha256Hex(fileBytes)] });
 * if (verdict.status !== 'valid') console.log(verdict.reason);
 */
export async function checkBundle(bundle: unknown, options: CheckBundleOptions): Promise<BundleVerdict> {
  const cosigners: { witnessedBy: string[]; unverifiedCosigners: string[] } = {
    witnessedBy: [],
    unverifiedCosigners: [],
  };
  try {
    return await check(bundle, options, cosigners);
  } catch (error) {
    if (!(error instanceof Tampered)) throw error;
    return { status: 'tampered', reason: error.message, ...cosigners };
  }
}

async function check(
  value: unknown,
  options: CheckBundleOptions,
  cosigners: { witnessedBy: string[]; unverifiedCosigners: string[] },
): Promise<BundleVerdict> {
  const bundle = parseBundle(value);
  const logKey = await parseKey(options.logKey, NOTE_ED25519);
  const { text, signatures } = parseSignedNote(bundle.checkpoint);
  const textBytes = utf8.encode(text);
  const own = signatures.filter((s) => s.name === logKey.name && bytesEqual(s.keyId, logKey.keyId));
  if (own.length === 0) throw new Tampered(`the checkpoint carries no signature by ${logKey.name}`);
  for (const line of own) {
    if (!(await verifyEd25519(logKey.publicKey, line.signature, textBytes))) {
      throw new Tampered(`the checkpoint signature of ${logKey.name} does not verify`);
    }
  }
  const checkpoint = parseCheckpointText(text);
  if (checkpoint.origin !== logKey.name) {
    throw new Tampered(`the checkpoint is for ${checkpoint.origin}, not ${logKey.name}`);
  }

  const witnessKeys = await Promise.all((options.witnessKeys ?? []).map((k) => parseKey(k, COSIGNATURE_V1)));
  for (const line of signatures) {
    if (line.name === logKey.name && bytesEqual(line.keyId, logKey.keyId)) continue;
    const key = witnessKeys.find((k) => k.name === line.name && bytesEqual(k.keyId, line.keyId));
    if (!key) {
      cosigners.unverifiedCosigners.push(line.name);
      continue;
    }
    if (line.signature.length !== 72) throw new Tampered(`the cosignature of ${line.name} is malformed`);
    const header = utf8.encode(`cosignature/v1\ntime ${readUint64(line.signature)}\n`);
    const message = new Uint8Array(header.length + textBytes.length);
    message.set(header);
    message.set(textBytes, header.length);
    if (!(await verifyEd25519(key.publicKey, line.signature.subarray(8), message))) {
      throw new Tampered(`the cosignature of ${line.name} does not verify`);
    }
    if (!cosigners.witnessedBy.includes(line.name)) cosigners.witnessedBy.push(line.name);
  }

  const anchor = await provenEntry(bundle.anchor, checkpoint, 'document.anchored');
  if (anchor.documentHash !== bundle.documentHash) throw new Tampered('the anchoring entry names another document');
  if (!options.documentHashes.includes(bundle.documentHash)) {
    throw new Tampered(`the document's hash is not the anchored ${bundle.documentHash}`);
  }
  const facts = {
    origin: checkpoint.origin,
    treeSize: checkpoint.size,
    documentType: stringField(anchor, 'documentType'),
    documentId: stringField(anchor, 'documentId'),
    issuer: stringField(anchor, 'issuer'),
    anchoredAt: stringField(anchor, 'at'),
    ...(typeof anchor.validUntil === 'string' ? { validUntil: anchor.validUntil } : {}),
    ...cosigners,
  };
  if (bundle.revocation) {
    const revoked = await provenEntry(bundle.revocation, checkpoint, 'document.revoked');
    if (revoked.documentHash !== bundle.documentHash) throw new Tampered('the revocation entry names another document');
    return {
      status: 'revoked',
      reason: `revoked at ${stringField(revoked, 'at')} (${stringField(revoked, 'reason')})`,
      revokedAt: stringField(revoked, 'at'),
      revocationReason: stringField(revoked, 'reason'),
      ...facts,
    };
  }
  if (typeof anchor.validUntil === 'string' && Date.parse(anchor.validUntil) < (options.now ?? Date.now())) {
    return { status: 'expired', reason: `valid until ${anchor.validUntil}`, ...facts };
  }
  const witnessed = cosigners.witnessedBy.length > 0 ? `, witnessed by ${cosigners.witnessedBy.join(' and ')}` : '';
  return {
    status: 'valid',
    reason: `anchored by ${checkpoint.origin} at entry ${bundle.anchor.index} of ${checkpoint.size}${witnessed}`,
    ...facts,
  };
}

async function provenEntry(
  part: BundleEntry,
  checkpoint: { size: number; rootHash: Uint8Array },
  type: string,
): Promise<Record<string, unknown>> {
  const bytes = decodeBase64(part.entry);
  if (!bytes) throw new Tampered(`the ${type} entry is not base64`);
  const hashes = part.proof.map((h) => decodeBase64(h));
  if (hashes.some((h) => h === undefined)) throw new Tampered(`the ${type} proof is not base64`);
  const leafHash = await webCryptoHasher.hashLeaf(bytes);
  const verdict = await checkInclusionAsync(
    webCryptoHasher,
    { leafIndex: part.index, treeSize: checkpoint.size, hashes: hashes as Uint8Array[] },
    leafHash,
    checkpoint.rootHash,
  );
  if (!verdict.ok) throw new Tampered(`the ${type} entry is not in the checkpoint's tree: ${verdict.reason}`);
  let entry: unknown;
  try {
    entry = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new Tampered(`the ${type} entry is not UTF-8 JSON`);
  }
  if (typeof entry !== 'object' || entry === null || (entry as { type?: unknown }).type !== type) {
    throw new Tampered(`entry ${part.index} is not a ${type} entry`);
  }
  return entry as Record<string, unknown>;
}

function stringField(entry: Record<string, unknown>, name: string): string {
  const value = entry[name];
  if (typeof value !== 'string') throw new Tampered(`the entry has no ${name}`);
  return value;
}

function parseBundle(value: unknown): DocumentBundle {
  const b = value as Partial<DocumentBundle> | null;
  const isEntry = (e: unknown): e is BundleEntry => {
    const x = e as Partial<BundleEntry> | null;
    return (
      typeof x === 'object' &&
      x !== null &&
      Number.isSafeInteger(x.index) &&
      typeof x.entry === 'string' &&
      Array.isArray(x.proof) &&
      x.proof.every((h) => typeof h === 'string')
    );
  };
  if (
    typeof b !== 'object' ||
    b === null ||
    b.format !== BUNDLE_FORMAT ||
    typeof b.documentHash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(b.documentHash) ||
    typeof b.checkpoint !== 'string' ||
    !isEntry(b.anchor) ||
    !(b.revocation === null || isEntry(b.revocation))
  ) {
    throw new Tampered(`not a ${BUNDLE_FORMAT} bundle`);
  }
  return b as DocumentBundle;
}

/** A signed-note verifier key of the expected type (signed-note "vkey"), with its key ID checked. */
async function parseKey(vkey: string, type: number): Promise<ParsedKey> {
  const [name, id, ...rest] = vkey.trim().split('+');
  const material = decodeBase64(rest.join('+'));
  if (!name || !id || !/^[0-9a-f]{8}$/.test(id) || !material || material.length !== 33 || material[0] !== type) {
    throw new Tampered(`${vkey.slice(0, 80)} is not a verifier key of type 0x0${type}`);
  }
  const keyId = await keyIdOf(name, material);
  if (hex(keyId) !== id) throw new Tampered(`the key ID of ${name} does not match its key`);
  return { name, keyId, type, publicKey: material.subarray(1) };
}

/** SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4] (signed-note key IDs). */
async function keyIdOf(name: string, material: Uint8Array): Promise<Uint8Array> {
  const prefix = utf8.encode(`${name}\n`);
  const input = new Uint8Array(prefix.length + material.length);
  input.set(prefix);
  input.set(material, prefix.length);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', input)).subarray(0, 4);
}

function parseSignedNote(note: string): { text: string; signatures: SignatureLine[] } {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new Tampered('the checkpoint is not a signed note');
  const text = note.slice(0, split + 1);
  const signatures = note
    .slice(split + 2, -1)
    .split('\n')
    .map((line) => {
      const match = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
      const bytes = match ? decodeBase64(match[2]!) : undefined;
      if (!match || !bytes || bytes.length < 5) throw new Tampered('a signature line of the checkpoint is malformed');
      return { name: match[1]!, keyId: bytes.subarray(0, 4), signature: bytes.subarray(4) };
    });
  return { text, signatures };
}

function parseCheckpointText(text: string): { origin: string; size: number; rootHash: Uint8Array } {
  const [origin, size, root] = text.split('\n');
  const rootHash = root === undefined ? undefined : decodeBase64(root);
  if (!origin || !size || !/^(?:0|[1-9][0-9]*)$/.test(size) || !rootHash || rootHash.length !== 32) {
    throw new Tampered('the checkpoint text is malformed');
  }
  return { origin, size: Number(size), rootHash };
}

async function verifyEd25519(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey('raw', copy(publicKey), { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, copy(signature), copy(message));
  } catch {
    return false;
  }
}

/** A copy backed by a plain ArrayBuffer, as WebCrypto's types require. */
function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

function readUint64(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0);
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}
