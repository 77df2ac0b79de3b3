import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Gauge, Histogram, type Registry } from 'prom-client';
import { memberView, type Directory } from '../../federation/index.js';
import { ConcordError } from '../../kernel/index.js';
import type { ServerContext } from '../context.js';
import { errorResponses, IdParams } from '../schemas.js';

/**
 * Federation over HTTP. Between nodes (`/federation/v1`): envelopes in, receipts and the directory out; these are
 * public, because the envelope's signature against the directory is the authentication. For people and systems
 * (`/api/v1`): outbox, inbox, partners, directory, alerts, expected arrivals and mirror discrepancies.
 */
const EXCHANGE = ['liaison', 'supervisor', 'admin', 'auditor'] as const;
const RISK = ['officer', 'analyst', 'liaison', 'supervisor', 'admin', 'auditor'] as const;
const ADMIN = ['admin'] as const;
const ADMIN_OR_LIAISON = ['admin', 'liaison'] as const;

const Problem = Type.Ref('Problem');
const Agreement = Type.Union([Type.Object({ id: Type.String(), version: Type.Integer() }), Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);
const Adm = Type.String({ pattern: '^[A-Z]{2}(-[A-Z0-9]{1,8})?$' });

const ReceiptView = Type.Object({
  type: Type.String(),
  envelopeId: NullableString,
  envelopeHash: Type.String(),
  by: Type.String(),
  sender: NullableString,
  status: Type.String(),
  code: NullableString,
  message: NullableString,
  at: Type.String(),
  result: Type.Unknown(),
});

const OutboxView = Type.Object({
  id: Type.String(),
  partner: Type.String(),
  seq: Type.Integer(),
  category: Type.String(),
  purpose: Type.String(),
  agreement: Agreement,
  decisionId: NullableString,
  subject: NullableString,
  encrypted: Type.Boolean(),
  envelopeHash: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  state: Type.String({ description: 'pending, delivered, refused or dead' }),
  attempts: Type.Integer(),
  nextAttemptAt: NullableString,
  lastError: NullableString,
  lastCode: NullableString,
  deliveredAt: NullableString,
  latencyMs: Type.Union([Type.Integer(), Type.Null()]),
  receipt: Type.Union([ReceiptView, Type.Null()]),
});

const InboxView = Type.Object({
  id: Type.String(),
  sender: Type.String(),
  category: Type.String(),
  purpose: Type.String(),
  agreement: Agreement,
  envelopeHash: Type.String(),
  createdAt: Type.String(),
  receivedAt: Type.String(),
  status: Type.String({ description: 'accepted, refused or processing' }),
  code: NullableString,
  message: NullableString,
  decisionId: NullableString,
  receivedRecordId: NullableString,
  result: Type.Unknown(),
});

const PartnerView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  endpoint: Type.String(),
  status: Type.String(),
  location: Type.Union([Type.Object({ lat: Type.Number(), lon: Type.Number() }), Type.Null()]),
  outbox: Type.Object({
    pending: Type.Integer(),
    dead: Type.Integer(),
    oldestPendingAgeMs: Type.Union([Type.Number(), Type.Null()]),
  }),
  lastDeliveredAt: NullableString,
  lastReceivedAt: NullableString,
  lastError: NullableString,
  health: Type.String({ description: 'up, retrying or down' }),
});

const AlertView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  subject: Type.String(),
  message: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  raisedAt: Type.String(),
  acknowledgedAt: NullableString,
});

const MirrorReasonView = Type.Object({
  code: Type.String(),
  aspect: Type.String(),
  item: Type.Optional(Type.Integer()),
  weight: Type.Number(),
  message: Type.String(),
  exportValue: Type.Optional(Type.Unknown()),
  importValue: Type.Optional(Type.Unknown()),
});

const MatchView = Type.Object({
  id: Type.String(),
  prearrivalId: Type.String(),
  declarationId: Type.String(),
  partner: Type.String(),
  matchedBy: Type.String({ description: 'ucr or container' }),
  score: Type.Number({ description: '0 (mirror images) to 100' }),
  reasons: Type.Array(MirrorReasonView),
  hsChapters: Type.Array(Type.String()),
  trader: NullableString,
  matchedAt: Type.String(),
});

