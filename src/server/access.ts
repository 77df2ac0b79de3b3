import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ConcordError } from '../kernel/index.js';
import type { AuditInput, IdentityService, Principal, Role } from '../identity/index.js';

/**
 * Who may call a route: `public` (anyone), `authenticated` (any signed-in principal) or a list of roles (any one
 * suffices). Every route under /api must declare one: a route without it makes the server refuse to start, so
 * access is denied by default rather than granted by omission.
 */
export type Access = 'public' | 'authenticated' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** The action name in the access audit; defaults to the route's method and URL. */
    action?: string;
  }
  interface FastifyRequest {
    principal: Principal;
    /** The session cookie value, when the request came with a valid one. */
    sessionId: string | null;
    /** Records an access-audit entry for this request, filling actor, address and declared purpose. */
    recordAccess(entry: Omit<AuditInput, 'actor' | 'actorKind' | 'ip' | 'purpose'>): Promise<void>;
  }
}

export const SESSION_COOKIE = 'concord_session';
export const CSRF_HEADER = 'x-csrf-token';
/** A caller states why it reads or changes data; the purpose is kept in the access audit. */
export const PURPOSE_HEADER = 'x-concord-purpose';

const ANONYMOUS: Principal = {
  kind: 'anonymous',
  name: 'anonymous',
  userId: null,
  roles: [],
  tokenId: null,
  csrfToken: null,
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function registerAccessControl(app: FastifyInstance, identity: IdentityService): void {
  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('sessionId', null);
  app.decorateRequest('recordAccess', async function (this: FastifyRequest, entry) {
    const purpose = this.headers[PURPOSE_HEADER];
    await identity.audit.record({
      ...entry,
      actor: this.principal.name,
      actorKind: this.principal.kind,
      ip: this.ip,
      purpose: typeof purpose === 'string' ? purpose.slice(0, 200) : null,
    });
  });

  app.addHook('onRoute', (route) => {
    const url = route.url ?? '';
    if (url.startsWith('/api/') && route.config?.access === undefined) {
      throw new Error(`route ${String(route.method)} ${url} declares no access rule`);
    }
  });

  app.addHook('preHandler', async (request) => {
    request.principal = ANONYMOUS;
    const access = request.routeOptions.config.access ?? 'public';
    if (access === 'public') {
      // Public routes still learn who calls when a valid credential comes along (login, health), never fail on it.
      await identify(request, identity).catch(() => undefined);
      return;
    }
    await identify(request, identity);
    if (request.principal.kind === 'anonymous') throw new ConcordError('AUTH_REQUIRED');
    if (request.principal.kind === 'user' && !SAFE_METHODS.has(request.method)) checkCsrf(request);
    if (access !== 'authenticated' && !access.some((role) => request.principal.roles.includes(role))) {
      const action = request.routeOptions.config.action ?? `${request.method} ${request.routeOptions.url}`;
      await request.recordAccess({ action, outcome: 'denied', details: { required: [...access] } });
      throw new ConcordError('AUTH_FORBIDDEN', `requires one of the roles: ${access.join(', ')}`, {
        required: [...access],
      });
    }
  });
}

async function identify(request: FastifyRequest, identity: IdentityService): Promise<void> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw new ConcordError('AUTH_TOKEN_INVALID', 'Authorization must be "Bearer <token>"');
    request.principal = await identity.resolveToken(match[1]!);
    return;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie) {
    request.principal = await identity.resolveSession(cookie);
    request.sessionId = cookie;
  }
}

/**
 * Synchronizer-token CSRF defence (OWASP): a state-changing request authenticated by the session cookie must carry
 * the session's CSRF token in a header, which a cross-site form or image cannot set. SameSite=Strict on the cookie
 * is the second layer. Bearer tokens are not ambient credentials and need no CSRF token.
 */
function checkCsrf(request: FastifyRequest): void {
  const sent = request.headers[CSRF_HEADER];
  const expected = request.principal.csrfToken;
  if (typeof sent !== 'string' || expected === null) throw new ConcordError('AUTH_CSRF_FAILED');
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new ConcordError('AUTH_CSRF_FAILED');
}
