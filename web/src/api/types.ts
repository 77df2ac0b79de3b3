/** The shapes the node's HTTP API returns (see `/openapi.json`). */

export const ROLES = ['officer', 'analyst', 'liaison', 'supervisor', 'admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Me {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  /** Present for cookie sessions; every state-changing request must echo it in `x-csrf-token`. */
  csrfToken: string | null;
  authMethod: 'session' | 'token';
}

export interface LoginResult {
  user: Me;
  csrfToken: string;
}

export interface PublicJwk {
  kty: string;
  crv: string;
  x: string;
  kid?: string;
}

export interface NodeKey {
  kid: string;
  jwk: PublicJwk;
}

export interface HealthCheck {
  name: string;
  status: 'ok' | 'fail';
  detail?: string;
}

export interface NodeInfo {
  administration: string;
  name: string;
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  database: { dialect: 'sqlite' | 'postgres' };
  declarations: { syntheticLodging: boolean };
  keys: { signing: NodeKey; encryption: NodeKey };
  health: { status: 'ok' | 'degraded'; checks: HealthCheck[] };
}

export interface User {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  disabled: boolean;
  createdAt: string;
}

export interface Token {
  id: string;
  userId: string;
  username: string;
  name: string;
  roles: Role[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface CreatedToken {
  token: Token;
  secret: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  actorKind: 'user' | 'token' | 'system' | 'anonymous';
  action: string;
  targetType: string | null;
  targetId: string | null;
  purpose: string | null;
  ip: string | null;
  outcome: 'success' | 'denied' | 'failure';
  details: Record<string, unknown> | null;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

/** RFC 9457 problem details, as every error response of the node carries them. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  errors?: unknown;
  /** The per-item results of a refused submission of declarations (DECL_INVALID, DECL_BATCH_REJECTED). */
  results?: unknown;
}

/** One entry of the node's log: its index and its leaf bytes (RFC 8785 canonical JSON), base64. */
export interface LogEntry {
  index: number;
  entry: string;
}

export interface LogEntries {
  /** The log's size now, which may be ahead of the latest checkpoint. */
  size: number;
  entries: LogEntry[];
}

/** An inclusion proof: base64 hashes, from the leaf's sibling up (RFC 9162 §2.1.3.1). */
export interface InclusionProofBody {
  index: number;
  size: number;
  hashes: string[];
}

/** A consistency proof between two tree sizes: base64 hashes (RFC 9162 §2.1.4). */
export interface ConsistencyProofBody {
  from: number;
  to: number;
  hashes: string[];
}

export const DECLARATION_TYPES = ['import', 'export', 'transit'] as const;
export type DeclarationType = (typeof DECLARATION_TYPES)[number];
export const DECLARATION_STATUSES = ['accepted', 'cancelled'] as const;
export type DeclarationStatus = (typeof DECLARATION_STATUSES)[number];

/** What happened to one item of a submission (`POST /api/v1/declarations`). */
export interface SubmissionResult {
  /** 1-based position in the file. */
  record: number;
  status: 'created' | 'existing' | 'rejected' | 'skipped' | 'amended' | 'cancelled';
  id?: string;
  functionalReference?: string;
  errors: { code: string; severity: 'error' | 'warning'; pointer: string; message: string }[];
  warnings: { code: string; severity: 'error' | 'warning'; pointer: string; message: string }[];
  notes?: { pointer: string; message: string }[];
}

/** A declaration in the list: what the node indexes for filtering. */
export interface DeclarationSummary {
  id: string;
  functionalReference: string;
  declarantKey: string;
  type: DeclarationType;
  status: DeclarationStatus;
  version: number;
  /** The declaration date, YYYY-MM-DD. */
  lodgedOn: string;
  ucr: string | null;
  itemCount: number;
  /** HS 2022 chapters of the items. */
  hsChapters: string[];
  origins: string[];
  createdAt: string;
  updatedAt: string;
}

export interface DeclarationFilter {
  /** Functional reference or UCR, exactly. */
  reference?: string;
  from?: string;
  to?: string;
  type?: string;
  status?: string;
  hsChapter?: string;
  origin?: string;
  declarant?: string;
  cursor?: string | null;
  limit?: number;
}

export interface Money {
  amount: number;
  currency: string;
}

export interface Measure {
  value: number;
  unit: string;
}

export interface Address {
  line?: string;
  city?: string;
  postcode?: string;
  country: string;
}

export interface Party {
  name?: string;
  address?: Address;
  country?: string;
  identifiers?: { scheme: 'EORI' | 'TIN' | 'other'; value: string }[];
  aeo?: { status: 'AEOC' | 'AEOS' | 'AEOF' | 'none'; certificate?: string };
}

export interface GoodsItem {
  sequence: number;
  description: string;
  hs?: { code: string; edition?: 2017 | 2022; national?: string };
  origin?: string;
  preferentialOrigin?: string;
  quantity?: Measure;
  grossMass?: Measure;
  netMass?: Measure;
  customsValue?: Money;
  statisticalValue?: Money;
  preference?: string;
  packages?: { count: number; type?: string };
  documents?: { type: string; id: string; issuedOn?: string }[];
}

/** The irregularities the generator plants. */
export const IRREGULARITY_KINDS = [
  'undervaluation',
  'misclassification',
  'origin-misdeclaration',
  'transshipment',
  'split-consignment',
] as const;
export type IrregularityKind = (typeof IRREGULARITY_KINDS)[number];

/** What `POST /api/v1/declarations/generate` is asked for. */
export interface GenerateRequest {
  count: number;
  seed: string;
  irregularRate?: number;
  kinds?: IrregularityKind[];
  from?: string;
  to?: string;
  lodge?: boolean;
}

/** A generated declaration with a planted irregularity, and the truth behind it. */
export interface GeneratedLabel {
  functionalReference: string;
  irregularities: { kind: IrregularityKind; item?: number; declared: unknown; actual: unknown; note: string }[];
}

export interface Generated {
  /** Without `lodge`: the declarations, stored nowhere. */
  declarations?: Declaration[];
  /** With `lodge`: what lodging each one did. */
  results?: SubmissionResult[];
  labels: GeneratedLabel[];
}

/** A customs declaration (WCO DM 42A), schema `Declaration`. */
export interface Declaration {
  type: DeclarationType;
  procedure?: string;
  functionalReference: string;
  ucr?: string;
  office?: string;
  dates: { lodged: string; expectedArrival?: string };
  declarant: Party;
  exporter?: Party;
  importer?: Party;
  carrier?: Party;
  transport?: { mode: string; meansType?: string; meansId?: string; nationality?: string };
  places?: { loading?: string; unloading?: string; entry?: string; exit?: string };
  dispatchCountry?: string;
  destinationCountry?: string;
  containers?: string[];
  items: GoodsItem[];
  totals?: { itemCount?: number; packages?: number; grossMass?: Measure; invoice?: Money };
}

/** A validation finding, with the RFC 6901 JSON Pointer of the field. */
export interface DeclarationProblem {
  code: string;
  severity: 'error' | 'warning';
  pointer: string;
  message: string;
}

/** One change harmonization made. */
export interface TraceStep {
  pointer: string;
  rule: string;
  from: unknown;
  to: unknown;
  note: string;
}

export interface DeclarationRecord extends DeclarationSummary {
  /** The declaration as lodged (not checked by the console: read it defensively). */
  original: unknown;
  canonical: Declaration;
  trace: TraceStep[];
  warnings: DeclarationProblem[];
  contentHash: string;
  cancellation: { at: string; by: string; reason: string } | null;
}

export interface DeclarationVersion {
  version: number;
  recordedAt: string;
  recordedBy: string;
  replacedReason: string | null;
  original: unknown;
  canonical: Declaration;
  trace: TraceStep[];
  warnings: DeclarationProblem[];
  contentHash: string;
}

export const HS_EDITIONS = [2022, 2017] as const;
export type HsEdition = (typeof HS_EDITIONS)[number];

export interface HsEntry {
  edition: HsEdition;
  code: string;
  level: string;
  description: string;
  parent: string | null;
  /** The section's Roman numeral ("XVI"). */
  section: string;
  declarable: boolean;
}

export interface HsEntryWithChildren extends HsEntry {
  children: HsEntry[];
}

export interface HsSearchHit {
  entry: HsEntry;
  score: number;
}

/** A code carried over between the 2017 and 2022 editions (UN correlation table). */
export interface HsTranslation {
  from: HsEdition;
  to: HsEdition;
  code: string;
  level: string;
  exact: boolean;
  relationship: string;
  candidates: string[];
  links: { code: string; relationship: string }[];
}

/** WGS 84 decimal degrees. */
export interface LatLon {
  lat: number;
  lon: number;
}

/** A UN/LOCODE location (GET /api/v1/reference/locations/{code}). */
export interface ReferenceLocation {
  code: string;
  name: string;
  alternativeNames: string[];
  country: string;
  subdivision: { code: string; name: string | null } | null;
  functions: string[];
  seaPort: boolean;
  status: string;
  iata: string | null;
  coordinates: LatLon | null;
  edition: string;
}

/** An ISO 3166-1 country (GET /api/v1/reference/countries/{code}); the centroid places it on a map. */
export interface ReferenceCountry {
  alpha2: string;
  alpha3: string;
  numeric: string;
  name: { en: string; fr: string };
  commonName: string;
  currencies: string[];
  centroid: LatLon | null;
}

/** The vocabulary agreements are written in (src/agreements/vocabulary.ts); a node may add categories and purposes. */
export const DATA_CATEGORIES = [
  'declaration.prearrival',
  'declaration.export',
  'intelligence.seizure',
  'intelligence.alert',
  'assistance.request',
  'assistance.reply',
  'aeo.status',
  'document.proof',
] as const;
export const PURPOSES = [
  'risk-assessment',
  'enforcement',
  'investigation',
  'prosecution',
  'statistics',
  'mutual-assistance',
  'aeo-recognition',
  'document-verification',
] as const;
export const FIELD_CLASSES = ['personal', 'commercial', 'enforcement', 'public'] as const;
export type FieldClass = (typeof FIELD_CLASSES)[number];
export const TREATMENTS = ['full', 'pseudonymized', 'withheld'] as const;
export type Treatment = (typeof TREATMENTS)[number];
export const AGREEMENT_KINDS = ['bilateral-cmaa', 'multilateral-convention', 'regional', 'aeo-mra'] as const;
export type AgreementKind = (typeof AGREEMENT_KINDS)[number];
export const AGREEMENT_STATUSES = [
  'pending-signatures',
  'not-yet-valid',
  'in-force',
  'expired',
  'suspended',
  'terminated',
  'tampered',
] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

export type OnwardTransfer =
  { rule: 'forbidden' } | { rule: 'named-parties'; parties: string[] } | { rule: 'with-consent' };

/** One direction of exchange an agreement allows, schema `AgreementDocument.clauses[]`. */
export interface Clause {
  id: string;
  /** An administration id, or `*` for every party. */
  from: string;
  to: string;
  categories: string[];
  purposes: string[];
  fields: Record<FieldClass, Treatment>;
  retention: { days: number; onExpiry: 'delete' | 'anonymize' };
  onwardTransfer: OnwardTransfer;
  handlingCodes: string[];
  replyDeadlineDays: number | null;
  articles: string[];
}

export interface LegalReference {
  article: string;
  title: string;
}

/** One version of an agreement as every party signs it, schema `AgreementDocument`. */
export interface AgreementDocument {
  id: string;
  version: number;
  supersedes: { version: number; hash: string } | null;
  title: string;
  kind: AgreementKind;
  parties: string[];
  legalReferences: LegalReference[];
  validity: { from: string; until: string | null };
  clauses: Clause[];
}

export interface AgreementLifecycle {
  state: 'active' | 'suspended' | 'terminated' | 'tampered';
  by?: string;
  at?: string;
  reason?: string;
  detail?: string;
}

export interface AgreementSummary {
  id: string;
  title: string;
  kind: AgreementKind;
  parties: string[];
  latestVersion: number;
  inForceVersion: number | null;
  status: AgreementStatus;
  validity: { from: string; until: string | null };
  lifecycle: AgreementLifecycle;
  createdAt: string;
  updatedAt: string;
}

export interface AgreementSignature {
  party: string;
  kid: string;
  signature: string;
  signedAt: string;
  verified: boolean;
}

export interface AgreementVersion {
  version: number;
  documentHash: string;
  createdAt: string;
  createdBy: string;
  document: AgreementDocument;
  signatures: AgreementSignature[];
  missingSignatures: string[];
  complete: boolean;
}

export interface Agreement extends AgreementSummary {
  versions: AgreementVersion[];
}

/** Either a template and its parties, or a whole document. */
export interface NewAgreement {
  template?: string;
  parties?: string[];
  id?: string;
  title?: string;
  validity?: { from: string; until: string | null };
  document?: AgreementDocument | Record<string, unknown>;
}

export interface AgreementPartyKey {
  party: string;
  kid: string;
  jwk: PublicJwk;
  addedAt: string | null;
  own: boolean;
}

export interface SharingRequest {
  receiver: string;
  category: string;
  purpose: string;
  record?: Record<string, unknown>;
  handlingCode?: string;
  agreementId?: string;
}

export interface DecisionReason {
  effect: 'allow' | 'deny' | 'restrict' | 'not-applicable';
  code: string;
  message: string;
  agreement?: { id: string; version: number; title: string; status: string };
  clause?: string;
  articles?: LegalReference[];
  rule?: { id: string; title: string; legalReference: string };
  fields?: string[];
}

/** The policy decision point's answer, schema `SharingDecision`. */
export interface SharingDecision {
  allowed: boolean;
  code: string | null;
  sender: string;
  receiver: string;
  category: string;
  purpose: string;
  at: string;
  basis: { agreementId: string; version: number; title: string; clause: string; articles: LegalReference[] } | null;
  treatment: Record<FieldClass | 'unclassified', Treatment>;
  /** JSON Pointer into the record → treatment. */
  fields: Record<string, Treatment>;
  record: Record<string, unknown> | null;
  retention: { days: number; onExpiry: 'delete' | 'anonymize' } | null;
  onwardTransfer: Record<string, unknown> | null;
  replyDeadlineDays: number | null;
  handlingCode: string | null;
  reasons: DecisionReason[];
}

/** An agreement and the version of it an envelope travelled under. */
export interface AgreementRef {
  id: string;
  version: number;
}

/** A partner's signed receipt for an envelope: accepted, or refused with its code. */
export interface EnvelopeReceipt {
  type: string;
  envelopeId: string | null;
  envelopeHash: string;
  by: string;
  sender: string | null;
  status: string;
  code: string | null;
  message: string | null;
  at: string;
  result: unknown;
}

/** A decision of the policy decision point as the node logged it, behind an envelope (GET /api/v1/decisions/{id}). */
export interface LoggedDecision {
  type: 'decision.shared-data';
  at: string;
  decisionId: string;
  sender: string;
  receiver: string;
  category: string;
  purpose: string;
  allowed: boolean;
  code: string | null;
  agreementId: string | null;
  version: number | null;
  clause: string | null;
  /** SHA-256 (hex) of the RFC 8785 form of the record asked about, and of what left, if anything did. */
  recordHash: string | null;
  outputHash: string | null;
  reasons: Pick<DecisionReason, 'effect' | 'code' | 'clause'>[];
}

export const OUTBOX_STATES = ['pending', 'delivered', 'refused', 'dead'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** An envelope sent, or waiting to be sent, to a partner (GET /api/v1/federation/outbox). */
export interface OutboxEntry {
  id: string;
  partner: string;
  seq: number;
  category: string;
  purpose: string;
  agreement: AgreementRef | null;
  decisionId: string | null;
  /** What the envelope is about: a declaration id for pre-arrival data, an agreement id for its proposal. */
  subject: string | null;
  encrypted: boolean;
  envelopeHash: string;
  createdAt: string;
  expiresAt: string;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastCode: string | null;
  deliveredAt: string | null;
  latencyMs: number | null;
  receipt: EnvelopeReceipt | null;
}

export interface OutboxFilter {
  partner?: string;
  state?: string;
  category?: string;
  limit?: number;
}

export const INBOX_STATUSES = ['accepted', 'refused', 'processing'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

/** An envelope received from a partner, accepted or refused (GET /api/v1/federation/inbox). */
export interface InboxEntry {
  id: string;
  sender: string;
  category: string;
  purpose: string;
  agreement: AgreementRef | null;
  envelopeHash: string;
  createdAt: string;
  receivedAt: string;
  status: InboxStatus;
  code: string | null;
  message: string | null;
  decisionId: string | null;
  receivedRecordId: string | null;
  result: unknown;
}

export interface InboxFilter {
  sender?: string;
  status?: string;
  category?: string;
  limit?: number;
}

export type PartnerHealth = 'up' | 'retrying' | 'down';

/** A partner of the directory with its queue and last exchanges (GET /api/v1/federation/partners). */
export interface PartnerStatus {
  id: string;
  name: string;
  endpoint: string;
  status: string;
  location: LatLon | null;
  outbox: { pending: number; dead: number; oldestPendingAgeMs: number | null };
  lastDeliveredAt: string | null;
  lastReceivedAt: string | null;
  lastError: string | null;
  health: PartnerHealth;
}

export interface Partners {
  /** This node's administration. */
  self: string;
  items: PartnerStatus[];
}

export interface DirectoryKeyView {
  kid: string;
  use: string;
  notBefore: string;
  notAfter: string | null;
  revoked: { at: string; reason: string } | null;
  /** The key partners use now (signing) or seal to (encryption). */
  current: boolean;
}

export interface DirectoryMemberView {
  id: string;
  name: string;
  endpoint: string;
  status: string;
  location: LatLon | null;
  keys: DirectoryKeyView[];
}

/** The federation directory this node trusts (GET /api/v1/federation/directory). */
export interface FederationDirectory {
  installed: boolean;
  network: string | null;
  version: number | null;
  issuedAt: string | null;
  nextUpdate: string | null;
  governance: { threshold: number; keys: { kid: string; name: string }[] } | null;
  members: DirectoryMemberView[];
}

/** Something a person must look at, such as a split view of a log caught by witnessing. */
export interface FederationAlert {
  id: string;
  kind: string;
  /** The administration concerned. */
  subject: string;
  message: string;
  details: Record<string, unknown>;
  raisedAt: string;
  acknowledgedAt: string | null;
}

export const ARRIVAL_STATES = ['expected', 'arrived'] as const;
export type ArrivalState = (typeof ARRIVAL_STATES)[number];

/** An export declaration a partner sent as pre-arrival data, kept until the import is lodged. */
export interface Prearrival {
  id: string;
  envelopeId: string;
  sender: string;
  agreementId: string;
  receivedRecordId: string | null;
  ucr: string | null;
  containers: string[];
  transport: string | null;
  expectedArrival: string | null;
  hsChapters: string[];
  receivedAt: string;
  state: ArrivalState;
  matchedDeclarationId: string | null;
  /** The export declaration as the agreement let it in (personal data may be pseudonymized). */
  declaration: unknown;
}

export interface Prearrivals {
  counts: Record<ArrivalState, number>;
  items: Prearrival[];
}

/** One way an import differs from its export, with the weight it adds to the score. */
export interface MirrorReason {
  code: string;
  aspect: string;
  item?: number;
  weight: number;
  message: string;
  exportValue?: unknown;
  importValue?: unknown;
}

/** An import declaration matched with its partner's export, and how far they are from mirror images. */
export interface MirrorMatch {
  id: string;
  prearrivalId: string;
  declarationId: string;
  partner: string;
  matchedBy: 'ucr' | 'container';
  /** 0 (mirror images) to 100. */
  score: number;
  reasons: MirrorReason[];
  hsChapters: string[];
  trader: string | null;
  matchedAt: string;
}

export interface MirrorFilter {
  partner?: string;
  minScore?: string;
  chapter?: string;
  limit?: number;
}

export interface MirrorGroup {
  key: string;
  matches: number;
  /** Matches scoring at or above the discrepancy threshold. */
  discrepancies: number;
  meanScore: number;
}

export interface MirrorSummary {
  byPartner: MirrorGroup[];
  byChapter: MirrorGroup[];
  byTrader: MirrorGroup[];
  byReason: MirrorGroup[];
}
