import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_CATEGORY, federatedWitnessClient } from '../src/federation/index.js';
import { loadSigningKey } from '../src/kernel/index.js';
import { ed25519NoteSigner, signCheckpoint } from '../src/ledger/index.js';
import { httpWitnessClient, KEY_FILES } from '../src/node/index.js';
import { startNetwork, type TestNetwork } from './federation-support.js';

/**
 * Witness gossip over the federation: each node's log is cosigned by its partners' witnesses, reached through
 * signed envelopes; a log that shows a partner two histories is caught, and both consoles get the alert.
 */
describe('witnessing over the federation', () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startNetwork(['NL', 'SG', 'KE']);
  }, 60_000);

  afterAll(async () => {
    await net?.close();
  });

  it("gets each partner's cosignature on a node's checkpoint, through envelopes", async () => {
    const nl = net.nodes.NL!.node;
    await nl.log.append({
      type: 'document.revoked',
      at: new Date().toISOString(),
      documentId: 'doc-1',
      documentHash: 'a'.repeat(64),
      reason: 'test',
    });
    const checkpoint = await nl.log.publishCheckpoint();
    expect([...checkpoint.witnessedBy].sort()).toEqual(['KE', 'SG']);
    const inbox = await net.nodes.SG!.node.federation.listInbox({ sender: 'NL', category: CHECKPOINT_CATEGORY });
    expect(inbox.length).toBeGreaterThan(0);
    expect(inbox.every((e) => e.status === 'accepted')).toBe(true);
  });

  it('raises a split-view alert at the witness and at the log when a node shows two histories', async () => {
    const nl = net.nodes.NL!.node;
    const sg = net.nodes.SG!.node;
    const latest = await nl.log.latestCheckpoint();
    // NL's own log key signs a second checkpoint of the same size with another root: a split view.
    const logKey = await loadSigningKey(join(net.nodes.NL!.dataDir, KEY_FILES.log));
    const honest = latest.checkpoint;
    const forkedRoot = new Uint8Array(honest.rootHash);
    forkedRoot[0] = forkedRoot[0]! ^ 0xff;
    const forked = signCheckpoint({ ...honest, rootHash: forkedRoot }, [ed25519NoteSigner(nl.log.origin, logKey)]);
    // Sent the way the log's witnessing sends it, so the log's side sees the refusal too.
    const client = federatedWitnessClient(nl.federation, httpWitnessClient());
    await expect(
      client.addCheckpoint('federation:SG', { oldSize: honest.size, proof: [], checkpoint: forked }),
    ).rejects.toMatchObject({ code: 'LEDGER_SPLIT_VIEW' });
    const atWitness = await sg.federation.listAlerts({ open: true });
    expect(atWitness.map((a) => `${a.kind}:${a.subject}`)).toContain('split-view:NL');
    const atLog = await nl.federation.listAlerts({ open: true });
    expect(atLog.map((a) => `${a.kind}:${a.subject}`)).toContain('split-view:SG');
    // the witness keeps both signed checkpoints as evidence, and still trusts only the first
    expect((await sg.log.listSplitViews()).some((v) => v.origin === nl.log.origin)).toBe(true);
    const refused = await sg.federation.listInbox({ sender: 'NL', status: 'refused' });
    expect(refused.map((e) => e.code)).toContain('LEDGER_SPLIT_VIEW');
  });
});
