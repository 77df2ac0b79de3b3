export {
  DATA_CATEGORIES,
  PURPOSES,
  FIELD_CLASSES,
  TREATMENTS,
  AGREEMENT_KINDS,
  HANDLING_CODES,
  PARTY_ID,
  AGREEMENT_ID,
  DEFAULT_VOCABULARY,
  extendVocabulary,
  stricterTreatment,
  type FieldClass,
  type Treatment,
  type AgreementKind,
  type Vocabulary,
} from './vocabulary.js';
export {
  AgreementDocumentSchema,
  ClauseSchema,
  parseAgreementDocument,
  documentHash,
  validityBounds,
  type AgreementDocument,
  type Clause,
  type OnwardTransfer,
  type LegalReference,
  type DocumentContext,
} from './document.js';
export { AGREEMENT_TEMPLATES, agreementFromTemplate, type AgreementTemplate, type TemplateInput } from './templates.js';
export {
  compileClassification,
  DECLARATION_CLASSIFICATION,
  DEFAULT_CLASSIFICATIONS,
  type FieldClassification,
  type CompiledClassification,
} from './classification.js';
export { derivePseudonymKey, Pseudonymizer, PSEUDONYM_HKDF_SALT, PSEUDONYM_PREFIX } from './pseudonym.js';
export { redactRecord, MAX_RECORD_DEPTH, type Redaction, type JsonObject, type ClassTreatments } from './redaction.js';
export {
  NationalRuleInputSchema,
  parseNationalRule,
  type NationalRule,
  type NationalRuleInput,
} from './national-rules.js';
export {
  compileSharingPolicy,
  agreementStatusAt,
  type SharingPolicy,
  type PolicyAgreement,
  type PolicyInput,
  type AgreementStatus,
  type Lifecycle,
} from './policy.js';
export {
  decideSharing,
  type SharingRequest,
  type SharingDecision,
  type DecisionReason,
  type ReasonCode,
  type Provenance,
} from './decide.js';
export {
  signAgreement,
  verifyAgreementSignature,
  signNotice,
  verifyNotice,
  type LifecycleNotice,
  type SignedNotice,
} from './signatures.js';
export {
  InMemoryPartyRegistry,
  StoredPartyRegistry,
  parsePartyKey,
  type PartyRegistry,
  type PartyKey,
} from './party-registry.js';
export {
  MemoryAgreementEvents,
  decisionEvent,
  type AgreementEvent,
  type AgreementEventType,
  type AgreementEvents,
} from './events.js';
export { agreementsMigrations, type AgreementTables } from './tables.js';
export {
  AgreementService,
  type AgreementServiceOptions,
  type AccessAuditSink,
  type AgreementSummary,
  type AgreementView,
  type VersionView,
  type SignatureView,
  type NewAgreement,
  type PartyKeyView,
  type ReceiveInput,
  type ReceiveResult,
  type PreparedReceive,
  type ReceivedRecord,
  type ReadAccess,
  type StoredAgreementEvent,
} from './service.js';
