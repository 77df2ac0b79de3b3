import { describe, expect, it } from 'vitest';
import {
  agreementFromTemplate,
  decideSharing,
  PSEUDONYM_PREFIX,
  type SharingRequest,
  type AgreementDocument,
} from './index.js';
import { cmaa, nationalRule, sampleDeclaration, signed, T0, testPolicy, unsigned } from './testing.js';

const prearrival = (overrides: Partial<SharingRequest> = {}): SharingRequest => ({
  sender: 'NL',
  receiver: 'SG',
  category: 'declaration.prearrival',
  purpose: 'risk-assessment',
  at: T0,
  record: sampleDeclaration(),
  ...overrides,
});

const nlSg = cmaa('NL', 'SG');

describe(decideSharing.name, () => {
  describe('when a CMAA in force allows pre-arrival data for risk assessment', () => {
    const policy = testPolicy({ self: 'NL', agreements: [signed(nlSg)] });
    const decision = decideSharing(policy, prearrival());

    it('allows it, naming the agreement, clause and article', () => {
      expect(decision).toMatchObject({
        allowed: true,
        code: null,
        basis: {
          agreementId: 'cmaa-nl-sg',
          version: 1,
          clause: 'prearrival-nl-sg',
          articles: [{ article: 'Art. 7', title: 'Advance exchange of information' }],
        },
        retention: { days: 90, onExpiry: 'anonymize' },
        onwardTransfer: { rule: 'forbidden' },
      });
      expect(decision.reasons[0]).toMatchObject({ effect: 'allow', code: 'SHARING_CLAUSE_ALLOWS' });
    });

    it('pseudonymizes personal data, keeps commercial and public data, withholds enforcement data', () => {
      type Party = Record<string, unknown> & { address: Record<string, unknown> };
      const record = decision.record as {
        parties: Record<string, Party>;
        goods: unknown[];
        risk?: unknown;
        flags: unknown;
      };
      const exporter = record.parties.exporter!;
      expect(exporter.name).toMatch(new RegExp(`^${PSEUDONYM_PREFIX}[A-Za-z0-9_-]{22}$`));
      expect(exporter.eori).toMatch(/^ps_/);
      expect(exporter.role).toBe('exporter');
      expect(exporter.address.country).toBe('NL');
      expect(exporter.address.city).toMatch(/^ps_/);
      expect(record.goods[1]).toEqual((sampleDeclaration().goods as unknown[])[1]);
      expect(record.risk).toBeUndefined();
      expect(record.flags).toEqual({ prearrival: true, aeo: false });
      expect(decision.fields).toMatchObject({
        '/parties/exporter/name': 'pseudonymized',
        '/goods/0/value': 'full',
        '/risk': 'withheld',
        '/flags/note': 'withheld',
      });
      expect(decision.treatment).toEqual({
        personal: 'pseudonymized',
        commercial: 'full',
        enforcement: 'withheld',
        public: 'full',
        unclassified: 'withheld',
      });
    });

    it('lists the withheld and pseudonymized fields in its reasons', () => {
      const withheld = decision.reasons.find((r) => r.code === 'SHARING_FIELD_WITHHELD');
      expect(withheld).toMatchObject({ effect: 'restrict', fields: ['/risk', '/flags/note'] });
      const pseudonymized = decision.reasons.find((r) => r.code === 'SHARING_FIELDS_PSEUDONYMIZED');
      expect(pseudonymized?.fields).toContain('/parties/consignee/id');
    });

    it('withholds a field no classification covers (fail closed)', () => {
      const record = { ...sampleDeclaration(), brandNewField: 'secret sauce' };
      const result = decideSharing(policy, prearrival({ record }));
      expect(result.allowed).toBe(true);
      expect(result.record).not.toHaveProperty('brandNewField');
      expect(result.fields['/brandNewField']).toBe('withheld');
    });

    it('answers with treatments per class when no record is given', () => {
      const result = decideSharing(policy, prearrival({ record: undefined }));
      expect(result).toMatchObject({
        allowed: true,
        record: null,
        fields: {},
        treatment: { personal: 'pseudonymized' },
      });
    });
  });

  describe('deny by default', () => {
    it('denies with SHARING_NO_AGREEMENT when no agreement binds both parties', () => {
      const policy = testPolicy({ self: 'NL', agreements: [signed(cmaa('NL', 'KE'))] });
      const decision = decideSharing(policy, prearrival());
      expect(decision).toMatchObject({ allowed: false, code: 'SHARING_NO_AGREEMENT', record: null, basis: null });
      expect(decision.fields).toEqual({ '': 'withheld' });
    });

    it.each([
      ['not signed by every party', unsigned(nlSg), 'SHARING_AGREEMENT_NOT_IN_FORCE'],
      [
        'suspended',
        signed(nlSg, { state: 'suspended', by: 'SG', at: '2026-02-01', reason: 'x' }),
        'SHARING_AGREEMENT_SUSPENDED',
      ],
      [
        'terminated',
        signed(nlSg, { state: 'terminated', by: 'NL', at: '2026-02-01', reason: 'x' }),
        'SHARING_AGREEMENT_TERMINATED',
      ],
      ['tampered', signed(nlSg, { state: 'tampered', detail: 'hash' }), 'AGREEMENT_TAMPERED'],
    ] as const)('denies when the agreement is %s, with %s', (_name, agreement, code) => {
      const decision = decideSharing(testPolicy({ self: 'NL', agreements: [agreement] }), prearrival());
      expect(decision).toMatchObject({ allowed: false, code, record: null });
      expect(decision.reasons[0]).toMatchObject({ effect: 'deny', code, agreement: { id: 'cmaa-nl-sg' } });
    });

    it('denies in both directions while suspended', () => {
      const policy = testPolicy({
        self: 'NL',
        agreements: [signed(nlSg, { state: 'suspended', by: 'NL', at: '2026-02-01', reason: 'x' })],
      });
      expect(decideSharing(policy, prearrival({ sender: 'SG', receiver: 'NL' })).code).toBe(
        'SHARING_AGREEMENT_SUSPENDED',
      );
    });

    it('denies before validity starts (SHARING_AGREEMENT_NOT_IN_FORCE) and after it ends (SHARING_AGREEMENT_EXPIRED)', () => {
      const dated = cmaa('NL', 'SG', { from: '2026-02-01', until: '2026-02-28' });
      const policy = testPolicy({ self: 'NL', agreements: [signed(dated)] });
      expect(decideSharing(policy, prearrival({ at: Date.parse('2026-01-31T23:59:59Z') })).code).toBe(
        'SHARING_AGREEMENT_NOT_IN_FORCE',
      );
      expect(decideSharing(policy, prearrival({ at: Date.parse('2026-02-28T23:59:59Z') })).allowed).toBe(true);
      expect(decideSharing(policy, prearrival({ at: Date.parse('2026-03-01T00:00:00Z') })).code).toBe(
        'SHARING_AGREEMENT_EXPIRED',
      );
    });

    it('denies a category no clause allows with SHARING_CATEGORY_NOT_ALLOWED', () => {
      const policy = testPolicy({ self: 'NL', agreements: [signed(nlSg)] });
      expect(decideSharing(policy, prearrival({ category: 'aeo.status' })).code).toBe('SHARING_CATEGORY_NOT_ALLOWED');
    });

    it('denies a purpose the clause does not allow with SHARING_PURPOSE_NOT_ALLOWED', () => {
      const policy = testPolicy({ self: 'NL', agreements: [signed(nlSg)] });
      const decision = decideSharing(policy, prearrival({ purpose: 'statistics' }));
      expect(decision.code).toBe('SHARING_PURPOSE_NOT_ALLOWED');
      expect(decision.reasons[0]!.message).toContain('risk-assessment');
    });

    it('denies a handling code the clause does not accept with SHARING_HANDLING_CODE_NOT_ACCEPTED', () => {
      const policy = testPolicy({ self: 'NL', agreements: [signed(nlSg)] });
      const seizure = { category: 'intelligence.seizure', purpose: 'enforcement', record: { hs: '240220' } };
      expect(decideSharing(policy, prearrival({ ...seizure, handlingCode: 'H2' })).allowed).toBe(true);
      expect(decideSharing(policy, prearrival({ ...seizure, handlingCode: 'H3' })).code).toBe(
        'SHARING_HANDLING_CODE_NOT_ACCEPTED',
      );
    });

    it('denies a record whose fields would be withheld with SHARING_FIELD_WITHHELD when it must leave unchanged', () => {
      const policy = testPolicy({ self: 'NL', agreements: [signed(nlSg)] });
      const decision = decideSharing(policy, prearrival({ exact: true }));
      expect(decision).toMatchObject({ allowed: false, code: 'SHARING_FIELD_WITHHELD', record: null });
      expect(decision.reasons.at(-1)!.fields).toContain('/risk');
      const clean = { ucr: 'X', goods: [{ hs: '010121', value: 10 }] };
      expect(decideSharing(policy, prearrival({ exact: true, record: clean })).allowed).toBe(true);
    });
  });

  describe('several agreements', () => {
    const convention = agreementFromTemplate('convention', {
      parties: ['NL', 'SG', 'KE'],
      id: 'johannesburg',
      today: '2026-01-01',
    });

    it('takes the most specific one (the bilateral CMAA) as the basis', () => {
      const policy = testPolicy({ self: 'NL', agreements: [signed(convention), signed(nlSg)] });
      expect(decideSharing(policy, prearrival()).basis?.agreementId).toBe('cmaa-nl-sg');
    });

    it('falls back to the convention when the CMAA is suspended, saying why the CMAA did not apply', () => {
      const policy = testPolicy({
        self: 'NL',
        agreements: [signed(convention), signed(nlSg, { state: 'suspended', by: 'SG', at: '2026-02-01', reason: 'x' })],
      });
      const decision = decideSharing(policy, prearrival());
      expect(decision.basis).toMatchObject({ agreementId: 'johannesburg', clause: 'advance-information' });
      expect(decision.reasons[0]).toMatchObject({ effect: 'not-applicable', code: 'SHARING_AGREEMENT_SUSPENDED' });
    });

    it('decides under the agreement named in the request only', () => {
      const policy = testPolicy({ self: 'NL', agreements: [signed(convention), signed(nlSg)] });
      expect(decideSharing(policy, prearrival({ agreementId: 'johannesburg' })).basis?.agreementId).toBe(
        'johannesburg',
      );
      expect(decideSharing(policy, prearrival({ agreementId: 'cmaa-nl-ke' })).code).toBe('SHARING_NO_AGREEMENT');
    });

    it('names the denial of the agreement that came closest', () => {
      const policy = testPolicy({ self: 'NL', agreements: [signed(convention), unsigned(nlSg)] });
      expect(decideSharing(policy, prearrival({ purpose: 'statistics' })).code).toBe('SHARING_PURPOSE_NOT_ALLOWED');
    });
  });

  describe('amendments', () => {
    it('keeps the amended version in force until the amendment’s validity starts', () => {
      const v1 = nlSg;
      const v2: AgreementDocument = {
        ...v1,
        version: 2,
        supersedes: { version: 1, hash: 'a'.repeat(64) },
        validity: { from: '2026-04-01', until: null },
        clauses: v1.clauses.map((c) => ({ ...c, purposes: [...c.purposes, 'statistics'] })),
      };
      const policy = testPolicy({
        self: 'NL',
        agreements: [{ id: v1.id, latest: v2, signedVersions: [v1, v2], lifecycle: { state: 'active' } }],
      });
      expect(decideSharing(policy, prearrival({ purpose: 'statistics' })).code).toBe('SHARING_PURPOSE_NOT_ALLOWED');
      const later = decideSharing(
        policy,
        prearrival({ purpose: 'statistics', at: Date.parse('2026-04-01T00:00:00Z') }),
      );
      expect(later.basis).toMatchObject({ version: 2 });
    });
  });

  describe('national rules', () => {
    it('deny whatever the agreements say, with SHARING_NATIONAL_RULE and the provision', () => {
      const rule = nationalRule({ partners: ['SG'], deny: true, legalReference: 'Customs Act s. 12' });
      const decision = decideSharing(
        testPolicy({ self: 'NL', agreements: [signed(nlSg)], rules: [rule] }),
        prearrival(),
      );
      expect(decision).toMatchObject({ allowed: false, code: 'SHARING_NATIONAL_RULE', record: null });
      expect(decision.reasons.at(-1)).toMatchObject({ rule: { legalReference: 'Customs Act s. 12' } });
    });

    it('make treatment stricter, never looser', () => {
      const rules = [
        nationalRule({ id: 'no-personal', partners: ['SG'], fields: { personal: 'withheld' } }),
        nationalRule({ id: 'loose', partners: ['*'], fields: { enforcement: 'full' }, maxRetentionDays: 30 }),
      ];
      const decision = decideSharing(testPolicy({ self: 'NL', agreements: [signed(nlSg)], rules }), prearrival());
      expect(decision.allowed).toBe(true);
      expect(decision.treatment).toMatchObject({ personal: 'withheld', enforcement: 'withheld' });
      expect(decision.retention).toEqual({ days: 30, onExpiry: 'anonymize' });
      const record = decision.record as { parties: Record<string, Record<string, unknown>> };
      expect(record.parties.exporter).toEqual({ role: 'exporter', address: { country: 'NL' } });
      expect(decision.reasons.filter((r) => r.code === 'SHARING_NATIONAL_RULE').map((r) => r.rule?.id)).toEqual([
        'no-personal',
        'loose',
      ]);
    });

    it('apply only in their direction', () => {
      const rule = nationalRule({ direction: 'inbound', deny: true });
      const policy = testPolicy({ self: 'NL', agreements: [signed(nlSg)], rules: [rule] });
      expect(decideSharing(policy, prearrival()).allowed).toBe(true);
      expect(decideSharing(policy, prearrival({ sender: 'SG', receiver: 'NL' })).code).toBe('SHARING_NATIONAL_RULE');
    });
  });

  describe('onward transfer of data received from a partner', () => {
    const keNl = cmaa('KE', 'NL');
    const policy = testPolicy({ self: 'NL', agreements: [signed(nlSg), signed(keNl)] });
    const seizure = {
      category: 'intelligence.seizure',
      purpose: 'enforcement',
      record: { hs: '240220' },
      provenance: { originator: 'KE', agreementId: 'cmaa-ke-nl', category: 'intelligence.seizure', handlingCode: 'H1' },
    };

    it("needs the originator's consent when its clause says so (SHARING_ONWARD_CONSENT_REQUIRED)", () => {
      expect(decideSharing(policy, prearrival(seizure)).code).toBe('SHARING_ONWARD_CONSENT_REQUIRED');
      const consented = decideSharing(
        policy,
        prearrival({ ...seizure, consent: { by: 'KE', reference: 'KE-2026-77' } }),
      );
      expect(consented.allowed).toBe(true);
      expect(consented.handlingCode).toBe('H1');
      expect(decideSharing(policy, prearrival({ ...seizure, consent: { by: 'SG', reference: 'x' } })).code).toBe(
        'SHARING_ONWARD_CONSENT_REQUIRED',
      );
    });

    it('is denied with SHARING_ONWARD_TRANSFER_FORBIDDEN when the clause forbids it', () => {
      const decision = decideSharing(
        policy,
        prearrival({
          provenance: {
            originator: 'KE',
            agreementId: 'cmaa-ke-nl',
            category: 'declaration.prearrival',
            handlingCode: null,
          },
        }),
      );
      expect(decision.code).toBe('SHARING_ONWARD_TRANSFER_FORBIDDEN');
      expect(decision.reasons.at(-1)).toMatchObject({ clause: 'prearrival-ke-nl', articles: [{ article: 'Art. 7' }] });
    });

    it('is allowed to the parties a clause names, and to no other', () => {
      const named: AgreementDocument = {
        ...keNl,
        clauses: keNl.clauses.map((c) => ({
          ...c,
          onwardTransfer: { rule: 'named-parties' as const, parties: ['SG'] },
        })),
      };
      const p = testPolicy({ self: 'NL', agreements: [signed(nlSg), signed(named), signed(cmaa('NL', 'JP'))] });
      expect(decideSharing(p, prearrival(seizure)).allowed).toBe(true);
      expect(decideSharing(p, prearrival({ ...seizure, receiver: 'JP' })).code).toBe(
        'SHARING_ONWARD_TRANSFER_FORBIDDEN',
      );
    });

    it('is denied when the originator’s agreement is unknown here (fail closed)', () => {
      const unknown = { ...seizure, provenance: { ...seizure.provenance, agreementId: 'cmaa-ke-xx' } };
      expect(decideSharing(policy, prearrival(unknown)).code).toBe('SHARING_ONWARD_TRANSFER_FORBIDDEN');
    });

    it('is no onward transfer when the data goes back to its originator', () => {
      const back = decideSharing(policy, prearrival({ ...seizure, receiver: 'KE' }));
      expect(back.allowed).toBe(true);
    });
  });

  describe('inbound', () => {
    it("checks data arriving at this node against the partner's clause towards it", () => {
      const policy = testPolicy({ self: 'NL', agreements: [signed(nlSg)] });
      const decision = decideSharing(policy, prearrival({ sender: 'SG', receiver: 'NL' }));
      expect(decision.basis?.clause).toBe('prearrival-sg-nl');
    });
  });

  describe('pseudonyms', () => {
    const convention = agreementFromTemplate('convention', { parties: ['NL', 'SG', 'KE'], today: '2026-01-01' });
    const policy = testPolicy({ self: 'NL', agreements: [signed(convention)] });
    const nameFor = (receiver: string, variant: number) => {
      const record = decideSharing(policy, prearrival({ receiver, record: sampleDeclaration(variant) })).record!;
      return (record.parties as Record<string, Record<string, string>>).exporter!.name;
    };

    it('are the same for the same person and partner, so records can be linked', () => {
      expect(nameFor('SG', 1)).toBe(nameFor('SG', 51)); // same exporter name (variant % 50)
      expect(nameFor('SG', 1)).not.toBe(nameFor('SG', 2));
    });

    it('differ between partners under the same agreement', () => {
      expect(nameFor('SG', 1)).not.toBe(nameFor('KE', 1));
    });

    it('do not contain the value', () => {
      expect(nameFor('SG', 1)).not.toContain('Müller');
    });
  });
});
