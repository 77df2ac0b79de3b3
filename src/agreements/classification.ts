import { ConcordError } from '../kernel/index.js';
import { FIELD_CLASSES, type FieldClass } from './vocabulary.js';

/**
 * Which class each field of a record belongs to: JSON Pointer (RFC 6901) patterns, where a segment `*` matches any
 * one member name or array index, mapped to a field class. A pattern classifies the whole subtree under it; a
 * deeper pattern overrides a shallower one, and at equal depth a named segment beats `*` (the first segment where
 * two patterns differ decides). A field no pattern covers is **unclassified and always withheld**: a new field
 * added to a record stays at home until someone classifies it (fail closed).
 *
 * @example
 * { '/parties/*\/name': 'personal', '/goods/*\/value': 'commercial', '/goods/*\/hs': 'public' }
 */
export type FieldClassification = Readonly<Record<string, FieldClass>>;

/** One node of the pattern trie: what a pattern ending here says, and where the patterns go deeper. */
export interface ClassificationNode {
  readonly named: ReadonlyMap<string, ClassificationNode>;
  readonly any: ClassificationNode | undefined;
  /** The class of a pattern that ends here. */
  readonly fieldClass: FieldClass | undefined;
  /** Ranks patterns of equal depth: a named segment earlier in the pattern ranks higher. */
  readonly specificity: number;
}

/** A classification compiled into a trie, walked once per record alongside the record itself. */
export interface CompiledClassification {
  readonly root: ClassificationNode;
  readonly patterns: FieldClassification;
  /** Where a walk starts: the root, as a {@link ClassificationStep}. */
  readonly start: ClassificationStep;
}

/**
 * A place in the trie reached by a path: the patterns that match it so far, settled once and remembered, so that a
 * record walk resolves each member with one map lookup. What is remembered is bounded by the patterns: only member
 * names that a pattern names get their own entry; every other name shares the one step of the `*` patterns.
 */
export class ClassificationStep {
  /** The class the most specific pattern ending here gives, if any (else the class from above applies). */
  readonly fieldClass: FieldClass | undefined;
  /** Whether a pattern goes deeper than here. */
  readonly deeper: boolean;
  private readonly named = new Map<string, ClassificationStep>();
  private others: ClassificationStep | undefined;

  constructor(readonly nodes: readonly ClassificationNode[]) {
    let best = -1;
    let fieldClass: FieldClass | undefined;
    let deeper = false;
    for (const node of nodes) {
      if (node.fieldClass !== undefined && node.specificity > best) {
        fieldClass = node.fieldClass;
        best = node.specificity;
      }
      if (node.any !== undefined || node.named.size > 0) deeper = true;
    }
    this.fieldClass = fieldClass;
    this.deeper = deeper;
  }

  /**
   * The steps of each of `keys` (an object's own member names, in order). The last few shapes seen here are
   * remembered: records of one category have a handful of shapes, and member names from `Object.keys` compare by
   * identity, so a remembered shape costs a few pointer comparisons instead of a lookup per member.
   */
  stepsFor(keys: readonly string[]): readonly ClassificationStep[] {
    const shapes = this.shapes;
    search: for (let s = 0; s < shapes.length; s++) {
      const shape = shapes[s]!;
      if (shape.keys.length !== keys.length) continue;
      for (let i = 0; i < keys.length; i++) if (shape.keys[i] !== keys[i]) continue search;
      return shape.steps;
    }
    const steps = keys.map((key) => this.next(key));
    if (keys.length <= MAX_SHAPE_KEYS) {
      if (shapes.length >= MAX_SHAPES) shapes.shift();
      shapes.push({ keys: [...keys], steps });
    }
    return steps;
  }

  private readonly shapes: { keys: readonly string[]; steps: readonly ClassificationStep[] }[] = [];

  /** The step one member (or array index) further down. */
  next(key: string): ClassificationStep {
    const known = this.named.get(key);
    if (known !== undefined) return known;
    let nameMatches = false;
    for (const node of this.nodes) if (node.named.has(key)) nameMatches = true;
    if (!nameMatches) {
      this.others ??= new ClassificationStep(this.nodes.flatMap((n) => (n.any === undefined ? [] : [n.any])));
      return this.others;
    }
    const nodes: ClassificationNode[] = [];
    for (const node of this.nodes) {
      const named = node.named.get(key);
      if (named !== undefined) nodes.push(named);
      if (node.any !== undefined) nodes.push(node.any);
    }
    const step = new ClassificationStep(nodes);
    this.named.set(key, step);
    return step;
  }
}

interface MutableNode {
  named: Map<string, MutableNode>;
  any: MutableNode | undefined;
  fieldClass: FieldClass | undefined;
  specificity: number;
}

function newNode(): MutableNode {
  return { named: new Map(), any: undefined, fieldClass: undefined, specificity: 0 };
}

/** Object shapes remembered per step, and the largest object whose shape is remembered. */
const MAX_SHAPES = 8;
const MAX_SHAPE_KEYS = 64;

/** Patterns deeper than this are refused: specificity is a bit per segment in a double's 53-bit mantissa. */
const MAX_DEPTH = 40;

/**
 * Compiles a classification.
 *
 * @throws ConcordError `SHARING_CLASSIFICATION_INVALID` for a pattern that is not a JSON Pointer, is too deep, or
 *   names an unknown field class.
 */
