/**
 * Verifies a document against its bundle in the browser. The verdict is the ledger's own `checkBundle`
 * (src/ledger/bundle.ts, run here on WebCrypto); around it, the three checks a person wants named when something is
 * wrong — the checkpoint's signature by the issuer's key, the inclusion proofs, the document's hash — are run one by
 * one, so a `tampered` verdict says which of them failed.
 */
import { documentHashesOf } from './document-hashes.js';
import { checkBundle, decodeBase64, type BundleVerdict, type DocumentBundle } from './ledger.js';
import { checkEntryInclusion } from './log-proofs.js';
import { checkNoteSignature, parseCheckpointBody, parseSignedNote, parseVerifierKey } from './signed-note.js';

export const DOCUMENT_CHECKS = ['signature', 'inclusion', 'documentHash'] as const;
export type DocumentCheck = (typeof DOCUMENT_CHECKS)[number];

/** `passed`/`failed`, or `skipped` when an earlier failure left nothing to check it against. */
export type CheckOutcome = 'passed' | 'failed' | 'skipped';

export interface DocumentVerification {
  readonly verdict: BundleVerdict;
  readonly checks: Readonly<Record<DocumentCheck, CheckOutcome>>;
  /** The first check that failed; `bundle` when the bundle or the key cannot be read at all. */
  readonly failed: DocumentCheck | 'bundle' | 'key' | undefined;
  /** Whether this browser could check Ed25519 signatures at all. */
  readonly ed25519: boolean;
  readonly documentHashes: readonly string[];
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The bundle file's JSON, or undefined when it is not JSON. */
export function readBundleFile(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(strictUtf8.decode(bytes));
  } catch {
    return undefined;
  }
}

function isBundleShaped(value: unknown): value is DocumentBundle {
  const b = value as Partial<DocumentBundle> | null;
  return (
    typeof b === 'object' &&
    b !== null &&
    typeof b.checkpoint === 'string' &&
    typeof b.documentHash === 'string' &&
    typeof b.anchor === 'object' &&
    b.anchor !== null
  );
}

/** Runs the three checks one by one; each later check only runs once the earlier ones passed. */
async function runChecks(
  bundle: DocumentBundle,
  verifierKey: string,
  documentHashes: readonly string[],
): Promise<Pick<DocumentVerification, 'checks' | 'failed' | 'ed25519'>> {
  const checks: Record<DocumentCheck, CheckOutcome> = {
    signature: 'skipped',
    inclusion: 'skipped',
    documentHash: 'skipped',
  };
  const key = await parseVerifierKey(verifierKey);
  if (!key) return { checks, failed: 'key', ed25519: true };
  const note = parseSignedNote(bundle.checkpoint);
  const body = note ? parseCheckpointBody(note.text) : undefined;
  if (!note || !body) return { checks: { ...checks, signature: 'failed' }, failed: 'signature', ed25519: true };

  const signature = await checkNoteSignature(note, key);
  if (signature.status === 'unsupported') return { checks, failed: undefined, ed25519: false };
  checks.signature = signature.status === 'valid' && body.origin === key.name ? 'passed' : 'failed';
  if (checks.signature === 'failed') return { checks, failed: 'signature', ed25519: true };

  for (const part of [bundle.anchor, bundle.revocation]) {
    if (!part) continue;
    const bytes = typeof part.entry === 'string' ? decodeBase64(part.entry) : undefined;
    const proof = { index: part.index, size: body.size, hashes: Array.isArray(part.proof) ? part.proof : [] };
    const verdict = bytes ? await checkEntryInclusion(bytes, part.index, proof, body) : undefined;
    if (!verdict?.ok) return { checks: { ...checks, inclusion: 'failed' }, failed: 'inclusion', ed25519: true };
  }
  checks.inclusion = 'passed';

  // The document must hash to the bundle's hash, and the anchoring entry must name that same hash.
  const anchored = anchoredHash(bundle);
  const matches = anchored === bundle.documentHash && documentHashes.includes(bundle.documentHash);
  checks.documentHash = matches ? 'passed' : 'failed';
  return { checks, failed: matches ? undefined : 'documentHash', ed25519: true };
}

function anchoredHash(bundle: DocumentBundle): string | undefined {
  const bytes = decodeBase64(bundle.anchor.entry);
  if (!bytes) return undefined;
  try {
    const entry = JSON.parse(strictUtf8.decode(bytes)) as { documentHash?: unknown };
    return typeof entry.documentHash === 'string' ? entry.documentHash : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies `document` (the file as held) against `bundle` (its parsed bundle file) and the issuer's note verifier
 * key.
 *
 * @example
 * const result = await verifyDocument(fileBytes, JSON.parse(bundleText), 'concord.nl/log+1a2b3c4d+AQ…');
 * if (result.verdict.status === 'tampered') show(result.failed);
 */
export async function verifyDocument(
  document: Uint8Array,
  bundle: unknown,
  verifierKey: string,
): Promise<DocumentVerification> {
  const documentHashes = await documentHashesOf(document);
  const verdict = await checkBundle(bundle, { logKey: verifierKey.trim(), documentHashes });
  const none: Record<DocumentCheck, CheckOutcome> = {
    signature: 'skipped',
    inclusion: 'skipped',
    documentHash: 'skipped',
  };
  if (!isBundleShaped(bundle)) return { verdict, checks: none, failed: 'bundle', ed25519: true, documentHashes };
  const detail = await runChecks(bundle, verifierKey, documentHashes);
  // The verdict decides; a tampered bundle whose three checks all pass is malformed in some other way.
  const failed = verdict.status === 'tampered' ? (detail.failed ?? 'bundle') : undefined;
  return { verdict, checks: detail.checks, failed, ed25519: detail.ed25519, documentHashes };
}
