import { describe, expect, it } from 'vitest';
import {
  AGREEMENT_TEMPLATES,
  agreementFromTemplate,
  compileClassification,
  DEFAULT_VOCABULARY,
  derivePseudonymKey,
  documentHash,
  extendVocabulary,
  parseAgreementDocument,
  Pseudonymizer,
} from './index.js';

const context = { knownParties: new Set(['NL', 'SG', 'KE']), vocabulary: DEFAULT_VOCABULARY, self: 'NL' };

describe(agreementFromTemplate.name, () => {
  it.each(AGREEMENT_TEMPLATES)('drafts a valid %s document', (template) => {
    const document = agreementFromTemplate(template, { parties: ['sg', 'NL'], today: '2026-01-01' });
    expect(parseAgreementDocument(document, context)).toBe(document);
    expect(document.parties).toEqual(['NL', 'SG']);
    expect(document.validity).toEqual({ from: '2026-01-01', until: null });
  });

  it('refuses a bilateral CMAA with three parties (AGREEMENT_PARTIES_INVALID) and an unknown template', () => {
    expect(() => agreementFromTemplate('cmaa', { parties: ['NL', 'SG', 'KE'], today: '2026-01-01' })).toThrow(
      expect.objectContaining({ code: 'AGREEMENT_PARTIES_INVALID' }),
    );
    expect(() => agreementFromTemplate('mou', { parties: ['NL', 'SG'], today: '2026-01-01' })).toThrow(
      expect.objectContaining({ code: 'AGREEMENT_TEMPLATE_UNKNOWN' }),
    );
  });
});

describe(parseAgreementDocument.name, () => {
  const cmaa = () => agreementFromTemplate('cmaa', { parties: ['NL', 'SG'], today: '2026-01-01' });

  it('refuses a clause citing an article the agreement does not list (AGREEMENT_CLAUSE_INVALID)', () => {
    const document = cmaa();
    document.clauses[1]!.articles = ['Art. 99'];
    expect(() => parseAgreementDocument(document, context)).toThrow(
      expect.objectContaining({ code: 'AGREEMENT_CLAUSE_INVALID', details: { pointer: '/clauses/1/articles/0' } }),
    );
  });

  it('refuses an unknown purpose, and accepts a category or purpose the node added to its vocabulary', () => {
    const document = cmaa();
    document.clauses[0]!.purposes.push('curiosity');
    expect(() => parseAgreementDocument(document, context)).toThrow(
      expect.objectContaining({ code: 'AGREEMENT_PURPOSE_UNKNOWN' }),
    );
    const vocabulary = extendVocabulary({ purposes: ['curiosity'] });
    expect(parseAgreementDocument(document, { ...context, vocabulary })).toBe(document);
  });

  it('refuses unknown members with AGREEMENT_INVALID listing where', () => {
    expect(() => parseAgreementDocument({ ...cmaa(), signedBy: ['NL'] }, context)).toThrow(
      expect.objectContaining({ code: 'AGREEMENT_INVALID', details: { errors: expect.any(Array) } }),
    );
  });

  it('hashes the canonical form: member order does not change the hash', () => {
    const document = cmaa();
    const reordered = Object.fromEntries(Object.entries(document).reverse()) as typeof document;
    expect(Object.keys(reordered)[0]).toBe('clauses');
    expect(documentHash(reordered)).toBe(documentHash(document));
    expect(documentHash({ ...document, title: 'other' })).not.toBe(documentHash(document));
  });
});

describe(compileClassification.name, () => {
  it('refuses a pattern that is not a JSON Pointer, or an unknown class, with SHARING_CLASSIFICATION_INVALID', () => {
    expect(() => compileClassification({ 'parties/*/name': 'personal' })).toThrow(
      expect.objectContaining({ code: 'SHARING_CLASSIFICATION_INVALID' }),
    );
    expect(() => compileClassification({ '/x': 'secret' as never })).toThrow(
      expect.objectContaining({ code: 'SHARING_CLASSIFICATION_INVALID' }),
    );
  });
});

describe('pseudonyms', () => {
  it('derive their key by HKDF-SHA-256 as documented (vector checked against an independent RFC 5869 implementation)', () => {
    const key = derivePseudonymKey(Buffer.alloc(32, 7), 'cmaa-nl-sg', 'SG');
    expect(key.toString('hex')).toBe('a0b13b37482cf94e317917c37a252acb372b4368b5e94fa6b8ee3c8fbc261777');
    expect(new Pseudonymizer(key).pseudonym('Jan Jansen')).toBe('ps_GFMcSBufYFeWZ3h6OMSkj0');
  });

  it('link spellings of one name, keep types apart, and do not depend on the memo', () => {
    const pseudonymizer = new Pseudonymizer(Buffer.alloc(32, 1), 2);
    const acme = pseudonymizer.pseudonym('ACME  Trading ');
    expect(pseudonymizer.pseudonym('acme trading')).toBe(acme);
    expect(pseudonymizer.pseudonym('1')).not.toBe(pseudonymizer.pseudonym(1));
    for (const filler of ['a', 'b', 'c']) pseudonymizer.pseudonym(filler); // the two-entry memo is cleared
    expect(pseudonymizer.pseudonym('Acme Trading')).toBe(acme);
  });

  it('refuse a short node secret', () => {
    expect(() => derivePseudonymKey(Buffer.alloc(16), 'a', 'SG')).toThrow(RangeError);
  });
});
