import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, formatCsv, parseCsv } from './csv.js';

/** The line a parse fails on, or undefined when it does not fail. */
function failingLine(text: string): number | undefined {
  try {
    parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return error.line;
    throw error;
  }
  return undefined;
}

describe(parseCsv.name, () => {
  it('reads fields and the line each record starts on', () => {
    expect(parseCsv('a,b\nc,d\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
    ]);
  });

  it('accepts CRLF line ends, a byte-order mark and a missing final line break', () => {
    expect(parseCsv('\uFEFFa,b\r\nc,d').map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks (RFC 4180 §2.5–2.7)', () => {
    const records = parseCsv('"x, y","say ""hi""","two\nlines"\nnext,,\n');
    expect(records).toEqual([
      { line: 1, fields: ['x, y', 'say "hi"', 'two\nlines'] },
      { line: 3, fields: ['next', '', ''] },
    ]);
  });

  it('gives an empty line as one empty field', () => {
    expect(parseCsv('a\n\nb\n').map((r) => r.fields)).toEqual([['a'], [''], ['b']]);
  });

  it('refuses an unterminated quote with the line it opens on', () => {
    expect(failingLine('a,b\nc,"open\nmore\n')).toBe(2);
  });

  it('refuses a quote inside an unquoted field', () => {
    expect(failingLine('a,b\nc,d"e\n')).toBe(2);
  });

  it('refuses text after a closing quote', () => {
    expect(failingLine('a\n"b"c,d\n')).toBe(2);
  });

  it('reads back what formatCsv writes, for any fields', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é') });
    const record = fc.array(field, { minLength: 2, maxLength: 5 });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 8 }), (records) => {
        expect(parseCsv(formatCsv(records)).map((r) => r.fields)).toEqual(records);
      }),
    );
  });
});
