import type { AgreementDocument, AgreementKind, Clause, LegalReference } from '../api/types.js';

/**
 * The starting points the node offers (`template` in `POST /api/v1/agreements`), mirrored from
 * src/agreements/templates.ts so the editor can show and change the clauses before anything is created. The node
 * checks the document it receives; when its templates change, change these with them.
 */
export const AGREEMENT_TEMPLATES = ['cmaa', 'convention', 'aeo-mra'] as const;
export type AgreementTemplate = (typeof AGREEMENT_TEMPLATES)[number];

const CMAA_REFERENCES: LegalReference[] = [
  { article: 'Art. 2', title: 'Scope of the Agreement' },
  { article: 'Art. 3', title: 'Information for the application and enforcement of Customs law' },
  { article: 'Art. 5', title: 'Information relating to Customs offences' },
  { article: 'Art. 7', title: 'Advance exchange of information' },
  { article: 'Art. 8', title: 'Spontaneous assistance' },
];

const CONVENTION_REFERENCES: LegalReference[] = [
  { article: 'Art. 3', title: 'Communication of requests' },
  { article: 'Art. 4', title: 'Spontaneous assistance' },
  { article: 'Art. 5', title: 'Information for the application and enforcement of Customs law' },
  { article: 'Art. 6', title: 'Information relating to Customs offences' },
  { article: 'Art. 10', title: 'Advance exchange of information' },
];

const AEO_MRA_REFERENCES: LegalReference[] = [
  { article: 'Art. 3', title: 'Mutual recognition of AEO status and its benefits' },
  { article: 'Art. 4', title: 'Exchange of information on authorised operators' },
];

const ALL_FULL = { personal: 'full', commercial: 'full', enforcement: 'full', public: 'full' } as const;
const ADVANCE = { personal: 'pseudonymized', commercial: 'full', enforcement: 'withheld', public: 'full' } as const;

function clause(partial: Omit<Clause, 'handlingCodes' | 'replyDeadlineDays'> & Partial<Clause>): Clause {
  return { handlingCodes: [], replyDeadlineDays: null, ...partial };
}

function cmaaClauses(from: string, to: string): Clause[] {
  const suffix = `${from}-${to}`.toLowerCase();
  return [
    clause({
      id: `prearrival-${suffix}`,
      from,
      to,
      categories: ['declaration.prearrival', 'declaration.export'],
      purposes: ['risk-assessment'],
      fields: { ...ADVANCE },
      retention: { days: 90, onExpiry: 'anonymize' },
      onwardTransfer: { rule: 'forbidden' },
      articles: ['Art. 7'],
    }),
    clause({
      id: `intelligence-${suffix}`,
      from,
      to,
      categories: ['intelligence.seizure', 'intelligence.alert'],
      purposes: ['risk-assessment', 'enforcement', 'investigation'],
      fields: { ...ALL_FULL },
      retention: { days: 1825, onExpiry: 'delete' },
      onwardTransfer: { rule: 'with-consent' },
      handlingCodes: ['H0', 'H1', 'H2'],
      articles: ['Art. 5', 'Art. 8'],
    }),
    clause({
      id: `assistance-${suffix}`,
      from,
      to,
      categories: ['assistance.request', 'assistance.reply', 'document.proof'],
      purposes: ['mutual-assistance', 'investigation', 'enforcement', 'document-verification'],
      fields: { ...ALL_FULL },
      retention: { days: 1825, onExpiry: 'delete' },
      onwardTransfer: { rule: 'with-consent' },
      handlingCodes: ['H0', 'H1', 'H2'],
      replyDeadlineDays: 60,
      articles: ['Art. 2', 'Art. 3'],
    }),
  ];
}

const CONVENTION_CLAUSES: Clause[] = [
  clause({
    id: 'advance-information',
    from: '*',
    to: '*',
    categories: ['declaration.prearrival'],
    purposes: ['risk-assessment'],
    fields: { ...ADVANCE },
    retention: { days: 90, onExpiry: 'anonymize' },
    onwardTransfer: { rule: 'forbidden' },
    articles: ['Art. 10'],
  }),
  clause({
    id: 'offences',
    from: '*',
    to: '*',
    categories: ['intelligence.seizure', 'intelligence.alert'],
    purposes: ['enforcement', 'investigation'],
    fields: { ...ALL_FULL },
    retention: { days: 1825, onExpiry: 'delete' },
    onwardTransfer: { rule: 'with-consent' },
    handlingCodes: ['H0', 'H1'],
    articles: ['Art. 4', 'Art. 6'],
  }),
  clause({
    id: 'requests',
    from: '*',
    to: '*',
    categories: ['assistance.request', 'assistance.reply'],
    purposes: ['mutual-assistance', 'investigation'],
    fields: { ...ALL_FULL },
    retention: { days: 1825, onExpiry: 'delete' },
    onwardTransfer: { rule: 'with-consent' },
    handlingCodes: ['H0', 'H1', 'H2'],
    replyDeadlineDays: 90,
    articles: ['Art. 3', 'Art. 5'],
  }),
];

const AEO_MRA_CLAUSES: Clause[] = [
  clause({
    id: 'aeo-status',
    from: '*',
    to: '*',
    categories: ['aeo.status'],
    purposes: ['aeo-recognition', 'risk-assessment'],
    fields: { personal: 'withheld', commercial: 'full', enforcement: 'withheld', public: 'full' },
    retention: { days: 730, onExpiry: 'anonymize' },
    onwardTransfer: { rule: 'forbidden' },
    articles: ['Art. 3', 'Art. 4'],
  }),
];

/** A draft version 1 from a template, as the node would make it (`parties` sorted, upper-case, once each). */
export function documentFromTemplate(
  template: AgreementTemplate,
  input: { parties: readonly string[]; validity: { from: string; until: string | null } },
): AgreementDocument {
  const parties = [...new Set(input.parties.map((party) => party.trim().toUpperCase()).filter(Boolean))].sort();
  const base = (kind: AgreementKind, title: string, legalReferences: LegalReference[], clauses: Clause[]) => ({
    id: `${template}-${parties.join('-').toLowerCase()}`.slice(0, 64),
    version: 1,
    supersedes: null,
    title,
    kind,
    parties,
    legalReferences: structuredClone(legalReferences),
    validity: { ...input.validity },
    clauses: structuredClone(clauses),
  });
  switch (template) {
    case 'cmaa': {
      const [a = 'XX', b = 'YY'] = parties;
      return base(
        'bilateral-cmaa',
        `Agreement between the customs administrations of ${parties.join(' and ')} on mutual administrative assistance in customs matters (WCO model, 2004)`,
        CMAA_REFERENCES,
        [...cmaaClauses(a, b), ...cmaaClauses(b, a)],
      );
    }
    case 'convention':
      return base(
        'multilateral-convention',
        'International Convention on Mutual Administrative Assistance in Customs Matters (Johannesburg, 2003)',
        CONVENTION_REFERENCES,
        CONVENTION_CLAUSES,
      );
    case 'aeo-mra':
      return base(
        'aeo-mra',
        `Mutual Recognition Arrangement of Authorised Economic Operators between ${parties.join(', ')}`,
        AEO_MRA_REFERENCES,
        AEO_MRA_CLAUSES,
      );
  }
}
