import type { Kysely } from 'kysely';
import { type Clock, ConcordError, newId, newSecret, sha256Hex, systemClock } from '../kernel/index.js';
import { isUniqueViolation, type Store } from '../storage/index.js';
import { AccessAudit } from './audit.js';
import { dummyPasswordHash, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './password.js';
import { parseRoles, type Role } from './roles.js';
import type { ApiTokensTable, IdentityTables, UsersTable } from './tables.js';
import { LoginThrottle, type ThrottleOptions } from './throttle.js';

export interface User {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  disabled: boolean;
  createdAt: string;
}

export interface ApiToken {
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

/** Who is acting: a person through a session, a system through an API token, the node itself, or nobody yet. */
export interface Principal {
  kind: 'user' | 'token' | 'system' | 'anonymous';
  /** User name, `system`, or `anonymous`. */
  name: string;
  userId: string | null;
  roles: Role[];
  tokenId: string | null;
  /** CSRF token of the session; null for tokens (they are not ambient credentials). */
  csrfToken: string | null;
}

export const SYSTEM_PRINCIPAL: Principal = {
  kind: 'system',
  name: 'system',
  userId: null,
  roles: [],
  tokenId: null,
  csrfToken: null,
};

export interface NewUser {
  username: string;
  displayName?: string | undefined;
  password: string;
  roles: readonly string[];
}

export interface UserPatch {
  displayName?: string | undefined;
  roles?: readonly string[] | undefined;
  disabled?: boolean | undefined;
  password?: string | undefined;
}

export interface IdentityOptions {
  clock?: Clock;
  sessionTtlMs?: number;
  throttle?: ThrottleOptions;
}

export const TOKEN_PREFIX = 'concord_';
const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;

/**
 * Users, sessions and API tokens of one node. Secrets (session ids, token secrets) are returned once and stored only
 * as SHA-256 hashes: they are 256-bit random values, so a fast hash is enough, unlike passwords.
 */
export class IdentityService {
  readonly audit: AccessAudit;
  private readonly db: Kysely<IdentityTables>;
  private readonly clock: Clock;
  private readonly sessionTtlMs: number;
  private readonly throttle: LoginThrottle;

  constructor(store: Store, options: IdentityOptions = {}) {
    this.db = store.typed<IdentityTables>();
    this.clock = options.clock ?? systemClock;
    this.sessionTtlMs = options.sessionTtlMs ?? 8 * 3600_000;
    this.throttle = new LoginThrottle(this.clock, options.throttle);
    this.audit = new AccessAudit(store, this.clock);
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  // ---- users

  async createUser(input: NewUser): Promise<User> {
    const username = input.username.trim().toLowerCase();
    if (!USERNAME.test(username)) {
      throw new ConcordError('REQUEST_INVALID', 'user names are 2–64 characters: a-z, 0-9, dot, dash, underscore', {
        pointer: '/username',
      });
    }
    const roles = parseRoles(input.roles);
    checkPassword(input.password);
    const now = this.nowIso();
    const row: UsersTable = {
      id: newId(this.clock.now()),
      username,
      display_name: (input.displayName ?? username).normalize('NFC').trim() || username,
      password_hash: await hashPassword(input.password),
      roles: JSON.stringify(roles),
      disabled: 0,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.db.insertInto('users').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConcordError('IDENTITY_USER_EXISTS', `user ${username} exists`);
      throw error;
    }
    return toUser(row);
  }

  async listUsers(): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('username').execute();
    return rows.map(toUser);
  }

  async getUser(id: string): Promise<User> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new ConcordError('IDENTITY_USER_UNKNOWN', `no user ${id}`);
    return toUser(row);
  }

  async getUserByName(username: string): Promise<User> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username.toLowerCase())
      .executeTakeFirst();
    if (!row) throw new ConcordError('IDENTITY_USER_UNKNOWN', `no user ${username}`);
    return toUser(row);
  }

  async updateUser(id: string, patch: UserPatch): Promise<User> {
    const current = await this.getUser(id);
    const roles = patch.roles ? parseRoles(patch.roles) : current.roles;
    const disabled = patch.disabled ?? current.disabled;
    const losesAdmin = current.roles.includes('admin') && !current.disabled && (disabled || !roles.includes('admin'));
    if (losesAdmin && (await this.activeAdminCount()) <= 1) {
      throw new ConcordError('IDENTITY_LAST_ADMIN', 'the node would be left without an active administrator');
    }
    const values: Partial<UsersTable> = {
      roles: JSON.stringify(roles),
      disabled: disabled ? 1 : 0,
      updated_at: this.nowIso(),
    };
    if (patch.displayName !== undefined) values.display_name = patch.displayName.normalize('NFC').trim();
    if (patch.password !== undefined) {
      checkPassword(patch.password);
      values.password_hash = await hashPassword(patch.password);
    }
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set(values).where('id', '=', id).execute();
      // A disabled user or a changed password ends every open session.
      if (disabled || patch.password !== undefined)
        await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    });
    return this.getUser(id);
  }

  private async activeAdminCount(): Promise<number> {
    const users = await this.listUsers();
    return users.filter((u) => !u.disabled && u.roles.includes('admin')).length;
  }

  // ---- passwords and sessions

  /**
   * Checks a user name and password. Throttled per user name and per client address; an unknown user costs the same
   * time as a known one, and both fail with the same code.
   */
  async authenticate(username: string, password: string, ip: string | null): Promise<User> {
    const name = username.trim().toLowerCase();
    const keys = [`u:${name}`, ...(ip ? [`ip:${ip}`] : [])];
    const wait = Math.max(...keys.map((k) => this.throttle.retryAfter(k)));
    if (wait > 0) {
      throw new ConcordError('AUTH_LOGIN_THROTTLED', 'too many failed logins', {
        retryAfterSeconds: Math.ceil(wait / 1000),
      });
    }
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', name).executeTakeFirst();
    const ok = await verifyPassword(password, row?.password_hash ?? (await dummyPasswordHash()));
    if (!row || !ok) {
      for (const k of keys) this.throttle.fail(k);
      throw new ConcordError('AUTH_INVALID_CREDENTIALS');
    }
    if (row.disabled) throw new ConcordError('AUTH_USER_DISABLED');
    this.throttle.clear(`u:${name}`);
    return toUser(row);
  }

  /** Opens a session; returns the cookie value (shown once) and the CSRF token bound to it. */
  async createSession(
    userId: string,
    client: { ip: string | null; userAgent: string | null },
  ): Promise<{ sessionId: string; csrfToken: string; expiresAt: string }> {
    const sessionId = newSecret();
    const csrfToken = newSecret();
    const expiresAt = new Date(this.clock.now() + this.sessionTtlMs).toISOString();
    await this.db
      .insertInto('sessions')
      .values({
        id_hash: sha256Hex(sessionId),
        user_id: userId,
        csrf_token: csrfToken,
        created_at: this.nowIso(),
        expires_at: expiresAt,
        ip: client.ip,
        user_agent: client.userAgent?.slice(0, 256) ?? null,
      })
      .execute();
    return { sessionId, csrfToken, expiresAt };
  }

  /** The principal behind a session cookie; AUTH_SESSION_INVALID when unknown, expired, or its user is disabled. */
  async resolveSession(sessionId: string): Promise<Principal> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'users.id',
        'users.username',
        'users.roles',
        'users.disabled',
        'sessions.csrf_token',
        'sessions.expires_at',
      ])
      .where('sessions.id_hash', '=', sha256Hex(sessionId))
      .executeTakeFirst();
    if (!row || row.expires_at <= this.nowIso() || row.disabled) {
      throw new ConcordError('AUTH_SESSION_INVALID');
    }
    return {
      kind: 'user',
      name: row.username,
      userId: row.id,
      roles: JSON.parse(row.roles) as Role[],
      tokenId: null,
      csrfToken: row.csrf_token,
    };
  }

  async endSession(sessionId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', sha256Hex(sessionId)).execute();
  }

  /** Removes expired sessions; returns how many. */
  async purgeExpiredSessions(): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('expires_at', '<=', this.nowIso()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // ---- API tokens

  /**
   * Creates an API token for a system acting as `username`. Its roles default to the user's and may only narrow
   * them. The secret is returned once; only its hash is kept.
   */
  async createToken(input: {
    username: string;
    name: string;
    roles?: readonly string[] | undefined;
    expiresInDays?: number | undefined;
  }): Promise<{ token: ApiToken; secret: string }> {
    const user = await this.getUserByName(input.username);
    const roles = input.roles ? parseRoles(input.roles) : user.roles;
    const missing = roles.filter((r) => !user.roles.includes(r));
    if (missing.length > 0) {
      throw new ConcordError('IDENTITY_ROLE_NOT_HELD', `${user.username} does not hold ${missing.join(', ')}`, {
        missing,
      });
    }
    if (input.expiresInDays !== undefined && !(input.expiresInDays > 0 && input.expiresInDays <= 3650)) {
      throw new ConcordError('REQUEST_INVALID', 'expiresInDays must be between 1 and 3650', {
        pointer: '/expiresInDays',
      });
    }
    const secret = TOKEN_PREFIX + newSecret();
    const row: ApiTokensTable = {
      id: newId(this.clock.now()),
      user_id: user.id,
      name: input.name.trim() || 'token',
      secret_hash: sha256Hex(secret),
      roles: JSON.stringify(roles),
      created_at: this.nowIso(),
      expires_at:
        input.expiresInDays === undefined
          ? null
          : new Date(this.clock.now() + input.expiresInDays * 86_400_000).toISOString(),
      revoked_at: null,
      last_used_at: null,
    };
    await this.db.insertInto('api_tokens').values(row).execute();
    return { token: toToken(row, user.username), secret };
  }

  async listTokens(): Promise<ApiToken[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .selectAll('api_tokens')
      .select('users.username')
      .orderBy('api_tokens.created_at', 'desc')
      .execute();
    return rows.map((r) => toToken(r, r.username));
  }

  async revokeToken(id: string): Promise<ApiToken> {
    await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: this.nowIso() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    const rows = await this.listTokens();
    const token = rows.find((t) => t.id === id);
    if (!token) throw new ConcordError('IDENTITY_TOKEN_UNKNOWN', `no token ${id}`);
    return token;
  }

  /**
   * The principal behind a bearer token. Its roles are those of the token that the user still holds, so taking a
   * role from a user takes it from their tokens at once.
   */
  async resolveToken(secret: string): Promise<Principal> {
    if (!secret.startsWith(TOKEN_PREFIX)) throw new ConcordError('AUTH_TOKEN_INVALID');
    const row = await this.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select([
        'api_tokens.id as token_id',
        'api_tokens.roles as token_roles',
        'api_tokens.expires_at',
        'api_tokens.revoked_at',
        'users.id as user_id',
        'users.username',
        'users.roles as user_roles',
        'users.disabled',
      ])
      .where('api_tokens.secret_hash', '=', sha256Hex(secret))
      .executeTakeFirst();
    const now = this.nowIso();
    if (!row || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now) || row.disabled) {
      throw new ConcordError('AUTH_TOKEN_INVALID');
    }
    await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.token_id).execute();
    const userRoles = JSON.parse(row.user_roles) as Role[];
    return {
      kind: 'token',
      name: row.username,
      userId: row.user_id,
      roles: (JSON.parse(row.token_roles) as Role[]).filter((r) => userRoles.includes(r)),
      tokenId: row.token_id,
      csrfToken: null,
    };
  }
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ConcordError('IDENTITY_PASSWORD_WEAK', `passwords have at least ${MIN_PASSWORD_LENGTH} characters`, {
      pointer: '/password',
    });
  }
}

function toUser(row: UsersTable): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: JSON.parse(row.roles) as Role[],
    disabled: row.disabled !== 0,
    createdAt: row.created_at,
  };
}

function toToken(row: ApiTokensTable, username: string): ApiToken {
  return {
    id: row.id,
    userId: row.user_id,
    username,
    name: row.name,
    roles: JSON.parse(row.roles) as Role[],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}
