import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { loadReferenceData, parseHsEdition } from '../../reference/index.js';
import type { ServerContext } from '../context.js';
import { errorResponses } from '../schemas.js';

const Edition = Type.Union([Type.Literal(2017), Type.Literal(2022)]);

const HsEntrySchema = Type.Object({
  edition: Edition,
  code: Type.String(),
  level: Type.String(),
  description: Type.String(),
  parent: Type.Union([Type.String(), Type.Null()]),
  section: Type.String(),
  declarable: Type.Boolean(),
});

const EntryParams = Type.Object(
  { edition: Type.String({ pattern: '^(HS)?(2017|2022)$' }), code: Type.String({ minLength: 2, maxLength: 12 }) },
  { additionalProperties: false },
);

const SearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 200 }),
    edition: Type.Optional(Edition),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  },
  { additionalProperties: false },
);

const TranslateQuery = Type.Object(
  { from: Edition, to: Edition, code: Type.String({ minLength: 2, maxLength: 12 }) },
  { additionalProperties: false },
);

function toEntry(entry: {
  edition: 2017 | 2022;
  code: string;
  level: string;
  description: string;
  parent: string | undefined;
  section: string;
  declarable: boolean;
}) {
  return { ...entry, parent: entry.parent ?? null };
}

/** HS nomenclature lookups for any signed-in user: an entry with its children, search, and edition translation. */
export function registerReferenceRoutes(app: FastifyInstance, _ctx: ServerContext): void {
  const reference = () => loadReferenceData();

  app.get<{ Querystring: Static<typeof SearchQuery> }>(
    '/api/v1/reference/hs/search',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['reference'],
        summary: 'Search HS descriptions (BM25; subheadings first)',
        querystring: SearchQuery,
        response: {
          200: Type.Object({ items: Type.Array(Type.Object({ entry: HsEntrySchema, score: Type.Number() })) }),
          ...errorResponses(400),
        },
      },
    },
    async (request) => {
      const hits = reference().hs.search(request.query.q, {
        edition: request.query.edition ?? 2022,
        limit: request.query.limit ?? 10,
      });
      return { items: hits.map((hit) => ({ entry: toEntry(hit.entry), score: hit.score })) };
    },
  );

  app.get<{ Querystring: Static<typeof TranslateQuery> }>(
    '/api/v1/reference/hs/translate',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['reference'],
        summary: 'Translate an HS code between the 2017 and 2022 editions (UN correlation table)',
        querystring: TranslateQuery,
        response: {
          200: Type.Object({
            from: Edition,
            to: Edition,
            code: Type.String(),
            level: Type.String(),
            exact: Type.Boolean(),
            relationship: Type.String(),
            candidates: Type.Array(Type.String()),
            links: Type.Array(Type.Object({ code: Type.String(), relationship: Type.String() })),
          }),
          ...errorResponses(400, 404),
        },
      },
    },
    async (request) => reference().hsCorrelation.translate(request.query),
  );

  app.get<{ Params: Static<typeof EntryParams> }>(
    '/api/v1/reference/hs/:edition/:code',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['reference'],
        summary: 'One HS chapter, heading or subheading of an edition, with its children',
        params: EntryParams,
        response: {
          200: Type.Composite([HsEntrySchema, Type.Object({ children: Type.Array(HsEntrySchema) })]),
          ...errorResponses(400, 404),
        },
      },
    },
    async (request) => {
      const edition = parseHsEdition(request.params.edition);
      const entry = reference().hs.get(edition, request.params.code);
      return { ...toEntry(entry), children: reference().hs.children(edition, entry.code).map(toEntry) };
    },
  );
}