const PrearrivalView = Type.Object({
  id: Type.String(),
  envelopeId: Type.String(),
  sender: Type.String(),
  agreementId: Type.String(),
  receivedRecordId: NullableString,
  ucr: NullableString,
  containers: Type.Array(Type.String()),
  transport: NullableString,
  expectedArrival: NullableString,
  hsChapters: Type.Array(Type.String()),
  receivedAt: Type.String(),
  state: Type.String({ description: 'expected or arrived' }),
  matchedDeclarationId: NullableString,
  declaration: Type.Unknown({ description: 'The export declaration as the agreement let it in' }),
});

const Group = Type.Object({
  key: Type.String(),
  matches: Type.Integer(),
  discrepancies: Type.Integer(),
  meanScore: Type.Number(),
});

const DirectoryMemberView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  endpoint: Type.String(),
  status: Type.String(),
  location: Type.Union([Type.Object({ lat: Type.Number(), lon: Type.Number() }), Type.Null()]),
  keys: Type.Array(
    Type.Object({
      kid: Type.String(),
      use: Type.String(),
      notBefore: Type.String(),
      notAfter: NullableString,
      revoked: Type.Union([Type.Object({ at: Type.String(), reason: Type.String() }), Type.Null()]),
      current: Type.Boolean({ description: 'the key partners use now (signing) or seal to (encryption)' }),
    }),
  ),
});

const DirectoryView = Type.Object({
  installed: Type.Boolean(),
  network: NullableString,
  version: Type.Union([Type.Integer(), Type.Null()]),
  issuedAt: NullableString,
  nextUpdate: NullableString,
  governance: Type.Union([
    Type.Object({
      threshold: Type.Integer(),
      keys: Type.Array(Type.Object({ kid: Type.String(), name: Type.String() })),
    }),
    Type.Null(),
  ]),
  members: Type.Array(DirectoryMemberView),
});

const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 }));

