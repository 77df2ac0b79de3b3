import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePointer } from './classification.js';
import {
  agreementFromTemplate,
  compileClassification,
  DATA_CATEGORIES,
  decideSharing,
  FIELD_CLASSES,
  type FieldClass,
  type FieldClassification,
  type JsonObject,
  type PolicyAgreement,
  PURPOSES,
  redactRecord,
  TREATMENTS,
  type Treatment,
  Pseudonymizer,
} from './index.js';
import { cmaa, DAY_MS, signed, T0, testPolicy, unsigned } from './testing.js';

const KEYS = ['a', 'b', 'name', 'value', '0', '1', 'x~y', 'p/q'] as const;

/** Records over a small set of member names, so that generated patterns actually match. */
const recordArb: fc.Arbitrary<JsonObject> = fc.letrec<{ node: unknown; object: JsonObject }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
    ),
    fc.array(tie('node'), { maxLength: 3 }),
    tie('object'),
  ),
  object: fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 4 }),
})).object;

const patternArb = fc
  .array(fc.constantFrom<string>(...KEYS, '*'), { minLength: 0, maxLength: 4 })
  .map((segments) => segments.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join(''));
const classificationArb: fc.Arbitrary<FieldClassification> = fc.dictionary(
  patternArb,
  fc.constantFrom(...FIELD_CLASSES),
  {
    maxKeys: 6,
  },
);
const treatmentsArb = fc.record(
  Object.fromEntries(FIELD_CLASSES.map((c) => [c, fc.constantFrom(...TREATMENTS)])) as Record<
    FieldClass,
    fc.Arbitrary<Treatment>
  >,
);

/** Every primitive leaf of a record with its path, in the order of a depth-first walk. */
function leaves(value: unknown, path: string[] = []): { path: string[]; value: unknown }[] {
  if (typeof value !== 'object' || value === null) return [{ path, value }];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => leaves(v, [...path, k]));
}

/** The same record with each primitive leaf replaced by a unique marker string. */
function mark(value: unknown, counter = { n: 0 }): unknown {
  if (typeof value !== 'object' || value === null) return `⟦${counter.n++}⟧`;
  if (Array.isArray(value)) return value.map((v) => mark(v, counter));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mark(v, counter)]));
}

/**
 * The oracle: the class of a leaf by brute force. Of the patterns that match a prefix of its path, the longest
 * wins; at equal length, the one with a named segment where the other has `*` first.
 */
function oracleClass(path: string[], classification: FieldClassification): FieldClass | undefined {
  let best: { segments: string[]; fieldClass: FieldClass } | undefined;
  for (const [pattern, fieldClass] of Object.entries(classification)) {
    const segments = parsePointer(pattern);
    if (segments.length > path.length) continue;
    if (!segments.every((s, i) => s === '*' || s === path[i])) continue;
    if (!best || segments.length > best.segments.length || moreSpecific(segments, best.segments)) {
      best = { segments, fieldClass };
    }
  }
  return best?.fieldClass;
}

function moreSpecific(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if ((a[i] === '*') !== (b[i] === '*')) return b[i] === '*';
  }
  return false;
}

const pointerOf = (path: string[]) => path.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('');

describe(`${redactRecord.name} (properties)`, () => {
  it('never lets a withheld field out, and treats every leaf as the oracle classifies it', () => {
    fc.assert(
      fc.property(recordArb, classificationArb, treatmentsArb, (raw, classification, treatments) => {
        const record = mark(raw) as JsonObject;
        const result = redactRecord(
          record,
          compileClassification(classification),
          treatments,
          new Pseudonymizer(Buffer.alloc(32, 1)),
        );
        const text = JSON.stringify(result.output);
        for (const leaf of leaves(record)) {
          const fieldClass = oracleClass(leaf.path, classification);
          const expected: Treatment = fieldClass === undefined ? 'withheld' : treatments[fieldClass];
          // The treatment recorded for the leaf is the one at its deepest recorded ancestor (or itself).
          let recorded: Treatment | undefined;
          for (let i = leaf.path.length; i >= 0 && recorded === undefined; i--) {
            recorded = result.fields[pointerOf(leaf.path.slice(0, i))];
          }
          expect(recorded).toBe(expected);
          const marker = JSON.stringify(leaf.value);
          if (expected === 'full') expect(text).toContain(marker);
          else expect(text).not.toContain(marker);
        }
      }),
      { numRuns: 500 },
    );
  });
});

