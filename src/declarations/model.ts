import { type Static, type TSchema, Type } from '@sinclair/typebox';

/**
 * The declaration model, after the WCO Data Model 3.x (the class each part follows is named in its description:
 * 42A Declaration, 67A GoodsShipment, 68A GovernmentAgencyGoodsItem…). One TypeBox schema is the JSON Schema of the
 * HTTP API, the compiled validator of every importer and the TypeScript type; see docs/declarations.md.
 *
 * Fields that hold personal data (names, addresses, trader identifiers of natural persons) carry `x-personal: true`,
 * so a later redaction step can find them in the schema instead of in a hand-kept list.
 */
const PERSONAL = { 'x-personal': true } as const;

const Text = (maxLength: number, options: Record<string, unknown> = {}) =>
  Type.String({ minLength: 1, maxLength, ...options });

/** ISO 3166-1 alpha-2, alpha-3 or numeric; harmonization turns it into alpha-2. */
export const CountryCodeSchema = Type.String({
  minLength: 2,
  maxLength: 3,
  description: 'ISO 3166-1 country code (alpha-2, alpha-3 or numeric)',
});

/** A `YYYY-MM-DD` date or an RFC 3339 date-time; the calendar date is what counts. */
const DateSchema = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2}))?$',
  description: 'YYYY-MM-DD or an RFC 3339 date-time',
});

export const MoneySchema = Type.Object(
  {
    amount: Type.Number({ minimum: 0, maximum: 1e15 }),
    currency: Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217 alphabetic code' }),
  },
  { additionalProperties: false, description: 'WCO DM amount with @currencyID' },
);

export const MeasureSchema = Type.Object(
  {
    value: Type.Number({ minimum: 0, maximum: 1e12 }),
    unit: Type.String({ minLength: 1, maxLength: 6, description: 'UN/ECE Rec. 20 common code (KGM, TNE, LTR, C62…)' }),
  },
  { additionalProperties: false },
);

export const AddressSchema = Type.Object(
  {
    line: Type.Optional(Text(300, PERSONAL)),
    city: Type.Optional(Text(100, PERSONAL)),
    postcode: Type.Optional(Text(20, PERSONAL)),
    country: CountryCodeSchema,
  },
  { additionalProperties: false, description: 'WCO DM 04A Address', ...PERSONAL },
);

export const PartyIdentifierSchema = Type.Object(
  {
    scheme: Type.Union([Type.Literal('EORI'), Type.Literal('TIN'), Type.Literal('other')]),
    value: Text(35, PERSONAL),
  },
  { additionalProperties: false },
);

