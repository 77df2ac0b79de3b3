import { ConcordError, sha256Hex } from '../kernel/index.js';
import type { AgreementDocument, Clause, LegalReference } from './document.js';
import type { AgreementKind } from './vocabulary.js';

/**
 * Starting points for the three instruments administrations sign most. Article numbers are those of the model
 * texts named in each template's title; a signed agreement often renumbers them, so the parties check the
 * references against their text before signing (a template is a draft, never in force by itself).
 */
export const AGREEMENT_TEMPLATES = ['cmaa', 'convention', 'aeo-mra'] as const;
export type AgreementTemplate = (typeof AGREEMENT_TEMPLATES)[number];

export interface TemplateInput {
  parties: readonly string[];
  id?: string | undefined;
  title?: string | undefined;
  /** Defaults to from `today`, with no end date. */
  validity?: { from: string; until: string | null } | undefined;
  /** `YYYY-MM-DD`; the default start of validity. */
  today: string;
}

/**
 * A draft version 1 from a template.
 *
 * @throws ConcordError `AGREEMENT_TEMPLATE_UNKNOWN`, or `AGREEMENT_PARTIES_INVALID` when a bilateral template is
 *   given other than two parties.
 * @example
 * agreementFromTemplate('cmaa', { parties: ['NL', 'SG'], today: '2026-01-01' });
 */
export function agreementFromTemplate(template: string, input: TemplateInput): AgreementDocument {
  const parties = [...new Set(input.parties.map((p) => p.trim().toUpperCase()))].sort();
  const validity = input.validity ?? { from: input.today, until: null };
  switch (template) {
    case 'cmaa':
      requireTwo(parties, 'the WCO model bilateral agreement');
      return document('cmaa', 'bilateral-cmaa', parties, input, validity, cmaaTitle(parties), CMAA_REFERENCES, [
        ...cmaaClauses(parties[0]!, parties[1]!),
        ...cmaaClauses(parties[1]!, parties[0]!),
      ]);
    case 'convention':
      return document(
        'convention',
        'multilateral-convention',
        parties,
        input,
        validity,
        'International Convention on Mutual Administrative Assistance in Customs Matters (Johannesburg, 2003)',
        CONVENTION_REFERENCES,
        CONVENTION_CLAUSES,
      );
    case 'aeo-mra':
      return document(
        'aeo-mra',
        'aeo-mra',
        parties,
        input,
        validity,
        `Mutual Recognition Arrangement of Authorised Economic Operators between ${parties.join(', ')}`,
        AEO_MRA_REFERENCES,
        AEO_MRA_CLAUSES,
      );
    default:
      throw new ConcordError('AGREEMENT_TEMPLATE_UNKNOWN', `no template "${template}"`, {
        known: [...AGREEMENT_TEMPLATES],
      });
  }
}

function document(
  template: AgreementTemplate,
  kind: AgreementKind,
  parties: string[],
  input: TemplateInput,
  validity: { from: string; until: string | null },
  defaultTitle: string,
  legalReferences: LegalReference[],
  clauses: Clause[],
): AgreementDocument {
  return {
    id: input.id ?? defaultId(template, parties),
    version: 1,
    supersedes: null,
    title: input.title ?? defaultTitle,
    kind,
    parties,
    legalReferences,
    validity,
    clauses,
  };
}

function defaultId(template: AgreementTemplate, parties: string[]): string {
  const id = `${template}-${parties.join('-').toLowerCase()}`;
  return id.length <= 64 ? id : `${template}-${sha256Hex(parties.join(',')).slice(0, 16)}`;
}

function requireTwo(parties: string[], what: string): void {
  if (parties.length !== 2) {
    throw new ConcordError('AGREEMENT_PARTIES_INVALID', `${what} has exactly two parties, not ${parties.length}`, {
      pointer: '/parties',
    });
  }
}

function cmaaTitle(parties: string[]): string {
  return `Agreement between the customs administrations of ${parties.join(' and ')} on mutual administrative assistance in customs matters (WCO model, 2004)`;
}

/** WCO Model Bilateral Agreement on Mutual Administrative Assistance in Customs Matters, as revised June 2004. */
const CMAA_REFERENCES: LegalReference[] = [
  { article: 'Art. 2', title: 'Scope of the Agreement' },
  { article: 'Art. 3', title: 'Information for the application and enforcement of Customs law' },
  { article: 'Art. 5', title: 'Information relating to Customs offences' },
  { article: 'Art. 7', title: 'Advance exchange of information' },
  { article: 'Art. 8', title: 'Spontaneous assistance' },
];

