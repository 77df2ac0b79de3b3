import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalize } from '../src/kernel/index.js';
import { eventually, startNetwork, type TestNetwork } from './federation-support.js';
import { freePort, runCli, startCli, stop, waitFor, type RunResult } from './process.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'concord-federation-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<string> {
  const result = await runCli(args);
  if (result.code !== 0) throw new Error(`concord ${args.join(' ')}: ${result.code}\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

async function cliJson<T>(args: string[]): Promise<T> {
  return JSON.parse(await cli([...args, '--json'])) as T;
}

/** A failed command: exit code 1 and `concord: CODE: …` on standard error. */
function expectRefused(result: RunResult, code: string): void {
  expect(result.code, result.stdout + result.stderr).toBe(1);
  expect(result.stderr).toMatch(new RegExp(`^concord: ${code}: `));
}

interface DirectoryFile {
  document: {
    version: number;
    members: { id: string; endpoint: string; keys: { kid: string; use: string; notAfter?: string }[] }[];
  };
  jws: { payload: string; signatures: unknown[] };
}

interface DirectoryView {
  network: string;
  version: number;
  governance: { threshold: number; signers: number; keys: { name: string; signed: boolean }[] };
  members: {
    id: string;
    endpoint: string;
    location: unknown;
    keys: { kid: string; use: string; notAfter: string | null; revoked: unknown; current: boolean }[];
  }[];
}

const readDirectory = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as DirectoryFile;

/** The version a node has installed, read from its database (quicker than one more CLI process). */
function installedVersion(dataDir: string): number | null {
  const db = new Database(join(dataDir, 'concord.db'), { readonly: true });
  try {
    const row = db.prepare('select max(version) as version from federation_directory').get() as {
      version: number | null;
    };
    return row.version;
  } finally {
    db.close();
  }
}

/** Each `concord` process loads the whole program from TypeScript sources: seconds each on a busy machine. */
const SLOW = { timeout: 240_000 };

describe('concord directory', SLOW, () => {
  let nl: string;
  let sg: string;
  const gov = (i: number) => join(root, `governor-${i}.jwk`);
  let file: string;
  /** Version 1 as signed, kept to try installing it again later. */
  let version1: string;

  beforeAll(async () => {
    nl = join(root, 'nl');
    sg = join(root, 'sg');
    file = join(root, 'directory.json');
    version1 = join(root, 'directory-v1.json');
    await Promise.all([
      cli(['init', '--admin', 'NL', '--data-dir', nl]),
      cli(['init', '--admin', 'SG', '--data-dir', sg]),
    ]);
  }, 120_000);

  it('makes governance keys readable by their owner only, printing each kid and public JWK', async () => {
    for (const i of [1, 2, 3]) {
      const made = await cliJson<{ kid: string; publicJwk: { kid: string; crv: string; d?: string } }>([
        'directory',
        'keygen',
        '--out',
        gov(i),
        '--public-out',
        `${gov(i)}.pub`,
      ]);
      expect(made.publicJwk).toMatchObject({ kid: made.kid, crv: 'Ed25519' });
      expect(made.publicJwk.d).toBeUndefined();
      expect((await stat(gov(i))).mode & 0o777).toBe(0o600);
    }
    const again = await runCli(['directory', 'keygen', '--out', gov(1)]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('REQUEST_INVALID');
  });

  it('drafts version 1 with its governance, no members and no signatures', async () => {
    // Governors may hand over their public key only; a private key file works as well.
    const out = await cli([
      'directory',
      'create',
      '--network',
      'customs-test',
      '--threshold',
      '2',
      '--governance',
      `alice=${gov(1)}`,
      `bob=${gov(2)}.pub`,
      '--governance',
      `carol=${gov(3)}`,
      '--out',
      file,
    ]);
    expect(out).toContain('Drafted directory customs-test v1');
    const draft = await readDirectory(file);
    expect(draft.document).toMatchObject({ version: 1, members: [] });
    expect(draft.jws.signatures).toEqual([]);
    expect(Buffer.from(draft.jws.payload, 'base64url').toString()).toContain('"network":"customs-test"');
  });

  it('adds one node from its data directory and another from the entry its administration sent', async () => {
    await cli([
      'directory',
      'add-member',
      '--file',
      file,
      '--data-dir',
      nl,
      '--endpoint',
      'https://nl.example/',
      '--location',
      '52.37,4.90',
    ]);
    const entry = join(root, 'sg-entry.json');
    await cli(['directory', 'member', '--data-dir', sg, '--endpoint', 'https://sg.example', '--out', entry]);
    await cli(['directory', 'add-member', '--file', file, '--member-file', entry]);
    const draft = await readDirectory(file);
    // Nobody signed the draft yet, so it is still version 1.
    expect(draft.document.version).toBe(1);
    expect(draft.document.members.map((m) => [m.id, m.endpoint])).toEqual([
      ['NL', 'https://nl.example'],
      ['SG', 'https://sg.example'],
    ]);
    expect(draft.document.members[0]!.keys.map((k) => k.use)).toEqual(['sig', 'enc']);
  });

  it('counts the signatures towards the threshold as governors sign', async () => {
    const first = await cli(['directory', 'sign', '--file', file, '--key', gov(1)]);
    expect(first).toContain('1 of the 2 required signatures present; 1 more needed');
    const second = await cliJson<{ signers: string[]; threshold: number }>([
      'directory',
      'sign',
      '--file',
      file,
      '--key',
      gov(3),
    ]);
    expect(second).toMatchObject({ threshold: 2 });
    expect(second.signers).toHaveLength(2);

    const table = await cli(['directory', 'show', '--file', file]);
    expect(table).toContain('2 of 3 keys must sign; 2 valid signature(s) (alice, carol), enough to install');
    expect(table).toMatch(/^bob +\S{43} +no$/m);
    expect(table).toMatch(/^NL +NL customs +https:\/\/nl\.example +active +52\.37,4\.9$/m);
    await writeFile(version1, await readFile(file));
  });

  it('installs it on both nodes, which then list both members', async () => {
    expect(await cli(['directory', 'install', '--file', file, '--data-dir', nl])).toContain(
      'Installed customs-test v1',
    );
    expect(await cli(['directory', 'install', '--file', file, '--data-dir', sg])).toContain(
      'Installed customs-test v1',
    );
    expect(await cli(['directory', 'install', '--file', file, '--data-dir', sg])).toContain('already installed');
    const view = await cliJson<DirectoryView>(['directory', 'show', '--data-dir', nl]);
    expect(view).toMatchObject({ network: 'customs-test', version: 1, governance: { signers: 2 } });
    expect(view.members.map((m) => m.id)).toEqual(['NL', 'SG']);
    expect(view.members.every((m) => m.keys.every((k) => k.current))).toBe(true);
  });

  it("rotates a node's key: a new key file in its keys/, the old key valid until the overlap ends", async () => {
    const before = (await readDirectory(file)).document.members.find((m) => m.id === 'NL')!.keys[0]!;
    const rotated = await cliJson<{ kid: string; keyFile: string; version: number; oldKeysValidUntil: string }>([
      'directory',
      'rotate-key',
      '--file',
      file,
      '--data-dir',
      nl,
      '--use',
      'sig',
      '--overlap-days',
      '3',
    ]);
    expect(rotated.version).toBe(2);
    expect((await readdir(join(nl, 'keys'))).filter((f) => /^signing-\w+\.jwk$/.test(f))).toHaveLength(1);
    expect((await stat(rotated.keyFile)).mode & 0o777).toBe(0o600);
    const draft = await readDirectory(file);
    expect(draft.jws.signatures).toEqual([]);
    const keys = draft.document.members.find((m) => m.id === 'NL')!.keys;
    expect(keys.find((k) => k.kid === before.kid)!.notAfter).toBe(rotated.oldKeysValidUntil);
    expect(Date.parse(rotated.oldKeysValidUntil) - Date.now()).toBeGreaterThan(2.9 * 86_400_000);
    expect(keys.find((k) => k.kid === rotated.kid)).toMatchObject({ use: 'sig' });
    expect(keys.find((k) => k.kid === rotated.kid)!.notAfter).toBeUndefined();
  });

  it('refuses a version signed by 1 of the 2 required, and installs it once a second governor signs', async () => {
    await cli(['directory', 'sign', '--file', file, '--key', gov(2)]);
    expectRefused(
      await runCli(['directory', 'install', '--file', file, '--data-dir', nl]),
      'FEDERATION_DIRECTORY_UNTRUSTED',
    );
    expect(installedVersion(nl)).toBe(1);

    await cli(['directory', 'sign', '--file', file, '--key', gov(1)]);
    // NL runs: the CLI installs through its API, as the node is the one writer of its directory.
    const port = await freePort();
    const serving = startCli(['serve', '--data-dir', nl, '--port', String(port)]);
    try {
      await waitFor(`http://127.0.0.1:${port}/healthz`);
      expect(await cli(['directory', 'install', '--file', file, '--data-dir', nl])).toContain(
        'Installed customs-test v2',
      );
      expectRefused(
        await runCli(['directory', 'install', '--file', version1, '--data-dir', nl]),
        'FEDERATION_DIRECTORY_STALE',
      );
    } finally {
      await stop(serving);
    }
    await cli(['directory', 'install', '--file', file, '--data-dir', sg]);
    const view = await cliJson<DirectoryView>(['directory', 'show', '--data-dir', sg]);
    expect(view.version).toBe(2);
    const nlKeys = view.members.find((m) => m.id === 'NL')!.keys.filter((k) => k.use === 'sig');
    expect(nlKeys).toHaveLength(2);
    expect(nlKeys.filter((k) => k.notAfter !== null)).toHaveLength(1);
    // During the overlap both verify; partners take the newer one as current.
    expect(nlKeys.find((k) => k.current)!.notAfter).toBeNull();
  });

  it('refuses an older version with FEDERATION_DIRECTORY_STALE when no node runs too', async () => {
    expectRefused(
      await runCli(['directory', 'install', '--file', version1, '--data-dir', sg]),
      'FEDERATION_DIRECTORY_STALE',
    );
    expect(installedVersion(sg)).toBe(2);
  });

  it("revokes a member's key in the next version", async () => {
    const sgKid = (await readDirectory(file)).document.members.find((m) => m.id === 'SG')!.keys[1]!.kid;
    await cli(['directory', 'revoke-key', '--file', file, '--member', 'SG', '--kid', sgKid, '--reason', 'compromised']);
    await cli(['directory', 'sign', '--file', file, '--key', gov(1)]);
    await cli(['directory', 'sign', '--file', file, '--key', gov(3)]);
    await cli(['directory', 'install', '--file', file, '--data-dir', sg]);
    const view = await cliJson<DirectoryView>(['directory', 'show', '--data-dir', sg]);
    expect(view.version).toBe(3);
    const key = view.members.find((m) => m.id === 'SG')!.keys.find((k) => k.kid === sgKid)!;
    expect(key).toMatchObject({ revoked: { reason: 'compromised' }, current: false });
  });

  describe('when the input is wrong', () => {
    it('refuses to revoke the key of an unknown member with FEDERATION_MEMBER_UNKNOWN, leaving the file as it was', async () => {
      const before = await readFile(file, 'utf8');
      const kid = 'A'.repeat(43);
      expectRefused(
        await runCli(['directory', 'revoke-key', '--file', file, '--member', 'JP', '--kid', kid, '--reason', 'x']),
        'FEDERATION_MEMBER_UNKNOWN',
      );
      expect(await readFile(file, 'utf8')).toBe(before);
    });

    it('refuses a file whose readable document was edited with FEDERATION_DIRECTORY_INVALID', async () => {
      const edited = await readDirectory(file);
      edited.document.members[0]!.endpoint = 'https://attacker.example';
      const path = join(root, 'edited.json');
      await writeFile(path, JSON.stringify(edited));
      expectRefused(
        await runCli(['directory', 'install', '--file', path, '--data-dir', sg]),
        'FEDERATION_DIRECTORY_INVALID',
      );
      expect(installedVersion(sg)).toBe(3);
    });

    it('refuses a file whose signed payload was changed with FEDERATION_DIRECTORY_UNTRUSTED, keeping the installed one', async () => {
      const forged = await readDirectory(file);
      const payload = JSON.parse(Buffer.from(forged.jws.payload, 'base64url').toString()) as DirectoryFile['document'];
      payload.version = 99;
      forged.document = payload;
      // A consistent file in RFC 8785 form, but the signatures are over other bytes.
      forged.jws.payload = Buffer.from(canonicalize(payload)).toString('base64url');
      const path = join(root, 'forged.json');
      await writeFile(path, JSON.stringify(forged));
      expectRefused(
        await runCli(['directory', 'install', '--file', path, '--data-dir', sg]),
        'FEDERATION_DIRECTORY_UNTRUSTED',
      );
      expect(installedVersion(sg)).toBe(3);
    });

    it('refuses a signature by a key outside the governance, and malformed arguments as usage errors', async () => {
      const stranger = join(root, 'stranger.jwk');
      await cli(['directory', 'keygen', '--out', stranger]);
      expectRefused(
        await runCli(['directory', 'sign', '--file', file, '--key', stranger]),
        'FEDERATION_DIRECTORY_INVALID',
      );
      const location = await runCli([
        'directory',
        'add-member',
        '--file',
        file,
        '--data-dir',
        nl,
        '--endpoint',
        'https://nl.example',
        '--location',
        'north',
      ]);
      expect(location.code).toBe(2);
      expect(location.stderr).toContain('REQUEST_INVALID');
    });
  });
});

