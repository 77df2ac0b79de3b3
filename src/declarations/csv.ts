import { ConcordError } from '../kernel/index.js';
import { type ImportRecord, MAX_RECORD_BYTES } from './input.js';
import type { Declaration, GoodsItem, Party } from './model.js';

/**
 * CSV declarations: one row per goods item; the rows that share a functional reference and a declarant (EORI, else
 * name) form one declaration. Quoting after RFC 4180 (fields in double quotes may hold commas, line breaks and `""`);
 * the input is UTF-8, a byte-order mark allowed; the first row names the columns. The columns are documented in
 * docs/declarations.md ("CSV columns"); an unknown column is refused rather than silently dropped.
 */

/** Where a column goes: the declaration (the same on each of its rows) or the goods item of the row. */
type Level = 'declaration' | 'item';

/** The CSV columns, in the order of the documentation. */
export const CSV_COLUMNS = {
  type: 'declaration',
  functional_reference: 'declaration',
  declarant_eori: 'declaration',
  declarant_name: 'declaration',
  declarant_country: 'declaration',
  lodged: 'declaration',
  expected_arrival: 'declaration',
  procedure: 'declaration',
  ucr: 'declaration',
  office: 'declaration',
  exporter_eori: 'declaration',
  exporter_name: 'declaration',
  exporter_country: 'declaration',
  importer_eori: 'declaration',
  importer_name: 'declaration',
  importer_country: 'declaration',
  carrier_eori: 'declaration',
  carrier_name: 'declaration',
  transport_mode: 'declaration',
  transport_means_type: 'declaration',
  transport_means_id: 'declaration',
  transport_nationality: 'declaration',
  loading: 'declaration',
  unloading: 'declaration',
  dispatch_country: 'declaration',
  destination_country: 'declaration',
  containers: 'declaration',
  total_packages: 'declaration',
  invoice_amount: 'declaration',
  invoice_currency: 'declaration',
  item_sequence: 'item',
  description: 'item',
  hs_code: 'item',
  hs_edition: 'item',
  origin: 'item',
  preferential_origin: 'item',
  preference: 'item',
  quantity: 'item',
  quantity_unit: 'item',
  gross_mass: 'item',
  net_mass: 'item',
  mass_unit: 'item',
  customs_value: 'item',
  statistical_value: 'item',
  value_currency: 'item',
  packages: 'item',
  package_type: 'item',
  documents: 'item',
} as const satisfies Record<string, Level>;

export type CsvColumn = keyof typeof CSV_COLUMNS;

/** Columns the header must have; a declarant needs `declarant_eori` or `declarant_name` besides. */
export const REQUIRED_CSV_COLUMNS: readonly CsvColumn[] = ['type', 'functional_reference', 'lodged', 'description'];

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const QUOTE = 0x22;
const NEWLINE = 0x0a;

type Row = { row: number; line: number } & (
  { fields: string[]; error?: undefined } | { fields?: undefined; error: NonNullable<ImportRecord['error']> }
);

/**
 * Splits bytes into CSV rows without decoding them first: in UTF-8 a quote or a line feed byte is always that
 * character, so rows can be cut on the raw bytes and each decoded on its own (a bad byte spoils one row, not the
 * file). A row longer than {@link MAX_RECORD_BYTES} is reported and not buffered.
 */
