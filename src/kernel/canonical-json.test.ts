import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalize } from './canonical-json.js';
import { isConcordError } from './errors.js';

/** The `canonicalize` npm package (CommonJS; its typings declare an ES default export it does not have). */
const peerCanonicalize = createRequire(import.meta.url)('canonicalize') as (value: unknown) => string | undefined;

/** RFC 8785 vectors from the RFC co-author's repository; see SOURCE.md there. */
const VECTORS = new URL('../../../shared/data/jcs-rfc8785/', import.meta.url);

/** The ConcordError code `fn` throws, or undefined when it throws none. */
function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isConcordError(error)) return error.code;
    throw error;
  }
  return undefined;
}

/** A deep copy with every -0 made +0: JSON has a single zero, so that is what survives a round trip. */
function withoutNegativeZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(withoutNegativeZero);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNegativeZero(v)]));
  }
  return value;
}

/** Any JSON value, with strings over all of Unicode (control characters and astral planes included). */
const jsonValue = fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 });

describe(canonicalize.name, () => {
  describe('on the RFC 8785 test vectors', () => {
    const names = readdirSync(new URL('input/', VECTORS)).filter((name) => name.endsWith('.json'));

    it('finds all six of them', () => {
      expect(names.sort()).toEqual(
        ['arrays', 'french', 'structures', 'unicode', 'values', 'weird'].map((n) => n + '.json'),
      );
    });

    for (const name of names) {
      it(`writes ${name} byte for byte`, () => {
        const input: unknown = JSON.parse(readFileSync(new URL(`input/${name}`, VECTORS), 'utf8'));
        const expected = readFileSync(new URL(`output/${name}`, VECTORS));
        expect(canonicalBytes(input).equals(expected)).toBe(true);
        expect(canonicalize(input)).toBe(expected.toString('utf8'));
      });
    }
  });

  describe('on numbers', () => {
    it('writes the 10,000 ES6 serialization vectors exactly', () => {
      const lines = readFileSync(new URL('es6-numbers-10k.txt', VECTORS), 'utf8').split('\n').filter(Boolean);
      expect(lines).toHaveLength(10_000);
      const view = new DataView(new ArrayBuffer(8));
      const failures: string[] = [];
      for (const line of lines) {
        const [hex, expected] = line.split(',') as [string, string];
        view.setBigUint64(0, BigInt('0x' + hex));
        const actual = canonicalize(view.getFloat64(0));
        if (actual !== expected) failures.push(`${hex}: ${actual} instead of ${expected}`);
      }
      expect(failures).toEqual([]);
    });

    it('writes -0 as 0', () => {
      expect(canonicalize(-0)).toBe('0');
      expect(canonicalize([-0, { z: -0 }])).toBe('[0,{"z":0}]');
    });
  });

  describe('on objects', () => {
    it('sorts members by UTF-16 code units, not code points', () => {
      // U+1F602 is the surrogate pair D83D DE02, which sorts before U+FB33 by code unit but after it by code point.
      expect(canonicalize({ '\ufb33': 1, '\ud83d\ude02': 2, b: 3, B: 4, '': 5 })).toBe(
        '{"":5,"B":4,"b":3,"\ud83d\ude02":2,"\ufb33":1}',
      );
    });

    it('sorts large objects like small ones', () => {
      const record = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${(i * 37) % 100}`, i]));
      const keys = [...canonicalize(record).matchAll(/"(k\d+)":/g)].map((match) => match[1]);
      expect(keys).toEqual(Object.keys(record).sort());
    });

    it('omits members whose value is undefined, as JSON.stringify does', () => {
      expect(canonicalize({ b: undefined, a: 1 })).toBe('{"a":1}');
    });

    it('writes undefined array elements as null, as JSON.stringify does', () => {
      expect(canonicalize([undefined, 1])).toBe('[null,1]');
    });

    it('calls toJSON, so a Date becomes its ISO string', () => {
      const lodged = new Date(Date.UTC(2026, 2, 14, 9, 26, 53, 589));
      expect(canonicalize({ lodged })).toBe('{"lodged":"2026-03-14T09:26:53.589Z"}');
    });

    it('passes toJSON the member name, as JSON.stringify does', () => {
      const named = { toJSON: (key: string) => `named ${key}` };
      expect(canonicalize({ x: named, y: [named] })).toBe('{"x":"named x","y":["named 0"]}');
    });

    it('unwraps boxed primitives', () => {
      expect(canonicalize([Object(1.5), Object('s'), Object(false)])).toBe('[1.5,"s",false]');
    });

    it('accepts objects without a prototype', () => {
      const bare = Object.assign(Object.create(null) as object, { b: 2, a: 1 });
      expect(canonicalize(bare)).toBe('{"a":1,"b":2}');
    });

    it('accepts a value shared by two branches (it is not a cycle)', () => {
      const party = { name: 'Müller' };
      expect(canonicalize({ exporter: party, declarant: party })).toBe(
        '{"declarant":{"name":"Müller"},"exporter":{"name":"Müller"}}',
      );
    });

    it('stays correct past the member-name cache size', () => {
      const record = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`n${i}`, i]));
      for (let pass = 0; pass < 2; pass++) {
        expect(canonicalize(record)).toBe(peerCanonicalize(record));
      }
    });
  });

  describe('on strings', () => {
    it('escapes as JSON.stringify does', () => {
      const s = '"\\/\b\f\n\r\t\u0000\u001f\u007f\u2028</script>é😂';
      expect(canonicalize(s)).toBe(JSON.stringify(s));
    });

    it('does not normalize Unicode', () => {
      expect(canonicalize('A\u030a')).toBe('"A\u030a"');
    });
  });

  describe('on values that have no JSON form', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = { back: cyclic };
    const cyclicArray: unknown[] = [];
    cyclicArray.push([cyclicArray]);
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];

    const cases: [string, unknown][] = [
      ['NaN', NaN],
      ['Infinity', { total: Infinity }],
      ['-Infinity', [-Infinity]],
      ['undefined at the top level', undefined],
      ['a function', { f: () => 1 }],
      ['a function in an array', [() => 1]],
      ['a symbol', { s: Symbol('s') }],
      ['a bigint', { n: 1n }],
      ['a boxed bigint', [Object(1n)]],
      ['a cyclic object', cyclic],
      ['a cyclic array', cyclicArray],
      ['a lone high surrogate', { name: 'M\ud800ller' }],
      ['a lone low surrogate in a member name', { '\udc00': 1 }],
      ['a toJSON that returns NaN', { t: { toJSON: () => NaN } }],
      ['nesting deeper than the call stack', deep],
    ];
    for (const [what, value] of cases) {
      it(`refuses ${what} with JSON_NOT_CANONICALIZABLE`, () => {
        expect(codeOf(() => canonicalize(value))).toBe('JSON_NOT_CANONICALIZABLE');
      });
    }

    it('names the offending value with a JSON Pointer', () => {
      try {
        canonicalize({ goods: [{ value: 1 }, { 'a/b~': NaN }] });
        expect.unreachable();
      } catch (error) {
        expect(isConcordError(error, 'JSON_NOT_CANONICALIZABLE')).toBe(true);
        expect((error as { details?: unknown }).details).toEqual({ pointer: '/goods/1/a~1b~0' });
      }
    });
  });

  describe('as a property', () => {
    it('is a fixed point through JSON.parse', () => {
      fc.assert(
        fc.property(jsonValue, (value) => {
          const once = canonicalize(value);
          expect(canonicalize(JSON.parse(once))).toBe(once);
        }),
        { numRuns: 500 },
      );
    });

    it('round-trips every JSON value through JSON.parse', () => {
      fc.assert(
        fc.property(jsonValue, (value) => {
          expect(JSON.parse(canonicalize(value))).toEqual(withoutNegativeZero(value));
        }),
        { numRuns: 500 },
      );
    });

    it('agrees with the canonicalize npm package on every JSON value', () => {
      fc.assert(
        fc.property(jsonValue, (value) => {
          expect(canonicalize(value)).toBe(peerCanonicalize(value));
        }),
        { numRuns: 500 },
      );
    });

    it('does not depend on member insertion order', () => {
      fc.assert(
        fc.property(fc.dictionary(fc.string({ unit: 'binary' }), jsonValue, { maxKeys: 40 }), (record) => {
          const reversed = Object.fromEntries(Object.entries(record).reverse());
          expect(canonicalize(reversed)).toBe(canonicalize(record));
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe(canonicalBytes.name, () => {
  it('encodes the canonical text as UTF-8', () => {
    expect(canonicalBytes({ name: 'Ørsted 😂' })).toEqual(Buffer.from('{"name":"Ørsted 😂"}', 'utf8'));
  });
});
