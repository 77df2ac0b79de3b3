import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runCli, startCli, stop, waitFor } from './process.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'concord-log-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const result = await runCli(args);
  if (result.code !== 0) throw new Error(`concord ${args.join(' ')}: ${result.code}\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

async function keysOf(dir: string): Promise<{ origin: string; key: string; witnessKey: string }> {
  return JSON.parse(await cli(['log', 'key', '--data-dir', dir, '--json'])) as never;
}

describe('concord document and concord log verify', () => {
  let dir: string;
  const anchored: string[] = [];

  beforeAll(async () => {
    dir = join(root, 'nl');
    await cli(['init', '--admin', 'NL', '--data-dir', dir]);
    for (let i = 0; i < 6; i++) {
      const file = join(root, `certificate-${i}.json`);
      await writeFile(file, JSON.stringify({ number: `CO-${i}`, origin: 'NL', hsCode: '090111' }));
      const out = JSON.parse(
        await cli(['document', 'anchor', file, '--data-dir', dir, '--valid-until', '2099-01-01', '--json']),
      ) as { documentHash: string; index: number };
      expect(out.index).toBe(i);
      anchored.push(out.documentHash);
    }
    await cli(['log', 'checkpoint', '--data-dir', dir]);
  }, 120_000);

  it('verifies a document offline: valid, then tampered for a changed file, then revoked', async () => {
    const file = join(root, 'certificate-2.json');
    const bundle = join(root, 'bundle-2.json');
    const { key } = await keysOf(dir);
    await cli(['document', 'bundle', anchored[2]!, '--data-dir', dir, '--out', bundle]);
    const valid = await runCli(['document', 'verify', file, '--bundle', bundle, '--key', key]);
    expect(valid).toMatchObject({ code: 0, stdout: expect.stringMatching(/^valid: anchored by concord\.nl\/log/) });

    // Re-serialized JSON has the same RFC 8785 hash; a changed value does not.
    const reformatted = join(root, 'reformatted.json');
    await writeFile(reformatted, JSON.stringify({ hsCode: '090111', origin: 'NL', number: 'CO-2' }, null, 2));
    expect((await runCli(['document', 'verify', reformatted, '--bundle', bundle, '--key', key])).code).toBe(0);
    const changed = join(root, 'changed.json');
    await writeFile(changed, JSON.stringify({ number: 'CO-2', origin: 'CN', hsCode: '090111' }));
    const tampered = await runCli(['document', 'verify', changed, '--bundle', bundle, '--key', key]);
    expect(tampered).toMatchObject({ code: 1, stdout: expect.stringMatching(/^tampered: /) });

    await cli(['document', 'revoke', anchored[2]!, '--reason', 'withdrawn', '--data-dir', dir]);
    await cli(['document', 'bundle', anchored[2]!, '--data-dir', dir, '--out', bundle]);
    const revoked = await runCli(['document', 'verify', file, '--bundle', bundle, '--key', key]);
    expect(revoked).toMatchObject({ code: 1, stdout: expect.stringMatching(/^revoked: /) });
  }, 120_000);

  it('proves an entry and reports an intact log with exit 0', async () => {
    const proof = JSON.parse(await cli(['log', 'prove', '--index', '3', '--data-dir', dir])) as { size: number };
    expect(proof.size).toBeGreaterThanOrEqual(6);
    const verify = await runCli(['log', 'verify', '--data-dir', dir]);
    expect(verify).toMatchObject({ code: 0, stdout: expect.stringContaining('log intact') });
  }, 60_000);

  for (const [name, tamper] of [
    [
      'an edited entry',
      (db: Database.Database) => {
        const { entry } = db.prepare('select entry from ledger_leaves where idx = 4').get() as { entry: Buffer };
        const edited = Buffer.from(entry.toString('utf8').replace('"issuer":"NL"', '"issuer":"SG"'));
        expect(edited.equals(entry)).toBe(false);
        db.prepare('update ledger_leaves set entry = ? where idx = 4').run(edited);
      },
    ],
    ['a deleted entry', (db: Database.Database) => db.prepare('delete from ledger_leaves where idx = 4').run()],
    [
      'two reordered entries',
      (db: Database.Database) => {
        const rows = db.prepare('select idx, leaf_hash, entry from ledger_leaves where idx in (4, 5)').all() as {
          idx: number;
          leaf_hash: Buffer;
          entry: Buffer;
        }[];
        const update = db.prepare('update ledger_leaves set leaf_hash = ?, entry = ? where idx = ?');
        update.run(rows[1]!.leaf_hash, rows[1]!.entry, 4);
        update.run(rows[0]!.leaf_hash, rows[0]!.entry, 5);
      },
    ],
  ] as const) {
    it(`names ${name} in the SQLite file and exits 1`, async () => {
      const copy = join(root, `tampered-${name.replace(/\W+/g, '-')}`);
      await cp(dir, copy, { recursive: true });
      const db = new Database(join(copy, 'concord.db'));
      tamper(db);
      db.close();
      const result = await runCli(['log', 'verify', '--data-dir', copy]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('first bad entry 4');
    }, 60_000);
  }
});

describe('two nodes witnessing each other over HTTP', () => {
  it('cosign each other’s checkpoints and show their witnesses', async () => {
    const nl = join(root, 'w-nl');
    const sg = join(root, 'w-sg');
    await Promise.all([
      cli(['init', '--admin', 'NL', '--data-dir', nl]),
      cli(['init', '--admin', 'SG', '--data-dir', sg]),
    ]);
    const [nlKeys, sgKeys] = await Promise.all([keysOf(nl), keysOf(sg)]);
    const [nlPort, sgPort] = [await freePort(), await freePort()];
    const nlUrl = `http://127.0.0.1:${nlPort}`;
    const sgUrl = `http://127.0.0.1:${sgPort}`;
    await cli(['log', 'witness', 'trust', '--origin', sgKeys.origin, '--key', sgKeys.key, '--data-dir', nl]);
    await cli(['log', 'witness', 'add', '--url', sgUrl, '--key', sgKeys.witnessKey, '--data-dir', nl]);
    await cli(['log', 'witness', 'trust', '--origin', nlKeys.origin, '--key', nlKeys.key, '--data-dir', sg]);
    await cli(['log', 'witness', 'add', '--url', nlUrl, '--key', nlKeys.witnessKey, '--data-dir', sg]);

    const serve = (dir: string, port: number) =>
      startCli([
        'serve',
        '--data-dir',
        dir,
        '--port',
        String(port),
        '--log-level',
        'warn',
        '--checkpoint-interval',
        '0.5',
      ]);
    const nodes = [serve(nl, nlPort), serve(sg, sgPort)];
    try {
      await Promise.all([waitFor(`${nlUrl}/healthz`), waitFor(`${sgUrl}/healthz`)]);
      const file = join(root, 'witnessed.txt');
      await writeFile(file, 'a certificate of origin, as a PDF would be');
      // The node runs: the CLI anchors through its HTTP API.
      await cli(['document', 'anchor', file, '--data-dir', nl]);
      await cli(['document', 'anchor', file, '--data-dir', sg]);

      const witnessedBy = async (url: string) =>
        ((await (await fetch(`${url}/api/v1/log`)).json()) as { checkpoint: { size: number; witnessedBy: string[] } })
          .checkpoint;
      const deadline = Date.now() + 30_000;
      let seen = [await witnessedBy(nlUrl), await witnessedBy(sgUrl)];
      while (!(seen[0]!.size >= 1 && seen[0]!.witnessedBy.includes('SG') && seen[1]!.witnessedBy.includes('NL'))) {
        if (Date.now() > deadline) throw new Error(`not witnessed: ${JSON.stringify(seen)}`);
        await new Promise((r) => setTimeout(r, 250));
        seen = [await witnessedBy(nlUrl), await witnessedBy(sgUrl)];
      }
      expect(seen[0]).toMatchObject({ witnessedBy: ['SG'] });
      expect(seen[1]).toMatchObject({ witnessedBy: ['NL'] });
      const note = await (await fetch(`${nlUrl}/api/v1/log/checkpoint`)).text();
      expect(note).toMatch(/\n— concord\.nl\/log \S+\n— concord\.sg\/witness \S+\n$/);
    } finally {
      await Promise.all(nodes.map((n) => stop(n)));
    }
  }, 120_000);
});
