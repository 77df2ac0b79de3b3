import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  AGREEMENT_KINDS,
  AGREEMENT_TEMPLATES,
  agreementFromTemplate,
  AgreementDocumentSchema,
  FIELD_CLASSES,
  NationalRuleInputSchema,
  PARTY_ID,
  TREATMENTS,
} from '../../agreements/index.js';
import { ConcordError } from '../../kernel/index.js';
import type { ServerContext } from '../context.js';
import { errorResponses, IdParams } from '../schemas.js';

const ADMIN = ['admin'] as const;
const AUDITORS = ['admin', 'auditor'] as const;

const Party = Type.String({ pattern: PARTY_ID.source, description: 'Administration id: NL, SG, US-CBP' });
const Json = Type.Object({}, { additionalProperties: true });
const TreatmentSchema = Type.Union(TREATMENTS.map((t) => Type.Literal(t)));
const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

const DocumentRef = Type.Ref('AgreementDocument');

const LifecycleSchema = Type.Object(
  {
    state: Type.Union([
      Type.Literal('active'),
      Type.Literal('suspended'),
      Type.Literal('terminated'),
      Type.Literal('tampered'),
    ]),
    by: Type.Optional(Type.String()),
    at: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    detail: Type.Optional(Type.String()),
  },
  { description: 'Set by a party’s notice (suspended, terminated), or tampered when the stored text fails its checks' },
);

const StatusSchema = Type.Union(
  ['pending-signatures', 'not-yet-valid', 'in-force', 'expired', 'suspended', 'terminated', 'tampered'].map((s) =>
    Type.Literal(s),
  ),
);

const SummaryProperties = {
  id: Type.String(),
  title: Type.String(),
  kind: Type.Union(AGREEMENT_KINDS.map((k) => Type.Literal(k))),
  parties: Type.Array(Type.String()),
  latestVersion: Type.Integer(),
  inForceVersion: Type.Union([Type.Integer(), Type.Null()]),
  status: StatusSchema,
  validity: Type.Object({ from: Type.String(), until: Type.Union([Type.String(), Type.Null()]) }),
  lifecycle: LifecycleSchema,
  createdAt: Type.String(),
  updatedAt: Type.String(),
};

const VersionSchema = Type.Object({
  version: Type.Integer(),
  documentHash: Type.String({
    description: 'SHA-256 (hex) of the RFC 8785 canonical document: what every party signs',
  }),
  createdAt: Type.String(),
  createdBy: Type.String(),
  document: DocumentRef,
  signatures: Type.Array(
    Type.Object({
      party: Type.String(),
      kid: Type.String(),
      signature: Type.String({ description: 'Ed25519 over the canonical document, base64url' }),
      signedAt: Type.String(),
      verified: Type.Boolean(),
    }),
  ),
  missingSignatures: Type.Array(Type.String()),
  complete: Type.Boolean(),
});

const SummarySchema = Type.Object(SummaryProperties);
const AgreementSchema = Type.Object({ ...SummaryProperties, versions: Type.Array(Type.Ref('AgreementVersion')) });

const NewAgreementBody = Type.Object(
  {
    template: Type.Optional(
      Type.String({ description: 'cmaa (WCO model bilateral), convention (Johannesburg 2003) or aeo-mra' }),
    ),
    parties: Type.Optional(Type.Array(Party, { minItems: 2, maxItems: 200 })),
    id: Type.Optional(Type.String({ maxLength: 64 })),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    validity: Type.Optional(
      Type.Object({ from: IsoDate, until: Type.Union([IsoDate, Type.Null()]) }, { additionalProperties: false }),
    ),
    document: Type.Optional({ ...Json, description: 'A whole AgreementDocument, instead of a template' }),
  },
  { additionalProperties: false, description: 'Either template and parties, or document' },
);

