// The ledger's public surface: RFC 9162 Merkle log, proofs, C2SP checkpoints, signed notes, cosignatures, witnessing.
export { HASH_SIZE, webCryptoHasher, bytesEqual, type MerkleHasher, type AsyncMerkleHasher } from './hasher.js';
export { type ProofVerdict, type ProofFailure, type ProofErrorCode } from './proof-verdict.js';
export {
  checkInclusion,
  checkInclusionAsync,
  planInclusion,
  type InclusionProof,
  type InclusionPlan,
} from './inclusion-proof.js';
export {
  checkConsistency,
  checkConsistencyAsync,
  planConsistency,
  type ConsistencyProof,
  type ConsistencyPlan,
  type ConsistencyStep,
} from './consistency-proof.js';
export { verifyInclusion, verifyConsistency } from './verify-proof.js';
export {
  nodeHasher,
  hashLeaf,
  hashChildren,
  EMPTY_ROOT,
  subtreeNodes,
  frontierNodes,
  planRootHash,
  planInclusionProof,
  planConsistencyProof,
  planNodes,
  composeProof,
  computeRootHash,
  buildInclusionProof,
  buildConsistencyProof,
  rootFromLeafHashes,
  type NodeRef,
  type HashReader,
  type ProofPlan,
} from './merkle.js';
export { CompactRange, type NewNode } from './compact-range.js';
export { MemoryTree } from './memory-tree.js';
export { encodeBase64, decodeBase64 } from './base64.js';
export {
  NOTE_ED25519_TYPE,
  DEFAULT_NOTE_LIMITS,
  isKeyName,
  isNoteText,
  noteKeyId,
  parseNote,
  formatNote,
  formatSignatureLine,
  signNote,
  openNote,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatVerifierKey,
  parseVerifierKey,
  noteVerifierFromKey,
  rawEd25519PublicKey,
  ed25519PublicKeyObject,
  hex8,
  privateKeyOf,
  type Note,
  type NoteSignature,
  type OpenedNote,
  type NoteSigner,
  type NoteVerifier,
  type NoteLimits,
  type VerifierKey,
} from './note.js';
export {
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  openCheckpoint,
  type Checkpoint,
  type SignedCheckpoint,
} from './checkpoint.js';
export {
  COSIGNATURE_V1_TYPE,
  cosignatureMessage,
  cosignatureKeyId,
  ed25519Cosigner,
  cosignatureVerifier,
  cosignatureVerifierFromKey,
  parseCosignature,
  verifyCosignatures,
  type Cosignature,
  type Cosigner,
} from './cosignature.js';
export {
  checkpointOrigin,
  witnessCheckpoint,
  type WitnessedLog,
  type AddCheckpointRequest,
  type WitnessInput,
  type WitnessResult,
  type SplitViewEvidence,
} from './witness.js';
export {
  MAX_ENTRY_BYTES,
  LEDGER_ENTRY_TYPES,
  validateEntry,
  encodeEntry,
  decodeEntry,
  hashEntry,
  type LedgerEntry,
  type LedgerEntryType,
  type EnvelopeSentEntry,
  type EnvelopeAcceptedEntry,
  type EnvelopeRefusedEntry,
  type SharedDataDecisionEntry,
  type DocumentAnchoredEntry,
  type DocumentRevokedEntry,
  type AgreementSignedEntry,
  type AgreementLifecycleEntry,
  type DeclarationAcceptedEntry,
} from './entry.js';
export { ledgerMigrations, type LedgerTables } from './log-tables.js';
export {
  LogStore,
  MAX_ENTRIES_PER_READ,
  type LogStoreOptions,
  type AppendedEntry,
  type StoredEntry,
  type PublishedCheckpoint,
} from './log-store.js';
export {
  auditLog,
  type AuditReport,
  type AuditProblem,
  type AuditProblemKind,
  type AuditOptions,
} from './log-audit.js';
export {
  BUNDLE_FORMAT,
  checkBundle,
  type DocumentBundle,
  type BundleEntry,
  type BundleStatus,
  type BundleVerdict,
  type CheckBundleOptions,
} from './bundle.js';
export {
  DISCLOSURE_FORMAT,
  documentHashesOf,
  anchorHashOf,
  discloseAll,
  restrictDisclosure,
  disclosureDigest,
  isDisclosure,
  type Disclosure,
} from './documents.js';
export {
  LedgerService,
  logOrigin,
  witnessName,
  witnessLabel,
  type LedgerServiceOptions,
  type WitnessRequest,
  type WitnessClient,
  type CosignedCheckpoint,
  type WitnessView,
  type WitnessedLogView,
  type SplitViewRecord,
  type AnchorInput,
  type AnchoredDocument,
  type DocumentStatus,
} from './ledger-service.js';
