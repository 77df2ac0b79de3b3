import type { ErrorCode } from '../kernel/index.js';
import type { AgreementDocument, Clause, LegalReference, OnwardTransfer } from './document.js';
import { ruleApplies } from './national-rules.js';
import { agreementStatusAt, type AgreementStatus, type PolicyAgreement, type SharingPolicy } from './policy.js';
import { type ClassTreatments, type JsonObject, type Redaction, redactRecord } from './redaction.js';
import { FIELD_CLASSES, type FieldClass, stricterTreatment, type Treatment } from './vocabulary.js';

/**
 * Where data received from a partner came from. It travels with the data inside the node, so that passing it on
 * is checked against the originator's terms (onward transfer, handling code).
 */
export interface Provenance {
  /** The administration that first sent it. */
  originator: string;
  /** The agreement it was received under. */
  agreementId: string;
  /** The category it was received as. */
  category: string;
  handlingCode: string | null;
}

/** One question to the policy decision point: may `sender` give this record to `receiver`? */
export interface SharingRequest {
  sender: string;
  receiver: string;
  category: string;
  purpose: string;
  /** The moment of the exchange, in Unix milliseconds. */
  at: number;
  /** The record; absent for a question about the exchange alone (the answer then gives treatments per class). */
  record?: JsonObject | undefined;
  /** Set when the record was received from a partner: forwarding it is an onward transfer. */
  provenance?: Provenance | undefined;
  /** The originator's handling code on this record (intelligence); defaults to the provenance's. */
  handlingCode?: string | undefined;
  /** Decide under this agreement only. */
  agreementId?: string | undefined;
  /** The record must leave unchanged or not at all (a signed document): any withheld or pseudonymized field denies. */
  exact?: boolean | undefined;
  /** The originator's consent to an onward transfer, when its agreement requires one. */
  consent?: { by: string; reference: string } | undefined;
}

/** Codes a reason can carry besides the error codes of denials (see docs/agreements.md). */
export type ReasonCode = ErrorCode | 'SHARING_CLAUSE_ALLOWS' | 'SHARING_FIELDS_PSEUDONYMIZED';

/**
 * One step of the reasoning, in words a lawyer can check against the texts: which clause of which agreement (with
 * its articles) allowed, which national rule restricted, why an agreement did not apply.
 */
export interface DecisionReason {
  /** `not-applicable`: an agreement that was considered and did not apply, in a decision that another one allowed. */
  effect: 'allow' | 'deny' | 'restrict' | 'not-applicable';
  code: ReasonCode;
  message: string;
  agreement?: { id: string; version: number; title: string; status: AgreementStatus };
  clause?: string;
  articles?: LegalReference[];
  rule?: { id: string; title: string; legalReference: string };
  /** JSON Pointers into the record. */
  fields?: string[];
}

export interface SharingDecision {
  allowed: boolean;
  /** The code of the denial; null when allowed. */
  code: ErrorCode | null;
  sender: string;
  receiver: string;
  category: string;
  purpose: string;
  at: string;
  /** The agreement, version and clause that allow the exchange. */
  basis: {
    agreementId: string;
    version: number;
    title: string;
    clause: string;
    articles: LegalReference[];
  } | null;
  /** The treatment of each field class; unclassified fields are always withheld. */
  treatment: Record<FieldClass | 'unclassified', Treatment>;
  /** The treatment applied under each JSON Pointer of the record (see {@link redactRecord}). */
  fields: Record<string, Treatment>;
  /** The record as it may leave, or null when denied or when no record was given. */
  record: JsonObject | null;
  retention: { days: number; onExpiry: 'delete' | 'anonymize' } | null;
  onwardTransfer: OnwardTransfer | null;
  /** Days the requested administration has to reply, for assistance requests. */
  replyDeadlineDays: number | null;
  handlingCode: string | null;
  reasons: DecisionReason[];
}

