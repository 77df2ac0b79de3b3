import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { errorResponses, IdParams, RoleSchema, TokenSchema, UserSchema } from '../schemas.js';

const NewUserBody = Type.Object(
  {
    username: Type.String({ minLength: 2, maxLength: 64 }),
    displayName: Type.Optional(Type.String({ maxLength: 200 })),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    roles: Type.Array(RoleSchema, { minItems: 1, maxItems: 6 }),
  },
  { additionalProperties: false },
);

const UserPatchBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ maxLength: 200 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    roles: Type.Optional(Type.Array(RoleSchema, { minItems: 1, maxItems: 6 })),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

const NewTokenBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    roles: Type.Optional(Type.Array(RoleSchema, { minItems: 1, maxItems: 6 })),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);

const ADMIN = ['admin'] as const;

/** User and API-token management, for administrators. */
export function registerUserRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { identity } = ctx.node;

  app.get(
    '/api/v1/users',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['users'],
        summary: 'List users',
        response: { 200: Type.Object({ items: Type.Array(UserSchema) }), ...errorResponses() },
      },
    },
    async (request) => {
      await request.recordAccess({ action: 'user.list', targetType: 'user', outcome: 'success' });
      return { items: await identity.listUsers() };
    },
  );

  app.post<{ Body: Static<typeof NewUserBody> }>(
    '/api/v1/users',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['users'],
        summary: 'Create a user',
        body: NewUserBody,
        response: { 201: UserSchema, ...errorResponses(400, 409) },
      },
    },
    async (request, reply) => {
      const user = await identity.createUser(request.body);
      await request.recordAccess({
        action: 'user.create',
        targetType: 'user',
        targetId: user.id,
        outcome: 'success',
        details: { username: user.username, roles: user.roles },
      });
      return reply.status(201).send(user);
    },
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UserPatchBody> }>(
    '/api/v1/users/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['users'],
        summary: 'Change a user: display name, roles, password, or disable/enable',
        params: IdParams,
        body: UserPatchBody,
        response: { 200: UserSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const user = await identity.updateUser(request.params.id, request.body);
      const { password, ...visible } = request.body;
      await request.recordAccess({
        action: 'user.update',
        targetType: 'user',
        targetId: user.id,
        outcome: 'success',
        details: { ...visible, passwordChanged: password !== undefined },
      });
      return user;
    },
  );

  app.get(
    '/api/v1/tokens',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['tokens'],
        summary: 'List API tokens (never their secrets)',
        response: { 200: Type.Object({ items: Type.Array(TokenSchema) }), ...errorResponses() },
      },
    },
    async (request) => {
      await request.recordAccess({ action: 'token.list', targetType: 'token', outcome: 'success' });
      return { items: await identity.listTokens() };
    },
  );

  app.post<{ Body: Static<typeof NewTokenBody> }>(
    '/api/v1/tokens',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token; the secret is in this response only',
        body: NewTokenBody,
        response: { 201: Type.Object({ token: TokenSchema, secret: Type.String() }), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const created = await identity.createToken(request.body);
      await request.recordAccess({
        action: 'token.create',
        targetType: 'token',
        targetId: created.token.id,
        outcome: 'success',
        details: { username: created.token.username, roles: created.token.roles },
      });
      return reply.status(201).send(created);
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/v1/tokens/:id/revoke',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['tokens'],
        summary: 'Revoke an API token, at once',
        params: IdParams,
        response: { 200: TokenSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const token = await identity.revokeToken(request.params.id);
      await request.recordAccess({
        action: 'token.revoke',
        targetType: 'token',
        targetId: token.id,
        outcome: 'success',
      });
      return token;
    },
  );
}
