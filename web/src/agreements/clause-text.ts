import type { TFunction } from 'i18next';
import type { Clause, FieldClass, Treatment } from '../api/types.js';
import { FIELD_CLASSES } from '../api/types.js';
import { formatList } from '../format.js';

/** "risk assessment or enforcement": alternatives joined as the reader's language joins them. */
function formatAlternatives(items: readonly string[], language: string): string {
  return new Intl.ListFormat(language, { style: 'long', type: 'disjunction' }).format(items);
}

/** A party of a clause in words: its id, or "any party" for `*`. */
export function partyText(party: string, t: TFunction, role: 'from' | 'to'): string {
  return party === '*' ? t(role === 'from' ? 'agreementText.anyParty' : 'agreementText.anyOtherParty') : party;
}

/** A data category in words ("pre-arrival declarations"); unknown categories (a node's own) stay as they are. */
export function categoryText(category: string, t: TFunction): string {
  return t(`agreementText.categories.${category}`, { defaultValue: category });
}

export function purposeText(purpose: string, t: TFunction): string {
  return t(`agreementText.purposes.${purpose}`, { defaultValue: purpose });
}

/** "personal data pseudonymized; enforcement data withheld", or "all data in full". */
export function treatmentText(fields: Record<FieldClass, Treatment>, t: TFunction): string[] {
  const restricted = FIELD_CLASSES.filter((fieldClass) => fields[fieldClass] !== 'full');
  if (restricted.length === 0) return [t('agreementText.allFull')];
  return restricted.map((fieldClass) =>
    t('agreementText.fieldTreatment', {
      fieldClass: t(`agreementText.fieldClasses.${fieldClass}`),
      treatment: t(`agreementText.treatments.${fields[fieldClass]}`),
    }),
  );
}

/**
 * A clause in plain language, generated from its JSON: "NL may send SG pre-arrival declarations for risk assessment;
 * personal data pseudonymized; enforcement data withheld; kept 90 days, then anonymized; no onward transfer (Art. 7)".
 * The JSON stays the text that counts; this reading helps a person check it.
 */
export function clauseText(clause: Clause, t: TFunction, language: string): string {
  const parts = [
    t('agreementText.mayShare', {
      from: partyText(clause.from, t, 'from'),
      to: partyText(clause.to, t, 'to'),
      categories: formatList(
        clause.categories.map((category) => categoryText(category, t)),
        language,
      ),
      purposes: formatAlternatives(
        clause.purposes.map((purpose) => purposeText(purpose, t)),
        language,
      ),
    }),
    ...treatmentText(clause.fields, t),
    t(`agreementText.retention.${clause.retention.onExpiry}`, { count: clause.retention.days }),
    clause.onwardTransfer.rule === 'named-parties'
      ? t('agreementText.onward.named-parties', { parties: formatList(clause.onwardTransfer.parties, language) })
      : t(`agreementText.onward.${clause.onwardTransfer.rule}`),
  ];
  if (clause.handlingCodes.length > 0) {
    parts.push(t('agreementText.handlingCodes', { codes: clause.handlingCodes.join(', ') }));
  }
  if (clause.replyDeadlineDays !== null) {
    parts.push(t('agreementText.replyDeadline', { count: clause.replyDeadlineDays }));
  }
  return `${parts.join(t('agreementText.separator'))}${t('agreementText.articles', { articles: clause.articles.join(', ') })}`;
}