/** How far a candidate agreement got before it failed; the one that got furthest names the denial. */
const STAGE = { status: 0, category: 1, purpose: 2, handling: 3 } as const;

const STATUS_CODE: Record<Exclude<AgreementStatus, 'in-force'>, ErrorCode> = {
  'pending-signatures': 'SHARING_AGREEMENT_NOT_IN_FORCE',
  'not-yet-valid': 'SHARING_AGREEMENT_NOT_IN_FORCE',
  expired: 'SHARING_AGREEMENT_EXPIRED',
  suspended: 'SHARING_AGREEMENT_SUSPENDED',
  terminated: 'SHARING_AGREEMENT_TERMINATED',
  tampered: 'AGREEMENT_TAMPERED',
};

/**
 * The policy decision point. Deny by default: data moves only when an agreement in force between sender and
 * receiver has a clause for this direction, category and purpose (and accepts the handling code), the originator's
 * onward-transfer terms allow it when the data came from a third party, and no national rule forbids it. The
 * answer says which field gets which treatment, carries the redacted record, and gives the reasons, clause and
 * articles included. Where several agreements apply, the most specific one (fewest parties) is the basis.
 *
 * Pure and synchronous: no I/O, no clock (the moment is in the request); it never throws on any policy or record.
 *
 * @example
 * const decision = decideSharing(policy, { sender: 'NL', receiver: 'SG', category: 'declaration.prearrival',
 *   purpose: 'risk-assessment', at: Date.now(), record: declaration });
 * if (decision.allowed) send(decision.record);
 */
