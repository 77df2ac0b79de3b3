import { ConcordError } from '../kernel/index.js';
import { readJsonObject } from './checking.js';
import type { GoodsItem } from './model.js';

/**
 * A request about a declaration already lodged, read from an input (an HMRC CDS amendment or invalidation). It names
 * the declaration by its functional reference (and declarant, when it gives one): Concord keeps no MRN.
 */
export interface DeclarationRequest {
  readonly kind: 'amendment' | 'cancellation';
  readonly mrn: string;
  readonly functionalReference?: string;
  /** The declarant's key (`EORI:GB…`), when the request names its submitter. */
  readonly declarant?: string;
  readonly reasons: readonly string[];
  readonly statement?: string;
  /** Amendment: the changed goods items, each with its sequence and only the changed fields. */
  readonly items?: readonly Partial<GoodsItem>[];
}

/** One record read from an input file: its value, or why it could not be read. Records count from 1. */
export interface ImportRecord {
  readonly record: number;
  /** The line it starts on, for line-oriented formats (NDJSON, CSV). */
  readonly line?: number;
  readonly value?: unknown;
  /**
   * The record's JSON text when its parsing is left to the submission ({@link parseNdjsonLine} with `defer`): it is
   * then parsed where it is checked, possibly on a worker thread, and refused there when it is not a JSON object.
   */
  readonly text?: string;
  /** Not a declaration but a request about a lodged one, applied by the submission. */
  readonly request?: DeclarationRequest;
  /** What the importer translated or defaulted, for a person to check (WCO DM XML): shown, never an error. */
  readonly notes?: readonly { readonly pointer: string; readonly message: string }[];
  readonly error?: {
    readonly code:
      | 'DECL_INPUT_MALFORMED'
      | 'DECL_INPUT_TOO_LARGE'
      | 'DECL_INPUT_ENCODING'
      | 'DECL_XML_FORBIDDEN'
      | 'DECL_XML_UNSUPPORTED';
    readonly message: string;
  };
}

/** The largest whole-document input (JSON array, XML) read into memory; larger files must be NDJSON or CSV. */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;
/** The largest single record of a line-oriented input. */
export const MAX_RECORD_BYTES = 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const utf16le = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: false });
const utf16be = new TextDecoder('utf-16be', { fatal: true, ignoreBOM: false });

/**
 * Decodes an input file: UTF-8 with or without a byte-order mark, or UTF-16 with one. Anything else (Latin-1,
 * Windows-1252, invalid UTF-8) is refused rather than guessed, so a name is never silently corrupted.
 *
 * @throws ConcordError `DECL_INPUT_ENCODING`, with the byte offset of the first bad sequence when it can be told.
 */
export function decodeInput(bytes: Uint8Array): string {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16le.decode(bytes);
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return utf16be.decode(bytes);
    return utf8.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    throw new ConcordError('DECL_INPUT_ENCODING', `the input is not valid UTF-8 (first bad byte at offset ${offset})`, {
      offset,
    });
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const extra = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (extra < 0) return i;
    for (let k = 1; k <= extra; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += extra + 1;
  }
  return -1;
}

/**
 * Reads JSON declarations: one object, an array of objects, or NDJSON (one object per line). A malformed array or
 * object is one fault of the whole input; in NDJSON each line stands alone, so a bad line is a bad record and the
 * others are read.
 *
 * @throws ConcordError `DECL_INPUT_MALFORMED` (not JSON, or not objects), `DECL_INPUT_TOO_LARGE`.
 */
export function parseJsonDeclarations(
  text: string,
  format: 'json' | 'ndjson' | 'auto' = 'auto',
  options: NdjsonOptions = {},
): ImportRecord[] {
  const body = text.replace(/^\uFEFF/, '');
  const start = body.trimStart()[0];
  const ndjson = format === 'ndjson' || (format === 'auto' && start === '{' && !isSingleJson(body));
  if (ndjson) return parseNdjson(body, options);
  if (body.length > MAX_DOCUMENT_BYTES) {
    throw new ConcordError('DECL_INPUT_TOO_LARGE', `a JSON document is read whole: use NDJSON above 64 MiB`);
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new ConcordError('DECL_INPUT_MALFORMED', `not valid JSON: ${(error as Error).message}`);
  }
  const values = Array.isArray(value) ? value : [value];
  return values.map((item, i) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? { record: i + 1, value: item }
      : { record: i + 1, error: { code: 'DECL_INPUT_MALFORMED', message: 'a declaration is a JSON object' } },
  );
}

function isSingleJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

/** How NDJSON records are read. */
export interface NdjsonOptions {
  /**
   * Leave each line's JSON to the submission (the record carries `text`): storage then parses it where it checks it,
   * on the checking workers for a large batch. Off, each line is parsed as it is read.
   */
  defer?: boolean;
}

/** One NDJSON line to a record. */
export function parseNdjsonLine(
  line: string,
  record: number,
  lineNumber: number,
  options: NdjsonOptions = {},
): ImportRecord {
  if (line.length > MAX_RECORD_BYTES) {
    return {
      record,
      line: lineNumber,
      error: { code: 'DECL_INPUT_TOO_LARGE', message: `the record exceeds ${MAX_RECORD_BYTES} bytes` },
    };
  }
  if (options.defer === true) return { record, line: lineNumber, text: line };
  const read = readJsonObject(line);
  if ('error' in read)
    return { record, line: lineNumber, error: { code: 'DECL_INPUT_MALFORMED', message: read.error } };
  return { record, line: lineNumber, value: read.value };
}

function parseNdjson(body: string, options: NdjsonOptions): ImportRecord[] {
  const records: ImportRecord[] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    records.push(parseNdjsonLine(line, records.length + 1, i + 1, options));
  }
  return records;
}

/**
 * Reads NDJSON from a byte stream one line at a time, so a file of gigabytes takes the memory of one record. Each
 * line is decoded on its own (invalid UTF-8 makes that line a bad record) and a line longer than
 * {@link MAX_RECORD_BYTES} is skipped, reported, and not buffered.
 */
export async function* streamNdjson(
  chunks: AsyncIterable<Uint8Array>,
  options: NdjsonOptions = {},
): AsyncGenerator<ImportRecord> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overflow = false;
  let lineNumber = 0;
  let record = 0;
  const finish = (parts: Buffer[]): ImportRecord | undefined => {
    lineNumber++;
    if (overflow) {
      overflow = false;
      record++;
      return {
        record,
        line: lineNumber,
        error: { code: 'DECL_INPUT_TOO_LARGE', message: `the record exceeds ${MAX_RECORD_BYTES} bytes` },
      };
    }
    let text: string;
    try {
      text = utf8.decode(Buffer.concat(parts));
    } catch {
      record++;
      return { record, line: lineNumber, error: { code: 'DECL_INPUT_MALFORMED', message: 'the line is not UTF-8' } };
    }
    text = (lineNumber === 1 ? text.replace(/^\uFEFF/, '') : text).trim();
    if (text === '') return undefined;
    record++;
    return parseNdjsonLine(text, record, lineNumber, options);
  };
  for await (const chunk of chunks) {
    const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let newline = buffer.indexOf(10, start); newline >= 0; newline = buffer.indexOf(10, start)) {
      const part = buffer.subarray(start, newline);
      const parts = overflow ? [] : [...pending, part];
      if (!overflow && pendingBytes + part.length > MAX_RECORD_BYTES) overflow = true;
      const done = finish(overflow ? [] : parts);
      if (done !== undefined) yield done;
      pending = [];
      pendingBytes = 0;
      start = newline + 1;
    }
    const rest = buffer.subarray(start);
    if (!overflow) {
      pendingBytes += rest.length;
      if (pendingBytes > MAX_RECORD_BYTES) {
        overflow = true;
        pending = [];
      } else {
        pending.push(Buffer.from(rest));
      }
    }
  }
  if (pendingBytes > 0 || overflow) {
    const done = finish(pending);
    if (done !== undefined) yield done;
  }
}
