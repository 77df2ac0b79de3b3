import { type ClassificationStep, type CompiledClassification, escapePointerSegment } from './classification.js';
import type { Pseudonymizer } from './pseudonym.js';
import type { FieldClass, Treatment } from './vocabulary.js';

/** A JSON object, as records arrive from parsers. */
export type JsonObject = { [key: string]: unknown };

/** The treatment of each field class under one decision. */
export type ClassTreatments = Readonly<Record<FieldClass, Treatment>>;

export interface Redaction {
  /** The record as it may leave: withheld fields removed, pseudonymized ones replaced. Unchanged subtrees are shared with the input. */
  output: JsonObject;
  withheldCount: number;
  pseudonymizedCount: number;
  /**
   * JSON Pointer (into the input record) → the treatment applied to everything under it, at the shallowest place
   * where the treatment is settled: `/goods/0/hs: full`, `/parties/consignor/name: pseudonymized`. Computed on first
   * read (a second walk), so that a decision nobody inspects does not pay for a pointer per field.
   */
  readonly fields: Record<string, Treatment>;
  /** JSON Pointers of what was withheld; computed on first read, as `fields`. */
  readonly withheld: string[];
  /** JSON Pointers of what was pseudonymized; computed on first read, as `fields`. */
  readonly pseudonymized: string[];
}

/** Deeper than this, a record's subtree is withheld whole: no legitimate record nests so deep, and recursion is bounded. */
export const MAX_RECORD_DEPTH = 64;

const OMIT: unique symbol = Symbol('omit');

/**
 * Applies field treatments to a record. Every field gets the treatment of its class; an unclassified field is
 * withheld. A member (or array element) that is withheld disappears, and so does a container left empty by
 * withholding, so not even the presence of a withheld field leaves the node.
 *
 * @example
 * redactRecord(declaration, compileClassification(DECLARATION_CLASSIFICATION),
 *   { personal: 'pseudonymized', commercial: 'full', enforcement: 'withheld', public: 'full' }, pseudonymizer);
 */
export function redactRecord(
  record: JsonObject,
  classification: CompiledClassification,
  treatments: ClassTreatments,
  pseudonymizer: Pseudonymizer | null,
): Redaction {
  return new LazyRedaction(record, classification, treatments, pseudonymizer);
}

class LazyRedaction implements Redaction {
  readonly output: JsonObject;
  readonly withheldCount: number;
  readonly pseudonymizedCount: number;
  #tracer: Walker | undefined;

  constructor(
    private readonly record: JsonObject,
    private readonly classification: CompiledClassification,
    private readonly treatments: ClassTreatments,
    private readonly pseudonymizer: Pseudonymizer | null,
  ) {
    const walker = new Walker(treatments, pseudonymizer, false);
    const output = walker.walk(record, '', classification.start, undefined, 0);
    this.output = output === OMIT ? {} : (output as JsonObject);
    this.withheldCount = walker.withheldCount;
    this.pseudonymizedCount = walker.pseudonymizedCount;
  }

  get fields(): Record<string, Treatment> {
    return this.trace().fields;
  }

  get withheld(): string[] {
    return this.trace().withheld;
  }

  get pseudonymized(): string[] {
    return this.trace().pseudonymized;
  }

  private trace(): Walker {
    if (this.#tracer === undefined) {
      this.#tracer = new Walker(this.treatments, this.pseudonymizer, true);
      this.#tracer.walk(this.record, '', this.classification.start, undefined, 0);
    }
    return this.#tracer;
  }
}

/**
 * One walk over a record beside the classification trie. Without `trace` it builds the output, copying a container
 * only once one of its members changes (an unchanged subtree is the input's own), and counts; with `trace` it builds
 * nothing and records the pointer and treatment of every place where a treatment was settled. Both modes take every
 * decision in the same code, so the trace is exactly what the output got.
 */
class Walker {
  readonly fields: Record<string, Treatment> = {};
  readonly withheld: string[] = [];
  readonly pseudonymized: string[] = [];
  withheldCount = 0;
  pseudonymizedCount = 0;

  constructor(
    private readonly treatments: ClassTreatments,
    private readonly pseudonymizer: Pseudonymizer | null,
    private readonly trace: boolean,
  ) {}

