export { ROLES, isRole, parseRoles, type Role } from './roles.js';
export { hashPassword, verifyPassword, MIN_PASSWORD_LENGTH } from './password.js';
export { identityMigrations, type IdentityTables } from './tables.js';
export {
  AccessAudit,
  type AuditEntry,
  type AuditInput,
  type AuditQuery,
  type ActorKind,
  type AuditOutcome,
} from './audit.js';
export {
  IdentityService,
  SYSTEM_PRINCIPAL,
  TOKEN_PREFIX,
  type User,
  type ApiToken,
  type Principal,
  type NewUser,
  type UserPatch,
  type IdentityOptions,
} from './service.js';
export { LoginThrottle, type ThrottleOptions } from './throttle.js';