export function decideSharing(policy: SharingPolicy, request: SharingRequest): SharingDecision {
  const { sender, receiver, category, purpose } = request;
  const handlingCode = request.handlingCode ?? request.provenance?.handlingCode ?? null;
  const reasons: DecisionReason[] = [];

  // 1. The legal basis.
  let basis: { agreement: PolicyAgreement; version: AgreementDocument; clause: Clause } | null = null;
  let furthest: { stage: number; code: ErrorCode } | null = null;
  for (const { agreement, parties } of policy.byParty.get(receiver) ?? []) {
    if (sender === receiver || !parties.has(sender)) continue;
    if (request.agreementId !== undefined && agreement.id !== request.agreementId) continue;
    const { status, version } = agreementStatusAt(agreement, request.at);
    const named = version ?? agreement.latest;
    const about = { id: agreement.id, version: named.version, title: named.title, status };
    let failure: { stage: number; code: ErrorCode; message: string } | null = null;
    let clause: Clause | undefined;
    if (status !== 'in-force' || version === null) {
      failure = {
        stage: STAGE.status,
        code: STATUS_CODE[status as Exclude<AgreementStatus, 'in-force'>],
        message: statusMessage(agreement, status),
      };
    } else {
      failure = {
        stage: STAGE.category,
        code: 'SHARING_CATEGORY_NOT_ALLOWED',
        message: `no clause of ${agreement.id} lets ${sender} send ${category} to ${receiver}`,
      };
      for (const candidate of version.clauses) {
        if (
          !covers(candidate.from, sender) ||
          !covers(candidate.to, receiver) ||
          !candidate.categories.includes(category)
        )
          continue;
        if (!candidate.purposes.includes(purpose)) {
          if (failure.stage < STAGE.purpose)
            failure = {
              stage: STAGE.purpose,
              code: 'SHARING_PURPOSE_NOT_ALLOWED',
              message: `clause ${candidate.id} allows ${category} for ${candidate.purposes.join(', ')}, not for ${purpose}`,
            };
          continue;
        }
        if (handlingCode !== null && !candidate.handlingCodes.includes(handlingCode)) {
          if (failure.stage < STAGE.handling)
            failure = {
              stage: STAGE.handling,
              code: 'SHARING_HANDLING_CODE_NOT_ACCEPTED',
              message: `clause ${candidate.id} accepts handling codes ${candidate.handlingCodes.join(', ') || '(none)'}, not ${handlingCode}`,
            };
          continue;
        }
        clause = candidate;
        break;
      }
    }
    if (clause !== undefined && version !== null) {
      basis = { agreement, version, clause };
      break;
    }
    if (failure) {
      reasons.push({ effect: 'not-applicable', code: failure.code, message: failure.message, agreement: about });
      if (furthest === null || failure.stage > furthest.stage) furthest = failure;
    }
  }
  if (basis === null) {
    if (furthest !== null) return denied(request, handlingCode, reasons, furthest.code);
    return denied(request, handlingCode, reasons, 'SHARING_NO_AGREEMENT', {
      effect: 'deny',
      code: 'SHARING_NO_AGREEMENT',
      message: request.agreementId
        ? `agreement ${request.agreementId} does not bind both ${sender} and ${receiver}`
        : `no agreement binds both ${sender} and ${receiver}`,
    });
  }

  const { agreement, version, clause } = basis;
  const articles = articlesOf(version, clause);
  reasons.push({
    effect: 'allow',
    code: 'SHARING_CLAUSE_ALLOWS',
    message: `clause ${clause.id} of ${agreement.id} v${version.version} lets ${sender} send ${category} to ${receiver} for ${purpose}`,
    agreement: { id: agreement.id, version: version.version, title: version.title, status: 'in-force' },
    clause: clause.id,
    articles,
  });
  const treatments: Record<FieldClass, Treatment> = {
    personal: clause.fields.personal,
    commercial: clause.fields.commercial,
    enforcement: clause.fields.enforcement,
    public: clause.fields.public,
  };

  // 2. Onward transfer: data that came from a third party goes on only as the originator's agreement says.
  const provenance = request.provenance;
  if (provenance && provenance.originator !== sender && provenance.originator !== receiver) {
    const onward = checkOnwardTransfer(policy, request, provenance);
    if (onward.denied) return denied(request, handlingCode, reasons, onward.code, onward.reason);
    reasons.push(onward.reason);
    for (const c of FIELD_CLASSES) treatments[c] = stricterTreatment(treatments[c], onward.floor[c]);
  }

  // 3. National rules: the stricter of agreement and rule wins.
  let retentionDays = clause.retention.days;
  let onwardTransfer: OnwardTransfer = clause.onwardTransfer;
  for (const rule of policy.rules) {
    if (!ruleApplies(rule, policy.self, sender, receiver, category, purpose)) continue;
    const about = { id: rule.id, title: rule.title, legalReference: rule.legalReference };
    if (rule.deny) {
      return denied(request, handlingCode, reasons, 'SHARING_NATIONAL_RULE', {
        effect: 'deny',
        code: 'SHARING_NATIONAL_RULE',
        message: `national rule "${rule.title}" (${rule.legalReference}) forbids this exchange`,
        rule: about,
      });
    }
    const changes: string[] = [];
    for (const c of FIELD_CLASSES) {
      const floor = rule.fields[c];
      if (floor !== undefined && stricterTreatment(floor, treatments[c]) !== treatments[c]) {
        treatments[c] = floor;
        changes.push(`${c} data ${floor}`);
      }
    }
    if (rule.maxRetentionDays !== null && rule.maxRetentionDays < retentionDays) {
      retentionDays = rule.maxRetentionDays;
      changes.push(`retention at most ${retentionDays} days`);
    }
    if (rule.forbidOnwardTransfer && onwardTransfer.rule !== 'forbidden') {
      onwardTransfer = { rule: 'forbidden' };
      changes.push('no onward transfer');
    }
    if (changes.length > 0) {
      reasons.push({
        effect: 'restrict',
        code: 'SHARING_NATIONAL_RULE',
        message: `national rule "${rule.title}" (${rule.legalReference}): ${changes.join('; ')}`,
        rule: about,
      });
    }
  }

  // 4. Field treatments.
  let record: JsonObject | null = null;
  let redaction: Redaction | null = null;
  if (request.record !== undefined) {
    const counterpart = receiver === policy.self ? sender : receiver;
    const pseudonymizer =
      treatments.personal === 'pseudonymized' ||
      treatments.commercial === 'pseudonymized' ||
      treatments.enforcement === 'pseudonymized' ||
      treatments.public === 'pseudonymized'
        ? policy.pseudonymizer(agreement.id, counterpart)
        : null;
    const done = redactRecord(request.record, policy.classificationFor(category), treatments, pseudonymizer);
    redaction = done;
    const about = { id: agreement.id, version: version.version, title: version.title, status: 'in-force' as const };
    if (done.withheldCount > 0) {
      reasons.push(
        new FieldsReason(
          'SHARING_FIELD_WITHHELD',
          `withheld under clause ${clause.id}: ${describeClasses(treatments, 'withheld')}, and unclassified fields`,
          about,
          clause.id,
          done,
          'withheld',
        ),
      );
    }
    if (done.pseudonymizedCount > 0) {
      reasons.push(
        new FieldsReason(
          'SHARING_FIELDS_PSEUDONYMIZED',
          `pseudonymized for ${counterpart} under clause ${clause.id}: ${describeClasses(treatments, 'pseudonymized')}`,
          about,
          clause.id,
          done,
          'pseudonymized',
        ),
      );
    }
    if (request.exact && (done.withheldCount > 0 || done.pseudonymizedCount > 0)) {
      const changed = [...done.withheld, ...done.pseudonymized];
      for (const r of reasons) if (r.effect === 'restrict' && r.code === 'SHARING_FIELD_WITHHELD') r.effect = 'deny';
      return denied(request, handlingCode, reasons, 'SHARING_FIELD_WITHHELD', {
        effect: 'deny',
        code: 'SHARING_FIELD_WITHHELD',
        message: `the record must leave unchanged, but ${changed.length} field(s) would be withheld or pseudonymized`,
        fields: changed,
      });
    }
    record = done.output;
  }

  return new AllowedDecision(
    sender,
    receiver,
    category,
    purpose,
    isoOf(request.at),
    { agreementId: agreement.id, version: version.version, title: version.title, clause: clause.id, articles },
    // Spelled out: an object spread here took a slow path in V8 and cost more than the rest of the decision.
    {
      personal: treatments.personal,
      commercial: treatments.commercial,
      enforcement: treatments.enforcement,
      public: treatments.public,
      unclassified: 'withheld',
    },
    record,
    { days: retentionDays, onExpiry: clause.retention.onExpiry },
    onwardTransfer,
    clause.replyDeadlineDays,
    handlingCode,
    reasons,
    redaction,
  );
}