export function compileClassification(patterns: FieldClassification): CompiledClassification {
  const root = newNode();
  for (const [pattern, fieldClass] of Object.entries(patterns)) {
    if (!(FIELD_CLASSES as readonly string[]).includes(fieldClass)) {
      throw new ConcordError('SHARING_CLASSIFICATION_INVALID', `"${fieldClass}" is not a field class`, { pattern });
    }
    const segments = parsePointer(pattern);
    if (segments.length > MAX_DEPTH) {
      throw new ConcordError('SHARING_CLASSIFICATION_INVALID', `pattern deeper than ${MAX_DEPTH} segments`, {
        pattern,
      });
    }
    let node = root;
    let specificity = 0;
    segments.forEach((segment, depth) => {
      if (segment === '*') {
        node.any ??= newNode();
        node = node.any;
      } else {
        specificity += 2 ** (MAX_DEPTH - depth);
        let next = node.named.get(segment);
        if (!next) {
          next = newNode();
          node.named.set(segment, next);
        }
        node = next;
      }
    });
    node.fieldClass = fieldClass;
    node.specificity = specificity;
  }
  return { root, patterns, start: new ClassificationStep([root]) };
}

/** The segments of a JSON Pointer (RFC 6901 §3–4), `~1` and `~0` unescaped. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw new ConcordError('SHARING_CLASSIFICATION_INVALID', `"${pointer}" is not a JSON Pointer`, {
      pattern: pointer,
    });
  }
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** One segment escaped for a JSON Pointer (RFC 6901 §3). */
export function escapePointerSegment(segment: string): string {
  return segment.indexOf('~') === -1 && segment.indexOf('/') === -1
    ? segment
    : segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The field classes of a declaration-like record, until the declaration model (its own issue) ships its own:
 * parties' names, addresses, identifiers and contacts are personal (a party may be a natural person, and a pointer
 * cannot tell); values, prices, quantities and the trader's references are commercial; risk notes and targeting
 * results are enforcement-sensitive; HS codes, places, dates, transport and the UCR are public.
 */
export const DECLARATION_CLASSIFICATION: FieldClassification = {
  '/ucr': 'public',
  '/type': 'public',
  '/lodgedAt': 'public',
  '/office': 'public',
  '/parties/*/role': 'public',
  '/parties/*/country': 'public',
  '/parties/*/name': 'personal',
  '/parties/*/address': 'personal',
  '/parties/*/address/country': 'public',
  '/parties/*/eori': 'personal',
  '/parties/*/tin': 'personal',
  '/parties/*/id': 'personal',
  '/parties/*/contact': 'personal',
  '/transport': 'public',
  '/goods/*/seq': 'public',
  '/goods/*/hs': 'public',
  '/goods/*/description': 'commercial',
  '/goods/*/origin': 'public',
  '/goods/*/qty': 'commercial',
  '/goods/*/unit': 'public',
  '/goods/*/mass': 'public',
  '/goods/*/value': 'commercial',
  '/goods/*/price': 'commercial',
  '/totals': 'commercial',
  '/totals/items': 'public',
  '/totals/currency': 'public',
  '/functionalReference': 'commercial',
  '/risk': 'enforcement',
  '/flags/prearrival': 'public',
  '/flags/aeo': 'public',
  '/flags/note': 'enforcement',
  // The declaration model of the declarations module (WCO DM names).
  '/procedure': 'public',
  '/dates': 'public',
  '/declarant': 'personal',
  '/exporter': 'personal',
  '/importer': 'personal',
  '/carrier': 'personal',
  '/declarant/country': 'public',
  '/declarant/address/country': 'public',
  '/declarant/aeo': 'public',
  '/exporter/country': 'public',
  '/exporter/address/country': 'public',
  '/exporter/aeo': 'public',
  '/importer/country': 'public',
  '/importer/address/country': 'public',
  '/importer/aeo': 'public',
  '/carrier/country': 'public',
  '/carrier/address/country': 'public',
  '/carrier/aeo': 'public',
  '/places': 'public',
  '/dispatchCountry': 'public',
  '/destinationCountry': 'public',
  '/containers': 'public',
  '/items/*/sequence': 'public',
  '/items/*/description': 'commercial',
  '/items/*/hs': 'public',
  '/items/*/origin': 'public',
  '/items/*/preferentialOrigin': 'public',
  '/items/*/quantity': 'commercial',
  '/items/*/grossMass': 'public',
  '/items/*/netMass': 'public',
  '/items/*/customsValue': 'commercial',
  '/items/*/statisticalValue': 'commercial',
  '/items/*/preference': 'public',
  '/items/*/packages': 'public',
  '/items/*/documents': 'commercial',
  '/totals/itemCount': 'public',
  '/totals/packages': 'public',
  '/totals/grossMass': 'public',
  '/totals/invoice': 'commercial',
};

/** The classification of each category a node ships with; other modules add theirs (seizures, alerts, AEO status). */
export const DEFAULT_CLASSIFICATIONS: Readonly<Record<string, FieldClassification>> = {
  'declaration.prearrival': DECLARATION_CLASSIFICATION,
  'declaration.export': DECLARATION_CLASSIFICATION,
};