  walk(
    value: unknown,
    pointer: string,
    step: ClassificationStep,
    inherited: FieldClass | undefined,
    depth: number,
  ): unknown {
    const fieldClass = step.fieldClass ?? inherited;
    if (!step.deeper || typeof value !== 'object' || value === null || depth >= MAX_RECORD_DEPTH) {
      let treatment: Treatment =
        fieldClass === undefined || depth >= MAX_RECORD_DEPTH ? 'withheld' : this.treatments[fieldClass];
      // Without a key there is no pseudonym: fail closed.
      if (treatment === 'pseudonymized' && this.pseudonymizer === null) treatment = 'withheld';
      if (this.trace) {
        this.fields[pointer] = treatment;
        if (treatment === 'withheld') this.withheld.push(pointer);
        else if (treatment === 'pseudonymized') this.pseudonymized.push(pointer);
        return treatment === 'withheld' ? OMIT : value;
      }
      if (treatment === 'full') return value;
      if (treatment === 'withheld') {
        this.withheldCount++;
        return OMIT;
      }
      this.pseudonymizedCount++;
      return this.pseudonymize(value, depth);
    }
    return Array.isArray(value)
      ? this.walkArray(value, pointer, step, fieldClass, depth)
      : this.walkObject(value as JsonObject, pointer, step, fieldClass, depth);
  }

  /**
   * True when `child` under `step` is a field kept in full: the most common case, settled here without a call. It
   * decides exactly as {@link walk} would.
   */
  private keptInFull(
    child: unknown,
    step: ClassificationStep,
    inherited: FieldClass | undefined,
    depth: number,
  ): boolean {
    if (this.trace || depth >= MAX_RECORD_DEPTH) return false;
    if (step.deeper && typeof child === 'object' && child !== null) return false;
    const fieldClass = step.fieldClass ?? inherited;
    return fieldClass !== undefined && this.treatments[fieldClass] === 'full';
  }

  private walkArray(
    value: unknown[],
    pointer: string,
    step: ClassificationStep,
    fieldClass: FieldClass | undefined,
    depth: number,
  ): unknown {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const key = String(i);
      const child = value[i];
      const childStep = step.next(key);
      const result = this.keptInFull(child, childStep, fieldClass, depth + 1)
        ? child
        : this.walk(child, this.trace ? `${pointer}/${key}` : pointer, childStep, fieldClass, depth + 1);
      if (out === null) {
        if (result === child) continue;
        out = value.slice(0, i);
      }
      if (result !== OMIT) out.push(result);
    }
    if (out === null) return value;
    return out.length === 0 && value.length > 0 ? OMIT : out;
  }

  private walkObject(
    value: JsonObject,
    pointer: string,
    step: ClassificationStep,
    fieldClass: FieldClass | undefined,
    depth: number,
  ): unknown {
    const keys = Object.keys(value);
    const steps = step.stepsFor(keys);
    if (this.allKeptInFull(steps, fieldClass, depth + 1)) return value;
    let out: JsonObject | null = null;
    let kept = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const child = value[key];
      const childStep = steps[i]!;
      const result = this.keptInFull(child, childStep, fieldClass, depth + 1)
        ? child
        : this.walk(
            child,
            this.trace ? `${pointer}/${escapePointerSegment(key)}` : pointer,
            childStep,
            fieldClass,
            depth + 1,
          );
      if (out === null) {
        if (result === child) continue;
        out = {};
        for (let j = 0; j < i; j++) setMember(out, keys[j]!, value[keys[j]!]);
        kept = i;
      }
      if (result !== OMIT) {
        setMember(out, key, result);
        kept++;
      }
    }
    if (out === null) return value;
    return keys.length > 0 && kept === 0 ? OMIT : out;
  }

  /**
   * True when every member settles, by its step alone, as a field kept in full (no pattern goes below it, and its
   * class is kept in full): then the object leaves as it is, and its members need not be read. Decides as
   * {@link keptInFull} would for each member, whatever the member's value.
   */
  private allKeptInFull(
    steps: readonly ClassificationStep[],
    inherited: FieldClass | undefined,
    depth: number,
  ): boolean {
    if (this.trace || depth >= MAX_RECORD_DEPTH) return false;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      if (step.deeper) return false;
      const fieldClass = step.fieldClass ?? inherited;
      if (fieldClass === undefined || this.treatments[fieldClass] !== 'full') return false;
    }
    return true;
  }

  private pseudonymize(value: unknown, depth: number): unknown {
    if (value === null) return null;
    if (typeof value !== 'object') return this.pseudonymizer!.pseudonym(value);
    if (depth >= MAX_RECORD_DEPTH) return null;
    if (Array.isArray(value)) return value.map((v) => this.pseudonymize(v, depth + 1));
    const out: JsonObject = {};
    for (const key of Object.keys(value)) setMember(out, key, this.pseudonymize((value as JsonObject)[key], depth + 1));
    return out;
  }
}

/** Sets a member, a `__proto__` member included, as JSON.parse would: as an own property. */
function setMember(out: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