const PARTIES = ['NL', 'SG', 'KE', 'JP', 'US-CBP'] as const;

/** Agreements of every kind in every state that is not "in force" at T0. */
const notInForceArb: fc.Arbitrary<PolicyAgreement> = fc
  .tuple(
    fc.constantFrom('cmaa', 'convention', 'aeo-mra'),
    fc.uniqueArray(fc.constantFrom(...PARTIES), { minLength: 2, maxLength: 5 }),
    fc.constantFrom('unsigned', 'suspended', 'terminated', 'tampered', 'expired', 'not-yet-valid'),
    fc.nat({ max: 1000 }),
  )
  .map(([template, parties, state, n]) => {
    const chosen = template === 'cmaa' ? parties.slice(0, 2) : parties;
    let validity = { from: '2026-01-01', until: null as string | null };
    if (state === 'expired') validity = { from: '2025-01-01', until: '2026-02-28' };
    if (state === 'not-yet-valid') validity = { from: '2026-03-02', until: null };
    const document = agreementFromTemplate(template, {
      parties: chosen,
      id: `a-${template}-${n}`,
      today: '2026-01-01',
      validity,
    });
    switch (state) {
      case 'unsigned':
        return unsigned(document);
      case 'suspended':
      case 'terminated':
        return signed(document, { state, by: chosen[0]!, at: '2026-02-01T00:00:00Z', reason: 'test' });
      case 'tampered':
        return signed(document, { state: 'tampered', detail: 'test' });
      default:
        return signed(document);
    }
  });

describe(`${decideSharing.name} (properties)`, () => {
  it('allows nothing without an agreement in force, whatever the request', () => {
    fc.assert(
      fc.property(
        fc.array(notInForceArb, { maxLength: 6 }),
        fc.record({
          sender: fc.constantFrom(...PARTIES),
          receiver: fc.constantFrom(...PARTIES),
          category: fc.constantFrom(...DATA_CATEGORIES, 'made.up'),
          purpose: fc.constantFrom(...PURPOSES, 'curiosity'),
          record: fc.option(recordArb, { nil: undefined }),
          handlingCode: fc.option(fc.constantFrom('H0', 'H1', 'H2', 'H3'), { nil: undefined }),
          at: fc.integer({ min: T0 - 400 * DAY_MS, max: T0 }),
          exact: fc.boolean(),
        }),
        (agreements, request) => {
          const unique = [...new Map(agreements.map((a) => [a.id, a])).values()];
          // Anything expired or not yet valid at T0 is judged at T0 exactly.
          const decision = decideSharing(testPolicy({ self: 'NL', agreements: unique }), {
            ...request,
            at: unique.some((a) => a.lifecycle.state === 'active' && a.signedVersions.length > 0) ? T0 : request.at,
          });
          expect(decision.allowed).toBe(false);
          expect(decision.code).not.toBeNull();
          expect(decision.record).toBeNull();
          expect(Object.values(decision.fields).every((t) => t === 'withheld')).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never lets a withheld field out in an allowed decision, whatever the record', () => {
    const policy = testPolicy({ self: 'NL', agreements: [signed(cmaa('NL', 'SG'))] });
    fc.assert(
      fc.property(recordArb, (raw) => {
        const record = mark({ ...raw, risk: raw, parties: [{ name: raw }] }) as JsonObject;
        const decision = decideSharing(policy, {
          sender: 'NL',
          receiver: 'SG',
          category: 'declaration.prearrival',
          purpose: 'risk-assessment',
          at: T0,
          record,
        });
        const text = JSON.stringify(decision.record);
        for (const leaf of leaves(record)) {
          if (decision.fields[pointerOf(leaf.path)] === 'withheld' || leaf.path[0] === 'risk') {
            expect(text).not.toContain(JSON.stringify(leaf.value));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
