/**
 * A small, strict RFC 4180 reader and writer. Reference files are tiny and trusted, but exchange-rate files come from
 * an administration's own systems, so the reader refuses what RFC 4180 does not allow (a quote inside an unquoted
 * field, text after a closing quote, an unterminated quote) instead of guessing, and says on which line.
 */

/** One record and the line (1-based) it starts on, so errors can point at the file. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

/** Thrown by {@link parseCsv}; callers turn it into their own error code. */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * Parses comma-separated text. Accepts LF or CRLF line ends and a leading UTF-8 byte-order mark; quoted fields may
 * hold commas, doubled quotes and line breaks (RFC 4180 §2.5–2.7). An empty line gives a record with one empty field;
 * a final line break does not start a record.
 *
 * @throws CsvSyntaxError with the line of the fault.
 * @example
 * parseCsv('currency,rate\r\nUSD,"1.08"\n'); // [{ line: 1, fields: ['currency', 'rate'] }, { line: 2, fields: ['USD', '1.08'] }]
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new CsvSyntaxError(start, 'a quoted field is not closed');
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        const next = text[i];
        if (i < n && next !== ',' && next !== '\n' && !(next === '\r' && text[i + 1] === '\n')) {
          throw new CsvSyntaxError(line, 'text follows a closing quote');
        }
      } else {
        const from = i;
        while (i < n) {
          const c = text[i];
          if (c === ',' || c === '\n' || (c === '\r' && text[i + 1] === '\n')) break;
          if (c === '"') throw new CsvSyntaxError(line, 'a quote inside an unquoted field');
          i++;
        }
        field = text.slice(from, i);
      }
      fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') {
      i++;
      line++;
    }
    records.push({ line: start, fields });
  }
  return records;
}

/** Writes records as RFC 4180 text with CRLF line ends, quoting only the fields that need it. */
export function formatCsv(records: readonly (readonly string[])[]): string {
  return records.map((fields) => fields.map(quoteField).join(',') + '\r\n').join('');
}

function quoteField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}
