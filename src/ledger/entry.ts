/**
 * What a node writes to its log: one entry per envelope sent or accepted, per decision taken on shared data, per
 * document anchored or revoked, per agreement signature and per accepted declaration.
 *
 * An entry's leaf bytes are its RFC 8785 canonical JSON, so any party can re-derive the leaf hash from the entry
 * itself. Entries hold identifiers and SHA-256 hashes, never the exchanged data: the log proves *that* something
 * was sent, decided or anchored without disclosing it.
 */
import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ConcordError, canonicalBytes } from '../kernel/index.js';
import { bytesEqual } from './hasher.js';
import { hashLeaf } from './merkle.js';

/** Largest encoded entry accepted; real entries are a few hundred bytes. */
export const MAX_ENTRY_BYTES = 16 * 1024;

/** `Date.prototype.toISOString()` form, milliseconds and `Z` included: one text per instant. */
const IsoTime = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' });
/** SHA-256, lowercase hex. */
const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });
/** An administration: ISO 3166-1 alpha-2 plus an optional suffix (`NL`, `US-CBP`). */
const Administration = Type.String({ pattern: '^[A-Z]{2}(?:-[A-Z0-9]{1,16})?$' });
/** An identifier of ours or a partner's (UUID, agreement reference…). */
const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$' });
/** A lowercase code from a closed vocabulary kept elsewhere: purpose, data category, outcome, document type. */
const Code = Type.String({ pattern: '^[a-z0-9]+(?:[.-][a-z0-9]+)*$', maxLength: 64 });
/** WCO Unique Consignment Reference (at most 35 characters). */
const Ucr = Type.String({ pattern: '^[0-9A-Z][0-9A-Z+-]{0,34}$' });

function entry<Kind extends string, Fields extends TProperties>(type: Kind, fields: Fields) {
  return Type.Object({ type: Type.Literal(type), at: IsoTime, ...fields }, { additionalProperties: false });
}

/** An envelope this node sent to a partner. */
export const EnvelopeSentSchema = entry('envelope.sent', {
  envelopeId: Id,
  to: Administration,
  /** Absent for the network's own messages (checkpoints, agreement proposals). */
  agreementId: Type.Optional(Id),
  purpose: Code,
  category: Code,
  /** SHA-256 of the envelope's compact JWS/JWE serialization. */
  payloadHash: Sha256Hex,
});

/** An envelope this node accepted from a partner, after checking its agreement and purpose. */
export const EnvelopeAcceptedSchema = entry('envelope.accepted', {
  envelopeId: Id,
  from: Administration,
  agreementId: Type.Optional(Id),
  purpose: Code,
  category: Code,
  payloadHash: Sha256Hex,
});

/** A decision this node took on data a partner shared (a lane, an onward transfer, a deletion…). */
/** An envelope this node refused: who claimed to send it, why, and which exact bytes. */
export const EnvelopeRefusedSchema = entry('envelope.refused', {
  /** Absent when the envelope was too malformed to name itself. */
  envelopeId: Type.Optional(Id),
  from: Type.Optional(Administration),
  code: Type.String({ pattern: '^[A-Z][A-Z0-9_]{1,63}$' }),
  /** SHA-256 of what was received. */
  envelopeHash: Sha256Hex,
});

export const SharedDataDecisionSchema = entry('decision.shared-data', {
  decisionId: Id,
  envelopeId: Id,
  agreementId: Id,
  purpose: Code,
  outcome: Code,
});

/** A document (certificate of origin, AEO certificate…) anchored by its hash, verifiable with an inclusion proof. */
export const DocumentAnchoredSchema = entry('document.anchored', {
  documentId: Id,
  documentType: Code,
  documentHash: Sha256Hex,
  issuer: Administration,
  validUntil: Type.Optional(IsoTime),
  /**
   * SHA-256 (hex) of the subject's identifier (an EORI or AEO number, never a name): a verifier who knows the subject
   * can check it; the log does not list subjects in clear.
   */
  subjectHash: Type.Optional(Sha256Hex),
});

/** A previously anchored document, revoked. */
export const DocumentRevokedSchema = entry('document.revoked', {
  documentId: Id,
  documentHash: Sha256Hex,
  reason: Code,
});

/** One party's signature over an agreement's canonical hash. */
export const AgreementSignedSchema = entry('agreement.signed', {
  agreementId: Id,
  agreementHash: Sha256Hex,
  party: Administration,
  /** RFC 7638 thumbprint of the signing key. */
  keyThumbprint: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
});

/** A change in an agreement's life other than a signature: created, amended, suspended, resumed, terminated. */
export const AgreementLifecycleSchema = entry('agreement.lifecycle', {
  agreementId: Id,
  event: Type.Union([
    Type.Literal('created'),
    Type.Literal('amended'),
    Type.Literal('suspended'),
    Type.Literal('resumed'),
    Type.Literal('terminated'),
  ]),
  /** The party that acted (suspended, resumed, terminated). */
  party: Type.Optional(Administration),
  /** SHA-256 of the RFC 8785 form of the new version (created, amended). */
  agreementHash: Type.Optional(Sha256Hex),
});

/** A declaration accepted by this node, by the SHA-256 of its RFC 8785 canonical form. */
export const DeclarationAcceptedSchema = entry('declaration.accepted', {
  declarationId: Id,
  declarationHash: Sha256Hex,
  ucr: Type.Optional(Ucr),
});

