import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDeclarationBatch } from '../src/declarations/index.js';
import { declarationLogReplay } from '../src/node/index.js';
import { sessionHeaders, startTestNode, type TestNode } from '../src/server/testing.js';

// Accepted declarations are the log's first real producer: each stored version is a `declaration.accepted` entry
// carrying the SHA-256 of its RFC 8785 canonical form — and nothing of its content.
describe('declarations in the log', () => {
  let t: TestNode;
  beforeAll(async () => {
    t = await startTestNode();
  });
  afterAll(async () => {
    await t.close();
  });

  it('logs each accepted declaration once, by canonical hash, before answering; a rejected one not at all', async () => {
    const admin = await t.login();
    const env = await t.node.declarations.environment();
    const [a, b] = generateDeclarationBatch(env, { seed: 'log', count: 2, country: 'NL' });
    const before = await t.node.log.log.size();
    const lodged = await t.app.inject({
      method: 'POST',
      url: '/api/v1/declarations',
      headers: sessionHeaders(admin),
      payload: [a!.declaration, b!.declaration, { type: 'import' }],
    });
    expect(lodged.statusCode).toBeLessThan(300);
    const results = (lodged.json() as { results: { status: string; id?: string }[] }).results;
    expect(results.map((r) => r.status)).toEqual(['created', 'created', 'rejected']);

    const entries = await t.node.log.log.entries(before, await t.node.log.log.size());
    const accepted = entries.map((e) => e.entry).filter((e) => e.type === 'declaration.accepted');
    expect(accepted).toHaveLength(2);
    for (const result of results.slice(0, 2)) {
      const record = await t.node.declarations.get(result.id!);
      expect(accepted).toContainEqual(
        expect.objectContaining({ declarationId: record.id, declarationHash: record.contentHash }),
      );
    }
    const serialized = JSON.stringify(accepted);
    expect(serialized).not.toContain(a!.declaration.declarant.name ?? '\u0000');

    // the same declaration again is the same record, and no second entry
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/declarations',
      headers: sessionHeaders(admin),
      payload: a!.declaration,
    });
    expect(again.statusCode).toBeLessThan(300);
    const after = await t.node.log.log.entries(before, await t.node.log.log.size());
    expect(after.filter((e) => e.entry.type === 'declaration.accepted')).toHaveLength(2);
  });

  it('replays into the log only the versions it does not hold yet', async () => {
    const env = await t.node.declarations.environment();
    const [c] = generateDeclarationBatch(env, { seed: 'log-replay', count: 1, country: 'NL' });
    const [lodged] = await t.node.declarations.submit([c!.declaration]);
    const record = await t.node.declarations.get(lodged!.id!);
    const accepted = (id: string, contentHash: string) => ({
      id,
      version: 1,
      contentHash,
      ucr: null,
      at: new Date().toISOString(),
      type: 'import' as const,
      canonical: () => record.canonical,
    });
    const missing = accepted('0190f5e2-0000-7000-8000-00000000abcd', 'ab'.repeat(32));
    const replay = declarationLogReplay(t.node.log);
    const before = await t.node.log.log.size();
    await replay([accepted(record.id, record.contentHash), missing]);
    const added = await t.node.log.log.entries(before, await t.node.log.log.size());
    expect(added.map((e) => e.entry)).toEqual([
      expect.objectContaining({
        type: 'declaration.accepted',
        declarationId: missing.id,
        declarationHash: missing.contentHash,
      }),
    ]);
    await replay([accepted(record.id, record.contentHash), missing]);
    expect(await t.node.log.log.size()).toBe(before + 1);
  });
});