class RowSplitter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private overflow = false;
  private inQuotes = false;
  private row = 0;
  private line = 1;
  private rowLine = 1;
  private offset = 0;

  push(chunk: Uint8Array, out: Row[]): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === QUOTE) this.inQuotes = !this.inQuotes;
      else if (byte === NEWLINE) {
        if (this.inQuotes) this.line++;
        else {
          this.take(chunk.subarray(start, i));
          this.finish(out);
          this.line++;
          this.rowLine = this.line;
          start = i + 1;
        }
      }
    }
    this.take(chunk.subarray(start));
    this.offset += chunk.length;
  }

  end(out: Row[]): void {
    if (this.pendingBytes > 0 || this.overflow) {
      if (this.inQuotes && !this.overflow) {
        this.row++;
        out.push({ row: this.row, line: this.rowLine, error: malformed(this.row, 'a quoted field is not closed') });
        return;
      }
      this.finish(out);
    }
  }

  private take(part: Uint8Array): void {
    if (this.overflow || part.length === 0) return;
    this.pendingBytes += part.length;
    if (this.pendingBytes > MAX_RECORD_BYTES) {
      this.overflow = true;
      this.pending = [];
    } else this.pending.push(Uint8Array.from(part));
  }

  private finish(out: Row[]): void {
    const parts = this.pending;
    const overflow = this.overflow;
    this.pending = [];
    this.pendingBytes = 0;
    this.overflow = false;
    let text: string;
    if (overflow) {
      this.row++;
      out.push({
        row: this.row,
        line: this.rowLine,
        error: { code: 'DECL_INPUT_TOO_LARGE', message: `row ${this.row} exceeds ${MAX_RECORD_BYTES} bytes` },
      });
      return;
    }
    try {
      text = utf8.decode(Buffer.concat(parts));
    } catch {
      this.row++;
      if (this.row === 1) {
        throw new ConcordError('DECL_INPUT_ENCODING', 'the CSV header row is not valid UTF-8', { row: 1 });
      }
      out.push({
        row: this.row,
        line: this.rowLine,
        error: { code: 'DECL_INPUT_ENCODING', message: `row ${this.row} is not valid UTF-8` },
      });
      return;
    }
    if (this.row === 0) text = text.replace(/^\uFEFF/, '');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') return;
    this.row++;
    const fields = splitFields(text);
    out.push(
      typeof fields === 'string'
        ? { row: this.row, line: this.rowLine, error: malformed(this.row, fields) }
        : { row: this.row, line: this.rowLine, fields },
    );
  }
}

function malformed(row: number, message: string): NonNullable<ImportRecord['error']> {
  return { code: 'DECL_INPUT_MALFORMED', message: `row ${row}: ${message}` };
}

/** The fields of one RFC 4180 record (§2: quoted fields, `""` for a quote), or why it is malformed. */
export function splitFields(text: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close < 0) return 'a quoted field is not closed';
        value += text.slice(i, close);
        if (text[close + 1] === '"') {
          value += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      fields.push(value);
      if (i === text.length) return fields;
      if (text[i] !== ',') return `unexpected text after the quoted field ${fields.length}`;
      i++;
    } else {
      const comma = text.indexOf(',', i);
      const value = comma < 0 ? text.slice(i) : text.slice(i, comma);
      if (value.includes('"')) return `a quote inside the unquoted field ${fields.length + 1}`;
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    }
  }
}

/** One declaration being assembled from its rows. */
interface Group {
  key: string;
  firstRow: number;
  lastRow: number;
  line: number;
  header: Map<CsvColumn, string>;
  items: GoodsItem[];
  errors: string[];
}

/**
 * Reads CSV declarations chunk by chunk: `push` bytes as they come, `end` at the end of input; each returns the
 * declarations complete so far. The rows of one declaration must be adjacent, so only one declaration is held in
 * memory; a key that comes back after other rows is an error for that row.
 */
export class CsvDeclarationReader {
  private readonly splitter = new RowSplitter();
  private columns: CsvColumn[] | undefined;
  private group: Group | undefined;
  private readonly closed = new Map<string, number>();
  private record = 0;

  /** @throws ConcordError `DECL_INPUT_MALFORMED` (no header, unknown or missing column), `DECL_INPUT_ENCODING`. */
  push(chunk: Uint8Array): ImportRecord[] {
    const rows: Row[] = [];
    this.splitter.push(chunk, rows);
    return this.consume(rows);
  }

  end(): ImportRecord[] {
    const rows: Row[] = [];
    this.splitter.end(rows);
    const out = this.consume(rows);
    if (this.columns === undefined) throw new ConcordError('DECL_INPUT_MALFORMED', 'the CSV has no header row');
    if (this.group !== undefined) out.push(this.close(this.group));
    this.group = undefined;
    return out;
  }

