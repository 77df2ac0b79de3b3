import { type Static, type TOptional, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ConcordError } from '../kernel/index.js';
import { FIELD_CLASSES, PARTY_ID, TREATMENTS, type Vocabulary } from './vocabulary.js';

const TreatmentSchema = Type.Union(TREATMENTS.map((t) => Type.Literal(t)));
const Any = Type.Literal('*');

/**
 * A national rule: the administration's own law, laid over every agreement. It can only make sharing stricter —
 * forbid it, raise the treatment of a field class, shorten retention, forbid onward transfer — never looser, so the
 * stricter of agreement and rule always wins.
 *
 * @example
 * { title: 'No personal data to XX', legalReference: 'Customs Act s. 12(3)', direction: 'outbound',
 *   partners: ['XX'], categories: ['*'], purposes: ['*'], deny: false, fields: { personal: 'withheld' },
 *   maxRetentionDays: null, forbidOnwardTransfer: false }
 */
export const NationalRuleInputSchema = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 300 }),
    legalReference: Type.String({ minLength: 1, maxLength: 300, description: 'The national provision it applies' }),
    direction: Type.Union([Type.Literal('outbound'), Type.Literal('inbound'), Type.Literal('both')]),
    partners: Type.Array(Type.Union([Type.String({ pattern: PARTY_ID.source }), Any]), { minItems: 1, maxItems: 300 }),
    categories: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 100 }),
    purposes: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 100 }),
    deny: Type.Boolean({ description: 'Forbid the exchange altogether' }),
    fields: Type.Object(
      Object.fromEntries(FIELD_CLASSES.map((c) => [c, Type.Optional(TreatmentSchema)])) as Record<
        (typeof FIELD_CLASSES)[number],
        TOptional<typeof TreatmentSchema>
      >,
      { additionalProperties: false, description: 'Least strict treatment allowed per field class' },
    ),
    maxRetentionDays: Type.Union([Type.Integer({ minimum: 1, maximum: 36500 }), Type.Null()]),
    forbidOnwardTransfer: Type.Boolean(),
  },
  { additionalProperties: false },
);

export type NationalRuleInput = Static<typeof NationalRuleInputSchema>;

export interface NationalRule extends NationalRuleInput {
  id: string;
  createdAt: string;
  updatedAt: string;
}

const checkShape = TypeCompiler.Compile(NationalRuleInputSchema);

/**
 * Parses an untrusted national rule.
 *
 * @throws ConcordError `SHARING_RULE_INVALID` for a wrong shape, an unknown category or purpose, or a rule with no
 *   effect at all.
 */
export function parseNationalRule(value: unknown, vocabulary: Vocabulary): NationalRuleInput {
  if (!checkShape.Check(value)) {
    const errors = [...checkShape.Errors(value)]
      .slice(0, 20)
      .map((e) => ({ pointer: e.path || '/', message: e.message }));
    throw new ConcordError('SHARING_RULE_INVALID', errors.map((e) => `${e.pointer}: ${e.message}`).join('; '), {
      errors,
    });
  }
  value.categories.forEach((c, i) => {
    if (c !== '*' && !vocabulary.categories.has(c)) {
      throw new ConcordError('SHARING_RULE_INVALID', `unknown data category "${c}"`, { pointer: `/categories/${i}` });
    }
  });
  value.purposes.forEach((p, i) => {
    if (p !== '*' && !vocabulary.purposes.has(p)) {
      throw new ConcordError('SHARING_RULE_INVALID', `unknown purpose "${p}"`, { pointer: `/purposes/${i}` });
    }
  });
  const restrictsFields = Object.values(value.fields).some((t) => t !== undefined && t !== 'full');
  if (!value.deny && !restrictsFields && value.maxRetentionDays === null && !value.forbidOnwardTransfer) {
    throw new ConcordError('SHARING_RULE_INVALID', 'the rule restricts nothing', { pointer: '/' });
  }
  return value;
}

/** Whether `rule` applies to an exchange between this node (`self`) and a partner. */
export function ruleApplies(
  rule: NationalRuleInput,
  self: string,
  sender: string,
  receiver: string,
  category: string,
  purpose: string,
): boolean {
  let partner: string;
  if (sender === self) {
    if (rule.direction === 'inbound') return false;
    partner = receiver;
  } else if (receiver === self) {
    if (rule.direction === 'outbound') return false;
    partner = sender;
  } else {
    return false;
  }
  return (
    (rule.partners.includes('*') || rule.partners.includes(partner)) &&
    (rule.categories.includes('*') || rule.categories.includes(category)) &&
    (rule.purposes.includes('*') || rule.purposes.includes(purpose))
  );
}