function cmaaClauses(from: string, to: string): Clause[] {
  const suffix = `${from}-${to}`.toLowerCase();
  return [
    {
      id: `prearrival-${suffix}`,
      from,
      to,
      categories: ['declaration.prearrival', 'declaration.export'],
      purposes: ['risk-assessment'],
      fields: { personal: 'pseudonymized', commercial: 'full', enforcement: 'withheld', public: 'full' },
      retention: { days: 90, onExpiry: 'anonymize' },
      onwardTransfer: { rule: 'forbidden' },
      handlingCodes: [],
      replyDeadlineDays: null,
      articles: ['Art. 7'],
      confidential: true,
    },
    {
      id: `intelligence-${suffix}`,
      from,
      to,
      categories: ['intelligence.seizure', 'intelligence.alert'],
      purposes: ['risk-assessment', 'enforcement', 'investigation'],
      fields: { personal: 'full', commercial: 'full', enforcement: 'full', public: 'full' },
      retention: { days: 1825, onExpiry: 'delete' },
      onwardTransfer: { rule: 'with-consent' },
      handlingCodes: ['H0', 'H1', 'H2'],
      replyDeadlineDays: null,
      articles: ['Art. 5', 'Art. 8'],
    },
    {
      id: `assistance-${suffix}`,
      from,
      to,
      categories: ['assistance.request', 'assistance.reply', 'document.proof'],
      purposes: ['mutual-assistance', 'investigation', 'enforcement', 'document-verification'],
      fields: { personal: 'full', commercial: 'full', enforcement: 'full', public: 'full' },
      retention: { days: 1825, onExpiry: 'delete' },
      onwardTransfer: { rule: 'with-consent' },
      handlingCodes: ['H0', 'H1', 'H2'],
      replyDeadlineDays: 60,
      articles: ['Art. 2', 'Art. 3'],
    },
  ];
}

/** International Convention on Mutual Administrative Assistance in Customs Matters (Johannesburg, 27 June 2003). */
const CONVENTION_REFERENCES: LegalReference[] = [
  { article: 'Art. 3', title: 'Communication of requests' },
  { article: 'Art. 4', title: 'Spontaneous assistance' },
  { article: 'Art. 5', title: 'Information for the application and enforcement of Customs law' },
  { article: 'Art. 6', title: 'Information relating to Customs offences' },
  { article: 'Art. 10', title: 'Advance exchange of information' },
];

const CONVENTION_CLAUSES: Clause[] = [
  {
    id: 'advance-information',
    from: '*',
    to: '*',
    categories: ['declaration.prearrival'],
    purposes: ['risk-assessment'],
    fields: { personal: 'pseudonymized', commercial: 'full', enforcement: 'withheld', public: 'full' },
    retention: { days: 90, onExpiry: 'anonymize' },
    onwardTransfer: { rule: 'forbidden' },
    handlingCodes: [],
    replyDeadlineDays: null,
    articles: ['Art. 10'],
    confidential: true,
  },
  {
    id: 'offences',
    from: '*',
    to: '*',
    categories: ['intelligence.seizure', 'intelligence.alert'],
    purposes: ['enforcement', 'investigation'],
    fields: { personal: 'full', commercial: 'full', enforcement: 'full', public: 'full' },
    retention: { days: 1825, onExpiry: 'delete' },
    onwardTransfer: { rule: 'with-consent' },
    handlingCodes: ['H0', 'H1'],
    replyDeadlineDays: null,
    articles: ['Art. 4', 'Art. 6'],
  },
  {
    id: 'requests',
    from: '*',
    to: '*',
    categories: ['assistance.request', 'assistance.reply'],
    purposes: ['mutual-assistance', 'investigation'],
    fields: { personal: 'full', commercial: 'full', enforcement: 'full', public: 'full' },
    retention: { days: 1825, onExpiry: 'delete' },
    onwardTransfer: { rule: 'with-consent' },
    handlingCodes: ['H0', 'H1', 'H2'],
    replyDeadlineDays: 90,
    articles: ['Art. 3', 'Art. 5'],
  },
];

/** AEO mutual-recognition arrangements follow the WCO SAFE Framework; article numbers are those of a typical text. */
const AEO_MRA_REFERENCES: LegalReference[] = [
  { article: 'Art. 3', title: 'Mutual recognition of AEO status and its benefits' },
  { article: 'Art. 4', title: 'Exchange of information on authorised operators' },
];

const AEO_MRA_CLAUSES: Clause[] = [
  {
    id: 'aeo-status',
    from: '*',
    to: '*',
    categories: ['aeo.status'],
    purposes: ['aeo-recognition', 'risk-assessment'],
    fields: { personal: 'withheld', commercial: 'full', enforcement: 'withheld', public: 'full' },
    retention: { days: 730, onExpiry: 'anonymize' },
    onwardTransfer: { rule: 'forbidden' },
    handlingCodes: [],
    replyDeadlineDays: null,
    articles: ['Art. 3', 'Art. 4'],
  },
];
