import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ConcordError } from '../../kernel/index.js';
import { SESSION_COOKIE } from '../access.js';
import type { ServerContext } from '../context.js';
import { errorResponses, MeSchema } from '../schemas.js';

const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

export function registerAuthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { identity } = ctx.node;

  app.post<{ Body: Static<typeof LoginBody> }>(
    '/api/v1/auth/login',
    {
      config: { access: 'public', action: 'auth.login' },
      schema: {
        tags: ['auth'],
        summary: 'Log in with a user name and password; sets the session cookie',
        body: LoginBody,
        response: {
          200: Type.Object({ user: MeSchema, csrfToken: Type.String() }),
          401: Type.Ref('Problem'),
          403: Type.Ref('Problem'),
          429: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      let user;
      try {
        user = await identity.authenticate(username, password, request.ip);
      } catch (error) {
        if (error instanceof ConcordError) {
          await identity.audit.record({
            actor: username.slice(0, 64).toLowerCase(),
            actorKind: 'anonymous',
            action: 'auth.login',
            ip: request.ip,
            outcome: 'failure',
            details: { code: error.code },
          });
        }
        throw error;
      }
      const session = await identity.createSession(user.id, {
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
      });
      void reply.setCookie(SESSION_COOKIE, session.sessionId, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: ctx.secureCookies,
        expires: new Date(session.expiresAt),
      });
      await identity.audit.record({
        actor: user.username,
        actorKind: 'user',
        action: 'auth.login',
        targetType: 'user',
        targetId: user.id,
        ip: request.ip,
        outcome: 'success',
      });
      return {
        user: {
          id: user.id,
          username: user.username,
          displayName: user.displayName,
          roles: user.roles,
          csrfToken: session.csrfToken,
          authMethod: 'session' as const,
        },
        csrfToken: session.csrfToken,
      };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { access: 'authenticated', action: 'auth.logout' },
      schema: {
        tags: ['auth'],
        summary: 'End the current session',
        response: { 204: Type.Null(), ...errorResponses() },
      },
    },
    async (request, reply) => {
      if (request.sessionId) await identity.endSession(request.sessionId);
      await request.recordAccess({ action: 'auth.logout', outcome: 'success' });
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/me',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['auth'], summary: 'Who am I', response: { 200: MeSchema, ...errorResponses() } },
    },
    async (request) => {
      const p = request.principal;
      const user = await identity.getUser(p.userId!);
      return {
        id: user.id,
        username: user.username,
        displayName: user.displayName,
        roles: p.roles,
        csrfToken: p.csrfToken,
        authMethod: p.kind === 'token' ? ('token' as const) : ('session' as const),
      };
    },
  );
}