/**
 * An allowed decision. The per-field trace (`fields`, and the pointers in the restricting reasons) is a second walk
 * over the record, made only when someone reads it — a person, a log, `JSON.stringify` through `toJSON` — so the
 * decision that only sends the record does not pay for a JSON Pointer per field.
 */
class AllowedDecision implements SharingDecision {
  readonly allowed = true;
  readonly code = null;
  readonly #redaction: Redaction | null;

  constructor(
    readonly sender: string,
    readonly receiver: string,
    readonly category: string,
    readonly purpose: string,
    readonly at: string,
    readonly basis: NonNullable<SharingDecision['basis']>,
    readonly treatment: SharingDecision['treatment'],
    readonly record: JsonObject | null,
    readonly retention: NonNullable<SharingDecision['retention']>,
    readonly onwardTransfer: OnwardTransfer,
    readonly replyDeadlineDays: number | null,
    readonly handlingCode: string | null,
    readonly reasons: DecisionReason[],
    redaction: Redaction | null,
  ) {
    this.#redaction = redaction;
  }

  get fields(): Record<string, Treatment> {
    return this.#redaction === null ? {} : this.#redaction.fields;
  }

  toJSON(): SharingDecision {
    return {
      allowed: this.allowed,
      code: this.code,
      sender: this.sender,
      receiver: this.receiver,
      category: this.category,
      purpose: this.purpose,
      at: this.at,
      basis: this.basis,
      treatment: this.treatment,
      fields: this.fields,
      record: this.record,
      retention: this.retention,
      onwardTransfer: this.onwardTransfer,
      replyDeadlineDays: this.replyDeadlineDays,
      handlingCode: this.handlingCode,
      reasons: this.reasons,
    };
  }
}

