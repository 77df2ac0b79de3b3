import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeclarationService, defaultEnvironment } from '../src/declarations/index.js';
import { simulateTrade, type Shipment } from '../src/federation/index.js';
import { eventually, startNetwork, type TestNetwork } from './federation-support.js';

/**
 * Two real nodes on loopback ports: an agreement proposed at NL reaches SG and is signed there; an export lodged
 * at NL becomes an expected arrival at SG (encrypted, as the clause is confidential); the import lodged at SG is
 * matched and compared.
 */
describe('federation between two nodes over HTTP', () => {
  let net: TestNetwork;
  let shipments: Shipment[];
  let late: Shipment;
  let extra: Generator<Shipment>;

  beforeAll(async () => {
    net = await startNetwork(['NL', 'SG']);
    const env = defaultEnvironment();
    const generator = simulateTrade(env, {
      seed: 'federation-test',
      lanes: [{ from: 'NL', to: 'SG' }],
      irregularRate: 0.5,
    });
    shipments = Array.from({ length: 7 }, () => generator.next().value as Shipment);
    late = shipments.pop()!;
    extra = generator;
  }, 60_000);

  afterAll(async () => {
    await net?.close();
  });

  it('carries an agreement proposed at one node to the other, and the signatures back', async () => {
    const nl = net.nodes.NL!.node;
    const sg = net.nodes.SG!.node;
    await nl.agreements.create({ template: 'cmaa', parties: ['NL', 'SG'], id: 'cmaa-nl-sg' }, 'admin');
    await eventually(() => sg.agreements.get('cmaa-nl-sg').catch(() => null));
    await nl.agreements.sign('cmaa-nl-sg');
    await sg.agreements.sign('cmaa-nl-sg');
    const inForce = async (node: typeof nl) => (await node.agreements.get('cmaa-nl-sg')).inForceVersion === 1;
    await eventually(async () => (await inForce(nl)) && (await inForce(sg)));
    const nlView = await nl.agreements.get('cmaa-nl-sg');
    const sgView = await sg.agreements.get('cmaa-nl-sg');
    expect(nlView.versions[0]!.documentHash).toBe(sgView.versions[0]!.documentHash);
    expect(nlView.versions[0]!.signatures.map((s) => s.party).sort()).toEqual(['NL', 'SG']);
    expect(sgView.versions[0]!.signatures.map((s) => s.party).sort()).toEqual(['NL', 'SG']);
  });

  it('sends exports as encrypted pre-arrival data and matches the imports with a mirror analysis', async () => {
    const nl = net.nodes.NL!.node;
    const sg = net.nodes.SG!.node;
    const results = await nl.declarations.submit(shipments.map((s) => s.export));
    expect(results.every((r) => r.status === 'created')).toBe(true);
    const outbox = await eventually(async () => {
      const items = await nl.federation.listOutbox({ partner: 'SG', category: 'declaration.prearrival' });
      return items.length === shipments.length && items.every((i) => i.state === 'delivered') ? items : null;
    });
    expect(outbox.every((i) => i.encrypted && i.agreement?.id === 'cmaa-nl-sg')).toBe(true);
    const expected = await sg.prearrivals.list({ state: 'expected' });
    expect(expected).toHaveLength(shipments.length);
    // Personal data travels pseudonymized under the clause; public data in clear.
    const first = expected.find((p) => p.ucr === shipments[0]!.export.ucr?.toUpperCase())!;
    expect(first.declaration.declarant.name).toMatch(/^ps_/);
    expect(first.declaration.items[0]!.hs?.code).toBe(shipments[0]!.export.items[0]!.hs?.code.slice(0, 6));

    const imports = await sg.declarations.submit(shipments.map((s) => s.import));
    expect(imports.every((r) => r.status === 'created')).toBe(true);
    const matches = await sg.prearrivals.discrepancies({});
    expect(matches).toHaveLength(shipments.length);
    for (const shipment of shipments) {
      const match = matches.find((m) => m.declarationId === imports[shipments.indexOf(shipment)]!.id)!;
      expect(match.matchedBy).toBe('ucr');
      if (shipment.irregularities.length === 0) expect(match.score).toBeLessThan(20);
      if (shipment.irregularities.some((i) => i.kind === 'undervaluation')) {
        expect(match.reasons.map((r) => r.code)).toContain('MIRROR_VALUE_LOWER');
      }
    }
    expect((await sg.prearrivals.counts()).arrived).toBe(shipments.length);
  });

  it('matches an import lodged before its pre-arrival came, when the pre-arrival arrives', async () => {
    const nl = net.nodes.NL!.node;
    const sg = net.nodes.SG!.node;
    const [lodged] = await sg.declarations.submit([late.import]);
    expect(lodged!.status).toBe('created');
    expect(await sg.prearrivals.discrepancies({})).toHaveLength(shipments.length);
    await nl.declarations.submit([late.export]);
    const match = await eventually(async () =>
      (await sg.prearrivals.discrepancies({})).find((m) => m.declarationId === lodged!.id),
    );
    expect(match.matchedBy).toBe('ucr');
  });

  it('queues on catch-up an export stored by a node that died before queueing its envelope', async () => {
    const nl = net.nodes.NL!.node;
    const sg = net.nodes.SG!.node;
    const [orphan] = Array.from({ length: 1 }, () => extra.next().value as Shipment);
    // The declarations module alone, without the node's hooks: the export is stored, its envelope is not queued —
    // what a kill between the declaration's commit and the hook leaves.
    const bare = new DeclarationService(nl.store);
    const [stored] = await bare.submit([orphan!.export]);
    expect(stored!.status).toBe('created');
    expect(await nl.federation.queuedSubjects('declaration.prearrival', [stored!.id!])).toEqual(new Set());
    expect(await nl.prearrivals.catchUp()).toBe(1);
    expect(await nl.prearrivals.catchUp()).toBe(0);
    await eventually(async () =>
      (await sg.prearrivals.list({})).some((p) => p.ucr === orphan!.export.ucr?.toUpperCase()),
    );
  });

  it('replays what a crash cut: queues a missing pre-arrival and matches an unmatched import, each once', async () => {
    const nl = net.nodes.NL!.node;
    const sg = net.nodes.SG!.node;
    const [shipment] = Array.from({ length: 1 }, () => extra.next().value as Shipment);
    const accepted = async (node: typeof nl, id: string) => {
      const record = await node.declarations.get(id);
      return {
        id,
        version: 1,
        contentHash: record.contentHash,
        ucr: record.ucr,
        at: record.createdAt,
        type: record.type as 'import' | 'export',
        canonical: () => record.canonical,
      };
    };
    // Stored without the node's hooks, as a kill between the commit and the hook leaves them.
    const [exported] = await new DeclarationService(nl.store).submit([shipment!.export]);
    const exportedNow = await accepted(nl, exported!.id!);
    await nl.prearrivals.replay([exportedNow]);
    await nl.prearrivals.replay([exportedNow]);
    const envelopes = await nl.federation.listOutbox({ partner: 'SG', category: 'declaration.prearrival' });
    expect(envelopes.filter((e) => e.subject === exported!.id)).toHaveLength(1);
    const ucr = shipment!.export.ucr?.toUpperCase();
    await eventually(async () => (await sg.prearrivals.list({ state: 'expected' })).some((p) => p.ucr === ucr));

    const [imported] = await new DeclarationService(sg.store).submit([shipment!.import]);
    const importedNow = await accepted(sg, imported!.id!);
    const before = (await sg.prearrivals.discrepancies({})).length;
    await sg.prearrivals.replay([importedNow]);
    await sg.prearrivals.replay([importedNow]);
    const matches = (await sg.prearrivals.discrepancies({})).filter((m) => m.declarationId === imported!.id);
    expect(matches).toHaveLength(1);
    expect((await sg.prearrivals.discrepancies({})).length).toBe(before + 1);
  });

  it('logs what was sent at one node and accepted at the other', async () => {
    const nl = net.nodes.NL!.node;
    const sg = net.nodes.SG!.node;
    const types = async (node: typeof nl) => {
      const size = await node.log.log.size();
      const entries = await node.log.log.entries(0, size);
      return entries.map((e) => e.entry.type);
    };
    expect(await types(nl)).toContain('envelope.sent');
    expect(await types(sg)).toContain('envelope.accepted');
    expect(await types(sg)).toContain('decision.shared-data');
  });

  it('shows the decision behind each envelope, at both ends', async () => {
    const nlNode = net.nodes.NL!;
    const [sent] = await nlNode.node.federation.listOutbox({ category: 'declaration.prearrival', limit: 1 });
    const session = await nlNode.login();
    const response = await nlNode.app.inject({
      method: 'GET',
      url: `/api/v1/decisions/${sent!.decisionId}`,
      headers: { cookie: session.cookie },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      decisionId: sent!.decisionId,
      sender: 'NL',
      receiver: 'SG',
      category: 'declaration.prearrival',
      allowed: true,
      agreementId: 'cmaa-nl-sg',
    });
    const [received] = await net.nodes.SG!.node.federation.listInbox({ category: 'declaration.prearrival', limit: 1 });
    const atSg = await net.nodes.SG!.node.agreements.getDecision(received!.decisionId!);
    expect(atSg).toMatchObject({ sender: 'NL', receiver: 'SG', allowed: true });
    const unknown = await nlNode.app.inject({
      method: 'GET',
      url: '/api/v1/decisions/nope',
      headers: { cookie: session.cookie },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('SHARING_DECISION_UNKNOWN');
  });
});
