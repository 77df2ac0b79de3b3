import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './process.js';

let root: string;
let nl: string;
let sg: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'concord-agreements-cli-'));
  nl = join(root, 'nl');
  sg = join(root, 'sg');
  await Promise.all([
    runCli(['init', '--admin', 'NL', '--data-dir', nl]),
    runCli(['init', '--admin', 'SG', '--data-dir', sg]),
  ]);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The node's own public key, as `agreement party list` shows it. */
async function ownKeyFile(dataDir: string, name: string): Promise<string> {
  const listed = await runCli(['agreement', 'party', 'list', '--data-dir', dataDir, '--json']);
  const own = (JSON.parse(listed.stdout) as { own: boolean; jwk: unknown }[]).find((k) => k.own)!;
  const file = join(root, `${name}.jwk`);
  await writeFile(file, JSON.stringify(own.jwk));
  return file;
}

const signatureOf = (stdout: string) => /^Signature: (\S+)$/m.exec(stdout)![1]!;

describe('concord agreement', () => {
  it('takes two nodes from key exchange to an agreement in force, checks exchanges, and stops them when suspended', async () => {
    expect(
      (await runCli(['agreement', 'party', 'add', 'SG', '--jwk', await ownKeyFile(sg, 'sg'), '--data-dir', nl])).code,
    ).toBe(0);
    expect(
      (await runCli(['agreement', 'party', 'add', 'NL', '--jwk', await ownKeyFile(nl, 'nl'), '--data-dir', sg])).code,
    ).toBe(0);

    const unknown = await runCli(['agreement', 'new', '--template', 'cmaa', '--parties', 'NL,JP', '--data-dir', nl]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('AGREEMENT_PARTY_UNKNOWN');

    const created = await runCli([
      'agreement',
      'new',
      '--template',
      'cmaa',
      '--parties',
      'NL,SG',
      '--from',
      '2026-01-01',
      '--data-dir',
      nl,
    ]);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created cmaa-nl-sg v1');

    // SG holds the same document: the canonical bytes NL prints are what both sign.
    const document = await runCli(['agreement', 'show', 'cmaa-nl-sg', '--version-number', '1', '--data-dir', nl]);
    const documentFile = join(root, 'cmaa.json');
    await writeFile(documentFile, document.stdout);
    expect((await runCli(['agreement', 'new', '--file', documentFile, '--data-dir', sg])).code).toBe(0);

    const byNl = await runCli(['agreement', 'sign', 'cmaa-nl-sg', '--data-dir', nl]);
    const bySg = await runCli(['agreement', 'sign', 'cmaa-nl-sg', '--data-dir', sg]);
    expect(byNl.stdout).toContain('awaiting SG');
    const stored = await runCli([
      'agreement',
      'sign',
      'cmaa-nl-sg',
      '--party',
      'SG',
      '--signature',
      signatureOf(bySg.stdout),
      '--data-dir',
      nl,
    ]);
    expect(stored.stdout).toContain('in-force');
    const forged = await runCli([
      'agreement',
      'sign',
      'cmaa-nl-sg',
      '--party',
      'NL',
      '--signature',
      signatureOf(bySg.stdout),
      '--data-dir',
      sg,
    ]);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toContain('AGREEMENT_SIGNATURE_INVALID');

    const recordFile = join(root, 'record.json');
    await writeFile(
      recordFile,
      JSON.stringify({
        ucr: 'X1',
        parties: [{ name: 'Jan Jansen', country: 'NL' }],
        goods: [{ hs: '851762', value: 12 }],
        risk: { score: 3 },
      }),
    );
    const check = ['agreement', 'check', '--data-dir', nl, '--to', 'SG', '--category', 'declaration.prearrival'];
    const allowed = await runCli([...check, '--purpose', 'risk-assessment', '--record', recordFile]);
    expect(allowed.code).toBe(0);
    const decision = JSON.parse(allowed.stdout) as {
      allowed: boolean;
      fields: Record<string, string>;
      record: unknown;
    };
    expect(decision).toMatchObject({
      allowed: true,
      fields: { '/parties/0/name': 'pseudonymized', '/goods/0/value': 'full', '/risk': 'withheld' },
    });
    expect(JSON.stringify(decision.record)).not.toContain('Jan Jansen');

    const denied = await runCli([...check, '--purpose', 'statistics']);
    expect(denied.code).toBe(3);
    expect(JSON.parse(denied.stdout)).toMatchObject({ allowed: false, code: 'SHARING_PURPOSE_NOT_ALLOWED' });

    expect(
      (await runCli(['agreement', 'suspend', 'cmaa-nl-sg', '--reason', 'consultations', '--data-dir', nl])).stdout,
    ).toContain('suspended');
    const suspended = await runCli([...check, '--purpose', 'risk-assessment']);
    expect(suspended.code).toBe(3);
    expect(JSON.parse(suspended.stdout)).toMatchObject({ code: 'SHARING_AGREEMENT_SUSPENDED' });

    const listed = await runCli(['agreement', 'list', '--data-dir', nl, '--json']);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ id: 'cmaa-nl-sg', status: 'suspended' }]);
    const shown = JSON.parse((await runCli(['agreement', 'show', 'cmaa-nl-sg', '--data-dir', nl])).stdout) as {
      versions: { signatures: { party: string }[] }[];
    };
    expect(shown.versions[0]!.signatures.map((s) => s.party).sort()).toEqual(['NL', 'SG']);
    expect(await readFile(documentFile, 'utf8')).toContain('"id":"cmaa-nl-sg"');
  }, 180_000);

  it('refuses a record that is not JSON with a usage error', async () => {
    const file = join(root, 'bad.json');
    await writeFile(file, '{ not json');
    const result = await runCli([
      'agreement',
      'check',
      '--data-dir',
      nl,
      '--to',
      'SG',
      '--category',
      'declaration.prearrival',
      '--purpose',
      'risk-assessment',
      '--record',
      file,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('REQUEST_INVALID');
  });
});
