import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { ActorKind, AuditInput } from '../identity/index.js';
import {
  canonicalBytes,
  canonicalize,
  type Clock,
  ConcordError,
  newId,
  type PublicJwk,
  sha256Hex,
  type SigningKeyPair,
  systemClock,
} from '../kernel/index.js';
import { isUniqueViolation, type Store } from '../storage/index.js';
import { DEFAULT_CLASSIFICATIONS, compileClassification, type FieldClassification } from './classification.js';
import { decideSharing, type SharingDecision, type SharingRequest } from './decide.js';
import {
  type AgreementDocument,
  type DocumentContext,
  documentHash,
  parseAgreementDocument,
  validityOverlaps,
} from './document.js';
import { type AgreementEvent, type AgreementEvents, decisionEvent } from './events.js';
import { type NationalRule, type NationalRuleInput, parseNationalRule } from './national-rules.js';
import { parsePartyKey, type PartyKey, type PartyRegistry, StoredPartyRegistry } from './party-registry.js';
import {
  agreementStatusAt,
  type AgreementStatus,
  compileSharingPolicy,
  type Lifecycle,
  type PolicyAgreement,
  type SharingPolicy,
} from './policy.js';
import { type JsonObject, redactRecord } from './redaction.js';
import { signAgreement, type SignedNotice, signNotice, verifyAgreementSignature, verifyNotice } from './signatures.js';
import type { AgreementTables, ReceivedRecordsTable } from './tables.js';
import { agreementFromTemplate } from './templates.js';
import { DEFAULT_VOCABULARY, type Vocabulary } from './vocabulary.js';

/** Where reads of received data are recorded: the node's access audit (identity's `AccessAudit` fits). */
export interface AccessAuditSink {
  record(input: AuditInput): Promise<unknown>;
}

export interface AgreementServiceOptions {
  /** The administration this node serves. */
  administration: string;
  /** The node's Ed25519 key: it signs agreements and notices as `administration`. */
  signingKey: SigningKeyPair;
  /** The access audit, where every read of received data is recorded with its purpose. */
  audit: AccessAuditSink;
  clock?: Clock;
  /** Known administrations and their keys; by default the node's own key plus the `agreement_party_keys` table. */
  registry?: PartyRegistry;
  /** Where events go besides the `agreement_events` table (the Merkle log, once wired). */
  events?: AgreementEvents;
  vocabulary?: Vocabulary;
  /** Field classification per data category; categories without one have every field withheld. */
  classifications?: Readonly<Record<string, FieldClassification>>;
}

export interface SignatureView {
  party: string;
  kid: string;
  /** Ed25519 over the canonical document, base64url: what the other parties are sent. */
  signature: string;
  signedAt: string;
  /** False when the party's key that made it is no longer registered: it then does not count. */
  verified: boolean;
}

export interface VersionView {
  version: number;
  documentHash: string;
  createdAt: string;
  createdBy: string;
  document: AgreementDocument;
  signatures: SignatureView[];
  missingSignatures: string[];
  /** Signed by every party. */
  complete: boolean;
}

export interface AgreementSummary {
  id: string;
  title: string;
  kind: string;
  parties: string[];
  latestVersion: number;
  /** The version that governs now, when the agreement is in force. */
  inForceVersion: number | null;
  status: AgreementStatus;
  validity: AgreementDocument['validity'];
  lifecycle: Lifecycle;
  createdAt: string;
  updatedAt: string;
}

export interface AgreementView extends AgreementSummary {
  versions: VersionView[];
}

export interface NewAgreement {
  /** A template name (`cmaa`, `convention`, `aeo-mra`) with `parties`, or a whole `document`. */
  template?: string | undefined;
  parties?: readonly string[] | undefined;
  id?: string | undefined;
  title?: string | undefined;
  validity?: { from: string; until: string | null } | undefined;
  document?: unknown;
}

export interface PartyKeyView {
  party: string;
  kid: string;
  jwk: PublicJwk;
  addedAt: string | null;
  /** The node's own key, from its key file. */
  own: boolean;
}

export interface ReceiveInput {
  sender: string;
  category: string;
  purpose: string;
  record: JsonObject;
  handlingCode?: string | undefined;
  /** The administration the data comes from, when the sender passes on a third party's data. */
  originator?: string | undefined;
  agreementId?: string | undefined;
}

/** An inbound decision with what storing it writes (see {@link AgreementService.prepareReceive}). */
export interface PreparedReceive {
  event: AgreementEvent;
  row: ReceivedRecordsTable | null;
  result: ReceiveResult;
}

export type ReceiveResult =
  | { accepted: true; id: string; decisionId: string; decision: SharingDecision; retainUntil: string }
  | { accepted: false; decisionId: string; decision: SharingDecision };

export interface ReceivedRecord {
  id: string;
  provenance: { originator: string; sender: string; agreementId: string; agreementVersion: number; clause: string };
  category: string;
  purpose: string;
  allowedPurposes: string[];
  handlingCode: string | null;
  receivedAt: string;
  retainUntil: string;
  state: 'held' | 'anonymized' | 'deleted';
  record: JsonObject | null;
}

export interface ReadAccess {
  actor: string;
  actorKind: ActorKind;
  /** Why the data is read; must be one its agreement allows. Recorded in the access audit. */
  purpose: string;
  ip?: string | null | undefined;
}

export interface StoredAgreementEvent {
  seq: number;
  id: string;
  event: AgreementEvent;
}

/** An agreement as loaded, checked and verified. */
interface LoadedAgreement {
  policy: PolicyAgreement;
  versions: VersionView[];
  createdAt: string;
  updatedAt: string;
}

interface Snapshot {
  generation: number;
  agreements: Map<string, LoadedAgreement>;
  rules: NationalRule[];
  policy: SharingPolicy;
}

const DAY_MS = 86_400_000;
const PSEUDONYM_SECRET = 'pseudonym-v1';

/**
 * Agreements of one node: drafting from templates, amendments, signatures by every party, suspension and
 * termination, national rules, the policy decision point over all of them, and data received under them with its
 * retention. Every change is one transaction that also writes its event and moves the policy generation, so a
 * server sees a change made by the CLI at its next decision.
 */
