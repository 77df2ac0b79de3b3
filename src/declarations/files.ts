import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { ConcordError } from '../kernel/index.js';
import {
  decodeInput,
  type ImportRecord,
  MAX_DOCUMENT_BYTES,
  type NdjsonOptions,
  parseJsonDeclarations,
  streamNdjson,
} from './input.js';
import { streamCsv } from './csv.js';
import { importWcoDeclaration, wcoImportRecords } from './wco-xml.js';

/** The input formats Concord reads declarations from. */
export const INPUT_FORMATS = ['json', 'ndjson', 'csv', 'wco-xml'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** The format a file name suggests: `.ndjson`/`.jsonl`, `.csv`, `.xml`; anything else is JSON. */
export function formatOfFile(path: string): InputFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'ndjson';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.xml')) return 'wco-xml';
  return 'json';
}

/**
 * The records of a declarations file. NDJSON and CSV are streamed (a file of gigabytes takes the memory of one
 * record); a JSON document or a WCO DM XML declaration is read whole up to {@link MAX_DOCUMENT_BYTES}. A `.json` file that turns out to be NDJSON is
 * streamed too. `onBytes` reports progress in bytes read; `options.defer` leaves NDJSON lines to be parsed by the
 * submission.
 *
 * @throws ConcordError `DECL_INPUT_MALFORMED`, `DECL_INPUT_ENCODING`, `DECL_INPUT_TOO_LARGE`, and for XML
 *   `DECL_XML_FORBIDDEN` (DOCTYPE) or `DECL_XML_UNSUPPORTED` (not a WCO DM declaration).
 */
export async function* readDeclarationFile(
  path: string,
  format: InputFormat = formatOfFile(path),
  onBytes: (bytes: number) => void = () => undefined,
  options: NdjsonOptions = {},
): AsyncGenerator<ImportRecord> {
  const { size } = await stat(path);
  if (format === 'json' && (await looksLikeNdjson(path))) format = 'ndjson';
  if (format === 'ndjson' || format === 'csv') {
    const stream = createReadStream(path, { highWaterMark: 1 << 20 });
    const counted = (async function* () {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        onBytes(chunk.length);
        yield chunk;
      }
    })();
    yield* format === 'csv' ? streamCsv(counted) : streamNdjson(counted, options);
    return;
  }
  if (size > MAX_DOCUMENT_BYTES) {
    throw new ConcordError(
      'DECL_INPUT_TOO_LARGE',
      `${path} is ${size} bytes; a ${format} document is read whole up to ${MAX_DOCUMENT_BYTES} (use NDJSON)`,
    );
  }
  const handle = await open(path);
  let bytes: Buffer;
  try {
    bytes = await handle.readFile();
  } finally {
    await handle.close();
  }
  onBytes(bytes.length);
  if (format === 'wco-xml') {
    yield* wcoImportRecords(importWcoDeclaration(bytes));
    return;
  }
  yield* parseJsonDeclarations(decodeInput(bytes), 'json');
}

/** A file whose first non-blank line is a whole JSON object, followed by another line: NDJSON. */
async function looksLikeNdjson(path: string): Promise<boolean> {
  const handle = await open(path);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
    const head = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
    if (!head.startsWith('{')) return false;
    const newline = head.indexOf('\n');
    if (newline < 0) return false;
    try {
      JSON.parse(head.slice(0, newline));
      return head.slice(newline).trim() !== '';
    } catch {
      return false;
    }
  } finally {
    await handle.close();
  }
}
