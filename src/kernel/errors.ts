/**
 * One catalogue of every error code Concord can raise. Each code has an HTTP status (used only by `server/`) and a
 * short title. Domain code throws `ConcordError` with a code from here; `docs/errors.md` lists every code and a test
 * keeps the two in step.
 */
export const ERROR_CATALOGUE = {
  // request shape — raised at the HTTP and CLI boundaries
  REQUEST_INVALID: { status: 400, title: 'The request does not match its schema' },
  REQUEST_MALFORMED_JSON: { status: 400, title: 'The request body is not valid JSON' },
  REQUEST_TOO_LARGE: { status: 413, title: 'The request body exceeds the size limit' },
  REQUEST_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request body has an unsupported media type' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  INTERNAL: { status: 500, title: 'Internal error' },
  CONFIG_INVALID: { status: 500, title: 'The node configuration is invalid' },

  // kernel
  JSON_NOT_CANONICALIZABLE: { status: 400, title: 'The value cannot be canonicalized as JSON (RFC 8785)' },
  KEY_INVALID: { status: 400, title: 'The key is malformed or of the wrong type' },
  KEY_FILE_UNSAFE: { status: 500, title: 'A private key file is readable by others' },
  JWS_INVALID: { status: 400, title: 'The JWS signature or structure is invalid' },
  JWE_INVALID: { status: 400, title: 'The JWE cannot be decrypted' },

  // storage
  STORAGE_UNAVAILABLE: { status: 503, title: 'The database cannot be reached' },
  STORAGE_MIGRATION_FAILED: { status: 500, title: 'A database migration failed' },
  STORAGE_CONFLICT: { status: 409, title: 'The record conflicts with an existing one' },

  // identity and access
  AUTH_REQUIRED: { status: 401, title: 'Authentication is required' },
  AUTH_INVALID_CREDENTIALS: { status: 401, title: 'Wrong user name or password' },
  AUTH_LOGIN_THROTTLED: { status: 429, title: 'Too many failed logins; try again later' },
  AUTH_SESSION_INVALID: { status: 401, title: 'The session is unknown or has expired' },
  AUTH_TOKEN_INVALID: { status: 401, title: 'The API token is unknown, expired or revoked' },
  AUTH_CSRF_FAILED: { status: 403, title: 'The CSRF token is missing or wrong' },
  AUTH_FORBIDDEN: { status: 403, title: 'Your roles do not allow this action' },
  AUTH_USER_DISABLED: { status: 403, title: 'The user is disabled' },
  IDENTITY_USER_EXISTS: { status: 409, title: 'A user with this name already exists' },
  IDENTITY_USER_UNKNOWN: { status: 404, title: 'No such user' },
  IDENTITY_TOKEN_UNKNOWN: { status: 404, title: 'No such API token' },
  IDENTITY_ROLE_UNKNOWN: { status: 400, title: 'Unknown role' },
  IDENTITY_ROLE_NOT_HELD: { status: 400, title: 'A token cannot carry a role its user does not hold' },
  IDENTITY_PASSWORD_WEAK: { status: 400, title: 'The password is too short' },
  IDENTITY_LAST_ADMIN: { status: 409, title: 'The last active administrator cannot be disabled' },
  AUDIT_APPEND_ONLY: { status: 500, title: 'The access audit is append-only' },

  // node
  NODE_NOT_INITIALIZED: { status: 500, title: 'The data directory holds no Concord node' },
  NODE_ALREADY_INITIALIZED: { status: 409, title: 'The data directory already holds a Concord node' },
  NODE_ALREADY_RUNNING: { status: 409, title: 'Another process already serves this data directory' },
  NODE_ADMINISTRATION_INVALID: {
    status: 400,
    title: 'The administration id is not ISO 3166-1 alpha-2 plus an optional suffix',
  },

  // ledger
  LEDGER_PROOF_INVALID: { status: 400, title: 'The Merkle proof does not verify' },
  LEDGER_INDEX_OUT_OF_RANGE: { status: 400, title: 'The leaf index is not below the tree size' },
  LEDGER_SIZE_INVALID: { status: 400, title: 'The tree size or pair of tree sizes is invalid' },
  LEDGER_ENTRY_UNKNOWN: { status: 404, title: 'No such log entry' },
  LEDGER_ENTRY_MALFORMED: { status: 400, title: 'The log entry is malformed or not canonically encoded' },
  LEDGER_ENTRY_TYPE_UNKNOWN: { status: 400, title: 'The log entry type is unknown' },
  LEDGER_NOTE_MALFORMED: { status: 400, title: 'The signed note is malformed' },
  LEDGER_NOTE_SIGNATURE_INVALID: { status: 403, title: 'A signature from a known key does not verify' },
  LEDGER_NOTE_UNKNOWN_KEY: { status: 403, title: 'The note carries no signature from a trusted key' },
  LEDGER_CHECKPOINT_MALFORMED: { status: 400, title: 'The checkpoint is malformed' },
  LEDGER_CHECKPOINT_ROLLBACK: { status: 409, title: 'The checkpoint is smaller than one already cosigned' },
  LEDGER_SPLIT_VIEW: { status: 409, title: 'The log signed two inconsistent checkpoints' },
  LEDGER_WITNESS_ORIGIN_UNKNOWN: { status: 404, title: 'The witness does not follow this log' },
  LEDGER_WITNESS_SIZE_MISMATCH: {
    status: 409,
    title: 'The old size is not the size of the latest cosigned checkpoint',
  },
  LEDGER_INTEGRITY_FAILED: { status: 500, title: 'The stored log is inconsistent; run the ledger audit' },
  LEDGER_WITNESS_UNREACHABLE: { status: 502, title: 'The witness did not answer or answered something unreadable' },
  LEDGER_DOCUMENT_EXISTS: { status: 409, title: 'A document with this hash is anchored already' },
  LEDGER_DOCUMENT_UNKNOWN: { status: 404, title: 'No document with this hash is anchored' },
  LEDGER_DOCUMENT_REVOKED: { status: 409, title: 'The document is revoked already' },

  // reference
  REF_DATA_UNAVAILABLE: { status: 500, title: 'A reference data file is missing or malformed' },
  REF_DATE_INVALID: { status: 400, title: 'The date is not a valid calendar date (YYYY-MM-DD)' },
  REF_HS_EDITION_UNKNOWN: { status: 400, title: 'The HS edition is not one Concord knows (2017, 2022)' },
  REF_HS_CODE_MALFORMED: { status: 400, title: 'The HS code is not 2, 4 or 6 digits' },
  REF_HS_CODE_UNKNOWN: { status: 404, title: 'The HS code does not exist in that edition' },
  REF_HS_CORRELATION_MISSING: { status: 404, title: 'The HS correlation table has no row for the code' },
  REF_COUNTRY_UNKNOWN: { status: 404, title: 'No ISO 3166-1 country has this code or name' },
  REF_CURRENCY_UNKNOWN: { status: 404, title: 'No ISO 4217 currency, current or historic, has this code' },
  REF_LOCATION_UNKNOWN: { status: 404, title: 'No UN/LOCODE location has this code' },
  REF_UNIT_UNKNOWN: { status: 404, title: 'The unit is not a UN/ECE Recommendation 20 code Concord knows' },
  REF_UNIT_INCOMPATIBLE: { status: 400, title: 'The units measure different dimensions and cannot be converted' },
  REF_RATE_MISSING: { status: 404, title: 'No exchange rate for the currency is in force on that date' },
  REF_RATES_FILE_INVALID: { status: 400, title: 'The exchange-rates file has malformed lines' },

  // declarations — validation problems (returned as values, each with a JSON Pointer; see docs/declarations.md)
  DECL_SCHEMA_INVALID: { status: 422, title: 'The declaration does not match the declaration schema' },
  DECL_HS_CODE_UNKNOWN: {
    status: 422,
    title: 'The HS code is malformed or not a subheading of the edition in force on the declaration date',
  },
  DECL_HS_CODE_MISSING: { status: 422, title: 'A goods item has no HS code (warning)' },
  DECL_HS_EDITION_MISMATCH: { status: 422, title: 'The declared HS edition is not the one in force (warning)' },
  DECL_HS_TRANSLATION_AMBIGUOUS: {
    status: 422,
    title: 'The HS 2017 code corresponds to several HS 2022 codes; the first is used (warning)',
  },
  DECL_CONTAINER_CHECK_DIGIT: { status: 422, title: 'The ISO 6346 check digit of the container number is wrong' },
  DECL_CONTAINER_NOT_ISO6346: { status: 422, title: 'The container identifier is not of ISO 6346 form (warning)' },
  DECL_IMO_CHECK_DIGIT: { status: 422, title: 'The IMO ship number is malformed or its check digit is wrong' },
  DECL_COUNTRY_UNKNOWN: { status: 422, title: 'The country code is not ISO 3166-1' },
  DECL_CURRENCY_UNKNOWN: { status: 422, title: 'The currency is not an ISO 4217 code in use on the declaration date' },
  DECL_LOCATION_UNKNOWN: { status: 422, title: 'The location is not a UN/LOCODE' },
  DECL_LOCATION_NOT_SEAPORT: {
    status: 422,
    title: 'A place of loading or unloading by sea is not a sea port (warning)',
  },
  DECL_UNIT_INVALID: { status: 422, title: 'The unit is unknown or does not measure the quantity it is given for' },
  DECL_MASS_INCONSISTENT: { status: 422, title: 'The net mass of a goods item exceeds its gross mass' },
  DECL_TOTAL_MISMATCH: { status: 422, title: 'The declared number of goods items differs from the items listed' },
  DECL_TOTAL_DIFFERS: { status: 422, title: 'A declared total differs from the sum of the items (warning)' },
  DECL_ITEM_SEQUENCE_INVALID: { status: 422, title: 'Goods item sequence numbers are repeated or have gaps' },
  DECL_DATE_INVALID: { status: 422, title: 'A date is not a calendar date or is impossible for the declaration' },
  DECL_PARTY_MISSING: { status: 422, title: 'A party the declaration type requires is missing' },
  DECL_PARTY_INCOMPLETE: { status: 422, title: 'A party has neither a name nor an identifier' },
  DECL_TEXT_INVALID: { status: 422, title: 'A text is not well-formed Unicode (a lone surrogate)' },
  DECL_RATE_MISSING: {
    status: 422,
    title: 'No exchange rate is in force on the declaration date; the amount is kept as declared (warning)',
  },
  // declarations — submission, storage and import
  DECL_INVALID: { status: 422, title: 'The declaration has validation errors' },
  DECL_BATCH_REJECTED: { status: 422, title: 'An item of an all-or-nothing batch is invalid; nothing was stored' },
  DECL_UNKNOWN: { status: 404, title: 'No such declaration' },
  DECL_REFERENCE_CONFLICT: {
    status: 409,
    title: 'The declarant already lodged a different declaration under this functional reference; amend it instead',
  },
  DECL_AMENDMENT_INVALID: {
    status: 400,
    title: 'The amendment does not fit the declaration: another declarant or functional reference, or no such item',
  },
  DECL_CANCELLED: { status: 409, title: 'The declaration is cancelled' },
  DECL_REFERENCE_AMBIGUOUS: {
    status: 409,
    title: 'Several declarations have this functional reference; the request must name the declarant',
  },
  DECL_INPUT_MALFORMED: { status: 400, title: 'The input is not well-formed JSON, CSV or XML' },
  DECL_INPUT_ENCODING: { status: 400, title: 'The input is not UTF-8 (or UTF-16 with a byte-order mark)' },
  DECL_INPUT_TOO_LARGE: { status: 413, title: 'The input or one of its records exceeds the size limit' },
  DECL_XML_FORBIDDEN: {
    status: 400,
    title: 'The XML has a DTD, an entity declaration or an external reference, which are refused',
  },
  DECL_XML_UNSUPPORTED: { status: 400, title: 'The XML is not a WCO DM declaration Concord can import' },
  DECL_XSD_INVALID: { status: 422, title: 'The XML does not validate against the WCO DM (HMRC CDS) schema' },
  DECL_SYNTHETIC_DISABLED: {
    status: 403,
    title: 'This node does not lodge generated declarations (declarations.syntheticLodging is off)',
  },

  // agreements
  AGREEMENT_INVALID: { status: 400, title: 'The agreement document does not match its schema' },
  AGREEMENT_UNKNOWN: { status: 404, title: 'No such agreement' },
  AGREEMENT_VERSION_UNKNOWN: { status: 404, title: 'The agreement has no such version' },
  AGREEMENT_EXISTS: { status: 409, title: 'An agreement with this id exists; amend it instead' },
  AGREEMENT_TEMPLATE_UNKNOWN: { status: 400, title: 'No agreement template of this name' },
  AGREEMENT_PARTY_UNKNOWN: { status: 400, title: 'A party is not a known administration' },
  AGREEMENT_PARTY_ID_INVALID: { status: 400, title: 'The administration id or key cannot be registered' },
  AGREEMENT_PARTIES_INVALID: {
    status: 400,
    title: 'The parties are repeated, wrong in number for the kind, or exclude this node',
  },
  AGREEMENT_VALIDITY_INVALID: { status: 400, title: 'The validity dates are not dates or end before they start' },
  AGREEMENT_VALIDITY_OVERLAP: {
    status: 409,
    title: 'Another agreement of the same kind between the same parties is valid at the same time',
  },
  AGREEMENT_CATEGORY_UNKNOWN: { status: 400, title: 'A clause names a data category this node does not know' },
  AGREEMENT_PURPOSE_UNKNOWN: { status: 400, title: 'A clause names a purpose this node does not know' },
  AGREEMENT_CLAUSE_INVALID: { status: 400, title: 'A clause names a non-party, an unknown article or handling code' },
  AGREEMENT_VERSION_CONFLICT: {
    status: 409,
    title: 'The version is not the next one or does not supersede the latest',
  },
  AGREEMENT_SIGNER_NOT_PARTY: { status: 403, title: 'The signer is not a party to the agreement' },
  AGREEMENT_SIGNATURE_INVALID: { status: 400, title: "The signature does not verify with the party's key" },
  AGREEMENT_ALREADY_SIGNED: { status: 409, title: 'The party has signed this version already' },
  AGREEMENT_TAMPERED: { status: 409, title: 'The stored agreement does not match what was signed' },
  AGREEMENT_SUSPENDED: { status: 409, title: 'The agreement is suspended' },
  AGREEMENT_NOT_SUSPENDED: { status: 409, title: 'The agreement is not suspended' },
  AGREEMENT_TERMINATED: { status: 409, title: 'The agreement has been terminated' },
  SHARING_NO_AGREEMENT: { status: 403, title: 'No agreement binds both sender and receiver' },
  SHARING_AGREEMENT_NOT_IN_FORCE: {
    status: 403,
    title: 'The agreement is not signed by every party or its validity has not begun',
  },
  SHARING_AGREEMENT_EXPIRED: { status: 403, title: 'The agreement has expired' },
  SHARING_AGREEMENT_SUSPENDED: { status: 403, title: 'The agreement is suspended' },
  SHARING_AGREEMENT_TERMINATED: { status: 403, title: 'The agreement has been terminated' },
  SHARING_CATEGORY_NOT_ALLOWED: { status: 403, title: 'No clause allows this data category in this direction' },
  SHARING_PURPOSE_NOT_ALLOWED: { status: 403, title: 'The agreement does not allow this purpose' },
  SHARING_HANDLING_CODE_NOT_ACCEPTED: { status: 403, title: 'The agreement does not accept this handling code' },
  SHARING_ONWARD_TRANSFER_FORBIDDEN: { status: 403, title: "The originator's agreement forbids this onward transfer" },
  SHARING_ONWARD_CONSENT_REQUIRED: { status: 403, title: "The onward transfer needs the originator's consent" },
  SHARING_NATIONAL_RULE: { status: 403, title: 'A national rule forbids or restricts this exchange' },
  SHARING_FIELD_WITHHELD: { status: 403, title: 'The agreement withholds fields of this record' },
  SHARING_RULE_INVALID: { status: 400, title: 'The national rule is malformed or restricts nothing' },
  SHARING_RULE_UNKNOWN: { status: 404, title: 'No such national rule' },
  SHARING_CLASSIFICATION_INVALID: { status: 500, title: 'A field classification pattern is invalid' },
  SHARING_RECEIVED_UNKNOWN: { status: 404, title: 'No such received record, or its retention has ended' },
  SHARING_DECISION_UNKNOWN: { status: 404, title: 'No such logged decision' },

  // federation: directory, envelopes, outbox and inbox
  FEDERATION_DIRECTORY_INVALID: { status: 400, title: 'The directory document is malformed' },
  FEDERATION_DIRECTORY_UNTRUSTED: {
    status: 403,
    title: 'The directory is not signed by enough of the trusted governance keys',
  },
  FEDERATION_DIRECTORY_STALE: { status: 409, title: 'The directory is not newer than the one installed' },
  FEDERATION_DIRECTORY_MISSING: { status: 409, title: 'No directory is installed on this node' },
  FEDERATION_MEMBER_UNKNOWN: { status: 404, title: 'No such member in the directory' },
  FEDERATION_ENVELOPE_MALFORMED: { status: 400, title: 'The envelope is not a well-formed Concord envelope' },
  FEDERATION_ENVELOPE_TOO_LARGE: { status: 413, title: 'The envelope is larger than this node accepts' },
  FEDERATION_SENDER_UNKNOWN: { status: 403, title: 'The sender is not a member of the directory' },
  FEDERATION_SENDER_INACTIVE: { status: 403, title: 'The sender is suspended or revoked in the directory' },
  FEDERATION_KEY_UNKNOWN: { status: 403, title: "The signing key is not one of the sender's keys in the directory" },
  FEDERATION_KEY_REVOKED: { status: 403, title: 'The signing key has been revoked' },
  FEDERATION_KEY_NOT_VALID: { status: 403, title: 'The signing key was not valid when the envelope was created' },
  FEDERATION_SIGNATURE_INVALID: { status: 403, title: 'The envelope signature does not verify' },
  FEDERATION_PAYLOAD_TAMPERED: { status: 403, title: 'The payload does not match the hash the envelope signs' },
  FEDERATION_DECRYPTION_FAILED: { status: 403, title: 'The encrypted payload could not be decrypted by this node' },
  FEDERATION_WRONG_RECIPIENT: { status: 403, title: 'The envelope is addressed to another administration' },
  FEDERATION_ENVELOPE_EXPIRED: { status: 403, title: 'The envelope has expired' },
  FEDERATION_CLOCK_SKEW: { status: 403, title: "The envelope's creation time is too far in the future" },
  FEDERATION_ENVELOPE_ID_REUSED: { status: 409, title: 'An envelope with this id but other content was received' },
  FEDERATION_CATEGORY_UNSUPPORTED: { status: 422, title: 'This node does not handle this category of envelope' },
  FEDERATION_PAYLOAD_INVALID: { status: 422, title: "The payload does not match its category's schema" },
  FEDERATION_RECEIPT_INVALID: { status: 502, title: "The partner's receipt does not verify" },
  FEDERATION_RECEIPT_UNKNOWN: { status: 404, title: 'No receipt for this envelope' },
  FEDERATION_PARTNER_UNKNOWN: { status: 404, title: 'No such partner in the directory' },
  FEDERATION_PARTNER_UNREACHABLE: { status: 503, title: 'The partner node did not answer' },
  FEDERATION_OUTBOX_UNKNOWN: { status: 404, title: 'No such envelope in the outbox' },
  FEDERATION_OUTBOX_NOT_RETRIABLE: { status: 409, title: 'Only dead-lettered envelopes can be retried' },
  FEDERATION_NO_SIGNING_KEY: {
    status: 409,
    title: "None of this node's signing keys is valid in the directory now",
  },
  PREARRIVAL_UNKNOWN: { status: 404, title: 'No such pre-arrival record' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * The one error class of Concord. `code` is stable and documented; `details` carries structured context (a JSON
 * Pointer, the offending value) that callers may show.
 *
 * @example
 * throw new ConcordError('AUTH_FORBIDDEN', 'auditor role required', { required: ['auditor'] });
 */
export class ConcordError extends Error {
  override readonly name = 'ConcordError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message ?? ERROR_CATALOGUE[code].title, options);
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }
}

/** True when `error` is a ConcordError, optionally of the given code. */
export function isConcordError(error: unknown, code?: ErrorCode): error is ConcordError {
  return error instanceof ConcordError && (code === undefined || error.code === code);
}
