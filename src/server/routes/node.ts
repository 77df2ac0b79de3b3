import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../node/index.js';
import type { ServerContext } from '../context.js';
import { errorResponses } from '../schemas.js';

const JwkSchema = Type.Object({ kty: Type.String(), crv: Type.String(), x: Type.String(), kid: Type.String() });
const KeySchema = Type.Object({ kid: Type.String(), jwk: JwkSchema });
const HealthSchema = Type.Object({
  administration: Type.String({ description: 'The administration this node serves; public, shown on the login page' }),
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  checks: Type.Array(
    Type.Object({
      name: Type.String(),
      status: Type.Union([Type.Literal('ok'), Type.Literal('fail')]),
      detail: Type.Optional(Type.String()),
    }),
  ),
});

const AuditQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
    actor: Type.Optional(Type.String({ maxLength: 64 })),
    action: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

const AuditEntrySchema = Type.Object({
  id: Type.String(),
  at: Type.String(),
  actor: Type.String(),
  actorKind: Type.String(),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  purpose: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String(),
  details: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
});

/** Health checks of the node: the database answers. Later modules add theirs (outbox age, checkpoint freshness). */
export async function checkHealth(ctx: ServerContext): Promise<Static<typeof HealthSchema>> {
  const checks: Static<typeof HealthSchema>['checks'] = [];
  try {
    await ctx.node.store.ping();
    checks.push({ name: 'database', status: 'ok', detail: ctx.node.store.dialect });
  } catch (error) {
    checks.push({ name: 'database', status: 'fail', detail: (error as Error).message });
  }
  return {
    administration: ctx.node.config.administration,
    status: checks.every((c) => c.status === 'ok') ? 'ok' : 'degraded',
    checks,
  };
}

export function registerNodeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { node } = ctx;

  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: { tags: ['node'], summary: 'Liveness and readiness', response: { 200: HealthSchema, 503: HealthSchema } },
    },
    async (_request, reply) => {
      const health = await checkHealth(ctx);
      return reply.status(health.status === 'ok' ? 200 : 503).send(health);
    },
  );

  app.get(
    '/api/v1/node',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['node'],
        summary: 'This node: administration, public keys, version, uptime, health',
        response: {
          200: Type.Object({
            administration: Type.String(),
            name: Type.String(),
            version: Type.String(),
            startedAt: Type.String(),
            uptimeSeconds: Type.Number(),
            database: Type.Object({ dialect: Type.String() }),
            declarations: Type.Object({
              syntheticLodging: Type.Boolean({
                description: 'Generated declarations may be lodged here (a demo, test or training node)',
              }),
            }),
            keys: Type.Object({ signing: KeySchema, encryption: KeySchema }),
            health: HealthSchema,
          }),
          ...errorResponses(),
        },
      },
    },
    async () => ({
      administration: node.config.administration,
      name: node.config.name,
      version: VERSION,
      startedAt: new Date(ctx.startedAt).toISOString(),
      uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
      database: { dialect: node.store.dialect },
      declarations: { syntheticLodging: node.config.declarations?.syntheticLodging === true },
      keys: {
        signing: { kid: node.keys.signing.kid, jwk: { ...node.keys.signing.publicJwk, kid: node.keys.signing.kid } },
        encryption: {
          kid: node.keys.encryption.kid,
          jwk: { ...node.keys.encryption.publicJwk, kid: node.keys.encryption.kid },
        },
      },
      health: await checkHealth(ctx),
    }),
  );

  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/api/v1/audit',
    {
      config: { access: ['auditor'] },
      schema: {
        tags: ['audit'],
        summary: 'Read the access audit, newest first (auditor only)',
        querystring: AuditQuery,
        response: {
          200: Type.Object({
            items: Type.Array(AuditEntrySchema),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(400),
        },
      },
    },
    async (request) => {
      const page = await node.identity.audit.list(request.query);
      // Reading the audit is itself audited: who watches the watchers.
      await request.recordAccess({
        action: 'audit.read',
        targetType: 'audit',
        outcome: 'success',
        details: { ...request.query },
      });
      return page;
    },
  );
}