const DraftBody = Type.Object(
  {
    template: Type.Union(
      AGREEMENT_TEMPLATES.map((name) => Type.Literal(name)),
      { description: 'cmaa (WCO model bilateral), convention (Johannesburg 2003) or aeo-mra' },
    ),
    parties: Type.Array(Party, { minItems: 2, maxItems: 200 }),
    id: Type.Optional(Type.String({ maxLength: 64 })),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    validity: Type.Optional(
      Type.Object({ from: IsoDate, until: Type.Union([IsoDate, Type.Null()]) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

const AmendBody = Type.Object(
  {
    document: {
      ...Json,
      description: 'The next AgreementDocument; version and supersedes may be left out and are filled in',
    },
  },
  { additionalProperties: false },
);

const VersionParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }), version: Type.Integer({ minimum: 1, maximum: 10_000 }) },
  { additionalProperties: false },
);

const SignatureBody = Type.Object(
  {
    version: Type.Optional(Type.Integer({ minimum: 1, description: 'Default: the latest version' })),
    party: Type.Optional({ ...Party, description: "Another party's signature; omit to sign as this node" }),
    signature: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9_-]+$', maxLength: 200, description: 'Ed25519, base64url' }),
    ),
    kid: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

const ReasonBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false },
);

const RuleSchema = Type.Object({
  ...NationalRuleInputSchema.properties,
  id: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const PartyKeySchema = Type.Object({
  party: Type.String(),
  kid: Type.String(),
  jwk: Type.Object({ kty: Type.String(), crv: Type.String(), x: Type.String(), kid: Type.Optional(Type.String()) }),
  addedAt: Type.Union([Type.String(), Type.Null()]),
  own: Type.Boolean(),
});

const NewPartyKeyBody = Type.Object(
  { party: Party, jwk: { ...Json, description: 'Ed25519 public key as an OKP JWK (RFC 8037)' } },
  { additionalProperties: false },
);

const PartyKeyParams = Type.Object(
  { party: Party, kid: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);

const DecideBody = Type.Object(
  {
    sender: Type.Optional({ ...Party, description: 'Default: this node' }),
    receiver: Party,
    category: Type.String({ minLength: 1, maxLength: 100 }),
    purpose: Type.String({ minLength: 1, maxLength: 100 }),
    record: Type.Optional({ ...Json, description: 'The record that would be sent; its fields get their treatment' }),
    handlingCode: Type.Optional(Type.String({ pattern: '^H[0-9]$' })),
    agreementId: Type.Optional(Type.String({ maxLength: 64 })),
    exact: Type.Optional(Type.Boolean({ description: 'The record must leave unchanged or not at all' })),
    provenance: Type.Optional(
      Type.Object(
        {
          originator: Party,
          agreementId: Type.String({ maxLength: 64 }),
          category: Type.String({ maxLength: 100 }),
          handlingCode: Type.Union([Type.String({ pattern: '^H[0-9]$' }), Type.Null()]),
        },
        { additionalProperties: false, description: 'For data received from a partner: an onward transfer' },
      ),
    ),
    consent: Type.Optional(
      Type.Object(
        { by: Party, reference: Type.String({ minLength: 1, maxLength: 200 }) },
        { additionalProperties: false },
      ),
    ),
    at: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now' })),
  },
  { additionalProperties: false },
);

const ReasonSchema = Type.Object({
  effect: Type.Union(['allow', 'deny', 'restrict', 'not-applicable'].map((e) => Type.Literal(e))),
  code: Type.String(),
  message: Type.String(),
  agreement: Type.Optional(
    Type.Object({ id: Type.String(), version: Type.Integer(), title: Type.String(), status: Type.String() }),
  ),
  clause: Type.Optional(Type.String()),
  articles: Type.Optional(Type.Array(Type.Object({ article: Type.String(), title: Type.String() }))),
  rule: Type.Optional(Type.Object({ id: Type.String(), title: Type.String(), legalReference: Type.String() })),
  fields: Type.Optional(Type.Array(Type.String())),
});

const DecisionSchema = Type.Object({
  allowed: Type.Boolean(),
  code: Type.Union([Type.String(), Type.Null()], { description: 'The denial code; see docs/errors.md' }),
  sender: Type.String(),
  receiver: Type.String(),
  category: Type.String(),
  purpose: Type.String(),
  at: Type.String(),
  basis: Type.Union([
    Type.Object({
      agreementId: Type.String(),
      version: Type.Integer(),
      title: Type.String(),
      clause: Type.String(),
      articles: Type.Array(Type.Object({ article: Type.String(), title: Type.String() })),
    }),
    Type.Null(),
  ]),
  treatment: Type.Object(
    Object.fromEntries([...FIELD_CLASSES, 'unclassified'].map((c) => [c, TreatmentSchema])) as Record<
      string,
      typeof TreatmentSchema
    >,
  ),
  fields: Type.Record(Type.String(), TreatmentSchema, { description: 'JSON Pointer into the record → treatment' }),
  record: Type.Union([Json, Type.Null()], { description: 'The record as it may leave' }),
  retention: Type.Union([
    Type.Object({ days: Type.Integer(), onExpiry: Type.Union([Type.Literal('delete'), Type.Literal('anonymize')]) }),
    Type.Null(),
  ]),
  onwardTransfer: Type.Union([Json, Type.Null()]),
  replyDeadlineDays: Type.Union([Type.Integer(), Type.Null()]),
  handlingCode: Type.Union([Type.String(), Type.Null()]),
  reasons: Type.Array(ReasonSchema),
});

/** Shared components of the OpenAPI description, each registered once and referenced by `$ref`. */
const COMPONENTS = {
  AgreementSummary: SummarySchema,
  AgreementVersion: VersionSchema,
  Agreement: AgreementSchema,
  NationalRuleInput: NationalRuleInputSchema,
  NationalRule: RuleSchema,
  SharingDecision: DecisionSchema,
} as const;
const AgreementRef = Type.Ref('Agreement');
const VersionRef = Type.Ref('AgreementVersion');
const SummaryRef = Type.Ref('AgreementSummary');
const RuleInputRef = Type.Ref('NationalRuleInput');
const RuleRef = Type.Ref('NationalRule');
const DecisionRef = Type.Ref('SharingDecision');

const EventsQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);

/**
 * Agreements, their versions, signatures and lifecycle; national rules; known administrations' keys; and the
 * dry-run decision point. Changes are for administrators; reading is for any signed-in user. The retention job of
 * data received under agreements runs in the server process and stops with it.
 */
export function registerAgreementRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { agreements } = ctx.node;
  app.addSchema({ ...AgreementDocumentSchema, $id: 'AgreementDocument' });
  for (const [id, schema] of Object.entries(COMPONENTS)) app.addSchema({ ...schema, $id: id });

  const retention = agreements.startRetentionJob({
    onError: (error) => app.log.error({ err: error }, 'retention job failed'),
  });
  app.addHook('onClose', async () => retention.stop());

  app.get(
    '/api/v1/agreements',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['agreements'],
        summary: 'List agreements with their status now',
        response: { 200: Type.Object({ items: Type.Array(SummaryRef) }), ...errorResponses() },
      },
    },
    async () => ({ items: await agreements.list() }),
  );

  app.post<{ Body: Static<typeof NewAgreementBody> }>(
    '/api/v1/agreements',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['agreements'],
        summary: 'Create an agreement (version 1) from a template or a document; it awaits every party’s signature',
        body: NewAgreementBody,
        response: { 201: AgreementRef, ...errorResponses(400, 409) },
      },
    },
    async (request, reply) => {
      const created = await agreements.create(request.body, request.principal.name);
      await request.recordAccess({
        action: 'agreement.create',
        targetType: 'agreement',
        targetId: created.id,
        outcome: 'success',
        details: { documentHash: created.versions[0]!.documentHash },
      });
      return reply.status(201).send(created);
    },
  );

  app.post<{ Body: Static<typeof DraftBody> }>(
    '/api/v1/agreements/drafts',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['agreements'],
        summary: 'The draft document a template gives, to edit before creating it; nothing is stored',
        body: DraftBody,
        response: { 200: DocumentRef, ...errorResponses(400) },
      },
    },
    async (request) =>
      agreementFromTemplate(request.body.template, {
        ...request.body,
        today: new Date(ctx.node.clock.now()).toISOString().slice(0, 10),
      }),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/agreements/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['agreements'],
        summary: 'An agreement: status, every version with its document and signatures',
        params: IdParams,
        response: { 200: AgreementRef, ...errorResponses(404) },
      },
    },
    async (request) => agreements.get(request.params.id),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/agreements/:id/versions',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['agreements'],
        summary: 'The versions of an agreement',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(VersionRef) }), ...errorResponses(404) },
      },
    },
    async (request) => ({ items: (await agreements.get(request.params.id)).versions }),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof AmendBody> }>(
    '/api/v1/agreements/:id/versions',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['agreements'],
        summary: 'Amend: add the next version, which takes over once every party has signed it',
        params: IdParams,
        body: AmendBody,
        response: { 201: AgreementRef, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const amended = await agreements.amend(request.params.id, request.body.document, request.principal.name);
      const latest = amended.versions.at(-1)!;
      await request.recordAccess({
        action: 'agreement.amend',
        targetType: 'agreement',
        targetId: amended.id,
        outcome: 'success',
        details: { version: latest.version, documentHash: latest.documentHash },
      });
      return reply.status(201).send(amended);
    },
  );

  app.get<{ Params: Static<typeof VersionParams> }>(
    '/api/v1/agreements/:id/versions/:version',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['agreements'],
        summary: 'One version: the document every party signs, its hash and signatures',
        params: VersionParams,
        response: { 200: VersionRef, ...errorResponses(404) },
      },
    },
    async (request) => agreements.getVersion(request.params.id, request.params.version),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof SignatureBody> }>(
    '/api/v1/agreements/:id/signatures',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['agreements'],
        summary: "Sign a version as this node, or add another party's signature (verified before it is stored)",
        params: IdParams,
        body: SignatureBody,
        response: { 200: AgreementRef, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const { version, party, signature, kid } = request.body;
      const own = party === undefined || party === ctx.node.config.administration;
      if (own && signature !== undefined) {
        throw new ConcordError('REQUEST_INVALID', 'this node signs with its own key; give party to add another’s');
      }
      if (!own && (signature === undefined || version === undefined)) {
        throw new ConcordError('REQUEST_INVALID', "another party's signature needs version and signature");
      }
      const view = own
        ? await agreements.sign(request.params.id, { version })
        : await agreements.addSignature(request.params.id, {
            version: version!,
            party: party!,
            signature: signature!,
            kid,
          });
      await request.recordAccess({
        action: 'agreement.sign',
        targetType: 'agreement',
        targetId: view.id,
        outcome: 'success',
        details: { party: party ?? ctx.node.config.administration, version: version ?? view.latestVersion },
      });
      return view;
    },
  );

  for (const action of ['suspend', 'resume', 'terminate'] as const) {
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ReasonBody> }>(
      `/api/v1/agreements/:id/${action}`,
      {
        config: { access: ADMIN },
        schema: {
          tags: ['agreements'],
          summary: {
            suspend: 'Suspend the agreement as this node’s administration: exchange stops at once, both ways',
            resume: 'Lift a suspension this node’s administration made',
            terminate: 'Terminate the agreement as this node’s administration, at once and for good',
          }[action],
          params: IdParams,
          body: ReasonBody,
          response: { 200: AgreementRef, ...errorResponses(400, 404, 409) },
        },
      },
      async (request) => {
        const view = await agreements[action](request.params.id, request.body.reason);
        await request.recordAccess({
          action: `agreement.${action}`,
          targetType: 'agreement',
          targetId: view.id,
          outcome: 'success',
          details: { reason: request.body.reason },
        });
        return view;
      },
    );
  }

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof EventsQuery> }>(
    '/api/v1/agreements/:id/events',
    {
      config: { access: AUDITORS },
      schema: {
        tags: ['agreements'],
        summary: 'What happened to an agreement: creation, amendments, signatures, suspensions, termination',
        params: IdParams,
        querystring: EventsQuery,
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ seq: Type.Integer(), id: Type.String(), event: Json })),
          }),
          ...errorResponses(404),
        },
      },
    },
    async (request) => {
      await agreements.get(request.params.id);
      const items = await agreements.listEvents({
        agreementId: request.params.id,
        afterSeq: request.query.after,
        limit: request.query.limit,
      });
      return { items };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/decisions/:id',
    {
      config: { access: ['liaison', 'supervisor', 'admin', 'auditor'] },
      schema: {
        tags: ['agreements'],
        summary:
          'A logged decision of the policy decision point (behind an envelope sent or received): who, what, under which clause, and why',
        params: IdParams,
        response: { 200: Json, ...errorResponses(404) },
      },
    },
    async (request) => {
      const decision = await agreements.getDecision(request.params.id);
      await request.recordAccess({
        action: 'decision.read',
        targetType: 'decision',
        targetId: request.params.id,
        outcome: 'success',
      });
      return decision;
    },
  );

  // ---- national rules

  app.get(
    '/api/v1/national-rules',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['national rules'],
        summary: 'National rules laid over every agreement',
        response: { 200: Type.Object({ items: Type.Array(RuleRef) }), ...errorResponses() },
      },
    },
    async () => ({ items: await agreements.listRules() }),
  );

  app.post<{ Body: Static<typeof NationalRuleInputSchema> }>(
    '/api/v1/national-rules',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['national rules'],
        summary: 'Add a national rule; it can only make sharing stricter',
        body: RuleInputRef,
        response: { 201: RuleRef, ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const rule = await agreements.createRule(request.body);
      await request.recordAccess({
        action: 'national-rule.create',
        targetType: 'national-rule',
        targetId: rule.id,
        outcome: 'success',
      });
      return reply.status(201).send(rule);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/national-rules/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['national rules'],
        summary: 'One national rule',
        params: IdParams,
        response: { 200: RuleRef, ...errorResponses(404) },
      },
    },
    async (request) => agreements.getRule(request.params.id),
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof NationalRuleInputSchema> }>(
    '/api/v1/national-rules/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['national rules'],
        summary: 'Replace a national rule',
        params: IdParams,
        body: RuleInputRef,
        response: { 200: RuleRef, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const rule = await agreements.updateRule(request.params.id, request.body);
      await request.recordAccess({
        action: 'national-rule.update',
        targetType: 'national-rule',
        targetId: rule.id,
        outcome: 'success',
      });
      return rule;
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/v1/national-rules/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['national rules'],
        summary: 'Remove a national rule',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await agreements.deleteRule(request.params.id);
      await request.recordAccess({
        action: 'national-rule.delete',
        targetType: 'national-rule',
        targetId: request.params.id,
        outcome: 'success',
      });
      return reply.status(204).send();
    },
  );

  // ---- known administrations

  app.get(
    '/api/v1/agreement-parties',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['agreements'],
        summary: 'Known administrations and their Ed25519 keys (this node’s own first)',
        response: { 200: Type.Object({ items: Type.Array(PartyKeySchema) }), ...errorResponses() },
      },
    },
    async () => ({ items: await agreements.listPartyKeys() }),
  );

  app.post<{ Body: Static<typeof NewPartyKeyBody> }>(
    '/api/v1/agreement-parties',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['agreements'],
        summary: "Register a partner administration's public key (until the federation directory provides them)",
        body: NewPartyKeyBody,
        response: { 201: PartyKeySchema, ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const key = await agreements.addPartyKey(request.body.party, request.body.jwk);
      await request.recordAccess({
        action: 'agreement-party.add',
        targetType: 'agreement-party',
        targetId: `${key.party}/${key.kid}`,
        outcome: 'success',
      });
      return reply.status(201).send(key);
    },
  );

  app.delete<{ Params: Static<typeof PartyKeyParams> }>(
    '/api/v1/agreement-parties/:party/:kid',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['agreements'],
        summary: "Remove a partner's key; its signatures stop counting",
        params: PartyKeyParams,
        response: { 204: Type.Null(), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      await agreements.removePartyKey(request.params.party, request.params.kid);
      await request.recordAccess({
        action: 'agreement-party.remove',
        targetType: 'agreement-party',
        targetId: `${request.params.party}/${request.params.kid}`,
        outcome: 'success',
      });
      return reply.status(204).send();
    },
  );

  // ---- the decision point, as a dry run

  app.post<{ Body: Static<typeof DecideBody> }>(
    '/api/v1/sharing/decide',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['sharing'],
        summary: 'Dry run of the policy decision point: would this record go, and how? Nothing is sent or logged',
        body: DecideBody,
        response: { 200: DecisionRef, ...errorResponses(400) },
      },
    },
    async (request) => {
      const { at, ...rest } = request.body;
      const { decision } = await agreements.decide({ ...rest, at: at === undefined ? undefined : Date.parse(at) });
      await request.recordAccess({
        action: 'sharing.decide',
        targetType: 'agreement',
        targetId: decision.basis?.agreementId ?? null,
        outcome: 'success',
        details: {
          receiver: decision.receiver,
          category: decision.category,
          allowed: decision.allowed,
          code: decision.code,
        },
      });
      return decision;
    },
  );
}