  private consume(rows: Row[]): ImportRecord[] {
    const out: ImportRecord[] = [];
    for (const row of rows) {
      if (this.columns === undefined) {
        if (row.error) throw new ConcordError(row.error.code, `the CSV header: ${row.error.message}`);
        this.columns = readHeader(row.fields);
        continue;
      }
      if (row.error) {
        if (this.group !== undefined) out.push(this.close(this.group));
        this.group = undefined;
        out.push({ record: ++this.record, line: row.line, error: row.error });
        continue;
      }
      const values = new Map<CsvColumn, string>();
      if (row.fields.length !== this.columns.length) {
        if (this.group !== undefined) out.push(this.close(this.group));
        this.group = undefined;
        out.push({
          record: ++this.record,
          line: row.line,
          error: malformed(row.row, `${row.fields.length} fields where the header has ${this.columns.length}`),
        });
        continue;
      }
      this.columns.forEach((column, i) => {
        const value = row.fields[i]!.trim();
        if (value !== '') values.set(column, value);
      });
      const key = groupKey(values);
      if (key === undefined) {
        if (this.group !== undefined) out.push(this.close(this.group));
        this.group = undefined;
        out.push({
          record: ++this.record,
          line: row.line,
          error: malformed(row.row, 'functional_reference and declarant_eori or declarant_name are required'),
        });
        continue;
      }
      if (this.group !== undefined && this.group.key !== key) {
        out.push(this.close(this.group));
        this.group = undefined;
      }
      if (this.group === undefined) {
        this.group = {
          key,
          firstRow: row.row,
          lastRow: row.row,
          line: row.line,
          header: new Map(),
          items: [],
          errors: [],
        };
        const seen = this.closed.get(key);
        if (seen !== undefined) {
          this.group.errors.push(
            `row ${row.row}: the rows of a declaration must be adjacent (this one also has rows from row ${seen})`,
          );
        }
        for (const [column, value] of values)
          if (CSV_COLUMNS[column] === 'declaration') this.group.header.set(column, value);
      } else {
        this.group.lastRow = row.row;
        for (const [column, value] of values) {
          if (CSV_COLUMNS[column] !== 'declaration') continue;
          const first = this.group.header.get(column);
          if (first === undefined) this.group.header.set(column, value);
          else if (first !== value) {
            this.group.errors.push(
              `row ${row.row}: ${column} is "${value}" where row ${this.group.firstRow} has "${first}"`,
            );
          }
        }
      }
      const item = readItem(values, this.group.items.length + 1, (message) =>
        this.group!.errors.push(`row ${row.row}: ${message}`),
      );
      if (item !== undefined) this.group.items.push(item);
    }
    return out;
  }

  private close(group: Group): ImportRecord {
    this.closed.set(group.key, group.firstRow);
    const record = ++this.record;
    const errors = [...group.errors];
    const declaration = errors.length === 0 ? readDeclaration(group, (message) => errors.push(message)) : undefined;
    if (errors.length > 0 || declaration === undefined) {
      return {
        record,
        line: group.line,
        error: {
          code: 'DECL_INPUT_MALFORMED',
          message: `declaration of rows ${group.firstRow}–${group.lastRow}: ${errors.join('; ')}`,
        },
      };
    }
    return { record, line: group.line, value: declaration };
  }
}

function readHeader(fields: string[]): CsvColumn[] {
  const names = fields.map((field) => field.trim().toLowerCase());
  const unknown = names.filter((name) => !(name in CSV_COLUMNS));
  if (unknown.length > 0) {
    throw new ConcordError(
      'DECL_INPUT_MALFORMED',
      `unknown CSV column(s): ${unknown.map((n) => JSON.stringify(n)).join(', ')} (see docs/declarations.md)`,
      { columns: unknown },
    );
  }
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (repeated.length > 0) {
    throw new ConcordError('DECL_INPUT_MALFORMED', `repeated CSV column(s): ${repeated.join(', ')}`);
  }
  const missing = REQUIRED_CSV_COLUMNS.filter((name) => !names.includes(name));
  if (!names.includes('declarant_eori') && !names.includes('declarant_name')) missing.push('declarant_eori');
  if (missing.length > 0) {
    throw new ConcordError('DECL_INPUT_MALFORMED', `missing CSV column(s): ${missing.join(', ')}`, {
      columns: missing,
    });
  }
  return names as CsvColumn[];
}

function groupKey(values: Map<CsvColumn, string>): string | undefined {
  const reference = values.get('functional_reference');
  const declarant = values.get('declarant_eori') ?? values.get('declarant_name');
  if (reference === undefined || declarant === undefined) return undefined;
  return JSON.stringify([declarant, reference]);
}