export function registerFederationRoutes(app: FastifyInstance, ctx: ServerContext, metrics: Registry): void {
  const { federation, prearrivals } = ctx.node;

  // ---- between nodes

  app.addContentTypeParser('application/jose', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post(
    '/federation/v1/envelopes',
    {
      config: { access: 'public' },
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags: ['federation'],
        summary: 'Deliver envelopes: one compact JWS (application/jose) or a batch ({"envelopes": [...]})',
        description:
          'Each envelope is checked (size, structure, sender and key in the directory, signature, recipient, time, replay, agreement, category, purpose, payload) and answered with a receipt signed by this node: accepted, or refused with its code. A replay gets the original receipt. A batch is processed in order and always answered 200 with one receipt per envelope; a single envelope that is refused is answered with the status of its code and the signed refusal in `receipt`.',
        body: Type.Union([
          Type.String({ description: 'a compact JWS (Content-Type: application/jose)' }),
          Type.Object(
            { envelopes: Type.Array(Type.String(), { minItems: 1, maxItems: 500 }) },
            { additionalProperties: false },
          ),
        ]),
        response: {
          200: Type.Object({
            receipt: Type.Optional(Type.String({ description: 'compact JWS of the receipt' })),
            receipts: Type.Optional(Type.Array(Type.String())),
          }),
          400: Problem,
          403: Problem,
          409: Problem,
          413: Problem,
          422: Problem,
        },
      },
    },
    async (request, reply) => {
      const body = request.body as string | { envelopes: string[] };
      if (typeof body === 'object') return { receipts: await federation.receiveBatch(body.envelopes) };
      const { receipt, status, code } = await federation.receive(body);
      if (status === 'accepted' || code === null) return { receipt };
      const error = new ConcordError(code as never, `envelope refused: ${code}`);
      return reply
        .code(error.status as 403)
        .type('application/problem+json')
        .send({
          type: `https://concord.dev/errors/${code}`,
          title: error.message,
          status: error.status,
          detail: `the envelope was refused (${code}); the signed refusal is in "receipt"`,
          code,
          receipt,
        });
    },
  );

  app.get(
    '/federation/v1/receipts/:id',
    {
      config: { access: 'public' },
      schema: {
        tags: ['federation'],
        summary: 'The signed receipt this node gave for an envelope',
        params: IdParams,
        response: { 200: Type.Object({ receipt: Type.String() }), 404: Problem },
      },
    },
    async (request) => ({ receipt: await federation.receiptById((request.params as { id: string }).id) }),
  );

  app.get(
    '/federation/v1/directory',
    {
      config: { access: 'public' },
      schema: {
        tags: ['federation'],
        summary: 'The directory this node trusts, with its governance signatures (for partners to refresh theirs)',
        response: { 200: Type.Object({ document: Type.Unknown(), jws: Type.Unknown() }), 409: Problem },
      },
    },
    async () => {
      const signed = await federation.signedDirectory();
      if (!signed) throw new ConcordError('FEDERATION_DIRECTORY_MISSING', 'this node has no directory installed');
      return signed;
    },
  );

  // ---- for people and systems

  app.get(
    '/api/v1/federation/directory',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['federation'],
        summary: 'The installed directory: members, endpoints, keys and their validity',
        response: { 200: DirectoryView, ...errorResponses() },
      },
    },
    async () => directoryView(await federation.directory(), ctx.node.clock.now()),
  );

  app.post(
    '/api/v1/federation/directory',
    {
      config: { access: ADMIN, action: 'federation.directory.install' },
      schema: {
        tags: ['federation'],
        summary:
          'Install a signed directory (the first is trusted on its own governance; later ones must be signed by the installed governance)',
        body: Type.Object({ document: Type.Unknown(), jws: Type.Unknown() }, { additionalProperties: false }),
        response: {
          200: Type.Object({ version: Type.Integer(), installed: Type.Boolean() }),
          ...errorResponses(400, 409),
        },
      },
    },
    async (request) => {
      const result = await federation.installDirectory(request.body, 'install');
      await request.recordAccess({
        action: 'federation.directory.install',
        targetType: 'directory',
        targetId: String(result.version),
        outcome: 'success',
      });
      return result;
    },
  );

  app.post(
    '/api/v1/federation/directory/refresh',
    {
      config: { access: ADMIN_OR_LIAISON },
      schema: {
        tags: ['federation'],
        summary: "Fetch partners' directories now and install the newest that verifies",
        response: { 200: Type.Object({ version: Type.Union([Type.Integer(), Type.Null()]) }), ...errorResponses() },
      },
    },
    async () => ({ version: await federation.refreshDirectory() }),
  );

  app.get(
    '/api/v1/federation/outbox',
    {
      config: { access: EXCHANGE },
      schema: {
        tags: ['federation'],
        summary: 'Envelopes sent or to send, newest first',
        querystring: Type.Object(
          {
            partner: Type.Optional(Adm),
            state: Type.Optional(Type.Union(['pending', 'delivered', 'refused', 'dead'].map((s) => Type.Literal(s)))),
            category: Type.Optional(Type.String({ maxLength: 64 })),
            before: Type.Optional(Type.Integer({ minimum: 1, description: 'seq cursor' })),
            limit: Limit,
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(OutboxView) }), ...errorResponses() },
      },
    },
    async (request) => ({
      items: await federation.listOutbox(request.query as Parameters<typeof federation.listOutbox>[0]),
    }),
  );

  app.get(
    '/api/v1/federation/outbox/:id',
    {
      config: { access: EXCHANGE },
      schema: { tags: ['federation'], params: IdParams, response: { 200: OutboxView, ...errorResponses(404) } },
    },
    async (request) => federation.outboxEntry((request.params as { id: string }).id),
  );

  app.post(
    '/api/v1/federation/outbox/:id/retry',
    {
      config: { access: ADMIN_OR_LIAISON },
      schema: {
        tags: ['federation'],
        summary: 'Put a dead-lettered envelope back in its queue',
        params: IdParams,
        response: { 200: OutboxView, ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const entry = await federation.retry(id);
      await request.recordAccess({
        action: 'federation.outbox.retry',
        targetType: 'envelope',
        targetId: id,
        outcome: 'success',
      });
      return entry;
    },
  );

  app.get(
    '/api/v1/federation/inbox',
    {
      config: { access: EXCHANGE },
      schema: {
        tags: ['federation'],
        summary: 'Envelopes received from partners (accepted and refused after authentication), newest first',
        querystring: Type.Object(
          {
            sender: Type.Optional(Adm),
            status: Type.Optional(Type.Union(['accepted', 'refused', 'processing'].map((s) => Type.Literal(s)))),
            category: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Limit,
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(InboxView) }), ...errorResponses() },
      },
    },
    async (request) => ({
      items: await federation.listInbox(request.query as Parameters<typeof federation.listInbox>[0]),
    }),
  );

  app.get(
    '/api/v1/federation/partners',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['federation'],
        summary: "Each partner's endpoint, queue, last exchanges and health",
        response: { 200: Type.Object({ self: Type.String(), items: Type.Array(PartnerView) }), ...errorResponses(409) },
      },
    },
    async () => ({ self: federation.administration, items: await federation.partners() }),
  );

  app.get(
    '/api/v1/federation/alerts',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['federation'],
        summary: 'Alerts: split views of logs caught by witnessing',
        querystring: Type.Object({ open: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(AlertView) }), ...errorResponses() },
      },
    },
    async (request) => ({ items: await federation.listAlerts(request.query as { open?: boolean }) }),
  );

  app.post(
    '/api/v1/federation/alerts/:id/acknowledge',
    {
      config: { access: ['admin', 'liaison', 'supervisor'] },
      schema: {
        tags: ['federation'],
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses() },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      await federation.acknowledgeAlert(id);
      await request.recordAccess({
        action: 'federation.alert.acknowledge',
        targetType: 'alert',
        targetId: id,
        outcome: 'success',
      });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/prearrivals',
    {
      config: { access: RISK },
      schema: {
        tags: ['federation'],
        summary: 'Expected arrivals: export declarations received from partners as pre-arrival data',
        querystring: Type.Object(
          {
            state: Type.Optional(Type.Union([Type.Literal('expected'), Type.Literal('arrived')])),
            sender: Type.Optional(Adm),
            limit: Limit,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            counts: Type.Object({ expected: Type.Integer(), arrived: Type.Integer() }),
            items: Type.Array(PrearrivalView),
          }),
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const items = await prearrivals.list(request.query as Parameters<typeof prearrivals.list>[0]);
      await request.recordAccess({
        action: 'prearrivals.list',
        targetType: 'prearrival',
        targetId: null,
        outcome: 'success',
        details: { count: items.length },
      });
      return { counts: await prearrivals.counts(), items };
    },
  );

  app.get(
    '/api/v1/prearrivals/:id',
    {
      config: { access: RISK },
      schema: { tags: ['federation'], params: IdParams, response: { 200: PrearrivalView, ...errorResponses(404) } },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const view = await prearrivals.get(id);
      await request.recordAccess({
        action: 'prearrivals.read',
        targetType: 'prearrival',
        targetId: id,
        outcome: 'success',
      });
      return view;
    },
  );

  app.get(
    '/api/v1/mirror/discrepancies',
    {
      config: { access: RISK },
      schema: {
        tags: ['federation'],
        summary: 'Matched export/import pairs with their mirror analysis, most suspicious first',
        querystring: Type.Object(
          {
            partner: Type.Optional(Adm),
            minScore: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
            chapter: Type.Optional(Type.String({ pattern: '^\\d{2}$' })),
            trader: Type.Optional(Type.String({ maxLength: 100 })),
            limit: Limit,
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(MatchView) }), ...errorResponses() },
      },
    },
    async (request) => ({
      items: await prearrivals.discrepancies(request.query as Parameters<typeof prearrivals.discrepancies>[0]),
    }),
  );

  app.get(
    '/api/v1/mirror/summary',
    {
      config: { access: RISK },
      schema: {
        tags: ['federation'],
        summary: 'Matches and discrepancies by partner, HS chapter, trader and reason (for charts)',
        querystring: Type.Object(
          { threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            byPartner: Type.Array(Group),
            byChapter: Type.Array(Group),
            byTrader: Type.Array(Group),
            byReason: Type.Array(Group),
          }),
          ...errorResponses(),
        },
      },
    },
    async (request) => prearrivals.summary(request.query as { threshold?: number }),
  );

  // ---- metrics

  const depth = new Gauge({
    name: 'concord_outbox_depth',
    help: 'Envelopes waiting for delivery, per partner',
    labelNames: ['partner'] as const,
    registers: [metrics],
  });
  const oldest = new Gauge({
    name: 'concord_outbox_oldest_age_seconds',
    help: 'Age of the oldest envelope waiting for delivery, per partner',
    labelNames: ['partner'] as const,
    registers: [metrics],
  });
  const dead = new Gauge({
    name: 'concord_outbox_dead_letters',
    help: 'Envelopes in the dead letters, per partner',
    labelNames: ['partner'] as const,
    registers: [metrics],
  });
  const latency = new Histogram({
    name: 'concord_envelope_delivery_seconds',
    help: 'From queueing to the partner’s receipt',
    labelNames: ['partner'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300, 3600],
    registers: [metrics],
  });
  const unsubscribe = federation.onDelivered(({ partner, latencyMs }) =>
    latency.observe({ partner }, latencyMs / 1000),
  );
  // Gauges are read from the database when scraped: the truth is the outbox table, not a counter in memory.
  new Gauge({
    name: 'concord_outbox_scrape',
    help: 'Internal: refreshes the outbox gauges on scrape',
    registers: [metrics],
    async collect() {
      const now = ctx.node.clock.now();
      depth.reset();
      oldest.reset();
      dead.reset();
      for (const s of await federation.queueStats()) {
        depth.set({ partner: s.partner }, s.pending);
        dead.set({ partner: s.partner }, s.dead);
        oldest.set({ partner: s.partner }, s.oldestPendingAt ? (now - Date.parse(s.oldestPendingAt)) / 1000 : 0);
      }
      this.set(1);
    },
  });

  // ---- background work: delivery and directory refresh

  // Exports stored by a node killed before their envelopes were queued are queued before the node answers.
  app.addHook('onReady', async () => {
    const queued = await prearrivals.catchUp();
    if (queued > 0) app.log.info({ queued }, 'pre-arrivals queued on catch-up');
  });
  const delivery = federation.startDelivery({
    onError: (error) => app.log.warn({ err: error }, 'outbox delivery failed'),
  });
  const refreshMs = (ctx.node.config.federation?.directoryRefreshSeconds ?? 60) * 1000;
  const refresh = setInterval(() => {
    federation.refreshDirectory().catch((error: unknown) => app.log.warn({ err: error }, 'directory refresh failed'));
  }, refreshMs);
  refresh.unref();
  app.addHook('onClose', async () => {
    clearInterval(refresh);
    unsubscribe();
    await delivery.stop();
  });
}

function directoryView(directory: Directory | null, now: number) {
  if (!directory) {
    return {
      installed: false,
      network: null,
      version: null,
      issuedAt: null,
      nextUpdate: null,
      governance: null,
      members: [],
    };
  }
  const doc = directory.document;
  return {
    installed: true,
    network: doc.network,
    version: doc.version,
    issuedAt: doc.issuedAt,
    nextUpdate: doc.nextUpdate ?? null,
    governance: {
      threshold: doc.governance.threshold,
      keys: doc.governance.keys.map((k) => ({ kid: k.kid, name: k.name })),
    },
    members: doc.members.map((m) => memberView(m, now)),
  };
}
