import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/kernel/index.js';
import {
  checkConsistency,
  checkInclusion,
  decodeBase64,
  hashLeaf,
  nodeHasher,
  noteVerifierFromKey,
  openCheckpoint,
  rootFromLeafHashes,
} from '../src/ledger/index.js';
import { startTestNode, type TestNode } from '../src/server/testing.js';

/**
 * A third party (a partner, an auditor, a journalist) checks a node's log with nothing but `fetch`, the node's
 * published key and the ledger's verifiers: no database, no credentials.
 */
let t: TestNode;
let base: string;

beforeAll(async () => {
  t = await startTestNode({ administration: 'KE' });
  for (let i = 0; i < 37; i++) {
    await t.node.log.append({
      type: 'declaration.accepted',
      at: new Date().toISOString(),
      declarationId: `ke-${i}`,
      declarationHash: sha256Hex(`declaration ${i}`),
    });
    if (i === 12) await t.node.log.publishCheckpoint();
  }
  await t.node.log.publishCheckpoint();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}, 60_000);
afterAll(async () => {
  await t.close();
});

const get = async (path: string) => {
  const response = await fetch(base + path);
  expect(response.status).toBe(200);
  return response;
};
const hashes = (list: string[]) => list.map((h) => decodeBase64(h)!);

describe('a third party with fetch and the public key', () => {
  it('recomputes the root from every entry, checks the signature, and every proof', async () => {
    const key = (await (await get('/api/v1/log/key')).text()).trim();
    const note = await (await get('/api/v1/log/checkpoint')).text();
    const { checkpoint } = openCheckpoint(note, [noteVerifierFromKey(key)], { origin: 'concord.ke/log' });
    expect(checkpoint.size).toBe(37);

    const { entries } = (await (await get(`/api/v1/log/entries?start=0&end=${checkpoint.size}`)).json()) as {
      entries: { index: number; entry: string }[];
    };
    const leafHashes = entries.map((e) => hashLeaf(decodeBase64(e.entry)!));
    expect(Buffer.from(rootFromLeafHashes(leafHashes)).equals(Buffer.from(checkpoint.rootHash))).toBe(true);

    for (const index of [0, 12, 36]) {
      const proof = (await (await get(`/api/v1/log/proof/inclusion?index=${index}&size=37`)).json()) as {
        hashes: string[];
      };
      const verdict = checkInclusion(
        nodeHasher,
        { leafIndex: index, treeSize: 37, hashes: hashes(proof.hashes) },
        leafHashes[index]!,
        checkpoint.rootHash,
      );
      expect(verdict).toEqual({ ok: true });
    }

    // The earlier checkpoint of the history is consistent with the latest.
    const { items } = (await (await get('/api/v1/log/checkpoints')).json()) as { items: { note: string }[] };
    const earlier = openCheckpoint(items[0]!.note, [noteVerifierFromKey(key)]).checkpoint;
    expect(earlier.size).toBe(13);
    const consistency = (await (await get(`/api/v1/log/proof/consistency?from=13&to=37`)).json()) as {
      hashes: string[];
    };
    const verdict = checkConsistency(
      nodeHasher,
      { size1: 13, size2: 37, hashes: hashes(consistency.hashes) },
      earlier.rootHash,
      checkpoint.rootHash,
    );
    expect(verdict).toEqual({ ok: true });
  });
});
