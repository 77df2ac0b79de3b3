import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditInput } from '../identity/index.js';
import { canonicalBytes, generateSigningKey, ManualClock, sha256Hex, type SigningKeyPair } from '../kernel/index.js';
import { migrate, type Store, storeTargets } from '../storage/index.js';
import {
  agreementFromTemplate,
  AgreementService,
  agreementsMigrations,
  type AgreementView,
  MemoryAgreementEvents,
  signAgreement,
  signNotice,
} from './index.js';
import { DAY_MS, sampleDeclaration } from './testing.js';

const NOON = Date.parse('2026-03-01T12:00:00Z');

const prearrival = { receiver: 'SG', category: 'declaration.prearrival', purpose: 'risk-assessment' } as const;

const noPersonalToSg = {
  title: 'No personal data to SG',
  legalReference: 'Customs Act s. 12(3)',
  direction: 'outbound',
  partners: ['SG'],
  categories: ['*'],
  purposes: ['*'],
  deny: false,
  fields: { personal: 'withheld' },
  maxRetentionDays: null,
  forbidOnwardTransfer: false,
};

for (const target of storeTargets()) {
  describe(`agreements on ${target.name}`, () => {
    let store: Store;
    let clock: ManualClock;
    let events: MemoryAgreementEvents;
    let audit: AuditInput[];
    let nl: SigningKeyPair;
    let sg: SigningKeyPair;
    let ke: SigningKeyPair;
    let service: AgreementService;

    const open = () =>
      new AgreementService(store, {
        administration: 'NL',
        signingKey: nl,
        clock,
        events,
        audit: { record: async (entry) => audit.push(entry) },
      });

    /** A CMAA NL–SG signed by both, in force from 2026-01-01. */
    async function cmaaInForce(): Promise<AgreementView> {
      const created = await service.create(
        { template: 'cmaa', parties: ['NL', 'SG'], validity: { from: '2026-01-01', until: null } },
        'admin',
      );
      await service.sign(created.id);
      const { signature } = signAgreement(created.versions[0]!.document, sg);
      return service.addSignature(created.id, { version: 1, party: 'SG', signature });
    }

    beforeEach(async () => {
      store = await target.open();
      await migrate(store, agreementsMigrations);
      clock = new ManualClock(NOON);
      events = new MemoryAgreementEvents();
      audit = [];
      [nl, sg, ke] = [generateSigningKey(), generateSigningKey(), generateSigningKey()];
      service = open();
      await service.addPartyKey('SG', sg.publicJwk);
      await service.addPartyKey('KE', ke.publicJwk);
    });
    afterEach(async () => {
      await target.dispose(store);
    });

    describe('agreement events', () => {
      it('are append-only: the database refuses UPDATE and DELETE', async () => {
        await service.create({ template: 'cmaa', parties: ['NL', 'SG'], id: 'events' }, 'admin');
        await expect(sql`update agreement_events set agreement_id = 'x'`.execute(store.db)).rejects.toThrow(
          /AGREEMENT_EVENTS_APPEND_ONLY/,
        );
        await expect(sql`delete from agreement_events`.execute(store.db)).rejects.toThrow(
          /AGREEMENT_EVENTS_APPEND_ONLY/,
        );
      });
    });

    describe('create', () => {
      it('drafts a CMAA from the template, pending signatures, and logs agreement.created', async () => {
        const view = await service.create({ template: 'cmaa', parties: ['SG', 'NL'] }, 'admin');
        expect(view).toMatchObject({
          id: 'cmaa-nl-sg',
          kind: 'bilateral-cmaa',
          parties: ['NL', 'SG'],
          status: 'pending-signatures',
          latestVersion: 1,
          validity: { from: '2026-03-01', until: null },
        });
        expect(view.versions[0]!.documentHash).toBe(sha256Hex(canonicalBytes(view.versions[0]!.document)));
        expect(view.versions[0]!.missingSignatures).toEqual(['NL', 'SG']);
        expect(events.ofType('agreement.created')).toMatchObject([
          { agreementId: 'cmaa-nl-sg', version: 1, by: 'admin' },
        ]);
      });

      it('refuses an unknown party with AGREEMENT_PARTY_UNKNOWN and stores nothing', async () => {
        await expect(service.create({ template: 'cmaa', parties: ['NL', 'JP'] }, 'admin')).rejects.toMatchObject({
          code: 'AGREEMENT_PARTY_UNKNOWN',
          details: { party: 'JP' },
        });
        expect(await service.list()).toEqual([]);
      });

      it('refuses inverted validity with AGREEMENT_VALIDITY_INVALID', async () => {
        await expect(
          service.create(
            { template: 'cmaa', parties: ['NL', 'SG'], validity: { from: '2026-05-01', until: '2026-04-30' } },
            'a',
          ),
        ).rejects.toMatchObject({ code: 'AGREEMENT_VALIDITY_INVALID' });
        await expect(
          service.create(
            { template: 'cmaa', parties: ['NL', 'SG'], validity: { from: '2026-02-30', until: null } },
            'a',
          ),
        ).rejects.toMatchObject({ code: 'AGREEMENT_VALIDITY_INVALID' });
      });

      it('refuses a second agreement of the same kind and parties with overlapping validity (AGREEMENT_VALIDITY_OVERLAP)', async () => {
        await service.create(
          { template: 'cmaa', parties: ['NL', 'SG'], validity: { from: '2026-01-01', until: '2026-12-31' } },
          'a',
        );
        await expect(
          service.create(
            {
              template: 'cmaa',
              id: 'cmaa-nl-sg-2',
              parties: ['NL', 'SG'],
              validity: { from: '2026-12-31', until: null },
            },
            'a',
          ),
        ).rejects.toMatchObject({ code: 'AGREEMENT_VALIDITY_OVERLAP', details: { agreementId: 'cmaa-nl-sg' } });
        await service.create(
          {
            template: 'cmaa',
            id: 'cmaa-nl-sg-2',
            parties: ['NL', 'SG'],
            validity: { from: '2027-01-01', until: null },
          },
          'a',
        );
        await service.create({ template: 'aeo-mra', parties: ['NL', 'SG'] }, 'a'); // another kind may overlap
      });

      it('refuses a clause naming an unknown category with AGREEMENT_CATEGORY_UNKNOWN and its pointer', async () => {
        const document = agreementFromTemplate('cmaa', { parties: ['NL', 'SG'], today: '2026-01-01' });
        document.clauses[0]!.categories.push('declaration.import-ish');
        await expect(service.create({ document }, 'a')).rejects.toMatchObject({
          code: 'AGREEMENT_CATEGORY_UNKNOWN',
          details: { pointer: '/clauses/0/categories/2' },
        });
      });

      it('refuses a clause naming a non-party with AGREEMENT_CLAUSE_INVALID', async () => {
        const document = agreementFromTemplate('cmaa', { parties: ['NL', 'SG'], today: '2026-01-01' });
        document.clauses[0]!.to = 'KE';
        await expect(service.create({ document }, 'a')).rejects.toMatchObject({ code: 'AGREEMENT_CLAUSE_INVALID' });
      });

      it('refuses an agreement this node is not a party to, an unknown template, a malformed document, an existing id', async () => {
        await expect(service.create({ template: 'cmaa', parties: ['SG', 'KE'] }, 'a')).rejects.toMatchObject({
          code: 'AGREEMENT_PARTIES_INVALID',
        });
        await expect(service.create({ template: 'mou', parties: ['NL', 'SG'] }, 'a')).rejects.toMatchObject({
          code: 'AGREEMENT_TEMPLATE_UNKNOWN',
        });
        await expect(service.create({ document: { id: 'x' } }, 'a')).rejects.toMatchObject({
          code: 'AGREEMENT_INVALID',
        });
        await service.create({ template: 'cmaa', parties: ['NL', 'SG'] }, 'a');
        await expect(service.create({ template: 'cmaa', parties: ['NL', 'SG'] }, 'a')).rejects.toMatchObject({
          code: 'AGREEMENT_EXISTS',
        });
      });
    });

    describe('signatures', () => {
      it('puts the agreement in force only once every party has signed, logging each signature', async () => {
        const created = await service.create(
          { template: 'cmaa', parties: ['NL', 'SG'], validity: { from: '2026-01-01', until: null } },
          'a',
        );
        const afterNl = await service.sign(created.id);
        expect(afterNl).toMatchObject({ status: 'pending-signatures', versions: [{ missingSignatures: ['SG'] }] });
        expect((await service.decide(prearrival)).decision.code).toBe('SHARING_AGREEMENT_NOT_IN_FORCE');

        const { signature } = signAgreement(created.versions[0]!.document, sg);
        const afterSg = await service.addSignature(created.id, { version: 1, party: 'sg', signature });
        expect(afterSg).toMatchObject({ status: 'in-force', inForceVersion: 1, versions: [{ complete: true }] });
        expect((await service.decide(prearrival)).decision.allowed).toBe(true);
        expect(events.ofType('agreement.signed').map((e) => [e.party, e.complete])).toEqual([
          ['NL', false],
          ['SG', true],
        ]);
      });

      it('refuses a signature by a non-party with AGREEMENT_SIGNER_NOT_PARTY', async () => {
        const created = await service.create({ template: 'cmaa', parties: ['NL', 'SG'] }, 'a');
        const { signature } = signAgreement(created.versions[0]!.document, ke);
        await expect(service.addSignature(created.id, { version: 1, party: 'KE', signature })).rejects.toMatchObject({
          code: 'AGREEMENT_SIGNER_NOT_PARTY',
        });
      });

      it("refuses a signature that does not verify with the party's key (AGREEMENT_SIGNATURE_INVALID)", async () => {
        const created = await service.create({ template: 'cmaa', parties: ['NL', 'SG'] }, 'a');
        const document = created.versions[0]!.document;
        const byKe = signAgreement(document, ke).signature;
        const overOther = signAgreement({ ...document, title: 'something else' }, sg).signature;
        for (const signature of [byKe, overOther, 'not-a-signature']) {
          await expect(service.addSignature(created.id, { version: 1, party: 'SG', signature })).rejects.toMatchObject({
            code: 'AGREEMENT_SIGNATURE_INVALID',
          });
        }
        expect((await service.get(created.id)).versions[0]!.signatures).toEqual([]);
      });

      it('refuses a second signature by the same party with AGREEMENT_ALREADY_SIGNED', async () => {
        const created = await service.create({ template: 'cmaa', parties: ['NL', 'SG'] }, 'a');
        await service.sign(created.id);
        await expect(service.sign(created.id)).rejects.toMatchObject({ code: 'AGREEMENT_ALREADY_SIGNED' });
      });
    });

    describe('a tampered signed agreement', () => {
      it('allows nothing once its stored document no longer matches what was signed (AGREEMENT_TAMPERED)', async () => {
        await cmaaInForce();
        await sql`update agreement_versions set document = replace(document, '"days":90', '"days":9000')`.execute(
          store.db,
        );
        const reopened = open(); // a node restarted on the edited database
        expect(await reopened.get('cmaa-nl-sg')).toMatchObject({
          status: 'tampered',
          lifecycle: { state: 'tampered', detail: expect.stringContaining('does not match its hash') },
        });
        expect((await reopened.decide(prearrival)).decision).toMatchObject({
          allowed: false,
          code: 'AGREEMENT_TAMPERED',
        });
        await expect(reopened.suspend('cmaa-nl-sg', 'x')).rejects.toMatchObject({ code: 'AGREEMENT_TAMPERED' });
      });

      it('allows nothing when a stored signature was altered, even with a matching hash', async () => {
        await cmaaInForce();
        const forged = signAgreement(agreementFromTemplate('cmaa', { parties: ['NL', 'SG'], today: '2020-01-01' }), sg);
        await sql`update agreement_signatures set signature = ${forged.signature} where party = 'SG'`.execute(store.db);
        expect((await open().decide(prearrival)).decision.code).toBe('AGREEMENT_TAMPERED');
      });
    });

    describe('suspension and termination', () => {
      it('stop exchange at once in both directions, are logged, and a suspension can be lifted by its author only', async () => {
        await cmaaInForce();
        const other = open(); // e.g. the CLI beside a running server
        await other.suspend('cmaa-nl-sg', 'political tension');
        expect((await service.decide(prearrival)).decision.code).toBe('SHARING_AGREEMENT_SUSPENDED');
        expect((await service.decide({ ...prearrival, sender: 'SG', receiver: 'NL' })).decision.code).toBe(
          'SHARING_AGREEMENT_SUSPENDED',
        );
        await expect(service.suspend('cmaa-nl-sg', 'again')).rejects.toMatchObject({ code: 'AGREEMENT_SUSPENDED' });
        await service.resume('cmaa-nl-sg', 'talks concluded');
        expect((await service.decide(prearrival)).decision.allowed).toBe(true);

        const bySg = signNotice(
          { agreementId: 'cmaa-nl-sg', action: 'suspend', party: 'SG', at: '2026-03-01T12:00:00Z', reason: 'audit' },
          sg,
        );
        await service.applyNotice(bySg);
        await expect(service.resume('cmaa-nl-sg', 'no')).rejects.toMatchObject({ code: 'AGREEMENT_SUSPENDED' });
        const forged = signNotice(
          { agreementId: 'cmaa-nl-sg', action: 'resume', party: 'SG', at: '2026-03-02T00:00:00Z', reason: 'x' },
          ke,
        );
        await expect(service.applyNotice(forged)).rejects.toMatchObject({ code: 'AGREEMENT_SIGNATURE_INVALID' });
        const byKe = signNotice(
          { agreementId: 'cmaa-nl-sg', action: 'terminate', party: 'KE', at: '2026-03-02T00:00:00Z', reason: 'x' },
          ke,
        );
        await expect(service.applyNotice(byKe)).rejects.toMatchObject({ code: 'AGREEMENT_SIGNER_NOT_PARTY' });

        await service.terminate('cmaa-nl-sg', 'replaced by the regional arrangement');
        expect((await service.decide(prearrival)).decision.code).toBe('SHARING_AGREEMENT_TERMINATED');
        await expect(service.sign('cmaa-nl-sg')).rejects.toMatchObject({ code: 'AGREEMENT_TERMINATED' });
        await expect(service.resume('cmaa-nl-sg', 'x')).rejects.toMatchObject({ code: 'AGREEMENT_TERMINATED' });
        expect(events.events.map((e) => e.type).filter((t) => /suspended|resumed|terminated/.test(t))).toEqual([
          'agreement.suspended',
          'agreement.resumed',
          'agreement.suspended',
          'agreement.terminated',
        ]);
        const stored = await service.listEvents({ agreementId: 'cmaa-nl-sg' });
        expect(stored.map((e) => e.event.type)).toContain('agreement.terminated');
      });

      it('refuses to lift a suspension that is not there with AGREEMENT_NOT_SUSPENDED', async () => {
        await cmaaInForce();
        await expect(service.resume('cmaa-nl-sg', 'x')).rejects.toMatchObject({ code: 'AGREEMENT_NOT_SUSPENDED' });
      });
    });

    describe('amendments', () => {
      it('take over when every party has signed and their validity starts; the amended version governs until then', async () => {
        const v1 = await cmaaInForce();
        const document = v1.versions[0]!.document;
        const {
          version: _v,
          supersedes: _s,
          ...draft
        } = {
          ...document,
          validity: { from: '2026-04-01', until: null },
          clauses: document.clauses.map((c) => ({ ...c, purposes: [...c.purposes, 'statistics'] })),
        };
        const amended = await service.amend('cmaa-nl-sg', draft, 'admin');
        expect(amended).toMatchObject({ latestVersion: 2, inForceVersion: 1, status: 'in-force' });
        expect(amended.versions[1]!.document.supersedes).toEqual({ version: 1, hash: v1.versions[0]!.documentHash });
        await service.sign('cmaa-nl-sg', { version: 2 });
        const { signature } = signAgreement(amended.versions[1]!.document, sg);
        await service.addSignature('cmaa-nl-sg', { version: 2, party: 'SG', signature });
        expect((await service.decide({ ...prearrival, purpose: 'statistics' })).decision.code).toBe(
          'SHARING_PURPOSE_NOT_ALLOWED',
        );
        clock.set(Date.parse('2026-04-01T00:00:00Z'));
        expect((await service.decide({ ...prearrival, purpose: 'statistics' })).decision.basis?.version).toBe(2);
        expect(events.ofType('agreement.amended')).toHaveLength(1);
      });

      it('refuses a version that does not supersede the latest with AGREEMENT_VERSION_CONFLICT', async () => {
        const v1 = await cmaaInForce();
        const document = v1.versions[0]!.document;
        await expect(
          service.amend('cmaa-nl-sg', { ...document, version: 3, supersedes: null }, 'a'),
        ).rejects.toMatchObject({
          code: 'AGREEMENT_VERSION_CONFLICT',
        });
        await expect(
          service.amend(
            'cmaa-nl-sg',
            { ...document, version: 2, supersedes: { version: 1, hash: '0'.repeat(64) } },
            'a',
          ),
        ).rejects.toMatchObject({ code: 'AGREEMENT_VERSION_CONFLICT' });
      });
    });

    describe('national rules', () => {
      it('overlay every agreement, the stricter rule winning, and can be changed and removed', async () => {
        await cmaaInForce();
        const rule = await service.createRule(noPersonalToSg);
        const record = sampleDeclaration();
        const restricted = (await service.decide({ ...prearrival, record })).decision;
        expect(restricted.treatment.personal).toBe('withheld');
        expect(JSON.stringify(restricted.record)).not.toContain('Müller');

        await service.updateRule(rule.id, { ...noPersonalToSg, deny: true });
        expect((await service.decide(prearrival)).decision.code).toBe('SHARING_NATIONAL_RULE');
        expect(await service.listRules()).toMatchObject([{ id: rule.id, deny: true }]);

        await service.deleteRule(rule.id);
        expect((await service.decide(prearrival)).decision.allowed).toBe(true);
        await expect(service.getRule(rule.id)).rejects.toMatchObject({ code: 'SHARING_RULE_UNKNOWN' });
        expect(events.events.filter((e) => e.type.startsWith('national-rule.'))).toHaveLength(3);
      });

      it('refuses a rule that restricts nothing or names an unknown category with SHARING_RULE_INVALID', async () => {
        await expect(service.createRule({ ...noPersonalToSg, fields: {} })).rejects.toMatchObject({
          code: 'SHARING_RULE_INVALID',
        });
        await expect(service.createRule({ ...noPersonalToSg, categories: ['declaration.nope'] })).rejects.toMatchObject(
          {
            code: 'SHARING_RULE_INVALID',
          },
        );
      });
    });

    describe('decisions', () => {
      it('log the decision id, the record hash and the reasons when data moves', async () => {
        await cmaaInForce();
        const record = sampleDeclaration();
        const { decision, decisionId } = await service.decide({ ...prearrival, record }, { log: true });
        expect(decisionId).toMatch(/^[0-9a-f-]{36}$/);
        expect(events.ofType('decision.shared-data')).toEqual([
          expect.objectContaining({
            decisionId,
            allowed: true,
            agreementId: 'cmaa-nl-sg',
            clause: 'prearrival-nl-sg',
            recordHash: sha256Hex(canonicalBytes(record)),
            outputHash: sha256Hex(canonicalBytes(decision.record)),
          }),
        ]);
        await service.decide(prearrival); // a dry run is not logged
        expect(events.ofType('decision.shared-data')).toHaveLength(1);
      });

      it('keep pseudonyms stable for a partner across restarts (the node secret is stored)', async () => {
        await cmaaInForce();
        const name = async (s: AgreementService) => {
          const { decision } = await s.decide({ ...prearrival, record: sampleDeclaration() });
          return (decision.record!.parties as Record<string, Record<string, string>>).exporter!.name;
        };
        expect(await name(open())).toBe(await name(service));
      });

      it('no longer count a signature whose key was removed', async () => {
        await cmaaInForce();
        await service.removePartyKey('SG', sg.kid);
        expect(await service.get('cmaa-nl-sg')).toMatchObject({
          status: 'pending-signatures',
          versions: [
            {
              missingSignatures: ['SG'],
              signatures: [
                { party: 'NL', verified: true },
                { party: 'SG', verified: false },
              ],
            },
          ],
        });
      });
    });

    describe('received data', () => {
      it('keeps its provenance, audits every read with its purpose, and anonymizes it when retention ends', async () => {
        await cmaaInForce();
        const received = await service.receive({
          sender: 'SG',
          category: 'declaration.prearrival',
          purpose: 'risk-assessment',
          record: sampleDeclaration(),
        });
        expect(received).toMatchObject({ accepted: true, retainUntil: new Date(NOON + 90 * DAY_MS).toISOString() });
        if (!received.accepted) throw new Error('refused');

        const read = await service.readReceived(received.id, {
          actor: 'ada',
          actorKind: 'user',
          purpose: 'risk-assessment',
        });
        expect(read).toMatchObject({
          provenance: { originator: 'SG', agreementId: 'cmaa-nl-sg', clause: 'prearrival-sg-nl' },
          state: 'held',
          record: { ucr: expect.any(String) },
        });
        expect(read.record).not.toHaveProperty('risk');
        await expect(
          service.readReceived(received.id, { actor: 'ada', actorKind: 'user', purpose: 'statistics' }),
        ).rejects.toMatchObject({ code: 'SHARING_PURPOSE_NOT_ALLOWED' });
        expect(audit.map((a) => [a.action, a.purpose, a.outcome])).toEqual([
          ['shared-data.read', 'risk-assessment', 'success'],
          ['shared-data.read', 'statistics', 'denied'],
        ]);

        clock.advance(90 * DAY_MS - 1);
        expect(await service.applyRetention()).toEqual({ deleted: [], anonymized: [] });
        clock.advance(1);
        expect(await service.applyRetention()).toEqual({ deleted: [], anonymized: [received.id] });
        const after = await service.readReceived(received.id, {
          actor: 'ada',
          actorKind: 'user',
          purpose: 'risk-assessment',
        });
        expect(after.state).toBe('anonymized');
        const text = JSON.stringify(after.record);
        expect(text).toContain('851762'); // HS codes are public
        expect(text).not.toMatch(/ps_|71999|Rotterdam|LRN/); // no pseudonyms, values or references remain
        expect(events.ofType('data.retention-applied').at(-1)).toMatchObject({ anonymized: [received.id] });
      });

      it('deletes intelligence when its retention ends, after which it cannot be read (SHARING_RECEIVED_UNKNOWN)', async () => {
        await cmaaInForce();
        const received = await service.receive({
          sender: 'SG',
          category: 'intelligence.seizure',
          purpose: 'enforcement',
          handlingCode: 'H1',
          record: { hs: '240220' },
        });
        if (!received.accepted) throw new Error('refused');
        clock.advance(1825 * DAY_MS);
        expect(await service.applyRetention()).toEqual({ deleted: [received.id], anonymized: [] });
        await expect(
          service.readReceived(received.id, { actor: 'ada', actorKind: 'user', purpose: 'enforcement' }),
        ).rejects.toMatchObject({ code: 'SHARING_RECEIVED_UNKNOWN' });
        const row = await sql<{ record: string | null }>`select record from received_records`.execute(store.db);
        expect(row.rows[0]!.record).toBeNull();
      });

      it('refuses data no agreement allows, as an answer', async () => {
        const refused = await service.receive({
          sender: 'KE',
          category: 'declaration.prearrival',
          purpose: 'risk-assessment',
          record: {},
        });
        expect(refused).toMatchObject({ accepted: false, decision: { code: 'SHARING_NO_AGREEMENT' } });
      });
    });
  });
}
