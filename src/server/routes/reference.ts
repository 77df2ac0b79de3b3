import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type Country, type Location, loadReferenceData, parseHsEdition } from '../../reference/index.js';
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

/** WGS 84 decimal degrees, in the short names map libraries use. */
const LatLonSchema = Type.Object(
  { lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) },
  { $id: 'LatLon', description: 'WGS 84 decimal degrees' },
);

const LocationSchema = Type.Object(
  {
    code: Type.String({ description: 'UN/LOCODE: country (ISO 3166-1 alpha-2) and three letters or digits' }),
    name: Type.String(),
    alternativeNames: Type.Array(Type.String()),
    country: Type.String(),
    subdivision: Type.Union([
      Type.Object({ code: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }),
      Type.Null(),
    ]),
    functions: Type.Array(Type.String(), { description: 'port, rail, road, airport, postal, border-crossing…' }),
    seaPort: Type.Boolean(),
    status: Type.String(),
    iata: Type.Union([Type.String(), Type.Null()]),
    coordinates: Type.Union([Type.Ref('LatLon'), Type.Null()], {
      description: 'From UN/LOCODE (whole minutes) or the sea-ports list; often unknown',
    }),
    edition: Type.String({ description: 'The UN/LOCODE release' }),
  },
  { $id: 'Location' },
);

const CountrySchema = Type.Object(
  {
    alpha2: Type.String(),
    alpha3: Type.String(),
    numeric: Type.String(),
    name: Type.Object({ en: Type.String(), fr: Type.String() }),
    commonName: Type.String(),
    currencies: Type.Array(Type.String()),
    centroid: Type.Union([Type.Ref('LatLon'), Type.Null()], {
      description: 'The mean of the country’s UN/LOCODE coordinates, to place it on a map (data/SOURCES.md)',
    }),
  },
  { $id: 'Country' },
);

const LocationParams = Type.Object(
  { code: Type.String({ pattern: '^[A-Za-z]{2}[A-Za-z0-9]{3}$', description: 'UN/LOCODE, e.g. NLRTM' }) },
  { additionalProperties: false },
);

const CountryParams = Type.Object(
  {
    code: Type.String({
      pattern: '^([A-Za-z]{2,3}|[0-9]{3})$',
      description: 'ISO 3166-1 alpha-2, alpha-3 or numeric, e.g. NL, NLD, 528',
    }),
  },
  { additionalProperties: false },
);

function toLatLon(point: { latitude: number; longitude: number } | undefined) {
  return point === undefined ? null : { lat: point.latitude, lon: point.longitude };
}

function toLocation(location: Location): Static<typeof LocationSchema> {
  return {
    code: location.code,
    name: location.name,
    alternativeNames: [...location.alternativeNames],
    country: location.country,
    subdivision:
      location.subdivision === undefined
        ? null
        : { code: location.subdivision.code, name: location.subdivision.name ?? null },
    functions: [...location.functions],
    seaPort: location.seaPort,
    status: location.status,
    iata: location.iata ?? null,
    coordinates: toLatLon(location.coordinates),
    edition: location.edition,
  };
}

function toCountry(country: Country): Static<typeof CountrySchema> {
  return {
    alpha2: country.alpha2,
    alpha3: country.alpha3,
    numeric: country.numeric,
    name: { ...country.name },
    commonName: country.commonName,
    currencies: [...country.currencies],
    centroid: toLatLon(country.centroid),
  };
}

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

/**
 * Reference lookups for any signed-in user: HS entries with their children, search and edition translation; UN/LOCODE
 * locations and ISO 3166-1 countries with a position to draw them on a map.
 */
export function registerReferenceRoutes(app: FastifyInstance, _ctx: ServerContext): void {
  const reference = () => loadReferenceData();
  app.addSchema(LatLonSchema);
  app.addSchema(LocationSchema);
  app.addSchema(CountrySchema);

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

  app.get<{ Params: Static<typeof LocationParams> }>(
    '/api/v1/reference/locations/:code',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['reference'],
        summary: 'One UN/LOCODE location: name, functions, coordinates',
        params: LocationParams,
        response: { 200: Type.Ref('Location'), ...errorResponses(400, 404) },
      },
    },
    async (request) => toLocation(reference().locations.get(request.params.code)),
  );

  app.get<{ Params: Static<typeof CountryParams> }>(
    '/api/v1/reference/countries/:code',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['reference'],
        summary: 'One ISO 3166-1 country: codes, names, currencies and a centroid for maps',
        params: CountryParams,
        response: { 200: Type.Ref('Country'), ...errorResponses(400, 404) },
      },
    },
    async (request) => toCountry(reference().countries.get(request.params.code)),
  );
}