/** A restricting reason whose field list is read from the redaction's trace when asked for. */
class FieldsReason implements DecisionReason {
  effect: DecisionReason['effect'] = 'restrict';
  readonly #redaction: Redaction;
  readonly #list: 'withheld' | 'pseudonymized';

  constructor(
    readonly code: ReasonCode,
    readonly message: string,
    readonly agreement: NonNullable<DecisionReason['agreement']>,
    readonly clause: string,
    redaction: Redaction,
    list: 'withheld' | 'pseudonymized',
  ) {
    this.#redaction = redaction;
    this.#list = list;
  }

  get fields(): string[] {
    return this.#redaction[this.#list];
  }

  toJSON(): DecisionReason {
    const { effect, code, message, agreement, clause, fields } = this;
    return { effect, code, message, agreement, clause, fields };
  }
}

type OnwardCheck =
  | { denied: true; code: ErrorCode; reason: DecisionReason }
  | { denied: false; reason: DecisionReason; floor: ClassTreatments };

/**
 * Finds the clause under which the originator sent the data to this node and applies its onward-transfer term.
 * The originator's terms bind even after its agreement ends (confidentiality outlives the agreement), so the last
 * signed version is used when none is in force; an agreement unknown here denies (fail closed).
 */
function checkOnwardTransfer(policy: SharingPolicy, request: SharingRequest, provenance: Provenance): OnwardCheck {
  const { originator } = provenance;
  const agreement = policy.agreements.get(provenance.agreementId);
  const version =
    agreement === undefined || agreement.lifecycle.state === 'tampered'
      ? null
      : (agreementStatusAt(agreement, request.at).version ?? agreement.signedVersions.at(-1) ?? null);
  const original = version?.clauses.find(
    (c) => covers(c.from, originator) && covers(c.to, request.sender) && c.categories.includes(provenance.category),
  );
  if (!agreement || !version || !original) {
    return {
      denied: true,
      code: 'SHARING_ONWARD_TRANSFER_FORBIDDEN',
      reason: {
        effect: 'deny',
        code: 'SHARING_ONWARD_TRANSFER_FORBIDDEN',
        message: `the terms under which ${originator} sent this ${provenance.category} (agreement ${provenance.agreementId}) are not known here`,
      },
    };
  }
  const about = {
    id: agreement.id,
    version: version.version,
    title: version.title,
    status: agreementStatusAt(agreement, request.at).status,
  };
  const articles = version.legalReferences.filter((r) => original.articles.includes(r.article));
  const base = { agreement: about, clause: original.id, articles };
  const term = original.onwardTransfer;
  if (term.rule === 'forbidden' || (term.rule === 'named-parties' && !term.parties.includes(request.receiver))) {
    return {
      denied: true,
      code: 'SHARING_ONWARD_TRANSFER_FORBIDDEN',
      reason: {
        ...base,
        effect: 'deny',
        code: 'SHARING_ONWARD_TRANSFER_FORBIDDEN',
        message:
          term.rule === 'forbidden'
            ? `clause ${original.id} forbids passing ${originator}'s data on`
            : `clause ${original.id} allows passing ${originator}'s data on only to ${term.parties.join(', ')}`,
      },
    };
  }
  if (term.rule === 'with-consent' && request.consent?.by !== originator) {
    return {
      denied: true,
      code: 'SHARING_ONWARD_CONSENT_REQUIRED',
      reason: {
        ...base,
        effect: 'deny',
        code: 'SHARING_ONWARD_CONSENT_REQUIRED',
        message: `clause ${original.id} requires ${originator}'s consent to pass its data on to ${request.receiver}`,
      },
    };
  }
  return {
    denied: false,
    floor: original.fields,
    reason: {
      ...base,
      effect: 'allow',
      code: 'SHARING_CLAUSE_ALLOWS',
      message:
        term.rule === 'with-consent'
          ? `${originator} consented to the onward transfer (${request.consent!.reference}); its clause ${original.id} treatments still apply`
          : `clause ${original.id} allows passing ${originator}'s data on to ${request.receiver}; its treatments still apply`,
    },
  };
}