export class AgreementService {
  readonly administration: string;
  private readonly db: Kysely<AgreementTables>;
  private readonly clock: Clock;
  private readonly registry: PartyRegistry;
  private readonly signingKey: SigningKeyPair;
  private readonly events: AgreementEvents | undefined;
  private readonly audit: AccessAuditSink;
  private readonly vocabulary: Vocabulary;
  private readonly classifications: Readonly<Record<string, FieldClassification>>;
  private snapshotCache: Promise<Snapshot> | null = null;
  private secret: Promise<Buffer> | null = null;

  constructor(store: Store, options: AgreementServiceOptions) {
    this.db = store.typed<AgreementTables>();
    this.administration = options.administration;
    this.clock = options.clock ?? systemClock;
    this.signingKey = options.signingKey;
    this.registry =
      options.registry ?? new StoredPartyRegistry(this.db, options.administration, options.signingKey.publicJwk);
    this.events = options.events;
    this.audit = options.audit;
    this.vocabulary = options.vocabulary ?? DEFAULT_VOCABULARY;
    this.classifications = options.classifications ?? DEFAULT_CLASSIFICATIONS;
    for (const c of Object.values(this.classifications)) compileClassification(c); // refuse a bad one at start
  }

  private now(): number {
    return this.clock.now();
  }

  private nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  // ---- agreements

