import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionHeaders, startTestNode, type TestNode } from './testing.js';

const url = process.env.DATABASE_URL;

// The same node, end to end over HTTP, on PostgreSQL: runs when DATABASE_URL is set (CI sets it).
describe.skipIf(!url)('a node on PostgreSQL', () => {
  let t: TestNode;
  const schema = `node_${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    t = await startTestNode({ administration: 'SG', databaseUrl: url, schema });
  });
  afterAll(async () => {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(t.node.store.db);
    await t.close();
  });

  it('logs in, manages users and reports the dialect', async () => {
    const admin = await t.login();
    const node = await t.app.inject({ url: '/api/v1/node', headers: sessionHeaders(admin) });
    expect(node.json()).toMatchObject({ administration: 'SG', database: { dialect: 'postgres' } });
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: sessionHeaders(admin),
      payload: { username: 'dpo', password: 'long enough password', roles: ['auditor'] },
    });
    expect(created.statusCode).toBe(201);
    const auditor = await t.login('dpo', 'long enough password');
    const audit = await t.app.inject({ url: '/api/v1/audit', headers: sessionHeaders(auditor) });
    const actions = (audit.json() as { items: { action: string }[] }).items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user.create', 'auth.login', 'node.init']));
  });
});
