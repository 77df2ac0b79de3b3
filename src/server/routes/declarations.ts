import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  DECLARATION_TYPES,
  DeclarationSchema,
  generateDeclarationBatch,
  IRREGULARITY_KINDS,
  hmrcDeclarationSchemas,
  importWcoDeclaration,
  parseCsvDeclarations,
  parseJsonDeclarations,
  type ImportRecord,
  ownRefusal,
  wcoImportRecords,
  type SubmissionResult,
  validateAgainstXsd,
} from '../../declarations/index.js';
import { ConcordError } from '../../kernel/index.js';
import type { ServerContext } from '../context.js';
import { errorResponses, IdParams } from '../schemas.js';

const LODGE = ['officer', 'supervisor', 'admin'] as const;
/** The largest body `POST /api/v1/declarations` reads: 16 MiB, as large as a WCO DM XML document may be. */
const SUBMIT_BODY_LIMIT = 16 * 1024 * 1024;
const READ = ['officer', 'analyst', 'supervisor', 'auditor', 'admin'] as const;
/** Generated declarations one request returns or lodges at most; `concord generate` streams any number. */
const GENERATE_MAX = 5000;

const ProblemItem = Type.Object({
  code: Type.String(),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning')]),
  pointer: Type.String({ description: 'RFC 6901 JSON Pointer to the field' }),
  message: Type.String(),
});

const SubmissionResultSchema = Type.Object({
  record: Type.Integer({ description: '1-based position in the request' }),
  status: Type.Union([
    Type.Literal('created'),
    Type.Literal('existing'),
    Type.Literal('rejected'),
    Type.Literal('skipped'),
    Type.Literal('amended'),
    Type.Literal('cancelled'),
  ]),
  id: Type.Optional(Type.String()),
  functionalReference: Type.Optional(
    Type.String({ description: 'The stored declaration’s, or the one a rejected item gave (when it gave a text one)' }),
  ),
  errors: Type.Array(ProblemItem),
  warnings: Type.Array(ProblemItem),
  notes: Type.Optional(
    Type.Array(Type.Object({ pointer: Type.String(), message: Type.String() }), {
      description: 'What the WCO DM XML importer translated or defaulted, for a person to check',
    }),
  ),
});

const SummarySchema = Type.Object({
  id: Type.String(),
  functionalReference: Type.String(),
  declarantKey: Type.String(),
  type: Type.String(),
  status: Type.String(),
  version: Type.Integer(),
  lodgedOn: Type.String(),
  ucr: Type.Union([Type.String(), Type.Null()]),
  itemCount: Type.Integer(),
  hsChapters: Type.Array(Type.String()),
  origins: Type.Array(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const TraceStep = Type.Object({
  pointer: Type.String(),
  rule: Type.String(),
  from: Type.Unknown(),
  to: Type.Unknown(),
  note: Type.String(),
});

const RecordSchema = Type.Composite(
  [
    SummarySchema,
    Type.Object({
      original: Type.Unknown({ description: 'The declaration as lodged' }),
      canonical: Type.Ref('Declaration'),
      trace: Type.Array(TraceStep, { description: 'Every change harmonization made, for a person to read' }),
      warnings: Type.Array(ProblemItem),
      contentHash: Type.String({ description: 'SHA-256 of the RFC 8785 canonical form' }),
      cancellation: Type.Union([
        Type.Object({ at: Type.String(), by: Type.String(), reason: Type.String() }),
        Type.Null(),
      ]),
    }),
  ],
  { $id: 'DeclarationRecord' },
);

const VersionSchema = Type.Object({
  version: Type.Integer(),
  recordedAt: Type.String(),
  recordedBy: Type.String(),
  replacedReason: Type.Union([Type.String(), Type.Null()]),
  original: Type.Unknown(),
  canonical: Type.Ref('Declaration'),
  trace: Type.Array(TraceStep),
  warnings: Type.Array(ProblemItem),
  contentHash: Type.String(),
});

const SubmitQuery = Type.Object(
  {
    atomic: Type.Optional(Type.Boolean({ description: 'All or nothing: one bad item stores none' })),
    xsd: Type.Optional(
      Type.Boolean({
        description:
          'WCO DM XML only: first validate the document against the HMRC CDS declaration schemas that ship with ' +
          'the node (422 DECL_XSD_INVALID with the schema errors, nothing stored)',
      }),
    ),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object(
  {
    reference: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 70,
        description: 'Functional reference or UCR, exactly (or in capitals), whatever the declarant',
      }),
    ),
    from: Type.Optional(Type.String({ format: 'date', description: 'Lodged on or after (YYYY-MM-DD)' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'Lodged on or before (YYYY-MM-DD)' })),
    type: Type.Optional(Type.Union(DECLARATION_TYPES.map((t) => Type.Literal(t)))),
    status: Type.Optional(Type.Union([Type.Literal('accepted'), Type.Literal('cancelled')])),
    hsChapter: Type.Optional(Type.String({ pattern: '^\\d{2}$', description: 'HS 2022 chapter of any item' })),
    origin: Type.Optional(Type.String({ minLength: 2, maxLength: 3, description: 'Country of origin of any item' })),
    declarant: Type.Optional(Type.String({ minLength: 1, maxLength: 80, description: 'EORI/TIN or declarant key' })),
    cursor: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);

const AmendBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    declaration: Type.Unknown({ description: 'The whole corrected declaration (schema Declaration)' }),
  },
  { additionalProperties: false },
);

const CancelBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);