export const PartySchema = Type.Object(
  {
    name: Type.Optional(Text(200, PERSONAL)),
    address: Type.Optional(AddressSchema),
    /** Where the party is established, when no address is given. */
    country: Type.Optional(CountryCodeSchema),
    identifiers: Type.Optional(Type.Array(PartyIdentifierSchema, { maxItems: 10 })),
    aeo: Type.Optional(
      Type.Object(
        {
          status: Type.Union([Type.Literal('AEOC'), Type.Literal('AEOS'), Type.Literal('AEOF'), Type.Literal('none')]),
          certificate: Type.Optional(Text(35)),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: 'A party: name, address, identifiers (EORI, TIN), AEO status' },
);

export const TRANSPORT_MODES = ['sea', 'rail', 'road', 'air', 'post', 'fixed', 'inland-waterway', 'unknown'] as const;
export const MEANS_TYPES = ['imo', 'vessel-name', 'flight', 'aircraft-registration', 'vehicle-registration', 'other'];

export const TransportSchema = Type.Object(
  {
    mode: Type.Union(
      TRANSPORT_MODES.map((mode) => Type.Literal(mode)),
      { description: 'Mode at the border (WCO DM 15A ModeCode, UN/ECE Rec. 19: 1 sea … 9 unknown)' },
    ),
    meansType: Type.Optional(Type.Union(MEANS_TYPES.map((type) => Type.Literal(type)))),
    /** IMO number (7 digits, `IMO` prefix allowed), flight number, registration… */
    meansId: Type.Optional(Text(35)),
    nationality: Type.Optional(CountryCodeSchema),
  },
  { additionalProperties: false, description: 'WCO DM 15A BorderTransportMeans' },
);

export const PlacesSchema = Type.Object(
  {
    loading: Type.Optional(Type.String({ minLength: 5, maxLength: 6, description: 'UN/LOCODE' })),
    unloading: Type.Optional(Type.String({ minLength: 5, maxLength: 6, description: 'UN/LOCODE' })),
    entry: Type.Optional(Type.String({ minLength: 5, maxLength: 6, description: 'UN/LOCODE of the place of entry' })),
    exit: Type.Optional(Type.String({ minLength: 5, maxLength: 6, description: 'UN/LOCODE of the place of exit' })),
  },
  { additionalProperties: false },
);

export const DocumentSchema = Type.Object(
  {
    /** Certificate of origin, licence… as the administration codes it (EU: C, N, Y… + 3 characters). */
    type: Text(10),
    id: Text(70),
    issuedOn: Type.Optional(DateSchema),
  },
  { additionalProperties: false, description: 'WCO DM 02A AdditionalDocument' },
);

export const HsClassificationSchema = Type.Object(
  {
    /** HS subheading (6 digits), or a national tariff line of 8 or 10 digits that starts with it. */
    code: Type.String({ minLength: 6, maxLength: 16, description: 'HS subheading or national tariff line' }),
    /** Absent: the edition in force on the declaration date. */
    edition: Type.Optional(Type.Union([Type.Literal(2017), Type.Literal(2022)])),
    /** The national tariff line (8–14 digits), kept through harmonization. */
    national: Type.Optional(Type.String({ pattern: '^\\d{6,14}$' })),
  },
  { additionalProperties: false, description: 'WCO DM 21A Classification' },
);

export const GoodsItemSchema = Type.Object(
  {
    sequence: Type.Integer({ minimum: 1, maximum: 999 }),
    description: Text(512),
    hs: Type.Optional(HsClassificationSchema),
    origin: Type.Optional(CountryCodeSchema),
    preferentialOrigin: Type.Optional(CountryCodeSchema),
    /** Quantity in the tariff's supplementary unit (pieces, litres, pairs…). */
    quantity: Type.Optional(MeasureSchema),
    grossMass: Type.Optional(MeasureSchema),
    netMass: Type.Optional(MeasureSchema),
    customsValue: Type.Optional(MoneySchema),
    statisticalValue: Type.Optional(MoneySchema),
    /** Preference code (EU DE 4/17: 100 erga omnes, 300 preferential…). */
    preference: Type.Optional(Type.String({ minLength: 1, maxLength: 3 })),
    packages: Type.Optional(
      Type.Object(
        { count: Type.Integer({ minimum: 0, maximum: 1e9 }), type: Type.Optional(Text(2)) },
        { additionalProperties: false },
      ),
    ),
    documents: Type.Optional(Type.Array(DocumentSchema, { maxItems: 99 })),
  },
  { additionalProperties: false, description: 'WCO DM 68A GovernmentAgencyGoodsItem with 23A Commodity' },
);

export const DECLARATION_TYPES = ['import', 'export', 'transit'] as const;

export const DeclarationSchema = Type.Object(
  {
    type: Type.Union(
      DECLARATION_TYPES.map((type) => Type.Literal(type)),
      { description: 'WCO DM 42A TypeCode: IM, EX or transit' },
    ),
    /** Requested (and previous) procedure, e.g. "4000" release for free circulation, "1040" export. */
    procedure: Type.Optional(Type.String({ minLength: 2, maxLength: 8 })),
    /** The declarant's own reference (WCO D026, the EU's LRN). With the declarant, it identifies a submission. */
    functionalReference: Text(70),
    /** Unique Consignment Reference (WCO 35B 009): follows the goods from export to import. */
    ucr: Type.Optional(Text(70)),
    /** Office of declaration, as the administration codes it. */
    office: Type.Optional(Text(17)),
    dates: Type.Object(
      {
        lodged: DateSchema,
        expectedArrival: Type.Optional(DateSchema),
      },
      { additionalProperties: false },
    ),
    declarant: PartySchema,
    /** Exporter / consignor (WCO 57A, 30A). */
    exporter: Type.Optional(PartySchema),
    /** Importer / consignee (WCO 74A, 27A). */
    importer: Type.Optional(PartySchema),
    carrier: Type.Optional(PartySchema),
    transport: Type.Optional(TransportSchema),
    places: Type.Optional(PlacesSchema),
    dispatchCountry: Type.Optional(CountryCodeSchema),
    destinationCountry: Type.Optional(CountryCodeSchema),
    /** ISO 6346 container numbers (WCO 31B TransportEquipment). */
    containers: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 17 }), { maxItems: 999 })),
    items: Type.Array(GoodsItemSchema, { minItems: 1, maxItems: 999 }),
    /** Declared totals, checked against the items. */
    totals: Type.Optional(
      Type.Object(
        {
          itemCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 999 })),
          packages: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e9 })),
          grossMass: Type.Optional(MeasureSchema),
          invoice: Type.Optional(MoneySchema),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'Declaration', additionalProperties: false, description: 'A customs declaration (WCO DM 42A)' },
);

export type Declaration = Static<typeof DeclarationSchema>;
export type GoodsItem = Static<typeof GoodsItemSchema>;
export type Party = Static<typeof PartySchema>;
export type Money = Static<typeof MoneySchema>;
export type Measure = Static<typeof MeasureSchema>;
export type DeclarationType = (typeof DECLARATION_TYPES)[number];
export type TransportMode = (typeof TRANSPORT_MODES)[number];

/**
 * The JSON Pointers (with `*` for any array index) of every field marked `x-personal` in the declaration schema.
 *
 * @example
 * personalDataPaths().includes('/declarant/name'); // true
 */
export function personalDataPaths(schema: TSchema = DeclarationSchema): string[] {
  const paths: string[] = [];
  const walk = (node: TSchema, path: string): void => {
    if ((node as Record<string, unknown>)['x-personal'] === true) {
      paths.push(path);
      return;
    }
    if (node.type === 'object' && node.properties) {
      for (const [key, child] of Object.entries(node.properties as Record<string, TSchema>)) {
        walk(child, `${path}/${key}`);
      }
    } else if (node.type === 'array' && node.items) {
      walk(node.items as TSchema, `${path}/*`);
    }
  };
  walk(schema, '');
  return paths;
}
