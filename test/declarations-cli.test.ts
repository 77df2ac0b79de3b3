import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './process.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'concord-decl-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('concord generate declarations', () => {
  it('writes NDJSON, the same for the same seed, with labels of the planted irregularities', async () => {
    const labels = join(root, 'labels.ndjson');
    const args = ['generate', 'declarations', '--count', '40', '--seed', 's1', '--irregular-rate', '0.5'];
    const first = await runCli([...args, '--labels', labels]);
    const second = await runCli(args);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(second.stdout);
    expect(first.stdout.trim().split('\n')).toHaveLength(40);
    const labelled = (await readFile(labels, 'utf8')).trim().split('\n');
    expect(JSON.parse(labelled[0]!)).toMatchObject({ functionalReference: expect.any(String), irregularities: [{}] });
  });
});

describe('concord validate', () => {
  it('exits 0 for valid declarations and 1 with one JSON line per problem otherwise', async () => {
    const good = join(root, 'good.ndjson');
    await writeFile(good, (await runCli(['generate', 'declarations', '--count', '5', '--seed', '2'])).stdout);
    expect((await runCli(['validate', good])).code).toBe(0);

    const declaration = JSON.parse((await readFile(good, 'utf8')).split('\n')[0]!) as {
      containers: string[];
      items: { origin: string }[];
    };
    declaration.containers = ['CONU1234567'];
    declaration.items[0]!.origin = 'XZ';
    const bad = join(root, 'bad.json');
    await writeFile(bad, JSON.stringify([declaration]));
    const result = await runCli(['validate', bad, '--json']);
    expect(result.code).toBe(1);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { code: string; pointer: string });
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'DECL_CONTAINER_CHECK_DIGIT', pointer: '/containers/0' }),
        expect.objectContaining({ code: 'DECL_COUNTRY_UNKNOWN', pointer: '/items/0/origin' }),
      ]),
    );
  });

  it('refuses malformed JSON and a file that is not UTF-8 with a clear code', async () => {
    const malformed = join(root, 'malformed.json');
    await writeFile(malformed, '[{"type": "import"');
    const result = await runCli(['validate', malformed]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DECL_INPUT_MALFORMED');
    const latin1 = join(root, 'latin1.json');
    await writeFile(latin1, Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xfc, 0x22, 0x7d]));
    expect((await runCli(['validate', latin1])).stderr).toContain('DECL_INPUT_ENCODING');
  });
});

describe('concord import and rates import', () => {
  it('stores the good records, reports the rejected ones with reasons, and is idempotent', async () => {
    const dir = join(root, 'node');
    expect((await runCli(['init', '--admin', 'NL', '--data-dir', dir])).code).toBe(0);
    const generated = (await runCli(['generate', 'declarations', '--count', '20', '--seed', '3', '--country', 'NL']))
      .stdout;
    const file = join(root, 'batch.ndjson');
    await writeFile(file, generated + '{"type":"import"}\nnot json\n');
    const first = await runCli(['import', file, '--data-dir', dir, '--json']);
    expect(first.code).toBe(1);
    expect(JSON.parse(first.stdout)).toMatchObject({ created: 20, rejected: 2 });
    const report = (await readFile(`${file}.rejected.ndjson`, 'utf8')).trim().split('\n');
    expect(report.map((line) => (JSON.parse(line) as { errors: { code: string }[] }).errors[0]!.code)).toEqual([
      'DECL_SCHEMA_INVALID',
      'DECL_INPUT_MALFORMED',
    ]);
    const again = await runCli(['import', file, '--data-dir', dir, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: 0, existing: 20 });

    const rates = join(root, 'rates.csv');
    await writeFile(rates, 'currency,date,rate\nUSD,2024-01-01,1.09\nGBP,2024-01-01,0.86\n');
    const imported = await runCli(['rates', 'import', rates, '--data-dir', dir]);
    expect(imported.stdout).toContain('Imported 2 rates of 2 currencies');
    await writeFile(rates, 'currency,date,rate\nUSD,soon,1\n');
    expect((await runCli(['rates', 'import', rates, '--data-dir', dir])).stderr).toContain('REF_RATES_FILE_INVALID');
  }, 180_000);
});
