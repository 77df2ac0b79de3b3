import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runCli, startCli, stop, waitFor } from './process.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'concord-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function login(base: string, username: string, password: string): Promise<Response> {
  return fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

describe('concord init', () => {
  it('creates keys readable by the owner only and prints the admin password once', async () => {
    const dir = join(root, 'init');
    const result = await runCli(['init', '--admin', 'nl', '--data-dir', dir, '--json']);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { administration: string; adminPassword: string };
    expect(out.administration).toBe('NL');
    expect(out.adminPassword.length).toBeGreaterThanOrEqual(20);
    for (const file of ['signing.jwk', 'encryption.jwk']) {
      expect((await stat(join(dir, 'keys', file))).mode & 0o777).toBe(0o600);
    }
  });

  it('refuses a directory that already holds a node with NODE_ALREADY_INITIALIZED, changing nothing', async () => {
    const dir = join(root, 'twice');
    expect((await runCli(['init', '--admin', 'SG', '--data-dir', dir])).code).toBe(0);
    const before = await readdir(join(dir, 'keys'));
    const again = await runCli(['init', '--admin', 'KE', '--data-dir', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('NODE_ALREADY_INITIALIZED');
    expect(await readdir(join(dir, 'keys'))).toEqual(before);
  });

  it('refuses an administration id that is not ISO 3166-1 alpha-2 with NODE_ADMINISTRATION_INVALID', async () => {
    const result = await runCli(['init', '--admin', 'Netherlands', '--data-dir', join(root, 'bad')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('NODE_ADMINISTRATION_INVALID');
  });
});

describe('concord serve, user and token', () => {
  it('serves the node; users and tokens made by the CLI beside it work at once; a second serve is refused', async () => {
    const dir = join(root, 'served');
    const passwordFile = join(root, 'pw.txt');
    await writeFile(passwordFile, 'admin password from file\n');
    expect(
      (await runCli(['init', '--admin', 'NL', '--data-dir', dir, '--admin-password-file', passwordFile])).code,
    ).toBe(0);
    const port = await freePort();
    const node = startCli(['serve', '--data-dir', dir, '--port', String(port), '--log-level', 'warn']);
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor(`${base}/healthz`);
      // the trailing newline of the password file is not part of the password
      expect((await login(base, 'admin', 'admin password from file')).status).toBe(200);

      const second = await runCli(['serve', '--data-dir', dir, '--port', String(await freePort())]);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain('NODE_ALREADY_RUNNING');

      const added = await runCli(['user', 'add', 'ada', '--roles', 'officer', '--data-dir', dir, '--json']);
      expect(added.code).toBe(0);
      const { password } = JSON.parse(added.stdout) as { password: string };
      expect((await login(base, 'ada', password)).status).toBe(200);

      const listed = await runCli(['user', 'list', '--data-dir', dir, '--json']);
      expect((JSON.parse(listed.stdout) as { username: string }[]).map((u) => u.username)).toEqual(['ada', 'admin']);

      const token = await runCli(['token', 'create', '--data-dir', dir, '--user', 'ada']);
      expect(token.code).toBe(0);
      const me = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token.stdout.trim()}` } });
      expect(await me.json()).toMatchObject({ username: 'ada', authMethod: 'token' });

      const disabled = await runCli(['user', 'disable', 'ada', '--data-dir', dir]);
      expect(disabled.code).toBe(0);
      expect(
        (await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token.stdout.trim()}` } })).status,
      ).toBe(401);

      const badRole = await runCli(['user', 'add', 'bob', '--roles', 'pilot', '--data-dir', dir]);
      expect(badRole.code).toBe(1);
      expect(badRole.stderr).toContain('IDENTITY_ROLE_UNKNOWN');
    } finally {
      expect(await stop(node)).toBe(0);
    }
    // a clean stop removes the running-node marker
    expect(await readdir(dir)).not.toContain('run.json');
  }, 180_000);
});