  /**
   * Creates version 1 of an agreement, from a template or a document; it is in force once every party has signed.
   *
   * @throws ConcordError the codes of {@link parseAgreementDocument}, `AGREEMENT_TEMPLATE_UNKNOWN`,
   *   `AGREEMENT_VERSION_CONFLICT` (a new agreement is version 1), `AGREEMENT_VALIDITY_OVERLAP`, `AGREEMENT_EXISTS`.
   */
  async create(input: NewAgreement, actor: string): Promise<AgreementView> {
    let draft: unknown;
    if (input.document !== undefined) {
      draft = input.document;
    } else if (input.template !== undefined) {
      draft = agreementFromTemplate(input.template, {
        parties: input.parties ?? [],
        id: input.id,
        title: input.title,
        validity: input.validity,
        today: this.nowIso().slice(0, 10),
      });
    } else {
      throw new ConcordError('AGREEMENT_INVALID', 'give a template and parties, or a document');
    }
    const document = parseAgreementDocument(draft, await this.documentContext());
    if (document.version !== 1 || document.supersedes !== null) {
      throw new ConcordError('AGREEMENT_VERSION_CONFLICT', 'a new agreement is version 1 and supersedes nothing', {
        pointer: '/version',
      });
    }
    const snapshot = await this.snapshot();
    if (snapshot.agreements.has(document.id)) {
      throw new ConcordError('AGREEMENT_EXISTS', `agreement ${document.id} exists; amend it instead`);
    }
    checkOverlap(document, snapshot);
    const hash = documentHash(document);
    const at = this.nowIso();
    const event: AgreementEvent = {
      type: 'agreement.created',
      at,
      agreementId: document.id,
      version: 1,
      documentHash: hash,
      by: actor,
    };
    try {
      await this.change([event], async (trx) => {
        await trx
          .insertInto('agreements')
          .values({
            id: document.id,
            kind: document.kind,
            title: document.title,
            parties: JSON.stringify(document.parties),
            latest_version: 1,
            lifecycle: 'active',
            lifecycle_by: null,
            lifecycle_at: null,
            lifecycle_reason: null,
            created_at: at,
            updated_at: at,
          })
          .execute();
        await trx
          .insertInto('agreement_versions')
          .values({
            agreement_id: document.id,
            version: 1,
            document: canonicalize(document),
            document_hash: hash,
            created_at: at,
            created_by: actor,
          })
          .execute();
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConcordError('AGREEMENT_EXISTS', `agreement ${document.id} exists`);
      throw error;
    }
    return this.get(document.id);
  }

  /**
   * Adds the next version. `version` and `supersedes` may be left out and are then filled in; when given they must
   * name the next version and the hash of the current latest one. The new version needs every party's signature;
   * until then (and until its validity starts) the version it amends stays in force.
   *
   * @throws ConcordError `AGREEMENT_UNKNOWN`, `AGREEMENT_TERMINATED`, `AGREEMENT_TAMPERED`,
   *   `AGREEMENT_VERSION_CONFLICT`, `AGREEMENT_VALIDITY_OVERLAP` and the codes of {@link parseAgreementDocument}.
   */
  async amend(id: string, draft: unknown, actor: string): Promise<AgreementView> {
    const snapshot = await this.snapshot();
    const current = requireAgreement(snapshot, id);
    requireOpen(current);
    const latest = current.versions.at(-1)!;
    if (typeof draft !== 'object' || draft === null || Array.isArray(draft)) {
      throw new ConcordError('AGREEMENT_INVALID', 'an amendment is an agreement document');
    }
    const filled = {
      ...draft,
      version: (draft as { version?: unknown }).version ?? latest.version + 1,
      supersedes: (draft as { supersedes?: unknown }).supersedes ?? {
        version: latest.version,
        hash: latest.documentHash,
      },
    };
    const document = parseAgreementDocument(filled, await this.documentContext());
    if (document.id !== id) {
      throw new ConcordError('AGREEMENT_VERSION_CONFLICT', `the document is agreement ${document.id}, not ${id}`, {
        pointer: '/id',
      });
    }
    if (document.version !== latest.version + 1) {
      throw new ConcordError('AGREEMENT_VERSION_CONFLICT', `the next version is ${latest.version + 1}`, {
        pointer: '/version',
      });
    }
    if (document.supersedes?.version !== latest.version || document.supersedes.hash !== latest.documentHash) {
      throw new ConcordError(
        'AGREEMENT_VERSION_CONFLICT',
        `an amendment supersedes version ${latest.version} (${latest.documentHash})`,
        { pointer: '/supersedes' },
      );
    }
    if (document.kind !== latest.document.kind) {
      throw new ConcordError('AGREEMENT_VERSION_CONFLICT', 'an amendment keeps the kind of agreement', {
        pointer: '/kind',
      });
    }
    checkOverlap(document, snapshot);
    const hash = documentHash(document);
    const at = this.nowIso();
    const event: AgreementEvent = {
      type: 'agreement.amended',
      at,
      agreementId: id,
      version: document.version,
      documentHash: hash,
      by: actor,
    };
    try {
      await this.change([event], async (trx) => {
        await trx
          .insertInto('agreement_versions')
          .values({
            agreement_id: id,
            version: document.version,
            document: canonicalize(document),
            document_hash: hash,
            created_at: at,
            created_by: actor,
          })
          .execute();
        await trx
          .updateTable('agreements')
          .set({
            latest_version: document.version,
            title: document.title,
            parties: JSON.stringify(document.parties),
            updated_at: at,
          })
          .where('id', '=', id)
          .execute();
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConcordError('AGREEMENT_VERSION_CONFLICT', `version ${document.version} was added meanwhile`);
      }
      throw error;
    }
    return this.get(id);
  }

  /** Every agreement with its status now, by id. */
  async list(): Promise<AgreementSummary[]> {
    const snapshot = await this.snapshot();
    return [...snapshot.agreements.values()]
      .map((a) => this.summarize(a))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** @throws ConcordError `AGREEMENT_UNKNOWN` */
  async get(id: string): Promise<AgreementView> {
    const loaded = requireAgreement(await this.snapshot(), id);
    return { ...this.summarize(loaded), versions: loaded.versions };
  }

  /** @throws ConcordError `AGREEMENT_UNKNOWN`, `AGREEMENT_VERSION_UNKNOWN` */
  async getVersion(id: string, version: number): Promise<VersionView> {
    const loaded = requireAgreement(await this.snapshot(), id);
    const found = loaded.versions.find((v) => v.version === version);
    if (!found) throw new ConcordError('AGREEMENT_VERSION_UNKNOWN', `${id} has no version ${version}`);
    return found;
  }

  private summarize(loaded: LoadedAgreement): AgreementSummary {
    const { policy } = loaded;
    const { status, version } = agreementStatusAt(policy, this.now());
    return {
      id: policy.id,
      title: policy.latest.title,
      kind: policy.latest.kind,
      parties: policy.latest.parties,
      latestVersion: policy.latest.version,
      inForceVersion: status === 'in-force' ? version!.version : null,
      status,
      validity: (version ?? policy.latest).validity,
      lifecycle: policy.lifecycle,
      createdAt: loaded.createdAt,
      updatedAt: loaded.updatedAt,
    };
  }

  // ---- signatures

  /**
   * Signs a version (the latest by default) with the node's key, as its administration.
   *
   * @throws ConcordError `AGREEMENT_UNKNOWN`, `AGREEMENT_VERSION_UNKNOWN`, `AGREEMENT_TERMINATED`,
   *   `AGREEMENT_TAMPERED`, `AGREEMENT_SIGNER_NOT_PARTY`, `AGREEMENT_ALREADY_SIGNED`.
   */
  async sign(id: string, options: { version?: number | undefined } = {}): Promise<AgreementView> {
    const { loaded, version } = await this.versionToSign(id, options.version);
    const { kid, signature } = signAgreement(version.document, this.signingKey);
    return this.storeSignature(loaded, version, this.administration, kid, signature);
  }

  /**
   * Stores another party's signature on a version, after verifying it with that party's registered key(s).
   *
   * @throws ConcordError as {@link sign}, and `AGREEMENT_SIGNATURE_INVALID`.
   */
  async addSignature(
    id: string,
    input: { version: number; party: string; signature: string; kid?: string | undefined },
  ): Promise<AgreementView> {
    const party = input.party.trim().toUpperCase();
    const { loaded, version } = await this.versionToSign(id, input.version);
    if (!version.document.parties.includes(party)) {
      throw new ConcordError('AGREEMENT_SIGNER_NOT_PARTY', `${party} is not a party to ${id} v${version.version}`, {
        party,
      });
    }
    const key = verifyAgreementSignature(
      version.document,
      input.signature,
      await this.registry.signingKeys(party),
      input.kid,
    );
    if (!key) {
      throw new ConcordError(
        'AGREEMENT_SIGNATURE_INVALID',
        `the signature does not verify over ${id} v${version.version} (${version.documentHash}) with a key of ${party}`,
        { party, documentHash: version.documentHash },
      );
    }
    return this.storeSignature(loaded, version, party, key.kid, input.signature);
  }

  private async versionToSign(
    id: string,
    versionNumber: number | undefined,
  ): Promise<{ loaded: LoadedAgreement; version: VersionView }> {
    const loaded = requireAgreement(await this.snapshot(), id);
    requireOpen(loaded);
    const number = versionNumber ?? loaded.versions.at(-1)!.version;
    const version = loaded.versions.find((v) => v.version === number);
    if (!version) throw new ConcordError('AGREEMENT_VERSION_UNKNOWN', `${id} has no version ${number}`);
    return { loaded, version };
  }

  private async storeSignature(
    loaded: LoadedAgreement,
    version: VersionView,
    party: string,
    kid: string,
    signature: string,
  ): Promise<AgreementView> {
    const id = loaded.policy.id;
    if (!version.document.parties.includes(party)) {
      throw new ConcordError('AGREEMENT_SIGNER_NOT_PARTY', `${party} is not a party to ${id} v${version.version}`, {
        party,
      });
    }
    if (version.signatures.some((s) => s.party === party)) {
      throw new ConcordError('AGREEMENT_ALREADY_SIGNED', `${party} has signed ${id} v${version.version} already`);
    }
    const signedBy = new Set([...version.signatures.filter((s) => s.verified).map((s) => s.party), party]);
    const at = this.nowIso();
    const event: AgreementEvent = {
      type: 'agreement.signed',
      at,
      agreementId: id,
      version: version.version,
      documentHash: version.documentHash,
      party,
      kid,
      signature,
      complete: version.document.parties.every((p) => signedBy.has(p)),
    };
    try {
      await this.change([event], async (trx) => {
        await trx
          .insertInto('agreement_signatures')
          .values({
            agreement_id: id,
            version: version.version,
            party,
            kid,
            signature,
            document_hash: version.documentHash,
            signed_at: at,
          })
          .execute();
        await trx.updateTable('agreements').set({ updated_at: at }).where('id', '=', id).execute();
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConcordError('AGREEMENT_ALREADY_SIGNED', `${party} has signed ${id} v${version.version} already`);
      }
      throw error;
    }
    return this.get(id);
  }

  // ---- suspension, resumption, termination

  /** Suspends the agreement as this node's administration, at once: nothing moves under it in either direction. */
  suspend(id: string, reason: string): Promise<AgreementView> {
    return this.ownNotice(id, 'suspend', reason);
  }

  /** Lifts a suspension this node's administration made. */
  resume(id: string, reason: string): Promise<AgreementView> {
    return this.ownNotice(id, 'resume', reason);
  }

  /** Terminates the agreement as this node's administration, at once and for good. */
  terminate(id: string, reason: string): Promise<AgreementView> {
    return this.ownNotice(id, 'terminate', reason);
  }

  private ownNotice(id: string, action: SignedNotice['action'], reason: string): Promise<AgreementView> {
    const text = reason.trim();
    if (text.length === 0 || text.length > 1000) {
      throw new ConcordError('REQUEST_INVALID', 'a reason of 1–1000 characters is required', { pointer: '/reason' });
    }
    const notice = signNotice(
      { agreementId: id, action, party: this.administration, at: this.nowIso(), reason: text },
      this.signingKey,
    );
    return this.applyNotice(notice);
  }

  /**
   * Applies a party's signed notice (this node's, or a partner's as received), after verifying its signature.
   *
   * @throws ConcordError `AGREEMENT_UNKNOWN`, `AGREEMENT_SIGNER_NOT_PARTY`, `AGREEMENT_SIGNATURE_INVALID`,
   *   `AGREEMENT_TAMPERED`, `AGREEMENT_TERMINATED`, `AGREEMENT_SUSPENDED` (suspended already, or lifting another
   *   party's suspension), `AGREEMENT_NOT_SUSPENDED`.
   */
  async applyNotice(notice: SignedNotice): Promise<AgreementView> {
    const loaded = requireAgreement(await this.snapshot(), notice.agreementId);
    const id = loaded.policy.id;
    const parties = new Set(loaded.versions.flatMap((v) => v.document.parties));
    if (!parties.has(notice.party)) {
      throw new ConcordError('AGREEMENT_SIGNER_NOT_PARTY', `${notice.party} is not a party to ${id}`, {
        party: notice.party,
      });
    }
    if (!verifyNotice(notice, await this.registry.signingKeys(notice.party))) {
      throw new ConcordError(
        'AGREEMENT_SIGNATURE_INVALID',
        `the ${notice.action} notice is not signed by ${notice.party}`,
      );
    }
    const lifecycle = loaded.policy.lifecycle;
    if (lifecycle.state === 'tampered') throw tampered(id, lifecycle.detail);
    if (lifecycle.state === 'terminated') {
      throw new ConcordError('AGREEMENT_TERMINATED', `${id} was terminated by ${lifecycle.by} on ${lifecycle.at}`);
    }
    if (notice.action === 'suspend' && lifecycle.state === 'suspended') {
      throw new ConcordError('AGREEMENT_SUSPENDED', `${id} is suspended already (by ${lifecycle.by})`);
    }
    if (notice.action === 'resume') {
      if (lifecycle.state !== 'suspended') throw new ConcordError('AGREEMENT_NOT_SUSPENDED', `${id} is not suspended`);
      if (lifecycle.by !== notice.party) {
        throw new ConcordError('AGREEMENT_SUSPENDED', `${id} was suspended by ${lifecycle.by}; only it can lift that`);
      }
    }
    const state = { suspend: 'suspended', resume: 'active', terminate: 'terminated' } as const;
    const type = {
      suspend: 'agreement.suspended',
      resume: 'agreement.resumed',
      terminate: 'agreement.terminated',
    } as const;
    const event: AgreementEvent = {
      type: type[notice.action],
      at: notice.at,
      agreementId: id,
      party: notice.party,
      reason: notice.reason,
      kid: notice.kid,
      signature: notice.signature,
    };
    const active = state[notice.action] === 'active';
    await this.change([event], async (trx) => {
      await trx
        .updateTable('agreements')
        .set({
          lifecycle: state[notice.action],
          lifecycle_by: active ? null : notice.party,
          lifecycle_at: active ? null : notice.at,
          lifecycle_reason: active ? null : notice.reason,
          updated_at: this.nowIso(),
        })
        .where('id', '=', id)
        .execute();
    });
    return this.get(id);
  }

  // ---- national rules

  /** @throws ConcordError `SHARING_RULE_INVALID` */
  async createRule(input: unknown): Promise<NationalRule> {
    const rule = parseNationalRule(input, this.vocabulary);
    const at = this.nowIso();
    const id = newId(this.now());
    await this.change(
      [{ type: 'national-rule.created', at, ruleId: id, ruleHash: sha256Hex(canonicalBytes(rule)) }],
      async (trx) => {
        await trx
          .insertInto('national_rules')
          .values({ id, rule: JSON.stringify(rule), created_at: at, updated_at: at })
          .execute();
      },
    );
    return { ...rule, id, createdAt: at, updatedAt: at };
  }

  async listRules(): Promise<NationalRule[]> {
    return (await this.snapshot()).rules;
  }

  /** @throws ConcordError `SHARING_RULE_UNKNOWN` */
  async getRule(id: string): Promise<NationalRule> {
    const rule = (await this.snapshot()).rules.find((r) => r.id === id);
    if (!rule) throw new ConcordError('SHARING_RULE_UNKNOWN', `no national rule ${id}`);
    return rule;
  }

  /** Replaces a rule. @throws ConcordError `SHARING_RULE_UNKNOWN`, `SHARING_RULE_INVALID` */
  async updateRule(id: string, input: unknown): Promise<NationalRule> {
    const current = await this.getRule(id);
    const rule = parseNationalRule(input, this.vocabulary);
    const at = this.nowIso();
    await this.change(
      [{ type: 'national-rule.updated', at, ruleId: id, ruleHash: sha256Hex(canonicalBytes(rule)) }],
      async (trx) => {
        await trx
          .updateTable('national_rules')
          .set({ rule: JSON.stringify(rule), updated_at: at })
          .where('id', '=', id)
          .execute();
      },
    );
    return { ...rule, id, createdAt: current.createdAt, updatedAt: at };
  }

  /** @throws ConcordError `SHARING_RULE_UNKNOWN` */
  async deleteRule(id: string): Promise<void> {
    await this.getRule(id);
    await this.change(
      [{ type: 'national-rule.deleted', at: this.nowIso(), ruleId: id, ruleHash: null }],
      async (trx) => {
        await trx.deleteFrom('national_rules').where('id', '=', id).execute();
      },
    );
  }

  // ---- known administrations and their keys

  /**
   * Registers a partner administration's Ed25519 public key, making it a known party whose signatures verify. The
   * federation directory will take this over; until then an administrator enters keys exchanged out of band.
   *
   * @throws ConcordError `AGREEMENT_PARTY_ID_INVALID` (also for the node's own administration, whose key is its key
   *   file), `KEY_INVALID`.
   */
  async addPartyKey(party: string, jwk: unknown): Promise<PartyKeyView> {
    const parsed = parsePartyKey(party, jwk);
    if (parsed.party === this.administration) {
      throw new ConcordError('AGREEMENT_PARTY_ID_INVALID', "the node's own key is its key file, not a registered key");
    }
    const at = this.nowIso();
    const existing = await this.db
      .selectFrom('agreement_party_keys')
      .select('added_at')
      .where('party', '=', parsed.party)
      .where('kid', '=', parsed.key.kid)
      .executeTakeFirst();
    if (!existing) {
      try {
        await this.change([{ type: 'party.key-added', at, party: parsed.party, kid: parsed.key.kid }], async (trx) => {
          await trx
            .insertInto('agreement_party_keys')
            .values({ party: parsed.party, kid: parsed.key.kid, jwk: JSON.stringify(parsed.key.jwk), added_at: at })
            .execute();
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error; // registered meanwhile by another process: the same key
      }
    }
    return {
      party: parsed.party,
      kid: parsed.key.kid,
      jwk: parsed.key.jwk,
      addedAt: existing?.added_at ?? at,
      own: false,
    };
  }

  /** The node's own key and every registered partner key. */
  async listPartyKeys(): Promise<PartyKeyView[]> {
    const rows = await this.db
      .selectFrom('agreement_party_keys')
      .selectAll()
      .orderBy('party')
      .orderBy('added_at')
      .execute();
    const own = this.signingKey.publicJwk;
    return [
      {
        party: this.administration,
        kid: own.kid,
        jwk: { kty: own.kty, crv: own.crv, x: own.x, kid: own.kid },
        addedAt: null,
        own: true,
      },
      ...rows.map((r) => ({
        party: r.party,
        kid: r.kid,
        jwk: JSON.parse(r.jwk) as PublicJwk,
        addedAt: r.added_at,
        own: false,
      })),
    ];
  }

  /** @throws ConcordError `AGREEMENT_PARTY_UNKNOWN` when no such key is registered. */
  async removePartyKey(party: string, kid: string): Promise<void> {
    const id = party.trim().toUpperCase();
    const row = await this.db
      .selectFrom('agreement_party_keys')
      .select('kid')
      .where('party', '=', id)
      .where('kid', '=', kid)
      .executeTakeFirst();
    if (!row) throw new ConcordError('AGREEMENT_PARTY_UNKNOWN', `no key ${kid} registered for ${id}`);
    await this.change([{ type: 'party.key-removed', at: this.nowIso(), party: id, kid }], async (trx) => {
      await trx.deleteFrom('agreement_party_keys').where('party', '=', id).where('kid', '=', kid).execute();
    });
  }

  // ---- decisions

  /**
   * The compiled policy as of the latest change: what {@link decideSharing} needs. Cached until something that can
   * change a decision changes (in this process or another one on the same database).
   */
  async policy(): Promise<SharingPolicy> {
    return (await this.snapshot()).policy;
  }

  /**
   * Decides one exchange (the sender defaults to this node; the moment to now). With `log`, the decision is written
   * to the events (the log) with a new decision id: do so for data that actually moves, not for dry runs.
   */
  async decide(
    request: Omit<SharingRequest, 'at' | 'sender'> & { at?: number | undefined; sender?: string | undefined },
    options: { log?: boolean } = {},
  ): Promise<{ decision: SharingDecision; decisionId: string | null }> {
    const full: SharingRequest = {
      ...request,
      sender: request.sender ?? this.administration,
      at: request.at ?? this.now(),
    };
    const decision = decideSharing(await this.policy(), full);
    if (!options.log) return { decision, decisionId: null };
    const decisionId = newId(this.now());
    await this.logOnly(decisionEvent(decisionId, full, decision));
    return { decision, decisionId };
  }

  /**
   * A decision to be logged by the caller: like `decide(…, {log: true})` but nothing written, so that a caller
   * queueing many envelopes stores their decisions in its own transaction ({@link storeEvents}) and announces them
   * after it commits ({@link announceEvents}).
   */
  async prepareDecision(
    request: Omit<SharingRequest, 'at' | 'sender'> & { at?: number | undefined; sender?: string | undefined },
  ): Promise<{ decision: SharingDecision; decisionId: string; event: AgreementEvent }> {
    const full: SharingRequest = {
      ...request,
      sender: request.sender ?? this.administration,
      at: request.at ?? this.now(),
    };
    const decision = decideSharing(await this.policy(), full);
    const decisionId = newId(this.now());
    return { decision, decisionId, event: decisionEvent(decisionId, full, decision) };
  }

  /** Stores events (prepared decisions) with `db`, a caller's transaction. */
  async storeEvents(db: Kysely<AgreementTables>, events: readonly AgreementEvent[]): Promise<void> {
    for (const event of events) await insertEvent(db, event, this.now());
  }

  /** Tells the event sinks of stored events. */
  async announceEvents(events: readonly AgreementEvent[]): Promise<void> {
    await this.emit([...events]);
  }

  /** Forgets the cached policy; for a registry that changes outside this service. */
  invalidatePolicy(): void {
    this.snapshotCache = null;
  }

  // ---- data received under agreements

  /**
   * Receives a record from a partner: the decision point checks the exchange in the inbound direction (agreement,
   * category, purpose, handling code, national rules) and applies the field treatments; what is accepted is kept
   * with its provenance until its retention ends. A refusal is an answer, not an error.
   */
  async receive(input: ReceiveInput): Promise<ReceiveResult> {
    const prepared = await this.prepareReceive(input);
    await this.storeReceived(this.db, prepared);
    await this.announceReceived(prepared);
    return prepared.result;
  }

  /**
   * The reading half of {@link receive}: the inbound decision and the rows it would store, with nothing written, so
   * that a caller can store many in one transaction of its own ({@link storeReceived}) and announce them after it
   * commits ({@link announceReceived}).
   */
  async prepareReceive(input: ReceiveInput): Promise<PreparedReceive> {
    const sender = input.sender.trim().toUpperCase();
    const at = this.now();
    const request: SharingRequest = {
      sender,
      receiver: this.administration,
      category: input.category,
      purpose: input.purpose,
      record: input.record,
      handlingCode: input.handlingCode,
      agreementId: input.agreementId,
      at,
    };
    const decision = decideSharing(await this.policy(), request);
    const decisionId = newId(at);
    const event = decisionEvent(decisionId, request, decision);
    if (!decision.allowed || decision.basis === null || decision.record === null || decision.retention === null) {
      return { event, row: null, result: { accepted: false, decisionId, decision } };
    }
    const loaded = (await this.snapshot()).agreements.get(decision.basis.agreementId);
    const clause = loaded?.versions
      .find((v) => v.version === decision.basis!.version)
      ?.document.clauses.find((c) => c.id === decision.basis!.clause);
    const id = newId(at);
    const retainUntil = new Date(at + decision.retention.days * DAY_MS).toISOString();
    const row: ReceivedRecordsTable = {
      id,
      originator: input.originator?.trim().toUpperCase() ?? sender,
      sender,
      agreement_id: decision.basis.agreementId,
      agreement_version: decision.basis.version,
      clause_id: decision.basis.clause,
      category: input.category,
      purpose: input.purpose,
      allowed_purposes: JSON.stringify(clause?.purposes ?? [input.purpose]),
      handling_code: decision.handlingCode,
      decision_id: decisionId,
      received_at: new Date(at).toISOString(),
      retain_until: retainUntil,
      on_expiry: decision.retention.onExpiry,
      state: 'held',
      record: JSON.stringify(decision.record),
      record_hash: sha256Hex(canonicalBytes(decision.record)),
    };
    return { event, row, result: { accepted: true, id, decisionId, decision, retainUntil } };
  }

  /** Writes a prepared receipt's decision event and received record with `db` (a caller's transaction). */
  async storeReceived(db: Kysely<AgreementTables>, prepared: PreparedReceive): Promise<void> {
    await insertEvent(db, prepared.event, this.now());
    if (prepared.row) await db.insertInto('received_records').values(prepared.row).execute();
  }

  /** Tells the event sinks of a stored receipt's decision. */
  async announceReceived(prepared: PreparedReceive): Promise<void> {
    await this.emit([prepared.event]);
  }

  /**
   * Reads a received record for a purpose, recording the access (and its purpose) in the access audit. A purpose
   * the record's agreement does not allow is refused, and that refusal is audited too.
   *
   * @throws ConcordError `SHARING_RECEIVED_UNKNOWN` (never received, or deleted by retention),
   *   `SHARING_PURPOSE_NOT_ALLOWED`.
   */
  async readReceived(id: string, access: ReadAccess): Promise<ReceivedRecord> {
    const row = await this.db.selectFrom('received_records').selectAll().where('id', '=', id).executeTakeFirst();
    const audit = (outcome: 'success' | 'denied', details: Record<string, unknown>) =>
      this.audit.record({
        actor: access.actor,
        actorKind: access.actorKind,
        action: 'shared-data.read',
        targetType: 'received-record',
        targetId: id,
        purpose: access.purpose,
        ip: access.ip ?? null,
        outcome,
        details,
      });
    if (!row || row.state === 'deleted') {
      await audit('denied', { code: 'SHARING_RECEIVED_UNKNOWN' });
      throw new ConcordError('SHARING_RECEIVED_UNKNOWN', `no received record ${id} (or its retention has ended)`);
    }
    const allowed = JSON.parse(row.allowed_purposes) as string[];
    const provenance = { originator: row.originator, agreementId: row.agreement_id, category: row.category };
    if (!allowed.includes(access.purpose)) {
      await audit('denied', { code: 'SHARING_PURPOSE_NOT_ALLOWED', ...provenance });
      throw new ConcordError(
        'SHARING_PURPOSE_NOT_ALLOWED',
        `data received under ${row.agreement_id} (clause ${row.clause_id}) may be used for ${allowed.join(', ')}, not ${access.purpose}`,
        { allowed },
      );
    }
    await audit('success', { ...provenance, state: row.state });
    return {
      id: row.id,
      provenance: {
        originator: row.originator,
        sender: row.sender,
        agreementId: row.agreement_id,
        agreementVersion: row.agreement_version,
        clause: row.clause_id,
      },
      category: row.category,
      purpose: row.purpose,
      allowedPurposes: allowed,
      handlingCode: row.handling_code,
      receivedAt: row.received_at,
      retainUntil: row.retain_until,
      state: row.state as ReceivedRecord['state'],
      record: row.record === null ? null : (JSON.parse(row.record) as JsonObject),
    };
  }

  /**
   * The retention job: every held record whose retention has ended is deleted (content dropped, a tombstone with
   * its provenance kept) or anonymized (only its public fields kept), as its clause says.
   */
  async applyRetention(): Promise<{ deleted: string[]; anonymized: string[] }> {
    const nowIso = this.nowIso();
    const due = await this.db
      .selectFrom('received_records')
      .select(['id', 'category', 'on_expiry', 'record'])
      .where('state', '=', 'held')
      .where('retain_until', '<=', nowIso)
      .orderBy('retain_until')
      .limit(10_000)
      .execute();
    const deleted: string[] = [];
    const anonymized: string[] = [];
    if (due.length === 0) return { deleted, anonymized };
    const onlyPublic = {
      personal: 'withheld',
      commercial: 'withheld',
      enforcement: 'withheld',
      public: 'full',
    } as const;
    const policy = await this.policy();
    await this.db.transaction().execute(async (trx) => {
      for (const row of due) {
        if (row.on_expiry === 'anonymize' && row.record !== null) {
          const kept = redactRecord(
            JSON.parse(row.record) as JsonObject,
            policy.classificationFor(row.category),
            onlyPublic,
            null,
          );
          await trx
            .updateTable('received_records')
            .set({ state: 'anonymized', record: JSON.stringify(kept.output) })
            .where('id', '=', row.id)
            .where('state', '=', 'held')
            .execute();
          anonymized.push(row.id);
        } else {
          await trx
            .updateTable('received_records')
            .set({ state: 'deleted', record: null })
            .where('id', '=', row.id)
            .where('state', '=', 'held')
            .execute();
          deleted.push(row.id);
        }
      }
      await insertEvent(trx, { type: 'data.retention-applied', at: nowIso, deleted, anonymized }, this.now());
    });
    await this.emit([{ type: 'data.retention-applied', at: nowIso, deleted, anonymized }]);
    return { deleted, anonymized };
  }

  /**
   * Runs {@link applyRetention} every `intervalMs` (hourly by default) until stopped. The timer does not keep the
   * process alive.
   */
  startRetentionJob(options: { intervalMs?: number; onError?: (error: unknown) => void } = {}): { stop(): void } {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.applyRetention()
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => (running = false));
    }, options.intervalMs ?? 3600_000);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }

  /** Events as kept in the `agreement_events` table, oldest first. */
  async listEvents(
    query: { agreementId?: string; afterSeq?: number; limit?: number } = {},
  ): Promise<StoredAgreementEvent[]> {
    let q = this.db
      .selectFrom('agreement_events')
      .selectAll()
      .orderBy('seq')
      .limit(Math.min(Math.max(query.limit ?? 100, 1), 1000));
    if (query.agreementId !== undefined) q = q.where('agreement_id', '=', query.agreementId);
    if (query.afterSeq !== undefined) q = q.where('seq', '>', query.afterSeq);
    const rows = await q.execute();
    return rows.map((r) => ({ seq: r.seq, id: r.id, event: JSON.parse(r.payload) as AgreementEvent }));
  }

  /**
   * A decision of the policy decision point that was logged (data that moved or was refused), by its id.
   *
   * @throws ConcordError `SHARING_DECISION_UNKNOWN`.
   */
  async getDecision(decisionId: string): Promise<Extract<AgreementEvent, { type: 'decision.shared-data' }>> {
    const row = await this.db
      .selectFrom('agreement_events')
      .select(['payload'])
      .where('id', '=', decisionId)
      .where('type', '=', 'decision.shared-data')
      .executeTakeFirst();
    if (!row) throw new ConcordError('SHARING_DECISION_UNKNOWN', `no logged decision ${decisionId}`, { decisionId });
    return JSON.parse(row.payload) as Extract<AgreementEvent, { type: 'decision.shared-data' }>;
  }

  // ---- internals

  private async documentContext(): Promise<DocumentContext> {
    return { knownParties: await this.registry.knownParties(), vocabulary: this.vocabulary, self: this.administration };
  }

  /** Runs `body` in a transaction that also stores `events` and moves the generation; then emits the events. */
  private async change(
    events: AgreementEvent[],
    body: (trx: Transaction<AgreementTables>) => Promise<void>,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await body(trx);
      for (const event of events) await insertEvent(trx, event, this.now());
      await trx
        .updateTable('agreement_generation')
        .set((eb) => ({ generation: eb('generation', '+', 1) }))
        .where('id', '=', 1)
        .execute();
    });
    this.snapshotCache = null;
    await this.emit(events);
  }

  private async logOnly(event: AgreementEvent): Promise<void> {
    await insertEvent(this.db, event, this.now());
    await this.emit([event]);
  }

  private async emit(events: AgreementEvent[]): Promise<void> {
    if (!this.events) return;
    for (const event of events) {
      try {
        await this.events.record(event);
      } catch {
        // The change is committed and its event is in agreement_events, from which the log can catch up.
      }
    }
  }

  private async snapshot(): Promise<Snapshot> {
    const row = await this.db
      .selectFrom('agreement_generation')
      .select('generation')
      .where('id', '=', 1)
      .executeTakeFirst();
    const generation = Number(row?.generation ?? 0);
    const cached = this.snapshotCache;
    if (cached) {
      const snapshot = await cached.catch(() => null);
      if (snapshot && snapshot.generation === generation) return snapshot;
    }
    const loading = this.load(generation);
    this.snapshotCache = loading;
    return loading;
  }

  private async load(generation: number): Promise<Snapshot> {
    const [agreementRows, versionRows, signatureRows, ruleRows] = await Promise.all([
      this.db.selectFrom('agreements').selectAll().execute(),
      this.db.selectFrom('agreement_versions').selectAll().orderBy('agreement_id').orderBy('version').execute(),
      this.db.selectFrom('agreement_signatures').selectAll().execute(),
      this.db.selectFrom('national_rules').selectAll().orderBy('created_at').orderBy('id').execute(),
    ]);
    const keys = new Map<string, readonly PartyKey[]>();
    const keysOf = async (party: string) => {
      let found = keys.get(party);
      if (!found) keys.set(party, (found = await this.registry.signingKeys(party)));
      return found;
    };
    const agreements = new Map<string, LoadedAgreement>();
    for (const row of agreementRows) {
      const versions = versionRows.filter((v) => v.agreement_id === row.id);
      const signatures = signatureRows.filter((s) => s.agreement_id === row.id);
      agreements.set(row.id, await assemble(row, versions, signatures, keysOf));
    }
    const rules = ruleRows.map((r) => ({
      ...(JSON.parse(r.rule) as NationalRuleInput),
      id: r.id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
    const policy = compileSharingPolicy({
      self: this.administration,
      agreements: [...agreements.values()].map((a) => a.policy),
      rules,
      classifications: this.classifications,
      pseudonymSecret: await this.pseudonymSecret(),
    });
    return { generation, agreements, rules, policy };
  }

  /**
   * The node secret behind pseudonyms: 32 random bytes made on first use and kept in `agreement_secrets`. Several
   * processes racing to make it all end up with the one that was stored first.
   */
  private pseudonymSecret(): Promise<Buffer> {
    this.secret ??= (async () => {
      const read = () =>
        this.db.selectFrom('agreement_secrets').select('value').where('name', '=', PSEUDONYM_SECRET).executeTakeFirst();
      let row = await read();
      if (!row) {
        await this.db
          .insertInto('agreement_secrets')
          .values({ name: PSEUDONYM_SECRET, value: randomBytes(32).toString('base64url'), created_at: this.nowIso() })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
        row = await read();
      }
      return Buffer.from(row!.value, 'base64url');
    })();
    this.secret.catch(() => (this.secret = null));
    return this.secret;
  }
}

async function insertEvent(db: Kysely<AgreementTables>, event: AgreementEvent, now: number): Promise<void> {
  await db
    .insertInto('agreement_events')
    .values({
      // A decision's event is found by its decision id (envelopes and receipts name it).
      id: event.type === 'decision.shared-data' ? event.decisionId : newId(now),
      at: event.at,
      type: event.type,
      agreement_id: 'agreementId' in event ? event.agreementId : null,
      payload: JSON.stringify(event),
    })
    .execute();
}

/**
 * Checks a stored agreement against itself: each version's bytes against its hash, each signature against its
 * party's key. Any mismatch marks the whole agreement tampered, and a tampered agreement allows nothing. A signature
 * whose key is no longer registered is not tampering; it just does not count.
 */
async function assemble(
  row: AgreementTables['agreements'],
  versionRows: AgreementTables['agreement_versions'][],
  signatureRows: AgreementTables['agreement_signatures'][],
  keysOf: (party: string) => Promise<readonly PartyKey[]>,
): Promise<LoadedAgreement> {
  const problems: string[] = [];
  const versions: VersionView[] = [];
  for (const v of versionRows) {
    let document: AgreementDocument;
    try {
      document = JSON.parse(v.document) as AgreementDocument;
    } catch {
      problems.push(`version ${v.version} is not JSON`);
      continue;
    }
    let hash: string;
    try {
      hash = documentHash(document);
    } catch {
      problems.push(`version ${v.version} cannot be canonicalized`);
      continue;
    }
    if (hash !== v.document_hash) problems.push(`version ${v.version} does not match its hash`);
    if (document.id !== row.id || document.version !== v.version) {
      problems.push(`version ${v.version} names another agreement or version`);
    }
    const signatures: SignatureView[] = [];
    for (const s of signatureRows.filter((x) => x.version === v.version)) {
      const parties = Array.isArray(document.parties) ? document.parties : [];
      if (!parties.includes(s.party) || s.document_hash !== v.document_hash) {
        problems.push(`a signature on version ${v.version} is not by a party or not over this version`);
        continue;
      }
      const keys = (await keysOf(s.party)).filter((k) => k.kid === s.kid);
      const verified = keys.length > 0 && verifyAgreementSignature(document, s.signature, keys, s.kid) !== null;
      if (keys.length > 0 && !verified) problems.push(`${s.party}'s signature on version ${v.version} does not verify`);
      signatures.push({ party: s.party, kid: s.kid, signature: s.signature, signedAt: s.signed_at, verified });
    }
    const signedBy = new Set(signatures.filter((s) => s.verified).map((s) => s.party));
    const missing = (Array.isArray(document.parties) ? document.parties : []).filter((p) => !signedBy.has(p));
    versions.push({
      version: v.version,
      documentHash: v.document_hash,
      createdAt: v.created_at,
      createdBy: v.created_by,
      document,
      signatures,
      missingSignatures: missing,
      complete: missing.length === 0,
    });
  }
  const latest = versions.at(-1);
  if (!latest) problems.push('no version is stored');
  let lifecycle: Lifecycle;
  if (problems.length > 0) {
    lifecycle = { state: 'tampered', detail: problems.join('; ') };
  } else if (row.lifecycle === 'suspended' || row.lifecycle === 'terminated') {
    lifecycle = {
      state: row.lifecycle,
      by: row.lifecycle_by ?? '?',
      at: row.lifecycle_at ?? '?',
      reason: row.lifecycle_reason ?? '',
    };
  } else {
    lifecycle = { state: 'active' };
  }
  const fallback = latest?.document ?? placeholderDocument(row);
  return {
    policy: {
      id: row.id,
      latest: fallback,
      signedVersions: lifecycle.state === 'tampered' ? [] : versions.filter((v) => v.complete).map((v) => v.document),
      lifecycle,
    },
    versions,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Stands in for a version that cannot be read, so a tampered agreement can still be listed (and allows nothing). */
function placeholderDocument(row: AgreementTables['agreements']): AgreementDocument {
  let parties: string[] = [];
  try {
    parties = JSON.parse(row.parties) as string[];
  } catch {
    // left empty: the agreement is tampered anyway
  }
  return {
    id: row.id,
    version: row.latest_version,
    supersedes: null,
    title: row.title,
    kind: row.kind as AgreementDocument['kind'],
    parties,
    legalReferences: [],
    validity: { from: '1970-01-01', until: null },
    clauses: [],
  };
}

function requireAgreement(snapshot: Snapshot, id: string): LoadedAgreement {
  const found = snapshot.agreements.get(id);
  if (!found) throw new ConcordError('AGREEMENT_UNKNOWN', `no agreement ${id}`);
  return found;
}

/** Refuses changes to a terminated or tampered agreement. */
function requireOpen(loaded: LoadedAgreement): void {
  const { lifecycle } = loaded.policy;
  if (lifecycle.state === 'tampered') throw tampered(loaded.policy.id, lifecycle.detail);
  if (lifecycle.state === 'terminated') {
    throw new ConcordError(
      'AGREEMENT_TERMINATED',
      `${loaded.policy.id} was terminated by ${lifecycle.by} on ${lifecycle.at}`,
    );
  }
}

function tampered(id: string, detail: string): ConcordError {
  return new ConcordError('AGREEMENT_TAMPERED', `${id} does not match what was signed: ${detail}`, { detail });
}

/**
 * One agreement of a kind at a time between the same parties: a second CMAA between NL and SG whose validity
 * overlaps the first would make it ambiguous which one governs. Amend the first instead.
 */
function checkOverlap(document: AgreementDocument, snapshot: Snapshot): void {
  const parties = [...document.parties].sort().join(',');
  for (const other of snapshot.agreements.values()) {
    if (other.policy.id === document.id || other.policy.lifecycle.state === 'terminated') continue;
    const latest = other.policy.latest;
    if (latest.kind !== document.kind || [...latest.parties].sort().join(',') !== parties) continue;
    if (validityOverlaps(latest, document)) {
      throw new ConcordError(
        'AGREEMENT_VALIDITY_OVERLAP',
        `${other.policy.id} (${latest.kind} between ${latest.parties.join(', ')}) is valid ${latest.validity.from}–${latest.validity.until ?? 'open'}, which overlaps; amend it instead`,
        { pointer: '/validity', agreementId: other.policy.id },
      );
    }
  }
}
