import type { KeyObject } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { flattenedVerify, GeneralSign, type GeneralJWS } from 'jose';
import {
  canonicalBytes,
  ConcordError,
  jwkThumbprint,
  publicKeyFromJwk,
  sha256Hex,
  type SigningKeyPair,
} from '../kernel/index.js';

/**
 * The directory: who takes part in the network, where their nodes answer, and which keys speak for them. It is one
 * JSON document, versioned, signed by a governance key set (m of n) as a JWS in the General JSON serialization
 * (RFC 7515 §7.2.1) over the document's RFC 8785 bytes. A node trusts a partner's key only through it.
 */

const IsoTime = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$' });
const Administration = Type.String({ pattern: '^[A-Z]{2}(-[A-Z0-9]{1,8})?$' });
const Kid = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'RFC 7638 thumbprint' });
const OkpJwk = Type.Object(
  {
    kty: Type.Literal('OKP'),
    crv: Type.Union([Type.Literal('Ed25519'), Type.Literal('X25519')]),
    x: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
    kid: Type.Optional(Kid),
  },
  { additionalProperties: false },
);

export const DirectoryKeySchema = Type.Object(
  {
    kid: Kid,
    /** `sig`: Ed25519, signs envelopes and receipts; `enc`: X25519, receives JWE. */
    use: Type.Union([Type.Literal('sig'), Type.Literal('enc')]),
    jwk: OkpJwk,
    notBefore: IsoTime,
    notAfter: Type.Optional(IsoTime),
    /** A revoked key is refused for everything, whatever the envelope's creation time claims. */
    revoked: Type.Optional(
      Type.Object(
        { at: IsoTime, reason: Type.String({ minLength: 1, maxLength: 300 }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const DirectoryMemberSchema = Type.Object(
  {
    id: Administration,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    /** The node's base URL; envelopes go to `{endpoint}/federation/v1/envelopes`. */
    endpoint: Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 500 }),
    status: Type.Union([Type.Literal('active'), Type.Literal('suspended'), Type.Literal('revoked')]),
    keys: Type.Array(DirectoryKeySchema, { minItems: 1, maxItems: 20 }),
    /**
     * The member's tamper-evident log: its origin, its note verifier key (checkpoints) and its witness's
     * cosignature verifier key. Partners witness each other's logs with these keys and no others.
     */
    log: Type.Optional(
      Type.Object(
        {
          origin: Type.String({ minLength: 1, maxLength: 200 }),
          key: Type.String({ minLength: 1, maxLength: 300 }),
          witnessKey: Type.String({ minLength: 1, maxLength: 300 }),
        },
        { additionalProperties: false },
      ),
    ),
    /** Where to draw the administration on the partner map. */
    location: Type.Optional(
      Type.Object(
        { lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const GovernanceSchema = Type.Object(
  {
    /** How many distinct governance keys must sign the next version. */
    threshold: Type.Integer({ minimum: 1, maximum: 20 }),
    keys: Type.Array(
      Type.Object(
        { kid: Kid, name: Type.String({ minLength: 1, maxLength: 200 }), jwk: OkpJwk },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 20 },
    ),
  },
  { additionalProperties: false },
);

export const DirectoryDocumentSchema = Type.Object(
  {
    format: Type.Literal('concord-directory/1'),
    /** The network's name: a directory of one network never replaces another's. */
    network: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }),
    version: Type.Integer({ minimum: 1 }),
    issuedAt: IsoTime,
    /** Nodes refresh before this; past it, the directory is still used but reported stale. */
    nextUpdate: Type.Optional(IsoTime),
    governance: GovernanceSchema,
    members: Type.Array(DirectoryMemberSchema, { maxItems: 500 }),
  },
  { additionalProperties: false },
);

export type DirectoryKey = Static<typeof DirectoryKeySchema>;
export type DirectoryMember = Static<typeof DirectoryMemberSchema>;
export type Governance = Static<typeof GovernanceSchema>;
export type DirectoryDocument = Static<typeof DirectoryDocumentSchema>;

/** A directory as distributed: the document and its governance signatures. */
export interface SignedDirectory {
  document: DirectoryDocument;
  jws: GeneralJWS;
}

export const DIRECTORY_JWS_TYPE = 'concord-directory+jws';

const checkDocument = TypeCompiler.Compile(DirectoryDocumentSchema);

/**
 * Parses and checks a directory document: its schema, then what a schema cannot say (unique members, every key's
 * `kid` its thumbprint and its curve matching its use, governance threshold reachable).
 *
 * @throws ConcordError `FEDERATION_DIRECTORY_INVALID` with a JSON Pointer.
 */
export function parseDirectoryDocument(value: unknown): DirectoryDocument {
  if (!checkDocument.Check(value)) {
    const first = checkDocument.Errors(value).First();
    throw new ConcordError(
      'FEDERATION_DIRECTORY_INVALID',
      `directory: ${first?.message ?? 'invalid'} at ${first?.path || '/'}`,
      {
        pointer: first?.path ?? '',
      },
    );
  }
  const doc = value;
  const invalid = (message: string, pointer: string) =>
    new ConcordError('FEDERATION_DIRECTORY_INVALID', `directory: ${message}`, { pointer });
  if (doc.governance.threshold > doc.governance.keys.length) {
    throw invalid('the governance threshold is larger than the number of governance keys', '/governance/threshold');
  }
  const governanceKids = new Set<string>();
  doc.governance.keys.forEach((key, i) => {
    if (key.jwk.crv !== 'Ed25519') throw invalid('governance keys are Ed25519', `/governance/keys/${i}/jwk/crv`);
    if (key.kid !== jwkThumbprint(key.jwk)) throw invalid('kid is not the key thumbprint', `/governance/keys/${i}/kid`);
    if (governanceKids.has(key.kid)) throw invalid('a governance key is listed twice', `/governance/keys/${i}`);
    governanceKids.add(key.kid);
  });
  const ids = new Set<string>();
  doc.members.forEach((member, m) => {
    if (ids.has(member.id)) throw invalid(`member ${member.id} is listed twice`, `/members/${m}/id`);
    ids.add(member.id);
    const kids = new Set<string>();
    member.keys.forEach((key, k) => {
      const pointer = `/members/${m}/keys/${k}`;
      if (key.jwk.crv !== (key.use === 'sig' ? 'Ed25519' : 'X25519')) {
        throw invalid(`a ${key.use} key must be ${key.use === 'sig' ? 'Ed25519' : 'X25519'}`, `${pointer}/jwk/crv`);
      }
      if (key.kid !== jwkThumbprint(key.jwk)) throw invalid('kid is not the key thumbprint', `${pointer}/kid`);
      if (kids.has(key.kid)) throw invalid('a key is listed twice', pointer);
      kids.add(key.kid);
      if (key.notAfter !== undefined && Date.parse(key.notAfter) <= Date.parse(key.notBefore)) {
        throw invalid('notAfter is not after notBefore', `${pointer}/notAfter`);
      }
    });
  });
  return doc;
}

/** SHA-256 (hex) of the document's RFC 8785 bytes: what the governance signs. */
export function directoryHash(document: DirectoryDocument): string {
  return sha256Hex(canonicalBytes(document));
}

/**
 * Signs a directory document with one governance key, adding to the signatures it already has (a second signer
 * passes the first signer's `SignedDirectory`).
 *
 * @throws ConcordError `FEDERATION_DIRECTORY_INVALID` when the key is not one of the document's governance keys, or
 *   when `previous` signs another document.
 */
export async function signDirectory(
  document: DirectoryDocument | SignedDirectory,
  key: SigningKeyPair,
): Promise<SignedDirectory> {
  const signed = 'jws' in document ? document : null;
  const doc = parseDirectoryDocument(signed ? signed.document : document);
  if (!doc.governance.keys.some((g) => g.kid === key.kid)) {
    throw new ConcordError('FEDERATION_DIRECTORY_INVALID', `key ${key.kid} is not a governance key of this directory`, {
      kid: key.kid,
    });
  }
  const payload = canonicalBytes(doc);
  const payloadB64 = payload.toString('base64url');
  if (signed && signed.jws.payload !== payloadB64) {
    throw new ConcordError('FEDERATION_DIRECTORY_INVALID', 'the signatures are over another document');
  }
  const mine = await new GeneralSign(payload)
    .addSignature(key.privateKey)
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: DIRECTORY_JWS_TYPE })
    .sign();
  const others = (signed?.jws.signatures ?? []).filter((s) => signatureKid(s) !== key.kid);
  return { document: doc, jws: { payload: payloadB64, signatures: [...others, ...mine.signatures] } };
}

/**
 * Verifies a distributed directory against the governance a node already trusts (the installed directory's, or
 * the one configured at bootstrap): at least `threshold` distinct trusted keys must have signed the exact bytes.
 * Returns the document and the kids that signed.
 *
 * @throws ConcordError `FEDERATION_DIRECTORY_INVALID` (malformed), `FEDERATION_DIRECTORY_UNTRUSTED` (too few valid
 *   signatures by trusted keys).
 */
export async function verifyDirectory(
  value: unknown,
  trusted: Governance,
): Promise<{ document: DirectoryDocument; signers: string[] }> {
  const signed = value as Partial<SignedDirectory> | null;
  const jws = signed?.jws;
  if (
    typeof jws !== 'object' ||
    jws === null ||
    typeof jws.payload !== 'string' ||
    !Array.isArray(jws.signatures) ||
    jws.signatures.length > 50
  ) {
    throw new ConcordError('FEDERATION_DIRECTORY_INVALID', 'a signed directory has a General JSON JWS in "jws"');
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new ConcordError('FEDERATION_DIRECTORY_INVALID', 'the signed payload is not JSON', undefined, { cause });
  }
  const document = parseDirectoryDocument(decoded);
  if (!canonicalBytes(document).equals(Buffer.from(jws.payload, 'base64url'))) {
    throw new ConcordError('FEDERATION_DIRECTORY_INVALID', 'the signed payload is not in RFC 8785 canonical form');
  }
  const keys = new Map(trusted.keys.map((k) => [k.kid, k.jwk]));
  const signers = new Set<string>();
  for (const signature of jws.signatures) {
    const kid = signatureKid(signature);
    const jwk = kid === undefined ? undefined : keys.get(kid);
    if (!jwk || signers.has(kid!)) continue;
    try {
      const { protectedHeader } = await flattenedVerify(
        { payload: jws.payload, protected: signature.protected, signature: signature.signature },
        publicKeyFromJwk(jwk, 'Ed25519'),
        { algorithms: ['EdDSA'] },
      );
      if (protectedHeader?.kid === kid && protectedHeader?.typ === DIRECTORY_JWS_TYPE) signers.add(kid!);
    } catch {
      // a bad signature counts for nothing; too few good ones fail below
    }
  }
  if (signers.size < trusted.threshold) {
    throw new ConcordError(
      'FEDERATION_DIRECTORY_UNTRUSTED',
      `directory version ${document.version} has ${signers.size} valid governance signature(s); ${trusted.threshold} required`,
      { signers: [...signers], threshold: trusted.threshold },
    );
  }
  return { document, signers: [...signers] };
}

function signatureKid(signature: { protected?: string | undefined }): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(signature.protected ?? '', 'base64url').toString('utf8')) as {
      kid?: unknown;
    };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A verified directory, with the lookups envelopes need: which key of which member was valid at a moment, and
 * which encryption key to seal to now.
 */
export class Directory {
  private readonly byId: Map<string, DirectoryMember>;
  private readonly keyCache = new Map<string, KeyObject>();

  constructor(readonly document: DirectoryDocument) {
    this.byId = new Map(document.members.map((m) => [m.id, m]));
  }

  get version(): number {
    return this.document.version;
  }

  members(): readonly DirectoryMember[] {
    return this.document.members;
  }

  member(id: string): DirectoryMember | undefined {
    return this.byId.get(id);
  }

  /**
   * The Ed25519 key `kid` of `memberId`, when it may sign something created at `at` (Unix ms).
   *
   * @throws ConcordError `FEDERATION_SENDER_UNKNOWN`, `FEDERATION_SENDER_INACTIVE`, `FEDERATION_KEY_UNKNOWN`,
   *   `FEDERATION_KEY_REVOKED`, `FEDERATION_KEY_NOT_VALID`.
   */
  signingKey(memberId: string, kid: string, at: number): KeyObject {
    const member = this.byId.get(memberId);
    if (!member) {
      throw new ConcordError('FEDERATION_SENDER_UNKNOWN', `${memberId} is not in directory version ${this.version}`, {
        sender: memberId,
      });
    }
    if (member.status !== 'active') {
      throw new ConcordError('FEDERATION_SENDER_INACTIVE', `${memberId} is ${member.status} in the directory`, {
        sender: memberId,
        status: member.status,
      });
    }
    const key = member.keys.find((k) => k.kid === kid && k.use === 'sig');
    if (!key) {
      throw new ConcordError('FEDERATION_KEY_UNKNOWN', `${kid} is not a signing key of ${memberId}`, { kid });
    }
    if (key.revoked) {
      throw new ConcordError('FEDERATION_KEY_REVOKED', `${memberId}'s key ${kid} was revoked: ${key.revoked.reason}`, {
        kid,
        revokedAt: key.revoked.at,
      });
    }
    if (!keyValidAt(key, at)) {
      throw new ConcordError(
        'FEDERATION_KEY_NOT_VALID',
        `${memberId}'s key ${kid} is valid from ${key.notBefore}${key.notAfter ? ` to ${key.notAfter}` : ''}, not at ${new Date(at).toISOString()}`,
        { kid, notBefore: key.notBefore, notAfter: key.notAfter ?? null },
      );
    }
    return this.keyObject(key);
  }

  /**
   * The X25519 key to seal to `memberId` at `at`: the valid, unrevoked one with the latest `notBefore` that has been
   * valid for `settleMs` (so the member has had time to load it), else the newest valid one.
   */
  encryptionKey(memberId: string, at: number, settleMs = 0): { kid: string; key: KeyObject } {
    const member = this.requireMember(memberId);
    const key = currentKey(member, 'enc', at - settleMs) ?? currentKey(member, 'enc', at);
    if (!key) {
      throw new ConcordError('FEDERATION_KEY_UNKNOWN', `${memberId} has no encryption key valid now`, {
        member: memberId,
      });
    }
    return { kid: key.kid, key: this.keyObject(key) };
  }

  /** The member's endpoint, or FEDERATION_PARTNER_UNKNOWN. */
  requireMember(memberId: string): DirectoryMember {
    const member = this.byId.get(memberId);
    if (!member) {
      throw new ConcordError('FEDERATION_PARTNER_UNKNOWN', `${memberId} is not in directory version ${this.version}`, {
        partner: memberId,
      });
    }
    return member;
  }

  private keyObject(key: DirectoryKey): KeyObject {
    let object = this.keyCache.get(key.kid);
    if (!object) {
      object = publicKeyFromJwk(key.jwk, key.use === 'sig' ? 'Ed25519' : 'X25519');
      this.keyCache.set(key.kid, object);
    }
    return object;
  }
}

export function keyValidAt(key: DirectoryKey, at: number): boolean {
  return (
    !key.revoked && Date.parse(key.notBefore) <= at && (key.notAfter === undefined || at <= Date.parse(key.notAfter))
  );
}

/** The member's valid key of `use` with the latest `notBefore` (the newest during a rotation's overlap). */
export function currentKey(member: DirectoryMember, use: 'sig' | 'enc', at: number): DirectoryKey | undefined {
  return member.keys
    .filter((k) => k.use === use && keyValidAt(k, at))
    .sort((a, b) => Date.parse(b.notBefore) - Date.parse(a.notBefore))[0];
}

/** A member as people read it: its keys with their validity now and which one partners use now. */
export function memberView(member: DirectoryMember, now: number) {
  const current = new Set([currentKey(member, 'sig', now)?.kid, currentKey(member, 'enc', now)?.kid]);
  return {
    id: member.id,
    name: member.name,
    endpoint: member.endpoint,
    status: member.status,
    location: member.location ?? null,
    keys: member.keys.map((k) => ({
      kid: k.kid,
      use: k.use,
      notBefore: k.notBefore,
      notAfter: k.notAfter ?? null,
      revoked: k.revoked ?? null,
      valid: keyValidAt(k, now),
      current: current.has(k.kid),
    })),
  };
}
