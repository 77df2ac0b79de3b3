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
