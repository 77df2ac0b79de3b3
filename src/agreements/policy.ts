import { type AgreementDocument, validityBounds } from './document.js';
import { compileClassification, type CompiledClassification, type FieldClassification } from './classification.js';
import type { NationalRule } from './national-rules.js';
import { derivePseudonymKey, Pseudonymizer } from './pseudonym.js';

/**
 * Where an agreement stands, at a given moment:
 * - `pending-signatures`: no version is signed by every party yet;
 * - `not-yet-valid` / `expired`: signed, but the moment is before `validity.from` or after `validity.until`;
 * - `in-force`: signed by every party and within validity — the only status under which data moves;
 * - `suspended`, `terminated`: by a party, effective at once;
 * - `tampered`: a stored version no longer matches its hash or signatures; the node treats it as absent.
 */
export type AgreementStatus =
  'pending-signatures' | 'not-yet-valid' | 'in-force' | 'expired' | 'suspended' | 'terminated' | 'tampered';

/** The lifecycle a party sets by notice; validity and signatures give the rest of the status. */
export type Lifecycle =
  | { state: 'active' }
  | { state: 'suspended' | 'terminated'; by: string; at: string; reason: string }
  | { state: 'tampered'; detail: string };

/** An agreement as the policy decision point sees it. */
export interface PolicyAgreement {
  readonly id: string;
  /** The latest version, signed or not. */
  readonly latest: AgreementDocument;
  /** Versions signed by every party (signatures verified), ascending. */
  readonly signedVersions: readonly AgreementDocument[];
  readonly lifecycle: Lifecycle;
}

/**
 * The status of `agreement` at `at` and the version that governs then: of the versions every party signed, the
 * highest whose validity has started (an amendment takes over on its own start date; until then the version it
 * amends stays in force).
 */
export function agreementStatusAt(
  agreement: PolicyAgreement,
  at: number,
): { status: AgreementStatus; version: AgreementDocument | null } {
  const { lifecycle, signedVersions } = agreement;
  if (lifecycle.state === 'tampered') return { status: 'tampered', version: null };
  const effective = effectiveVersion(agreement, at);
  if (lifecycle.state !== 'active') return { status: lifecycle.state, version: effective };
  if (signedVersions.length === 0) return { status: 'pending-signatures', version: null };
  if (effective === null) return { status: 'not-yet-valid', version: signedVersions[0]! };
  return { status: at < validityBounds(effective).endsAt ? 'in-force' : 'expired', version: effective };
}

function effectiveVersion(agreement: PolicyAgreement, at: number): AgreementDocument | null {
  for (let i = agreement.signedVersions.length - 1; i >= 0; i--) {
    const version = agreement.signedVersions[i]!;
    if (validityBounds(version).startsAt <= at) return version;
  }
  return null;
}

/** Everything the policy decision point needs, compiled once and reused for every decision until something changes. */
export interface SharingPolicy {
  /** The administration this node serves. */
  readonly self: string;
  readonly agreements: ReadonlyMap<string, PolicyAgreement>;
  /** Party → agreements naming both it and another party, most specific first (lex specialis: fewer parties). */
  readonly byParty: ReadonlyMap<string, readonly IndexedAgreement[]>;
  readonly rules: readonly NationalRule[];
  /** The field classification of records of `category`; one that classifies nothing (all withheld) when none is set. */
  classificationFor(category: string): CompiledClassification;
  /** The pseudonymizer for data sent to (or received from) `partner` under `agreementId`. */
  pseudonymizer(agreementId: string, partner: string): Pseudonymizer;
}

export interface IndexedAgreement {
  readonly agreement: PolicyAgreement;
  /** Parties of every signed version and the latest one (an accession adds a party in a later version). */
  readonly parties: ReadonlySet<string>;
}

export interface PolicyInput {
  self: string;
  agreements: readonly PolicyAgreement[];
  rules: readonly NationalRule[];
  /** Field classification per data category; a category without one has every field withheld (fail closed). */
  classifications: Readonly<Record<string, FieldClassification | CompiledClassification>>;
  /** The node's pseudonym secret (32 bytes or more), from which one HMAC key per agreement and partner is derived. */
  pseudonymSecret: Uint8Array;
}

/** Indexes agreements and rules for {@link decideSharing}. */
export function compileSharingPolicy(input: PolicyInput): SharingPolicy {
  const agreements = new Map(input.agreements.map((a) => [a.id, a]));
  const indexed = input.agreements
    .map((agreement) => ({
      agreement,
      parties: new Set([...agreement.signedVersions, agreement.latest].flatMap((v) => v.parties)),
    }))
    .sort((a, b) => a.parties.size - b.parties.size || (a.agreement.id < b.agreement.id ? -1 : 1));
  const byParty = new Map<string, IndexedAgreement[]>();
  for (const entry of indexed) {
    for (const party of entry.parties) {
      let list = byParty.get(party);
      if (!list) byParty.set(party, (list = []));
      list.push(entry);
    }
  }
  const classifications = new Map(
    Object.entries(input.classifications).map(([category, c]) => [
      category,
      isCompiled(c) ? c : compileClassification(c),
    ]),
  );
  // Agreement → partner → pseudonymizer: two lookups on strings the decision already holds, no key built per call.
  const pseudonymizers = new Map<string, Map<string, Pseudonymizer>>();
  const secret = Buffer.from(input.pseudonymSecret);
  return {
    self: input.self,
    agreements,
    byParty,
    rules: [...input.rules],
    classificationFor: (category) => classifications.get(category) ?? NOTHING_CLASSIFIED,
    pseudonymizer(agreementId, partner) {
      let byPartner = pseudonymizers.get(agreementId);
      if (byPartner === undefined) pseudonymizers.set(agreementId, (byPartner = new Map()));
      let pseudonymizer = byPartner.get(partner);
      if (pseudonymizer === undefined) {
        pseudonymizer = new Pseudonymizer(derivePseudonymKey(secret, agreementId, partner));
        byPartner.set(partner, pseudonymizer);
      }
      return pseudonymizer;
    },
  };
}

const NOTHING_CLASSIFIED = compileClassification({});

/** Pattern keys start with "/", so a `root` member only exists on a compiled classification. */
function isCompiled(c: FieldClassification | CompiledClassification): c is CompiledClassification {
  return 'root' in c && typeof c.root === 'object';
}
