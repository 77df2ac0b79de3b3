import { ConcordError, type PublicJwk, type SigningKeyPair } from '../kernel/index.js';
import {
  type DirectoryDocument,
  type DirectoryKey,
  type DirectoryMember,
  parseDirectoryDocument,
} from './directory.js';

/** What a node publishes about itself for the directory: `concord directory add-member` reads it from the node. */
export interface MemberInput {
  id: string;
  name: string;
  endpoint: string;
  signing: readonly PublicJwk[];
  encryption: readonly PublicJwk[];
  log?: { origin: string; key: string; witnessKey: string } | undefined;
  location?: { lat: number; lon: number } | undefined;
  /** When the keys become valid; default now. */
  notBefore?: string | undefined;
}

function key(jwk: PublicJwk, use: 'sig' | 'enc', notBefore: string): DirectoryKey {
  if (!jwk.kid) throw new ConcordError('KEY_INVALID', 'a directory key needs its kid (thumbprint)');
  return { kid: jwk.kid, use, jwk: { kty: 'OKP', crv: jwk.crv, x: jwk.x, kid: jwk.kid }, notBefore };
}

export function memberEntry(input: MemberInput): DirectoryMember {
  const notBefore = input.notBefore ?? new Date().toISOString();
  return {
    id: input.id,
    name: input.name,
    endpoint: input.endpoint.replace(/\/+$/, ''),
    status: 'active',
    keys: [
      ...input.signing.map((k) => key(k, 'sig', notBefore)),
      ...input.encryption.map((k) => key(k, 'enc', notBefore)),
    ],
    ...(input.log ? { log: input.log } : {}),
    ...(input.location ? { location: input.location } : {}),
  };
}

/** A first directory (version 1) for a network, governed by `governance` keys with an m-of-n `threshold`. */
export function newDirectory(input: {
  network: string;
  threshold: number;
  governance: readonly { name: string; key: Pick<SigningKeyPair, 'kid' | 'publicJwk'> }[];
  members?: readonly DirectoryMember[];
  issuedAt?: string;
}): DirectoryDocument {
  return parseDirectoryDocument({
    format: 'concord-directory/1',
    network: input.network,
    version: 1,
    issuedAt: input.issuedAt ?? new Date().toISOString(),
    governance: {
      threshold: input.threshold,
      keys: input.governance.map((g) => ({
        kid: g.key.kid,
        name: g.name,
        jwk: { kty: 'OKP', crv: 'Ed25519', x: g.key.publicJwk.x, kid: g.key.kid },
      })),
    },
    members: input.members ?? [],
  });
}

/** The next version: `change` edits a copy; version and issue time move on; the result is checked. */
export function nextDirectory(
  current: DirectoryDocument,
  change: (draft: DirectoryDocument) => void,
  issuedAt = new Date().toISOString(),
): DirectoryDocument {
  const draft = structuredClone(current) as DirectoryDocument;
  change(draft);
  draft.version = current.version + 1;
  draft.issuedAt = issuedAt;
  return parseDirectoryDocument(draft);
}

/** Adds a member, or replaces the member with the same id. */
export function withMember(document: DirectoryDocument, member: DirectoryMember): DirectoryDocument {
  return nextDirectory(document, (draft) => {
    draft.members = [...draft.members.filter((m) => m.id !== member.id), member].sort((a, b) =>
      a.id.localeCompare(b.id),
    );
  });
}

/**
 * Rotates a member's key of `use`: the new key is valid from `at`, the old current ones until `at + overlapMs`, so
 * envelopes signed just before the switch (or sealed to the old key) still verify while the new directory spreads.
 */
export function withRotatedKey(
  document: DirectoryDocument,
  memberId: string,
  jwk: PublicJwk,
  options: { use: 'sig' | 'enc'; at?: number; overlapMs?: number },
): DirectoryDocument {
  const at = options.at ?? Date.now();
  const overlap = options.overlapMs ?? 7 * 86_400_000;
  return nextDirectory(document, (draft) => {
    const member = draft.members.find((m) => m.id === memberId);
    if (!member) throw new ConcordError('FEDERATION_MEMBER_UNKNOWN', `${memberId} is not in the directory`);
    for (const k of member.keys) {
      if (k.use === options.use && !k.revoked && k.notAfter === undefined) {
        k.notAfter = new Date(at + overlap).toISOString();
      }
    }
    member.keys.push(key(jwk, options.use, new Date(at).toISOString()));
  });
}

/** Revokes a member's key: refused for everything from the next refresh on. */
export function withRevokedKey(
  document: DirectoryDocument,
  memberId: string,
  kid: string,
  reason: string,
  at = new Date().toISOString(),
): DirectoryDocument {
  return nextDirectory(document, (draft) => {
    const k = draft.members.find((m) => m.id === memberId)?.keys.find((x) => x.kid === kid);
    if (!k) throw new ConcordError('FEDERATION_MEMBER_UNKNOWN', `${memberId} has no key ${kid}`);
    k.revoked = { at, reason };
  });
}
