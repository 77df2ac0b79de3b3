import { SaxesParser } from 'saxes';
import { ConcordError } from '../kernel/index.js';
import { type DeclarationRequest, decodeInput, type ImportRecord } from './input.js';
import type { Declaration, GoodsItem, Party } from './model.js';

/**
 * WCO Data Model declarations as HMRC's Customs Declaration Service takes them (the "DEC-DMS" profile: an
 * `md:MetaData` wrapper around a WCO DM 3.6 `Declaration`). The element-to-concept mapping follows
 * ../shared/data/customs-declarations/WCO-DM-MAPPING.md; docs/declarations.md ("WCO DM XML") summarizes it.
 *
 * The XML is untrusted: a DOCTYPE is refused outright (no DTD means no entity expansion, no external entity, no
 * billion laughs), and the size, depth and element count are bounded. saxes never fetches anything.
 */

export const DEC_NS = 'urn:wco:datamodel:WCO:DEC-DMS:2';
export const METADATA_NS = 'urn:wco:datamodel:WCO:DocumentMetaData-DMS:2';
const DS_NS = 'urn:wco:datamodel:WCO:Declaration_DS:DMS:2';

/** Bounds on an XML input, each refused with `DECL_INPUT_TOO_LARGE`. */
export interface XmlLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly maxElements: number;
}

/** A DMS declaration is tens of kilobytes with a depth under 10; these leave a wide margin. */
export const XML_LIMITS: XmlLimits = { maxBytes: 16 * 1024 * 1024, maxDepth: 40, maxElements: 200_000 };

interface XmlElement {
  readonly uri: string;
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: XmlElement[];
  text: string;
  /** Set when the importer mapped this element; the others go to `extensions`. */
  used: boolean;
}

/**
 * Parses XML into a small element tree, refusing what Concord never accepts from a partner.
 *
 * @throws ConcordError `DECL_XML_FORBIDDEN` (DOCTYPE, DTD, entity declaration), `DECL_INPUT_MALFORMED` (not
 *   well-formed), `DECL_INPUT_TOO_LARGE` (over {@link XmlLimits}), `DECL_INPUT_ENCODING`.
 */
