/**
 * RFC 8785 JSON Canonicalization Scheme, small enough for the browser: object members sorted by their names as
 * UTF-16 code units (§3.2.3), numbers as JavaScript serializes them (§3.2.2.3), strings as `JSON.stringify` escapes
 * them (§3.2.2.2), no whitespace. Input comes from `JSON.parse`, so there are no functions, cycles or `undefined`.
 * The node's own canonicalizer (src/kernel/canonical-json.ts) also refuses lone surrogates; so does this one.
 *
 * @example
 * canonicalize(JSON.parse('{"b": 1e21, "a": "é"}')); // '{"a":"é","b":1e+21}'
 */
export function canonicalize(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${value} has no JSON form`);
      return String(value);
    case 'string':
      if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)) {
        throw new TypeError('a string with a lone surrogate is not I-JSON (RFC 7493 §2.1)');
      }
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalize).join(',')}]`;
      const record = value as Record<string, unknown>;
      // The default sort compares UTF-16 code units, which is what RFC 8785 asks for.
      const members = Object.keys(record)
        .sort()
        .map((key) => `${canonicalize(key)}:${canonicalize(record[key])}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`a ${typeof value} has no JSON form`);
  }
}