const DECIMAL = /^\d+(\.\d+)?$/;

function readNumber(
  values: Map<CsvColumn, string>,
  column: CsvColumn,
  fail: (message: string) => void,
): number | undefined {
  const text = values.get(column);
  if (text === undefined) return undefined;
  if (!DECIMAL.test(text)) {
    fail(`${column} "${text}" is not a number (digits with an optional decimal point)`);
    return undefined;
  }
  return Number(text);
}

function readItem(
  values: Map<CsvColumn, string>,
  position: number,
  fail: (message: string) => void,
): GoodsItem | undefined {
  const sequence = readNumber(values, 'item_sequence', fail) ?? position;
  const description = values.get('description');
  if (description === undefined) {
    fail('description is required');
    return undefined;
  }
  const item: GoodsItem = { sequence, description };
  const hs = values.get('hs_code');
  if (hs !== undefined) {
    const edition = values.get('hs_edition');
    if (edition !== undefined && edition !== '2017' && edition !== '2022')
      fail(`hs_edition "${edition}" is 2017 or 2022`);
    item.hs = {
      code: hs,
      ...(edition === '2017' || edition === '2022' ? { edition: Number(edition) as 2017 | 2022 } : {}),
    };
  }
  const origin = values.get('origin');
  if (origin !== undefined) item.origin = origin;
  const preferential = values.get('preferential_origin');
  if (preferential !== undefined) item.preferentialOrigin = preferential;
  const preference = values.get('preference');
  if (preference !== undefined) item.preference = preference;
  const quantity = readNumber(values, 'quantity', fail);
  if (quantity !== undefined) item.quantity = { value: quantity, unit: values.get('quantity_unit') ?? 'C62' };
  const massUnit = values.get('mass_unit') ?? 'KGM';
  const gross = readNumber(values, 'gross_mass', fail);
  if (gross !== undefined) item.grossMass = { value: gross, unit: massUnit };
  const net = readNumber(values, 'net_mass', fail);
  if (net !== undefined) item.netMass = { value: net, unit: massUnit };
  const currency = values.get('value_currency');
  for (const [column, field] of [
    ['customs_value', 'customsValue'],
    ['statistical_value', 'statisticalValue'],
  ] as const) {
    const amount = readNumber(values, column, fail);
    if (amount === undefined) continue;
    if (currency === undefined) fail(`${column} needs value_currency`);
    else item[field] = { amount, currency };
  }
  const packages = readNumber(values, 'packages', fail);
  if (packages !== undefined) {
    const type = values.get('package_type');
    item.packages = { count: packages, ...(type !== undefined ? { type } : {}) };
  }
  const documents = values.get('documents');
  if (documents !== undefined) {
    item.documents = [];
    for (const entry of documents
      .split(';')
      .map((d) => d.trim())
      .filter((d) => d !== '')) {
      const colon = entry.indexOf(':');
      if (colon <= 0 || colon === entry.length - 1) fail(`documents entry "${entry}" is not TYPE:ID`);
      else item.documents.push({ type: entry.slice(0, colon).trim(), id: entry.slice(colon + 1).trim() });
    }
  }
  return item;
}

function readParty(header: Map<CsvColumn, string>, prefix: 'declarant' | 'exporter' | 'importer' | 'carrier') {
  const name = header.get(`${prefix}_name` as CsvColumn);
  const eori = header.get(`${prefix}_eori` as CsvColumn);
  const country = prefix === 'carrier' ? undefined : header.get(`${prefix}_country` as CsvColumn);
  if (name === undefined && eori === undefined && country === undefined) return undefined;
  const party: Party = {};
  if (name !== undefined) party.name = name;
  if (eori !== undefined) party.identifiers = [{ scheme: 'EORI', value: eori }];
  if (country !== undefined) party.country = country;
  return party;
}

/**
 * The declaration of a group of rows. Values are passed on as written (codes, dates): judging them is validation's
 * job, which reports every problem with a JSON Pointer. Only what cannot be represented (a number that is not one) is
 * an error here.
 */