const IrregularityKindSchema = Type.Union(IRREGULARITY_KINDS.map((kind) => Type.Literal(kind)));

const GenerateBody = Type.Object(
  {
    count: Type.Integer({ minimum: 1, maximum: GENERATE_MAX, description: 'How many declarations' }),
    seed: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'The same seed (with the same options) gives the same declarations, in the same order',
    }),
    country: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z]{2}$',
        description:
          'ISO 3166-1 alpha-2 of the administration they are lodged with (imports into it, exports from it); ' +
          'default: the node’s own when its administration id starts with a country code',
      }),
    ),
    irregularRate: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'Share of declarations with a planted irregularity (0)' }),
    ),
    kinds: Type.Optional(
      Type.Array(IrregularityKindSchema, {
        minItems: 1,
        uniqueItems: true,
        description: 'Irregularities to plant (all kinds)',
      }),
    ),
    from: Type.Optional(Type.String({ format: 'date', description: 'First lodging date (2024-01-01)' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'Last lodging date (2025-12-31)' })),
    maxItems: Type.Optional(Type.Integer({ minimum: 1, maximum: 99, description: 'Goods items at most (9)' })),
    lodge: Type.Optional(
      Type.Boolean({
        description:
          'Lodge them on this node, as `POST /api/v1/declarations` does (officer, supervisor or admin; only where ' +
          'concord.json sets declarations.syntheticLodging)',
      }),
    ),
  },
  { additionalProperties: false },
);

const LabelSchema = Type.Object({
  functionalReference: Type.String(),
  irregularities: Type.Array(
    Type.Object({
      kind: IrregularityKindSchema,
      item: Type.Optional(Type.Integer({ description: 'The goods item’s sequence, for an item-level irregularity' })),
      declared: Type.Unknown({ description: 'What the declaration states' }),
      actual: Type.Unknown({ description: 'The truth' }),
      note: Type.String(),
    }),
  ),
});

