import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeInput, MAX_RECORD_BYTES, parseJsonDeclarations, streamNdjson } from './index.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

async function collect(chunks: Uint8Array[]) {
  const out = [];
  for await (const record of streamNdjson(Readable.from(chunks))) out.push(record);
  return out;
}

describe(parseJsonDeclarations.name, () => {
  it('reads one object, an array, and NDJSON', () => {
    expect(parseJsonDeclarations('{"a":1}')).toEqual([{ record: 1, value: { a: 1 } }]);
    expect(parseJsonDeclarations('[{"a":1},{"a":2}]').map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseJsonDeclarations('{"a":1}\n\n{"a":2}\n').map((r) => [r.line, r.value])).toEqual([
      [1, { a: 1 }],
      [3, { a: 2 }],
    ]);
  });

  it('refuses a malformed document with DECL_INPUT_MALFORMED', () => {
    expect(() => parseJsonDeclarations('[{"a":1},')).toThrow(expect.objectContaining({ code: 'DECL_INPUT_MALFORMED' }));
  });

  it('makes a bad NDJSON line a bad record and reads the others', () => {
    const records = parseJsonDeclarations('{"a":1}\n{"a":\n[1]\n{"a":3}');
    expect(records.map((r) => r.error?.code ?? 'ok')).toEqual([
      'ok',
      'DECL_INPUT_MALFORMED',
      'DECL_INPUT_MALFORMED',
      'ok',
    ]);
  });

  it('never throws anything but a ConcordError on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseJsonDeclarations(text);
        } catch (error) {
          expect(error).toMatchObject({ code: 'DECL_INPUT_MALFORMED' });
        }
      }),
    );
  });
});

describe(decodeInput.name, () => {
  it('reads UTF-8 with or without a byte-order mark, and UTF-16 with one', () => {
    expect(decodeInput(utf8('Müller'))).toBe('Müller');
    expect(decodeInput(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('Ø')]))).toBe('Ø');
    expect(decodeInput(new Uint8Array([0xff, 0xfe, 0x4d, 0x00, 0xfc, 0x00]))).toBe('Mü');
  });

  it('refuses Latin-1 with DECL_INPUT_ENCODING and the offset of the bad byte', () => {
    expect(() => decodeInput(new Uint8Array([0x4d, 0xfc, 0x6c]))).toThrow(
      expect.objectContaining({ code: 'DECL_INPUT_ENCODING', details: { offset: 1 } }),
    );
  });
});

describe(streamNdjson.name, () => {
  it('reads records split across chunks, line by line', async () => {
    const records = await collect([utf8('{"a":1}\n{"a"'), utf8(':2}\n'), utf8('{"a":3}')]);
    expect(records.map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
  });

  it('reports an over-long line as DECL_INPUT_TOO_LARGE without buffering it, and goes on', async () => {
    const big = utf8(`{"a":"${'x'.repeat(MAX_RECORD_BYTES)}"}\n`);
    const records = await collect([utf8('{"a":1}\n'), big.subarray(0, 1000), big.subarray(1000), utf8('{"a":2}\n')]);
    expect(records.map((r) => r.error?.code ?? r.value)).toEqual([{ a: 1 }, 'DECL_INPUT_TOO_LARGE', { a: 2 }]);
  });

  it('makes a line of invalid UTF-8 a bad record', async () => {
    const records = await collect([new Uint8Array([0x7b, 0xff, 0x7d, 0x0a]), utf8('{"a":2}')]);
    expect(records.map((r) => r.error?.code ?? r.value)).toEqual(['DECL_INPUT_MALFORMED', { a: 2 }]);
  });
});
