import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withMember, withRevokedKey } from '../src/federation/index.js';
import { nodeMember } from '../src/node/index.js';
import { eventually, startNetwork, type TestNetwork } from './federation-support.js';

/**
 * The directory at work between running nodes: a member added in a new version reaches a node that has not
 * installed it yet (the node refreshes from its partners when it meets an unknown sender); a revoked key is refused.
 */
describe('directory distribution between nodes', () => {
  let net: TestNetwork;

  beforeAll(async () => {
    // KE runs but version 1 lists only NL and SG.
    net = await startNetwork(['NL', 'SG', 'KE'], { members: ['NL', 'SG'] });
  }, 60_000);

  afterAll(async () => {
    await net?.close();
  });

  it('serves the installed directory to partners, signatures included', async () => {
    const response = await fetch(`${net.nodes.NL!.url}/federation/v1/directory`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { document: { version: number }; jws: { signatures: unknown[] } };
    expect(body.document.version).toBe(1);
    expect(body.jws.signatures).toHaveLength(2);
  });

  it('refreshes from partners when an unknown member writes, then accepts it', async () => {
    const ke = net.nodes.KE!;
    const v2 = withMember(
      net.document,
      nodeMember(ke.node, ke.url, { notBefore: new Date(Date.now() - 60_000).toISOString() }),
    );
    // Only NL and KE get version 2; SG still has version 1 and has never heard of KE.
    await net.publish(v2, ['NL', 'KE']);
    expect((await net.nodes.SG!.node.federation.directory())!.version).toBe(1);
    const receipt = await ke.node.federation.call('SG', 'agreement.notice', {});
    // SG refreshed from NL on meeting KE, authenticated KE, and then judged the (empty) notice on its merits.
    expect(receipt.code).toBe('FEDERATION_PAYLOAD_INVALID');
    expect((await net.nodes.SG!.node.federation.directory())!.version).toBe(2);
  });

  it('refuses envelopes signed with a revoked key once the revocation is installed', async () => {
    const nl = net.nodes.NL!.node;
    const current = (await nl.federation.signedDirectory())!.document;
    const kid = current.members.find((m) => m.id === 'KE')!.keys.find((k) => k.use === 'sig')!.kid;
    await net.publish(withRevokedKey(current, 'KE', kid, 'key compromised'), ['NL', 'SG']);
    await expect(net.nodes.KE!.node.federation.call('SG', 'agreement.notice', {})).resolves.toMatchObject({
      status: 'refused',
      code: 'FEDERATION_KEY_REVOKED',
    });
    // KE itself picks up the new version on refresh and then has no valid signing key: it stops signing.
    await eventually(async () => (await net.nodes.KE!.node.federation.refreshDirectory()) === 3);
    await expect(net.nodes.KE!.node.federation.call('SG', 'agreement.notice', {})).rejects.toMatchObject({
      code: 'FEDERATION_NO_SIGNING_KEY',
    });
  });
});
