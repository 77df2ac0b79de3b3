import { canonicalBytes, signBytes, type SigningKeyPair, verifyBytes } from '../kernel/index.js';
import type { AgreementDocument } from './document.js';
import type { PartyKey } from './party-registry.js';

/** A party's signature on one version: Ed25519 (RFC 8032) over the version's RFC 8785 canonical bytes. */
export interface AgreementSignature {
  party: string;
  kid: string;
  /** 64 bytes, base64url. */
  signature: string;
  signedAt: string;
}

/**
 * Signs a version with an administration's key.
 *
 * @example
 * const { kid, signature } = signAgreement(document, node.keys.signing);
 */
export function signAgreement(document: AgreementDocument, key: SigningKeyPair): { kid: string; signature: string } {
  return { kid: key.kid, signature: signBytes(canonicalBytes(document), key).toString('base64url') };
}

/**
 * The key among `keys` under which `signature` verifies over the document, or null. With `kid`, only that key is
 * tried. A signature that is not 64 bytes of canonical base64url never verifies.
 */
export function verifyAgreementSignature(
  document: AgreementDocument,
  signature: string,
  keys: readonly PartyKey[],
  kid?: string,
): PartyKey | null {
  return verifyOver(canonicalBytes(document), signature, keys, kid);
}

/**
 * A party's notice that it suspends, resumes or terminates an agreement, signed so that a partner's notice can be
 * checked before it stops (or restarts) an exchange. The `purpose` member keeps a notice signature from being
 * valid as anything else.
 */
export interface LifecycleNotice {
  agreementId: string;
  action: 'suspend' | 'resume' | 'terminate';
  party: string;
  at: string;
  reason: string;
}

export interface SignedNotice extends LifecycleNotice {
  kid: string;
  signature: string;
}

export const NOTICE_PURPOSE = 'concord/agreement-notice/v1';

export function signNotice(notice: LifecycleNotice, key: SigningKeyPair): SignedNotice {
  const bytes = canonicalBytes({ purpose: NOTICE_PURPOSE, ...pickNotice(notice) });
  return { ...pickNotice(notice), kid: key.kid, signature: signBytes(bytes, key).toString('base64url') };
}

export function verifyNotice(notice: SignedNotice, keys: readonly PartyKey[]): PartyKey | null {
  return verifyOver(
    canonicalBytes({ purpose: NOTICE_PURPOSE, ...pickNotice(notice) }),
    notice.signature,
    keys,
    notice.kid,
  );
}

function pickNotice(notice: LifecycleNotice): LifecycleNotice {
  const { agreementId, action, party, at, reason } = notice;
  return { agreementId, action, party, at, reason };
}

function verifyOver(bytes: Buffer, signature: string, keys: readonly PartyKey[], kid?: string): PartyKey | null {
  if (!/^[A-Za-z0-9_-]{86}$/.test(signature)) return null;
  const raw = Buffer.from(signature, 'base64url');
  if (raw.length !== 64 || raw.toString('base64url') !== signature) return null;
  for (const key of keys) {
    if (kid !== undefined && key.kid !== kid) continue;
    if (verifyBytes(bytes, raw, key.publicKey)) return key;
  }
  return null;
}