function readDeclaration(group: Group, fail: (message: string) => void): Declaration | undefined {
  const h = group.header;
  const type = h.get('type');
  const lodged = h.get('lodged');
  if (type === undefined) fail(`row ${group.firstRow}: type is required`);
  if (lodged === undefined) fail(`row ${group.firstRow}: lodged is required`);
  if (type === undefined || lodged === undefined) return undefined;
  const declaration = {
    type,
    functionalReference: h.get('functional_reference')!,
    dates: { lodged, ...(h.has('expected_arrival') ? { expectedArrival: h.get('expected_arrival')! } : {}) },
    declarant: readParty(h, 'declarant')!,
    items: group.items,
  } as Declaration;
  const optional: [CsvColumn, 'procedure' | 'ucr' | 'office' | 'dispatchCountry' | 'destinationCountry'][] = [
    ['procedure', 'procedure'],
    ['ucr', 'ucr'],
    ['office', 'office'],
    ['dispatch_country', 'dispatchCountry'],
    ['destination_country', 'destinationCountry'],
  ];
  for (const [column, field] of optional) {
    const value = h.get(column);
    if (value !== undefined) declaration[field] = value;
  }
  for (const role of ['exporter', 'importer', 'carrier'] as const) {
    const party = readParty(h, role);
    if (party !== undefined) declaration[role] = party;
  }
  const mode = h.get('transport_mode');
  if (mode !== undefined) {
    const transport: Record<string, string> = { mode };
    const meansType = h.get('transport_means_type');
    const meansId = h.get('transport_means_id');
    const nationality = h.get('transport_nationality');
    if (meansType !== undefined) transport.meansType = meansType;
    if (meansId !== undefined) transport.meansId = meansId;
    if (nationality !== undefined) transport.nationality = nationality;
    declaration.transport = transport as Declaration['transport'];
  } else if (
    ['transport_means_type', 'transport_means_id', 'transport_nationality'].some((c) => h.has(c as CsvColumn))
  ) {
    fail(`row ${group.firstRow}: transport_mode is required with the other transport columns`);
  }
  const loading = h.get('loading');
  const unloading = h.get('unloading');
  if (loading !== undefined || unloading !== undefined) {
    declaration.places = {
      ...(loading !== undefined ? { loading } : {}),
      ...(unloading !== undefined ? { unloading } : {}),
    };
  }
  const containers = h.get('containers');
  if (containers !== undefined) declaration.containers = containers.split(/[\s;]+/).filter((c) => c !== '');
  const totals: NonNullable<Declaration['totals']> = {};
  const packages = readNumber(h, 'total_packages', (m) => fail(`row ${group.firstRow}: ${m}`));
  if (packages !== undefined) totals.packages = packages;
  const invoice = readNumber(h, 'invoice_amount', (m) => fail(`row ${group.firstRow}: ${m}`));
  if (invoice !== undefined) {
    const currency = h.get('invoice_currency');
    if (currency === undefined) fail(`row ${group.firstRow}: invoice_amount needs invoice_currency`);
    else totals.invoice = { amount: invoice, currency };
  }
  if (Object.keys(totals).length > 0) declaration.totals = totals;
  return declaration;
}

/**
 * Reads CSV declarations from a byte stream, one row at a time (a file of gigabytes takes the memory of one
 * declaration).
 *
 * @throws ConcordError `DECL_INPUT_MALFORMED` for a missing header or an unknown column, `DECL_INPUT_ENCODING` for a
 *   header that is not UTF-8. Bad rows are records with an error, with their row number.
 *
 * @example
 * for await (const record of streamCsv(createReadStream('declarations.csv'))) console.log(record.record, record.error);
 */
export async function* streamCsv(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ImportRecord> {
  const reader = new CsvDeclarationReader();
  for await (const chunk of chunks) yield* reader.push(chunk);
  yield* reader.end();
}

/**
 * Reads CSV declarations held in memory (an HTTP body).
 *
 * @example
 * parseCsvDeclarations('type,functional_reference,declarant_eori,lodged,description\nimport,R1,NL1,2024-03-14,Tea\n');
 */
export function parseCsvDeclarations(input: string | Uint8Array): ImportRecord[] {
  const reader = new CsvDeclarationReader();
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  return [...reader.push(bytes), ...reader.end()];
}