/** A denial: the last reason (if given) is the deciding one; agreements that did not apply become reasons to deny. */
function denied(
  request: SharingRequest,
  handlingCode: string | null,
  reasons: DecisionReason[],
  code: ErrorCode,
  reason?: DecisionReason,
): SharingDecision {
  if (reason) reasons.push(reason);
  for (const r of reasons) if (r.effect === 'not-applicable') r.effect = 'deny';
  return {
    allowed: false,
    code,
    sender: request.sender,
    receiver: request.receiver,
    category: request.category,
    purpose: request.purpose,
    at: isoOf(request.at),
    basis: null,
    treatment: {
      personal: 'withheld',
      commercial: 'withheld',
      enforcement: 'withheld',
      public: 'withheld',
      unclassified: 'withheld',
    },
    fields: request.record === undefined ? {} : { '': 'withheld' },
    record: null,
    retention: null,
    onwardTransfer: null,
    replyDeadlineDays: null,
    handlingCode,
    reasons,
  };
}

const articleCache = new WeakMap<Clause, LegalReference[]>();

/** The legal references a clause cites, with their titles (documents are immutable once parsed, so this is cached). */
function articlesOf(version: AgreementDocument, clause: Clause): LegalReference[] {
  let articles = articleCache.get(clause);
  if (articles === undefined) {
    articles = version.legalReferences.filter((r) => clause.articles.includes(r.article));
    articleCache.set(clause, articles);
  }
  return articles;
}

function covers(side: string, party: string): boolean {
  return side === '*' || side === party;
}

function describeClasses(treatments: ClassTreatments, treatment: Treatment): string {
  let classes = '';
  for (const c of FIELD_CLASSES) if (treatments[c] === treatment) classes += classes === '' ? c : `, ${c}`;
  return classes === '' ? 'no class' : `${classes} data`;
}

function statusMessage(agreement: PolicyAgreement, status: AgreementStatus): string {
  const { lifecycle } = agreement;
  switch (status) {
    case 'pending-signatures':
      return `${agreement.id} is not signed by every party yet`;
    case 'not-yet-valid':
      return `${agreement.id} is not in force before ${agreement.signedVersions[0]?.validity.from}`;
    case 'expired':
      return `${agreement.id} expired`;
    case 'suspended':
    case 'terminated':
      return lifecycle.state === status
        ? `${agreement.id} was ${status} by ${lifecycle.by} on ${lifecycle.at}: ${lifecycle.reason}`
        : `${agreement.id} is ${status}`;
    case 'tampered':
      return lifecycle.state === 'tampered'
        ? `${agreement.id} does not match its signatures: ${lifecycle.detail}`
        : `${agreement.id} is tampered`;
    default:
      return `${agreement.id} is ${status}`;
  }
}

let lastIso: { ms: number; iso: string } = { ms: Number.NaN, iso: '' };

/** The ISO form of a moment; decisions come in bursts within one millisecond, so the last one is remembered. */
function isoOf(ms: number): string {
  if (ms === lastIso.ms) return lastIso.iso;
  // ECMAScript dates span ±8.64e15 ms (ECMA-262 §21.4.1.22); past that toISOString throws.
  const iso = Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
  lastIso = { ms, iso };
  return iso;
}
