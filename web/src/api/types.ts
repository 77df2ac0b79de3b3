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