export function parseXml(input: string | Uint8Array, limits: XmlLimits = XML_LIMITS): XmlElement {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > limits.maxBytes) {
    throw new ConcordError('DECL_INPUT_TOO_LARGE', `the XML is ${size} bytes; the limit is ${limits.maxBytes}`);
  }
  const text = typeof input === 'string' ? input : decodeInput(input);
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
  parser.on('doctype', () => {
    throw new ConcordError('DECL_XML_FORBIDDEN', 'the XML has a DOCTYPE; DTDs and entities are refused', {
      line: parser.line,
    });
  });
  parser.on('xmldecl', (decl) => {
    const encoding = decl.encoding?.toLowerCase();
    if (encoding !== undefined && !['utf-8', 'utf8', 'utf-16', 'utf16'].includes(encoding)) {
      throw new ConcordError('DECL_INPUT_ENCODING', `the XML declares encoding ${decl.encoding}; use UTF-8`);
    }
  });
  parser.on('error', (error) => {
    const forbidden = /entity/i.test(error.message);
    throw new ConcordError(
      forbidden ? 'DECL_XML_FORBIDDEN' : 'DECL_INPUT_MALFORMED',
      `the XML is not well-formed: ${error.message}`,
      { line: parser.line },
    );
  });
  parser.on('opentag', (tag) => {
    if (++elements > limits.maxElements) {
      throw new ConcordError('DECL_INPUT_TOO_LARGE', `the XML has more than ${limits.maxElements} elements`);
    }
    if (stack.length >= limits.maxDepth) {
      throw new ConcordError('DECL_INPUT_TOO_LARGE', `the XML nests deeper than ${limits.maxDepth} elements`);
    }
    const attributes = new Map<string, string>();
    for (const attribute of Object.values(tag.attributes)) {
      if (attribute.prefix !== 'xmlns' && attribute.name !== 'xmlns') attributes.set(attribute.local, attribute.value);
    }
    const element: XmlElement = { uri: tag.uri, name: tag.local, attributes, children: [], text: '', used: false };
    stack.at(-1)?.children.push(element);
    root ??= element;
    stack.push(element);
  });
  parser.on('text', (chunk) => {
    const top = stack.at(-1);
    if (top !== undefined) top.text += chunk;
  });
  parser.on('cdata', (chunk) => {
    const top = stack.at(-1);
    if (top !== undefined) top.text += chunk;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(text.replace(/^\uFEFF/, '')).close();
  if (root === undefined) throw new ConcordError('DECL_INPUT_MALFORMED', 'the XML has no root element');
  return root;
}

/** A note on the import: a value translated, defaulted or left out, for a person to check. */
export interface WcoImportNote {
  readonly pointer: string;
  readonly message: string;
}

/** What an HMRC CDS message holds once imported: a declaration, or a request about one already lodged. */
export type WcoImport =
  | {
      readonly kind: 'declaration';
      readonly declaration: Declaration;
      /** Every element not mapped into the model, by its path (`GoodsShipment/GovernmentAgencyGoodsItem[1]/…`). */
      readonly extensions: Record<string, string>;
      readonly notes: WcoImportNote[];
    }
  | {
      /** FunctionCode 13, TypeCode COR: a sparse patch of the declaration with that MRN. */
      readonly kind: 'amendment';
      readonly mrn: string;
      readonly functionalReference?: string;
      readonly reasons: string[];
      /** The changed goods items, each with its sequence and only the changed fields. */
      readonly items: Partial<GoodsItem>[];
      readonly extensions: Record<string, string>;
      readonly notes: WcoImportNote[];
    }
  | {
      /** FunctionCode 13, TypeCode INV: invalidation of the declaration with that MRN. */
      readonly kind: 'cancellation';
      readonly mrn: string;
      readonly functionalReference?: string;
      readonly reasons: string[];
      readonly statement?: string;
      readonly extensions: Record<string, string>;
      readonly notes: WcoImportNote[];
    };

export interface WcoImportOptions {
  /** The lodging date when the XML has no AcceptanceDateTime (CDS sets it on acceptance); default today (UTC). */
  readonly lodgedOn?: string;
  readonly limits?: XmlLimits;
}

/**
 * Imports one HMRC CDS declaration (WCO DM 3.6, DEC-DMS) into the Concord model. Codes are translated where the
 * model has a concept for them (Rec. 19 transport modes, HMRC means-of-identification types, TSP+TRC commodity
 * codes, Origin TypeCode 1/2); every element that is not mapped is kept in `extensions` under its path.
 *
 * @throws ConcordError `DECL_XML_FORBIDDEN`, `DECL_INPUT_MALFORMED`, `DECL_INPUT_TOO_LARGE`, `DECL_INPUT_ENCODING`,
 *   `DECL_XML_UNSUPPORTED` (not a DEC-DMS declaration).
 *
 * @example
 * const imported = importWcoDeclaration(await readFile('IM001a.xml'));
 * if (imported.kind === 'declaration') await node.declarations.lodge(imported.declaration);
 */
export function importWcoDeclaration(input: string | Uint8Array, options: WcoImportOptions = {}): WcoImport {
  const root = parseXml(input, options.limits);
  let declaration: XmlElement | undefined;
  if (root.uri === METADATA_NS && root.name === 'MetaData') {
    root.used = true;
    declaration = root.children.find((c) => c.uri === DEC_NS && c.name === 'Declaration');
  } else if (root.uri === DEC_NS && root.name === 'Declaration') declaration = root;
  if (declaration === undefined) {
    throw new ConcordError(
      'DECL_XML_UNSUPPORTED',
      `the root is {${root.uri}}${root.name}; expected a WCO DM declaration (${DEC_NS})`,
    );
  }
  declaration.used = true;
  const reader = new Mapper(options);
  const result = reader.read(declaration);
  const extensions: Record<string, string> = {};
  collectUnmapped(root, '', extensions);
  return { ...result, extensions, notes: reader.notes } as WcoImport;
}

/** The records `concord validate` / `import` and the HTTP route lodge: a declaration, or why the XML is not one. */
export function wcoImportRecords(imported: WcoImport): ImportRecord[] {
  if (imported.kind === 'declaration') {
    const notes = imported.notes.length > 0 ? { notes: imported.notes } : {};
    return [{ record: 1, value: imported.declaration, ...notes }];
  }
  const submitter = imported.extensions['Declaration/Submitter/ID'];
  const request: DeclarationRequest = {
    kind: imported.kind,
    mrn: imported.mrn,
    reasons: imported.reasons,
    ...(imported.functionalReference === undefined ? {} : { functionalReference: imported.functionalReference }),
    ...(submitter === undefined ? {} : { declarant: `EORI:${submitter.replace(/\s+/g, '').toUpperCase()}` }),
    ...(imported.kind === 'amendment' ? { items: imported.items } : {}),
    ...(imported.kind === 'cancellation' && imported.statement !== undefined ? { statement: imported.statement } : {}),
  };
  return [{ record: 1, request, ...(imported.notes.length > 0 ? { notes: imported.notes } : {}) }];
}

function collectUnmapped(element: XmlElement, path: string, out: Record<string, string>): void {
  const counts = new Map<string, number>();
  for (const child of element.children) {
    const n = (counts.get(child.name) ?? 0) + 1;
    counts.set(child.name, n);
    const repeated = element.children.filter((c) => c.name === child.name).length > 1;
    const childPath = `${path}${path ? '/' : ''}${child.name}${repeated ? `[${n}]` : ''}`;
    if (child.children.length === 0) {
      if (child.used) continue;
      const attributes = [...child.attributes].map(([k, v]) => ` @${k}=${v}`).join('');
      out[childPath] = `${child.text.trim()}${attributes}`;
    } else collectUnmapped(child, childPath, out);
  }
}

type WcoImportBody = WcoImport extends infer T
  ? T extends WcoImport
    ? Omit<T, 'extensions' | 'notes'>
    : never
  : never;

/** WCO DM ModeCode (UN/ECE Rec. 19). */
const MODES: Record<string, NonNullable<Declaration['transport']>['mode']> = {
  '1': 'sea',
  '2': 'rail',
  '3': 'road',
  '4': 'air',
  '5': 'post',
  '7': 'fixed',
  '8': 'inland-waterway',
  '9': 'unknown',
};

/** CDS "identification type" codes of a means of transport (DE 7/7, 7/9). */
const MEANS_TYPES: Record<string, NonNullable<Declaration['transport']>['meansType']> = {
  '10': 'imo',
  '11': 'vessel-name',
  '30': 'vehicle-registration',
  '40': 'flight',
  '41': 'aircraft-registration',
};

const DECIMAL = /^\d+(\.\d+)?$/;

class Mapper {
  readonly notes: WcoImportNote[] = [];

  constructor(private readonly options: WcoImportOptions) {}

  read(d: XmlElement): WcoImportBody {
    const functionCode = this.text(d, 'FunctionCode');
    const typeCode = this.text(d, 'TypeCode') ?? '';
    const functionalReference = this.text(d, 'FunctionalReferenceID');
    if (functionCode === '13') {
      const mrn = this.text(d, 'ID');
      if (mrn === undefined) throw new ConcordError('DECL_XML_UNSUPPORTED', 'a request (FunctionCode 13) without ID');
      const reasons = this.all(d, 'Amendment').flatMap((a) => this.text(a, 'ChangeReasonCode') ?? []);
      const base = { mrn, reasons, ...(functionalReference ? { functionalReference } : {}) };
      if (typeCode === 'INV') {
        const statement = this.all(d, 'AdditionalInformation')
          .map((info) => this.text(info, 'StatementDescription'))
          .find((s) => s !== undefined);
        return { kind: 'cancellation', ...base, ...(statement !== undefined ? { statement } : {}) };
      }
      if (typeCode === 'COR') {
        const items = this.all(this.child(d, 'GoodsShipment'), 'GovernmentAgencyGoodsItem').map((gi, i) =>
          this.item(gi, `/items/${i}`),
        );
        return { kind: 'amendment', ...base, items };
      }
      throw new ConcordError('DECL_XML_UNSUPPORTED', `FunctionCode 13 with TypeCode ${typeCode} is not supported`);
    }
    if (functionCode !== undefined && functionCode !== '9') {
      throw new ConcordError('DECL_XML_UNSUPPORTED', `FunctionCode ${functionCode} is not a declaration`);
    }
    const type = { IM: 'import', EX: 'export', CO: 'transit', TR: 'transit' }[typeCode.slice(0, 2)] as
      Declaration['type'] | undefined;
    if (type === undefined) {
      throw new ConcordError('DECL_XML_UNSUPPORTED', `declaration TypeCode "${typeCode}" is not IM…, EX… or CO…`);
    }
    // DE 1/2 (the third letter: A, D, J, K, Y, Z…) has no place in the model; keep it in extensions.
    this.unuse(d, 'TypeCode');
    if (functionalReference === undefined) {
      throw new ConcordError('DECL_XML_UNSUPPORTED', 'the declaration has no FunctionalReferenceID (LRN)');
    }
    const gs = this.child(d, 'GoodsShipment');
    const goodsItems = this.all(gs, 'GovernmentAgencyGoodsItem');
    const out: Declaration = {
      type,
      functionalReference,
      dates: { lodged: this.lodged(d) },
      declarant: this.party(this.child(d, 'Declarant'), '/declarant') ?? {},
      items: goodsItems.map((gi, i) => this.item(gi, `/items/${i}`) as GoodsItem),
    };
    const procedure = this.procedure(goodsItems);
    if (procedure !== undefined) out.procedure = procedure;
    const ucr = this.text(this.child(gs, 'UCR'), 'TraderAssignedReferenceID') ?? this.ducr(gs, goodsItems);
    if (ucr !== undefined) out.ucr = ucr;
    const office = this.text(d, 'DeclarationOfficeID');
    if (office !== undefined) out.office = office;
    const exporter =
      this.party(this.child(d, 'Exporter'), '/exporter') ??
      this.party(this.child(this.child(d, 'Consignment'), 'Consignor'), '/exporter');
    if (exporter !== undefined) out.exporter = exporter;
    const importer =
      this.party(this.child(gs, 'Importer'), '/importer') ?? this.party(this.child(gs, 'Consignee'), '/importer');
    if (importer !== undefined) out.importer = importer;
    const carrier = this.party(this.child(this.child(d, 'Consignment'), 'Carrier'), '/carrier');
    if (carrier !== undefined) out.carrier = carrier;
    this.aeo(d, out);
    const transport = this.transport(this.child(d, 'BorderTransportMeans'));
    if (transport !== undefined) out.transport = transport;
    const consignment = this.child(gs, 'Consignment');
    const loading = this.text(this.child(consignment, 'LoadingLocation'), 'ID');
    if (loading !== undefined) out.places = { loading };
    const dispatch = this.text(this.child(gs, 'ExportCountry'), 'ID');
    if (dispatch !== undefined) out.dispatchCountry = dispatch;
    const destination = this.text(this.child(gs, 'Destination'), 'CountryCode') ?? this.itemDestination(goodsItems);
    if (destination !== undefined) out.destinationCountry = destination;
    const containers = [
      ...this.all(consignment, 'TransportEquipment'),
      ...goodsItems.flatMap((gi) => this.all(this.child(gi, 'Commodity'), 'TransportEquipment')),
    ].flatMap((equipment) => this.text(equipment, 'ID') ?? []);
    if (containers.length > 0) out.containers = [...new Set(containers)];
    const totals: NonNullable<Declaration['totals']> = {};
    const itemCount = this.number(d, 'GoodsItemQuantity', '/totals/itemCount');
    if (itemCount !== undefined) totals.itemCount = itemCount;
    const packages = this.number(d, 'TotalPackageQuantity', '/totals/packages');
    if (packages !== undefined) totals.packages = packages;
    const invoice = this.money(d, 'InvoiceAmount', '/totals/invoice');
    if (invoice !== undefined) totals.invoice = invoice;
    if (Object.keys(totals).length > 0) out.totals = totals;
    return { kind: 'declaration', declaration: out };
  }

  private note(pointer: string, message: string): void {
    this.notes.push({ pointer, message });
  }

  private child(parent: XmlElement | undefined, name: string): XmlElement | undefined {
    return parent?.children.find((c) => c.name === name && (c.uri === DEC_NS || c.uri === DS_NS));
  }

  private all(parent: XmlElement | undefined, name: string): XmlElement[] {
    return parent?.children.filter((c) => c.name === name && (c.uri === DEC_NS || c.uri === DS_NS)) ?? [];
  }

  /** The trimmed text of a child element, marked as mapped. */
  private text(parent: XmlElement | undefined, name: string): string | undefined {
    const element = this.child(parent, name);
    if (element === undefined) return undefined;
    const value = element.text.trim();
    if (value === '') return undefined;
    element.used = true;
    return value;
  }

  private unuse(parent: XmlElement, name: string): void {
    const element = this.child(parent, name);
    if (element !== undefined) element.used = false;
  }

  private decimal(parent: XmlElement | undefined, name: string, pointer: string): number | undefined {
    const value = this.text(parent, name);
    if (value === undefined) return undefined;
    if (!DECIMAL.test(value)) {
      this.unuse(parent!, name);
      this.note(pointer, `${name} "${value}" is not a decimal number; kept in extensions`);
      return undefined;
    }
    return Number(value);
  }

  private number(parent: XmlElement | undefined, name: string, pointer: string): number | undefined {
    const value = this.decimal(parent, name, pointer);
    if (value !== undefined && !Number.isInteger(value)) {
      this.unuse(parent!, name);
      this.note(pointer, `${name} ${value} is not a whole number; kept in extensions`);
      return undefined;
    }
    return value;
  }

  private money(parent: XmlElement | undefined, name: string, pointer: string) {
    const amount = this.decimal(parent, name, pointer);
    if (amount === undefined) return undefined;
    const currency = this.child(parent, name)!.attributes.get('currencyID');
    if (currency === undefined) {
      this.unuse(parent!, name);
      this.note(pointer, `${name} has no currencyID; kept in extensions`);
      return undefined;
    }
    return { amount, currency };
  }

  /** Masses without @unitCode are in kilograms by DMS convention. */
  private mass(parent: XmlElement | undefined, name: string, pointer: string) {
    const value = this.decimal(parent, name, pointer);
    if (value === undefined) return undefined;
    const unit = this.child(parent, name)!.attributes.get('unitCode')?.split('#')[0] ?? 'KGM';
    return { value, unit };
  }

  /** AcceptanceDateTime: format 102 CCYYMMDD or 304 CCYYMMDDhhmmss±hh (the XSD's pattern also allows a Z). */
  private lodged(d: XmlElement): string {
    const element = this.child(this.child(d, 'AcceptanceDateTime'), 'DateTimeString');
    const value = element?.text.trim() ?? '';
    const match = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})(Z|[-+]\d{2}))?$/.exec(value);
    if (element !== undefined && match !== null) {
      element.used = true;
      const [, y, mo, da, h, mi, s, zone] = match;
      if (h === undefined) return `${y}-${mo}-${da}`;
      return `${y}-${mo}-${da}T${h}:${mi}:${s}${zone === 'Z' ? 'Z' : `${zone}:00`}`;
    }
    const fallback = this.options.lodgedOn ?? new Date().toISOString().slice(0, 10);
    this.note(
      '/dates/lodged',
      element === undefined
        ? `no AcceptanceDateTime (CDS sets it on acceptance): lodged on ${fallback}, the day of import`
        : `AcceptanceDateTime "${value}" is not format 102 or 304: lodged on ${fallback}; the value is kept in extensions`,
    );
    return fallback;
  }

  private party(element: XmlElement | undefined, pointer: string): Party | undefined {
    if (element === undefined) return undefined;
    const party: Party = {};
    const name = this.text(element, 'Name');
    if (name !== undefined) party.name = name;
    const id = this.text(element, 'ID');
    // CDS party IDs are EORI numbers (two letters, then up to 15 characters).
    if (id !== undefined)
      party.identifiers = [{ scheme: /^[A-Z]{2}[0-9A-Z]{1,15}$/.test(id) ? 'EORI' : 'other', value: id }];
    const address = this.child(element, 'Address');
    if (address !== undefined) {
      const country = this.text(address, 'CountryCode');
      if (country === undefined) this.note(`${pointer}/address`, 'an address without CountryCode; kept in extensions');
      else {
        const line = this.text(address, 'Line');
        const city = this.text(address, 'CityName');
        const postcode = this.text(address, 'PostcodeID');
        party.address = {
          country,
          ...(line !== undefined ? { line } : {}),
          ...(city !== undefined ? { city } : {}),
          ...(postcode !== undefined ? { postcode } : {}),
        };
      }
    }
    return Object.keys(party).length > 0 ? party : undefined;
  }

  /** AuthorisationHolder AEOC/AEOS/AEOF whose ID is a party's EORI: that party's AEO status. */
  private aeo(d: XmlElement, out: Declaration): void {
    for (const holder of this.all(d, 'AuthorisationHolder')) {
      const category = this.child(holder, 'CategoryCode')?.text.trim();
      if (category !== 'AEOC' && category !== 'AEOS' && category !== 'AEOF') continue;
      const id = this.child(holder, 'ID')?.text.trim();
      for (const role of ['declarant', 'exporter', 'importer', 'carrier'] as const) {
        const party = out[role];
        if (party?.identifiers?.some((identifier) => identifier.value === id)) {
          party.aeo = { status: category, ...(id !== undefined ? { certificate: id } : {}) };
          this.text(holder, 'CategoryCode');
          this.text(holder, 'ID');
        }
      }
    }
  }

  private transport(border: XmlElement | undefined): Declaration['transport'] {
    if (border === undefined) return undefined;
    const modeCode = this.text(border, 'ModeCode');
    const mode = modeCode === undefined ? 'unknown' : MODES[modeCode];
    if (mode === undefined) {
      this.unuse(border, 'ModeCode');
      this.note(
        '/transport/mode',
        `BorderTransportMeans ModeCode "${modeCode}" is not UN/ECE Rec. 19; kept in extensions`,
      );
    }
    const transport: NonNullable<Declaration['transport']> = { mode: mode ?? 'unknown' };
    const typeCode = this.text(border, 'IdentificationTypeCode');
    if (typeCode !== undefined) {
      const meansType = MEANS_TYPES[typeCode];
      if (meansType === undefined) {
        this.unuse(border, 'IdentificationTypeCode');
        transport.meansType = 'other';
        this.note(
          '/transport/meansType',
          `identification type ${typeCode} has no Concord equivalent; kept in extensions`,
        );
      } else transport.meansType = meansType;
    }
    const id = this.text(border, 'ID');
    if (id !== undefined) transport.meansId = id;
    const nationality = this.text(border, 'RegistrationNationalityCode');
    if (nationality !== undefined) transport.nationality = nationality;
    return transport;
  }

  /** DE 1/10: the first GovernmentProcedure with a PreviousCode is the requested + previous procedure. */
  private procedure(items: XmlElement[]): string | undefined {
    const codes = items.map((gi) => {
      const procedure = this.all(gi, 'GovernmentProcedure').find((p) => this.child(p, 'PreviousCode') !== undefined);
      if (procedure === undefined) return undefined;
      const code = `${this.text(procedure, 'CurrentCode') ?? ''}${this.text(procedure, 'PreviousCode') ?? ''}`;
      return code;
    });
    const distinct = [...new Set(codes.filter((c) => c !== undefined))];
    if (distinct.length > 1) {
      this.note('/procedure', `the items have different procedures (${distinct.join(', ')}); the first is used`);
    }
    return distinct[0];
  }

  /** The DUCR (previous document DCR) stands for the UCR when no UCR element is given. */
  private ducr(gs: XmlElement | undefined, items: XmlElement[]): string | undefined {
    for (const parent of [gs, ...items]) {
      for (const document of this.all(parent, 'PreviousDocument')) {
        if (this.child(document, 'TypeCode')?.text.trim() !== 'DCR') continue;
        const id = this.child(document, 'ID')?.text.trim();
        if (id) {
          this.note(
            '/ucr',
            'no UCR element: the DUCR (previous document DCR) is used; the document stays in extensions',
          );
          return id;
        }
      }
    }
    return undefined;
  }

  private itemDestination(items: XmlElement[]): string | undefined {
    const codes = new Set(items.map((gi) => this.child(this.child(gi, 'Destination'), 'CountryCode')?.text.trim()));
    const [only] = codes;
    if (codes.size !== 1 || only === undefined || only === '') return undefined;
    for (const gi of items) this.text(this.child(gi, 'Destination'), 'CountryCode');
    return only;
  }

  private item(gi: XmlElement, pointer: string): Partial<GoodsItem> {
    const item: Partial<GoodsItem> = {};
    const sequence = this.number(gi, 'SequenceNumeric', `${pointer}/sequence`);
    if (sequence !== undefined) item.sequence = sequence;
    const commodity = this.child(gi, 'Commodity');
    const description = this.text(commodity, 'Description');
    if (description !== undefined) item.description = description;
    const hs = this.classification(commodity, pointer);
    if (hs !== undefined) item.hs = hs;
    for (const origin of this.all(gi, 'Origin')) {
      const kind = origin.children.find((c) => c.name === 'TypeCode')?.text.trim();
      const field = kind === '2' ? 'preferentialOrigin' : kind === '1' || kind === undefined ? 'origin' : undefined;
      if (field === undefined || item[field] !== undefined) continue;
      const country = this.text(origin, 'CountryCode');
      if (country !== undefined) {
        item[field] = country;
        this.text(origin, 'TypeCode');
      }
    }
    const dutyTaxFees = this.all(commodity, 'DutyTaxFee');
    const regimes = [...new Set(dutyTaxFees.flatMap((fee) => this.child(fee, 'DutyRegimeCode')?.text.trim() || []))];
    if (regimes.length === 1 && regimes[0]) {
      item.preference = regimes[0];
      for (const fee of dutyTaxFees) this.text(fee, 'DutyRegimeCode');
    }
    const measure = this.child(commodity, 'GoodsMeasure');
    const gross = this.mass(measure, 'GrossMassMeasure', `${pointer}/grossMass`);
    if (gross !== undefined) item.grossMass = gross;
    const net = this.mass(measure, 'NetNetWeightMeasure', `${pointer}/netMass`);
    if (net !== undefined) item.netMass = net;
    const tariffQuantity = this.child(measure, 'TariffQuantity');
    const quantityUnit = tariffQuantity?.attributes.get('unitCode');
    if (quantityUnit !== undefined) {
      const value = this.decimal(measure, 'TariffQuantity', `${pointer}/quantity`);
      if (value !== undefined) item.quantity = { value, unit: quantityUnit };
    } else if (tariffQuantity !== undefined) {
      this.note(
        `${pointer}/quantity`,
        'TariffQuantity has no unitCode (its supplementary unit follows from the commodity code); kept in extensions',
      );
    }
    // DE 4/14 item price is the basis of the customs value; the valuation method stays in extensions.
    const price = this.money(this.child(commodity, 'InvoiceLine'), 'ItemChargeAmount', `${pointer}/customsValue`);
    const customsValue = this.money(gi, 'CustomsValueAmount', `${pointer}/customsValue`) ?? price;
    if (customsValue !== undefined) item.customsValue = customsValue;
    const statistical = this.money(gi, 'StatisticalValueAmount', `${pointer}/statisticalValue`);
    if (statistical !== undefined) item.statisticalValue = statistical;
    const packaging = this.all(gi, 'Packaging');
    const counts = packaging.map((p) => this.child(p, 'QuantityQuantity')?.text.trim() ?? '');
    const types = [...new Set(packaging.map((p) => this.child(p, 'TypeCode')?.text.trim()))];
    if (packaging.length > 0 && counts.every((c) => /^\d+$/.test(c)) && types.length === 1) {
      const type = types[0];
      item.packages = {
        count: counts.reduce((sum, c) => sum + Number(c), 0),
        ...(type ? { type } : {}),
      };
      for (const p of packaging) {
        this.text(p, 'QuantityQuantity');
        this.text(p, 'TypeCode');
      }
    } else if (packaging.length > 0) {
      this.note(`${pointer}/packages`, 'packaging of several types or without a count; kept in extensions');
    }
    const documents = this.all(gi, 'AdditionalDocument').flatMap((document) => {
      const category = this.child(document, 'CategoryCode')?.text.trim() ?? '';
      const typeCode = this.child(document, 'TypeCode')?.text.trim() ?? '';
      const id = this.child(document, 'ID')?.text.trim();
      if (!id || !typeCode) return [];
      this.text(document, 'CategoryCode');
      this.text(document, 'TypeCode');
      this.text(document, 'ID');
      return [{ type: `${category}${typeCode}`, id }];
    });
    if (documents.length > 0) item.documents = documents.slice(0, 99);
    return item;
  }

  /**
   * DE 6/14–6/17: `TSP` carries the 8-digit CN code, `TRC` the 2 TARIC digits; together the 10-digit commodity code.
   * TARIC (`TRA`) and national (`GN`) additional codes are not HS digits and stay in extensions.
   */
  private classification(commodity: XmlElement | undefined, pointer: string): GoodsItem['hs'] {
    const parts = new Map<string, XmlElement>();
    for (const classification of this.all(commodity, 'Classification')) {
      const qualifier = this.child(classification, 'IdentificationTypeCode')?.text.trim() ?? '';
      if (!parts.has(qualifier)) parts.set(qualifier, classification);
    }
    const cn = parts.get('TSP');
    if (cn === undefined) {
      if (parts.size > 0) this.note(`${pointer}/hs`, `no TSP commodity code (only ${[...parts.keys()].join(', ')})`);
      return undefined;
    }
    const cnCode = this.text(cn, 'ID') ?? '';
    this.text(cn, 'IdentificationTypeCode');
    const taric = parts.get('TRC');
    const taricCode = taric === undefined ? undefined : this.child(taric, 'ID')?.text.trim();
    if (taric !== undefined && /^\d{2}$/.test(taricCode ?? '') && /^\d{8}$/.test(cnCode)) {
      this.text(taric, 'ID');
      this.text(taric, 'IdentificationTypeCode');
      return { code: `${cnCode}${taricCode}` };
    }
    return { code: cnCode };
  }
}