/** Declarations: lodging (one, an array, or NDJSON), listing, reading with the harmonization trace, amending, cancelling. */
export function registerDeclarationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { declarations } = ctx.node;
  app.addSchema(DeclarationSchema);
  app.addSchema(RecordSchema);
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });
  // CSV and XML are read from the raw bytes: the importers check the encoding themselves (DECL_INPUT_ENCODING).
  app.addContentTypeParser(
    ['text/csv', 'application/xml', 'text/xml'],
    { parseAs: 'buffer' },
    (_request, body, done) => {
      done(null, body);
    },
  );

  app.post<{ Querystring: Static<typeof SubmitQuery> }>(
    '/api/v1/declarations',
    {
      // A file of a few thousand declarations, as the console sends it; larger files go through `concord import`.
      bodyLimit: SUBMIT_BODY_LIMIT,
      config: { access: LODGE },
      schema: {
        tags: ['declarations'],
        summary:
          'Lodge declarations: one object, an array, NDJSON (application/x-ndjson), CSV (text/csv) or a WCO DM ' +
          'declaration (application/xml); a result per item',
        description:
          'Each item is validated (every problem at once, with a JSON Pointer), harmonized and stored. Lodging the ' +
          'same declaration again (same declarant and functional reference) returns the stored one. Without ' +
          '`atomic`, the good items are stored and the bad ones reported; with `atomic=true` one bad item stores ' +
          'none (422 DECL_BATCH_REJECTED with the results). A single object or XML declaration with errors gets 422 ' +
          'DECL_INVALID. CSV: one row per goods item (columns in docs/declarations.md). XML: an HMRC CDS (DEC-DMS) ' +
          'declaration; a DOCTYPE is refused with 400 DECL_XML_FORBIDDEN; with `xsd=true` it must also validate ' +
          'against the HMRC CDS schemas (422 DECL_XSD_INVALID, `details.errors` with line and message).',
        querystring: SubmitQuery,
        body: Type.Unknown({ description: 'A Declaration, an array of them, NDJSON, CSV or WCO DM XML' }),
        response: {
          200: Type.Object({ results: Type.Array(SubmissionResultSchema) }),
          201: Type.Object({ results: Type.Array(SubmissionResultSchema) }),
          ...errorResponses(400, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (request.query.xsd === true) await checkXsd(request.body, contentType);
      const records = toRecords(request.body, contentType);
      const single =
        contentType.endsWith('xml') ||
        (!Array.isArray(request.body) && typeof request.body !== 'string' && !Buffer.isBuffer(request.body));
      const atomic = request.query.atomic === true;
      const results = await declarations.submitRecords(records, { atomic, actor: request.principal.name });
      await request.recordAccess({
        action: 'declaration.lodge',
        targetType: 'declaration',
        outcome: results.some((r) => r.status === 'rejected') ? 'failure' : 'success',
        details: count(results),
      });
      const rejected = results.filter((r) => r.status === 'rejected');
      if (single && rejected.length === 1) {
        const own = ownRefusal(rejected[0]!);
        if (own) throw own;
        const errors = rejected[0]!.errors;
        throw new ConcordError('DECL_INVALID', `${errors.length} problem(s) in the declaration`, {
          errors: errors.map(({ pointer, message, code }) => ({ pointer, message, code })),
          results,
        });
      }
      if (atomic && rejected.length > 0) {
        throw new ConcordError('DECL_BATCH_REJECTED', `${rejected.length} of ${results.length} items rejected`, {
          results,
        });
      }
      return reply.status(results.some((r) => r.status === 'created') ? 201 : 200).send({ results });
    },
  );

  app.post<{ Body: Static<typeof GenerateBody> }>(
    '/api/v1/declarations/generate',
    {
      config: { access: READ },
      schema: {
        tags: ['declarations'],
        summary:
          'Generate synthetic declarations, labelled with the irregularities planted in them; optionally lodge them',
        description:
          'The generator of `concord generate declarations`: deterministic from the seed, real lanes, ports and ' +
          'HS goods with plausible values and masses, valid container and IMO numbers, traders named in their ' +
          'scripts. `labels` lists the declarations with a planted irregularity and the truth behind it. Without ' +
          '`lodge`, nothing is stored and the declarations are returned. With `lodge: true` they are lodged as ' +
          '`POST /api/v1/declarations` lodges them and the results are returned instead; this needs the officer, ' +
          'supervisor or admin role and a node whose concord.json sets `declarations.syntheticLodging` ' +
          '(403 DECL_SYNTHETIC_DISABLED otherwise). Lodging the same seed again finds the stored declarations.',
        body: GenerateBody,
        response: {
          200: Type.Object({
            declarations: Type.Optional(Type.Array(Type.Ref('Declaration'))),
            results: Type.Optional(Type.Array(SubmissionResultSchema)),
            labels: Type.Array(LabelSchema),
          }),
          201: Type.Object({ results: Type.Array(SubmissionResultSchema), labels: Type.Array(LabelSchema) }),
          ...errorResponses(400, 403),
        },
      },
    },
    async (request, reply) => {
      const { lodge, ...options } = request.body;
      if (options.from !== undefined && options.to !== undefined && options.from > options.to) {
        throw new ConcordError('REQUEST_INVALID', '`from` is after `to`', { from: options.from, to: options.to });
      }
      const env = await declarations.environment();
      // An administration id starts with its country (NL, US-CBP) unless it is a union's (EU): then any country.
      const country = (options.country ?? ctx.node.config.administration.slice(0, 2)).toUpperCase();
      const known = env.reference.countries.find(country) !== undefined;
      if (options.country !== undefined && !known) {
        throw new ConcordError('REQUEST_INVALID', `${options.country} is not an ISO 3166-1 country`, {
          country: options.country,
        });
      }
      if (lodge === true) {
        if (!LODGE.some((role) => request.principal.roles.includes(role))) {
          await request.recordAccess({ action: 'declaration.generate', outcome: 'denied', details: { lodge } });
          throw new ConcordError('AUTH_FORBIDDEN', `lodging requires one of the roles: ${LODGE.join(', ')}`, {
            required: [...LODGE],
          });
        }
        if (ctx.node.config.declarations?.syntheticLodging !== true) {
          await request.recordAccess({ action: 'declaration.generate', outcome: 'denied', details: { lodge } });
          throw new ConcordError(
            'DECL_SYNTHETIC_DISABLED',
            'this node holds real trade: set declarations.syntheticLodging in concord.json on a demo, test or ' +
              'training node',
          );
        }
      }
      const generated = generateDeclarationBatch(env, { ...options, country: known ? country : undefined });
      const labels = generated
        .filter((g) => g.irregularities.length > 0)
        .map((g) => ({ functionalReference: g.declaration.functionalReference!, irregularities: g.irregularities }));
      const details = { seed: options.seed, count: options.count, irregular: labels.length, lodge: lodge === true };
      if (lodge !== true) {
        await request.recordAccess({ action: 'declaration.generate', outcome: 'success', details });
        return { declarations: generated.map((g) => g.declaration), labels };
      }
      const results = await declarations.submit(
        generated.map((g) => g.declaration),
        { actor: request.principal.name },
      );
      await request.recordAccess({
        action: 'declaration.generate',
        targetType: 'declaration',
        outcome: results.some((r) => r.status === 'rejected') ? 'failure' : 'success',
        details: { ...details, ...count(results) },
      });
      return reply.status(results.some((r) => r.status === 'created') ? 201 : 200).send({ results, labels });
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/declarations',
    {
      config: { access: READ },
      schema: {
        tags: ['declarations'],
        summary: 'List declarations, newest first, with filters and a cursor',
        querystring: ListQuery,
        response: {
          200: Type.Object({ items: Type.Array(SummarySchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errorResponses(400),
        },
      },
    },
    async (request) => {
      const page = await declarations.list(request.query);
      await request.recordAccess({
        action: 'declaration.list',
        targetType: 'declaration',
        outcome: 'success',
        details: { filters: request.query, count: page.items.length },
      });
      return page;
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/declarations/:id',
    {
      config: { access: READ },
      schema: {
        tags: ['declarations'],
        summary: 'A declaration with its original, canonical form, harmonization trace and warnings',
        params: IdParams,
        response: { 200: Type.Ref('DeclarationRecord'), ...errorResponses(404) },
      },
    },
    async (request) => {
      const record = await declarations.get(request.params.id);
      await request.recordAccess({
        action: 'declaration.read',
        targetType: 'declaration',
        targetId: record.id,
        outcome: 'success',
      });
      return record;
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/declarations/:id/versions',
    {
      config: { access: READ },
      schema: {
        tags: ['declarations'],
        summary: 'Every version of a declaration, oldest first; the last is the current one',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(VersionSchema) }), ...errorResponses(404) },
      },
    },
    async (request) => {
      const items = await declarations.history(request.params.id);
      await request.recordAccess({
        action: 'declaration.history',
        targetType: 'declaration',
        targetId: request.params.id,
        outcome: 'success',
      });
      return { items };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof AmendBody> }>(
    '/api/v1/declarations/:id/amendments',
    {
      config: { access: LODGE },
      schema: {
        tags: ['declarations'],
        summary: 'Amend a declaration: the whole corrected declaration; the replaced version is kept',
        params: IdParams,
        body: AmendBody,
        response: { 200: Type.Ref('DeclarationRecord'), ...errorResponses(400, 404, 409, 422) },
      },
    },
    async (request) => {
      const record = await declarations.amend(request.params.id, request.body.declaration, {
        reason: request.body.reason,
        actor: request.principal.name,
      });
      await request.recordAccess({
        action: 'declaration.amend',
        targetType: 'declaration',
        targetId: record.id,
        outcome: 'success',
        details: { version: record.version, reason: request.body.reason },
      });
      return record;
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CancelBody> }>(
    '/api/v1/declarations/:id/cancellation',
    {
      config: { access: LODGE },
      schema: {
        tags: ['declarations'],
        summary: 'Cancel (invalidate) a declaration; the record and its history are kept',
        params: IdParams,
        body: CancelBody,
        response: { 200: Type.Ref('DeclarationRecord'), ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const record = await declarations.cancel(request.params.id, {
        reason: request.body.reason,
        actor: request.principal.name,
      });
      await request.recordAccess({
        action: 'declaration.cancel',
        targetType: 'declaration',
        targetId: record.id,
        outcome: 'success',
        details: { reason: request.body.reason },
      });
      return record;
    },
  );
}

/** `xsd=true`: the XML body against the shipped HMRC CDS declaration schemas, before anything is read into the model. */
async function checkXsd(body: unknown, contentType: string): Promise<void> {
  if (!contentType.endsWith('xml') || !Buffer.isBuffer(body)) {
    throw new ConcordError('REQUEST_INVALID', 'xsd=true applies to WCO DM XML (application/xml) only');
  }
  const outcome = await validateAgainstXsd(body, await hmrcDeclarationSchemas());
  if (!outcome.valid) {
    throw new ConcordError(
      'DECL_XSD_INVALID',
      `${outcome.errors.length} schema error(s): ${outcome.errors[0]?.message ?? 'invalid'}`,
      { errors: outcome.errors.map((error) => ({ pointer: '', ...error })) },
    );
  }
}

/**
 * The request body as records: NDJSON text is read line by line, CSV and XML from their bytes, JSON values are
 * already parsed by Fastify.
 */
function toRecords(body: unknown, contentType: string): ImportRecord[] {
  if (Buffer.isBuffer(body)) {
    return contentType === 'text/csv' ? parseCsvDeclarations(body) : wcoImportRecords(importWcoDeclaration(body));
  }
  if (typeof body === 'string') return parseJsonDeclarations(body, 'ndjson', { defer: true });
  const values = Array.isArray(body) ? body : [body];
  return values.map((value, i) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? { record: i + 1, value }
      : { record: i + 1, error: { code: 'DECL_INPUT_MALFORMED', message: 'a declaration is a JSON object' } },
  );
}

function count(results: SubmissionResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) counts[result.status] = (counts[result.status] ?? 0) + 1;
  return counts;
}