describe('concord demo', () => {
  it('starts NL, SG and KE as separate processes with their consoles, and stops them all on SIGINT', async () => {
    const dir = join(root, 'demo');
    const basePort = await freePort();
    const demo = startCli(['demo', '--dir', dir, '--base-port', String(basePort), '--trade-interval', '300']);
    try {
      for (let i = 0; i < 3; i++) await waitFor(`http://127.0.0.1:${basePort + i}/healthz`, 120_000);
      const deadline = Date.now() + 10_000;
      while (!demo.output().includes('Press Ctrl-C') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      const password = /password (\S+)/.exec(demo.output())?.[1];
      expect(password).toBeDefined();
      const ids = [];
      const inForce: Record<string, string[]> = {};
      for (let i = 0; i < 3; i++) {
        const base = `http://127.0.0.1:${basePort + i}`;
        const response = await login(base, 'admin', password!);
        const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
        const node = (await (await fetch(`${base}/api/v1/node`, { headers: { cookie } })).json()) as {
          administration: string;
          declarations: { syntheticLodging: boolean };
        };
        ids.push(node.administration);
        // Demo nodes hold synthetic trade only: their consoles may lodge more of it.
        expect(node.declarations.syntheticLodging).toBe(true);
        const agreements = (await (await fetch(`${base}/api/v1/agreements`, { headers: { cookie } })).json()) as {
          items: { id: string; status: string }[];
        };
        inForce[node.administration] = agreements.items
          .filter((a) => a.status === 'in-force')
          .map((a) => a.id)
          .sort();
      }
      expect(ids).toEqual(['NL', 'SG', 'KE']);
      // the demo's legal frame, signed by every party and in force at each of them
      expect(inForce).toEqual({
        NL: ['nl-sg-aeo-mra', 'nl-sg-cmaa', 'nl-sg-ke-convention'],
        SG: ['nl-sg-aeo-mra', 'nl-sg-cmaa', 'nl-sg-ke-convention'],
        KE: ['nl-sg-ke-convention'],
      });
      // A living network: the trade simulator's exports reach their destinations as pre-arrival data, imports are
      // matched there, and each node's log is witnessed by the others over the federation.
      const sg = `http://127.0.0.1:${basePort + 1}`;
      const sgCookie = (await login(sg, 'analyst', password!)).headers.get('set-cookie')!.split(';')[0]!;
      const deadline2 = Date.now() + 90_000;
      let arrivals = { counts: { expected: 0, arrived: 0 } };
      let witnessedBy: string[] = [];
      while (Date.now() < deadline2) {
        arrivals = (await (
          await fetch(`${sg}/api/v1/prearrivals?limit=1`, { headers: { cookie: sgCookie } })
        ).json()) as typeof arrivals;
        witnessedBy = ((await (await fetch(`${sg}/api/v1/log`)).json()) as { checkpoint: { witnessedBy: string[] } })
          .checkpoint.witnessedBy;
        if (arrivals.counts.arrived > 0 && witnessedBy.length === 2) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(arrivals.counts.expected + arrivals.counts.arrived).toBeGreaterThan(0);
      expect(arrivals.counts.arrived).toBeGreaterThan(0);
      expect([...witnessedBy].sort()).toEqual(['KE', 'NL']);
      const partners = (await (
        await fetch(`${sg}/api/v1/federation/partners`, { headers: { cookie: sgCookie } })
      ).json()) as {
        items: { id: string; health: string }[];
      };
      expect(partners.items.map((p) => `${p.id}:${p.health}`).sort()).toEqual(['KE:up', 'NL:up']);
    } finally {
      expect(await stop(demo, 'SIGINT')).toBe(0);
    }
    for (let i = 0; i < 3; i++) {
      await expect(fetch(`http://127.0.0.1:${basePort + i}/healthz`)).rejects.toThrow();
    }
  }, 180_000);
});