const SCHEMAS = {
  'envelope.sent': EnvelopeSentSchema,
  'envelope.accepted': EnvelopeAcceptedSchema,
  'envelope.refused': EnvelopeRefusedSchema,
  'decision.shared-data': SharedDataDecisionSchema,
  'document.anchored': DocumentAnchoredSchema,
  'document.revoked': DocumentRevokedSchema,
  'agreement.signed': AgreementSignedSchema,
  'agreement.lifecycle': AgreementLifecycleSchema,
  'declaration.accepted': DeclarationAcceptedSchema,
} as const satisfies Record<string, TObject>;

export type LedgerEntryType = keyof typeof SCHEMAS;
export const LEDGER_ENTRY_TYPES = Object.keys(SCHEMAS) as readonly LedgerEntryType[];

export type EnvelopeSentEntry = Static<typeof EnvelopeSentSchema>;
export type EnvelopeAcceptedEntry = Static<typeof EnvelopeAcceptedSchema>;
export type EnvelopeRefusedEntry = Static<typeof EnvelopeRefusedSchema>;
export type SharedDataDecisionEntry = Static<typeof SharedDataDecisionSchema>;
export type DocumentAnchoredEntry = Static<typeof DocumentAnchoredSchema>;
export type DocumentRevokedEntry = Static<typeof DocumentRevokedSchema>;
export type AgreementSignedEntry = Static<typeof AgreementSignedSchema>;
export type AgreementLifecycleEntry = Static<typeof AgreementLifecycleSchema>;
export type DeclarationAcceptedEntry = Static<typeof DeclarationAcceptedSchema>;

/** Every kind of log entry, discriminated by `type`. */
export type LedgerEntry =
  | EnvelopeSentEntry
  | EnvelopeAcceptedEntry
  | EnvelopeRefusedEntry
  | SharedDataDecisionEntry
  | DocumentAnchoredEntry
  | DocumentRevokedEntry
  | AgreementSignedEntry
  | AgreementLifecycleEntry
  | DeclarationAcceptedEntry;

const CHECKERS = Object.fromEntries(
  Object.entries(SCHEMAS).map(([type, schema]) => [type, TypeCompiler.Compile(schema)]),
) as { readonly [K in LedgerEntryType]: ReturnType<typeof TypeCompiler.Compile<(typeof SCHEMAS)[K]>> };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Checks an entry against its schema and returns it typed.
 *
 * @throws ConcordError `LEDGER_ENTRY_TYPE_UNKNOWN`, or `LEDGER_ENTRY_MALFORMED` with `details.pointer`.
 */
export function validateEntry(value: unknown): LedgerEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConcordError('LEDGER_ENTRY_MALFORMED', 'a log entry is a JSON object', { pointer: '' });
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(SCHEMAS, type)) {
    throw new ConcordError('LEDGER_ENTRY_TYPE_UNKNOWN', `unknown log entry type ${JSON.stringify(type)}`, {
      pointer: '/type',
      type,
    });
  }
  const checker = CHECKERS[type as LedgerEntryType];
  if (!checker.Check(value)) {
    const first = checker.Errors(value).First();
    throw new ConcordError('LEDGER_ENTRY_MALFORMED', `${type}: ${first?.message ?? 'invalid'} at ${first?.path}`, {
      pointer: first?.path ?? '',
    });
  }
  const { at, validUntil } = value as { at: string; validUntil?: string };
  for (const [pointer, time] of [['/at', at] as const, ['/validUntil', validUntil] as const]) {
    if (time !== undefined && !isRealInstant(time)) {
      throw new ConcordError('LEDGER_ENTRY_MALFORMED', `${time} is not a real instant`, { pointer });
    }
  }
  return value as LedgerEntry;
}

/**
 * The leaf bytes of an entry: its RFC 8785 canonical JSON in UTF-8. Validates first, so nothing malformed is logged.
 *
 * @example
 * encodeEntry({ type: 'declaration.accepted', at: '2026-03-14T09:26:53.589Z', declarationId: 'd-1',
 *   declarationHash: sha256Hex(canonicalBytes(declaration)) });
 */
export function encodeEntry(entry: LedgerEntry): Uint8Array {
  return canonicalBytes(validateEntry(entry));
}

/**
 * Reads leaf bytes back into an entry. Refuses anything but the canonical encoding of a valid entry, so one entry
 * has exactly one leaf hash.
 *
 * @throws ConcordError `LEDGER_ENTRY_MALFORMED` or `LEDGER_ENTRY_TYPE_UNKNOWN`.
 */
export function decodeEntry(bytes: Uint8Array): LedgerEntry {
  if (bytes.length > MAX_ENTRY_BYTES) {
    throw new ConcordError('LEDGER_ENTRY_MALFORMED', `the entry exceeds ${MAX_ENTRY_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8.decode(bytes));
  } catch (cause) {
    throw new ConcordError('LEDGER_ENTRY_MALFORMED', 'the entry is not UTF-8 JSON', undefined, { cause });
  }
  const entry = validateEntry(value);
  if (!bytesEqual(canonicalBytes(entry), bytes)) {
    throw new ConcordError('LEDGER_ENTRY_MALFORMED', 'the entry is not in RFC 8785 canonical form');
  }
  return entry;
}

/** The Merkle leaf hash of an entry: SHA-256(0x00 ‖ canonical JSON). */
export function hashEntry(entry: LedgerEntry): Uint8Array {
  return hashLeaf(encodeEntry(entry));
}

/** True when the pattern-checked `YYYY-MM-DDTHH:mm:ss.sssZ` names a real instant (no 30 February, no hour 24). */
function isRealInstant(iso: string): boolean {
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7));
  const day = Number(iso.slice(8, 10));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= days &&
    Number(iso.slice(11, 13)) < 24 &&
    Number(iso.slice(14, 16)) < 60 &&
    Number(iso.slice(17, 19)) < 60
  );
}
