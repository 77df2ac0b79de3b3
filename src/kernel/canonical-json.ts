import { ConcordError } from './errors.js';

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one byte sequence every node hashes and signs for a JSON value.
 *
 * - object members sorted by their names as arrays of UTF-16 code units (RFC 8785 §3.2.3), recursively;
 * - numbers in ECMAScript's Number-to-String form (§3.2.2.3), which is what `String(n)` computes, `-0` included;
 * - strings escaped as ECMAScript's `JSON.stringify` escapes them (§3.2.2.2);
 * - no whitespace.
 *
 * Like `JSON.stringify`, it calls `toJSON` (so a `Date` becomes its ISO string), unwraps boxed primitives, omits
 * object members whose value is `undefined` and writes `undefined` array elements as `null`. Unlike it, it refuses
 * what has no faithful JSON form instead of dropping or mangling it silently: NaN and ±Infinity, a top-level
 * `undefined`, functions, symbols, bigints, cycles, and strings with lone surrogates (RFC 8785 §3.1 requires I-JSON,
 * RFC 7493 §2.1).
 *
 * @throws ConcordError `JSON_NOT_CANONICALIZABLE`, with `details.pointer` (RFC 6901) naming the offending value.
 * @example
 * canonicalize({ b: 1e21, a: 'é' }); // '{"a":"é","b":1e+21}'
 */
export function canonicalize(value: unknown): string {
  const ancestors: object[] = [];
  try {
    const text = serialize(value, '', ancestors);
    if (text === undefined) throw new Unrepresentable('undefined has no JSON form');
    return text;
  } catch (error) {
    if (error instanceof Unrepresentable) {
      const pointer = error.path.map((segment) => '/' + segment.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
      throw new ConcordError('JSON_NOT_CANONICALIZABLE', `${error.message} at "${pointer}"`, { pointer });
    }
    // A RangeError here is the call stack (absurdly deep nesting) or the string length limit: input, not a bug.
    if (error instanceof RangeError) {
      throw new ConcordError('JSON_NOT_CANONICALIZABLE', error.message, undefined, { cause: error });
    }
    throw error;
  }
}

/** {@link canonicalize}, encoded as UTF-8 (RFC 8785 §3.2.4): the bytes to hash or sign. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}

/** Thrown inside the serializer; each container on the way out prepends its key, so the pointer costs nothing on success. */
class Unrepresentable extends Error {
  readonly path: string[] = [];
}

/** The serialization of `value`, or undefined when it is to be omitted (undefined, or a toJSON that returns it). */
function serialize(value: unknown, key: string | number, ancestors: object[]): string | undefined {
  if (typeof value === 'object' && value !== null) {
    // Called once, with the member name or index, as JSON.stringify does (ECMA-262 SerializeJSONProperty step 2).
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, String(key));
  }
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return serializeNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return serializeArray(value, ancestors);
      return serializeObject(value, ancestors);
    default:
      // function, symbol, bigint: JSON.stringify drops the first two silently and throws on the third.
      throw new Unrepresentable(`a ${typeof value} has no JSON form`);
  }
}

function serializeObject(value: object, ancestors: object[]): string {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    // Boxed primitives serialize as their primitive, as in JSON.stringify (ECMA-262 SerializeJSONProperty step 4).
    if (value instanceof Number) return serializeNumber(Number(value));
    if (value instanceof String) return quote(String(value));
    if (value instanceof Boolean) return value.valueOf() ? 'true' : 'false';
    if (value instanceof BigInt) throw new Unrepresentable('a bigint has no JSON form');
  }

  enter(value, ancestors);
  const record = value as Record<string, unknown>;
  const keys = sortByCodeUnits(Object.keys(record));
  let out = '{';
  let name = '';
  try {
    for (let i = 0; i < keys.length; i++) {
      name = keys[i]!;
      const member = serialize(record[name], name, ancestors);
      if (member === undefined) continue;
      const prefix = memberPrefix(name);
      out += out.length === 1 ? prefix + member : ',' + prefix + member;
    }
  } catch (error) {
    if (error instanceof Unrepresentable) error.path.unshift(name);
    throw error;
  }
  ancestors.pop();
  return out + '}';
}

function serializeArray(array: readonly unknown[], ancestors: object[]): string {
  enter(array, ancestors);
  let out = '[';
  let i = 0;
  try {
    for (; i < array.length; i++) {
      if (i > 0) out += ',';
      out += serialize(array[i], i, ancestors) ?? 'null';
    }
  } catch (error) {
    if (error instanceof Unrepresentable) error.path.unshift(String(i));
    throw error;
  }
  ancestors.pop();
  return out + ']';
}

/**
 * Sorts member names in place by UTF-16 code units (RFC 8785 §3.2.3), which is what JavaScript's `<` on strings
 * compares. Objects have few members, and insertion sort on them is much faster than `Array.prototype.sort`.
 */
function sortByCodeUnits(keys: string[]): string[] {
  const n = keys.length;
  if (n > 24) return keys.sort(); // default sort also compares UTF-16 code units
  for (let i = 1; i < n; i++) {
    const key = keys[i]!;
    let j = i - 1;
    if (!(key < keys[j]!)) continue;
    do {
      keys[j + 1] = keys[j]!;
      j--;
    } while (j >= 0 && key < keys[j]!);
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * `"name":` for a member name, from a small cache. Documents of one kind share a small vocabulary of member names,
 * so nearly every lookup hits; the cache is bounded and emptied when full, so hostile input only costs it its hits.
 */
const prefixes = new Map<string, string>();
const PREFIX_CACHE_SIZE = 4096;
const PREFIX_CACHE_MAX_NAME = 128;

function memberPrefix(name: string): string {
  let prefix = prefixes.get(name);
  if (prefix !== undefined) return prefix;
  prefix = quote(name) + ':';
  if (name.length <= PREFIX_CACHE_MAX_NAME) {
    if (prefixes.size >= PREFIX_CACHE_SIZE) prefixes.clear();
    prefixes.set(name, prefix);
  }
  return prefix;
}

/** Cycle check against the current path only; a value shared by two branches is fine, as in JSON.stringify. */
function enter(value: object, ancestors: object[]): void {
  if (ancestors.includes(value)) throw new Unrepresentable('the value is cyclic');
  ancestors.push(value);
}

function serializeNumber(n: number): string {
  // ECMAScript Number::toString is the algorithm RFC 8785 §3.2.2.3 prescribes; it already writes -0 as "0".
  if (!Number.isFinite(n)) throw new Unrepresentable(`${n} has no JSON form`);
  return '' + n;
}

/** Characters JSON.stringify escapes, plus surrogates (which may be lone); most strings have none of them. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON must escape
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(s: string): string {
  if (!NEEDS_ESCAPING.test(s)) return '"' + s + '"';
  if (hasLoneSurrogate(s)) throw new Unrepresentable('a string with a lone surrogate is not I-JSON (RFC 7493 §2.1)');
  return JSON.stringify(s);
}

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    if (unit > 0xdbff) return true;
    const next = s.charCodeAt(i + 1);
    if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
    i++;
  }
  return false;
}