describe('concord partner, outbox and inbox', SLOW, () => {
  it('lists an empty outbox and refuses to retry an unknown envelope with FEDERATION_OUTBOX_UNKNOWN', async () => {
    const dir = join(root, 'lonely');
    await cli(['init', '--admin', 'KE', '--data-dir', dir]);
    expect(await cliJson<unknown[]>(['outbox', 'list', '--data-dir', dir])).toEqual([]);
    expect(await cli(['outbox', 'list', '--data-dir', dir])).toMatch(/^ID +PARTNER +SEQ/);
    expectRefused(await runCli(['outbox', 'retry', 'env_unknown', '--data-dir', dir]), 'FEDERATION_OUTBOX_UNKNOWN');
    expectRefused(await runCli(['partner', 'status', '--data-dir', dir]), 'FEDERATION_DIRECTORY_MISSING');
  });

  describe('on two nodes that exchanged envelopes', () => {
    let net: TestNetwork;
    beforeAll(async () => {
      net = await startNetwork(['NL', 'SG']);
      const nl = net.nodes.NL!.node;
      await nl.agreements.create({ template: 'cmaa', parties: ['NL', 'SG'], id: 'cmaa-nl-sg' }, 'admin');
      await eventually(async () => {
        const items = await nl.federation.listOutbox({ partner: 'SG' });
        return items.length > 0 && items.every((i) => i.state === 'delivered');
      });
    }, 60_000);
    afterAll(async () => {
      await net?.close();
    });

    it("shows each side's queue, its partners' health, and what the other received", async () => {
      const nlDir = net.nodes.NL!.dataDir;
      const sgDir = net.nodes.SG!.dataDir;
      const outbox = await cliJson<{ id: string; partner: string; state: string; category: string }[]>([
        'outbox',
        'list',
        '--data-dir',
        nlDir,
        '--partner',
        'sg',
      ]);
      expect(outbox.length).toBeGreaterThan(0);
      expect(outbox.every((e) => e.partner === 'SG' && e.state === 'delivered')).toBe(true);
      expect(await cliJson<unknown[]>(['outbox', 'list', '--data-dir', nlDir, '--state', 'dead'])).toEqual([]);

      const partners = await cliJson<{ id: string; health: string; lastDeliveredAt: string | null }[]>([
        'partner',
        'status',
        '--data-dir',
        nlDir,
      ]);
      expect(partners).toEqual([
        expect.objectContaining({ id: 'SG', health: 'up', lastDeliveredAt: expect.any(String) }),
      ]);
      const table = await cli(['partner', 'status', '--data-dir', nlDir]);
      expect(table).toMatch(/^PARTNER +ENDPOINT +HEALTH +PENDING +DEAD +OLDESTPENDING/);
      expect(table).toMatch(new RegExp(`^SG +${net.nodes.SG!.url} +up +0 +0 `, 'm'));

      const inbox = await cliJson<{ sender: string; status: string; category: string }[]>([
        'inbox',
        'list',
        '--data-dir',
        sgDir,
        '--sender',
        'NL',
      ]);
      expect(inbox.map((e) => [e.sender, e.status, e.category])).toContainEqual([
        'NL',
        'accepted',
        outbox[0]!.category,
      ]);
      expectRefused(
        await runCli(['outbox', 'retry', outbox[0]!.id, '--data-dir', nlDir]),
        'FEDERATION_OUTBOX_NOT_RETRIABLE',
      );
    });

    it('puts a dead letter back in the queue, and the node delivers it again', async () => {
      const nlDir = net.nodes.NL!.dataDir;
      const [entry] = await net.nodes.NL!.node.federation.listOutbox({ partner: 'SG' });
      // A dead letter takes a day to appear; the test makes one directly in the database.
      const db = new Database(join(nlDir, 'concord.db'));
      db.prepare("update federation_outbox set state = 'dead' where id = ?").run(entry!.id);
      db.close();
      expect(await cliJson<{ id: string }[]>(['outbox', 'list', '--data-dir', nlDir, '--state', 'dead'])).toEqual([
        expect.objectContaining({ id: entry!.id }),
      ]);
      expect(await cli(['outbox', 'retry', entry!.id, '--data-dir', nlDir])).toContain(
        `Envelope ${entry!.id} to SG is pending again`,
      );
      // Same envelope, same id: SG answers with its original receipt and applies nothing twice.
      await eventually(async () => (await net.nodes.NL!.node.federation.outboxEntry(entry!.id)).state === 'delivered');
    });
  });
});
