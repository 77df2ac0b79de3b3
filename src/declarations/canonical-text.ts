import type { TSchema } from '@sinclair/typebox';
import { canonicalize } from '../kernel/index.js';
import { type Declaration, DeclarationSchema } from './model.js';

/**
 * The RFC 8785 text of a declaration of the schema, as `canonicalize` writes it, at about half its cost.
 *
 * For a value of the declaration schema, RFC 8785 and `JSON.stringify` differ only in the order of object members:
 * both write numbers as ECMAScript's Number::toString and escape strings alike, and the schema has no `null`, no
 * `toJSON` and no open object. So the declaration is copied with the members of every object in RFC 8785 order, by
 * a copier compiled once from the schema, and the copy is given to the engine's `JSON.stringify`.
 *
 * The declaration must be one the schema accepts, as every validated and every harmonized declaration is (the
 * harmonization tests check the canonical form validates): the copier takes the members the schema names and no
 * others. What the fast path cannot vouch for goes to `canonicalize`, which gives the same text or refuses the value:
 * a number that is not finite (JSON.stringify would write `null`), and a string with a lone surrogate (JSON.stringify
 * writes it as a `\udXXX` escape, RFC 8785 refuses it), found by looking for that escape in the output; a text that
 * merely holds a backslash followed by `ud` takes the exact path too.
 *
 * @throws ConcordError `JSON_NOT_CANONICALIZABLE`, from `canonicalize`, for what has no RFC 8785 form.
 */
export function canonicalDeclarationText(declaration: Declaration): string {
  let copy: unknown;
  try {
    copy = copyDeclaration(declaration);
  } catch (error) {
    if (error === OFF_SCHEMA) return canonicalize(declaration);
    throw error;
  }
  const text = JSON.stringify(copy);
  return text.includes('\\ud') ? canonicalize(declaration) : text;
}

/** Thrown by the compiled copier when the value is not one it can vouch for. */
const OFF_SCHEMA = Symbol('off-schema');

/**
 * Generates the copier's source: one function per object schema, which copies the members present in sorted order
 * (property names are ASCII, so JavaScript's sort is RFC 8785's UTF-16 order), recurses into objects and arrays, and
 * checks numbers are finite. Counting each object's own members against those copied would catch an unknown one,
 * but costs a quarter of the time saved, and a declaration of the schema has none.
 */
function compileCopier(root: TSchema): (value: unknown) => unknown {
  const functions: string[] = [];
  const copyOf = (schema: TSchema, expression: string): string => {
    if (schema.type === 'object' && schema.properties !== undefined) return `${objectFunction(schema)}(${expression})`;
    if (schema.type === 'array' && schema.items !== undefined) {
      const item = copyOf(schema.items as TSchema, 'e');
      return item === 'e' ? expression : `${expression}.map((e) => ${item})`; // strings need no copy
    }
    if (schema.type === 'number' || schema.type === 'integer') return `finite(${expression})`;
    return expression;
  };
  const objectFunction = (schema: TSchema): string => {
    const name = `o${functions.length}`;
    functions.push(''); // reserve the slot before recursing
    const properties = schema.properties as Record<string, TSchema>;
    const lines = [`function ${name}(o) {`, '  const r = {};'];
    for (const key of Object.keys(properties).sort()) {
      const access = `o[${JSON.stringify(key)}]`;
      lines.push(`  if (${access} !== undefined) r[${JSON.stringify(key)}] = ${copyOf(properties[key]!, access)};`);
    }
    lines.push('  return r;', '}');
    functions[Number(name.slice(1))] = lines.join('\n');
    return name;
  };
  const entry = copyOf(root, 'value');
  const source = [
    ...functions,
    'function finite(x) { if (typeof x !== "number" || !Number.isFinite(x)) throw OFF_SCHEMA; return x; }',
    `return (value) => ${entry};`,
  ].join('\n');
  // Generated from our own schema, never from input: the same technique as TypeBox's TypeCompiler.
  return new Function('OFF_SCHEMA', source)(OFF_SCHEMA) as (value: unknown) => unknown;
}

const copyDeclaration = compileCopier(DeclarationSchema);
