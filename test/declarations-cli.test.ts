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

  it('imports a file of several batches on the checking workers, reporting rejected lines in file order', async () => {
    const dir = join(root, 'node-large');
    expect((await runCli(['init', '--admin', 'NL', '--data-dir', dir])).code).toBe(0);
    const generated = (
      await runCli(['generate', 'declarations', '--count', '2500', '--seed', '4', '--country', 'NL'])
    ).stdout
      .trim()
      .split('\n');
    // A malformed line in the second batch and a declaration that is not valid in the third.
    const lines = [...generated.slice(0, 1499), 'not json', ...generated.slice(1499, 2200), '{"type":"import"}'];
    lines.push(...generated.slice(2200));
    const file = join(root, 'large.ndjson');
    await writeFile(file, lines.join('\n') + '\n');
    const result = await runCli(['import', file, '--data-dir', dir, '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ created: 2500, existing: 0, rejected: 2 });
    const report = (await readFile(`${file}.rejected.ndjson`, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { line: number; errors: { code: string }[] });
    expect(report.map((line) => [line.line, line.errors[0]!.code])).toEqual([
      [1500, 'DECL_INPUT_MALFORMED'],
      [2202, 'DECL_SCHEMA_INVALID'],
    ]);
  }, 180_000);
});

describe('concord validate with CSV and WCO DM XML', () => {
  const HMRC_CDS = new URL('../../shared/data/customs-declarations/hmrc-cds/', import.meta.url).pathname;

  it('reads a .csv file as CSV, naming the bad row', async () => {
    const csv = join(root, 'declarations.csv');
    await writeFile(
      csv,
      'type,functional_reference,declarant_eori,lodged,importer_eori,description,hs_code,origin\n' +
        'import,C-1,NL987654321,2024-03-14,NL123456789,Tea,090210,CN\n' +
        'import,C-2,NL987654321,2024-03-14,NL123456789,Tea,"090210,CN\n',
    );
    const result = await runCli(['validate', csv, '--json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('DECL_INPUT_MALFORMED');
    expect(result.stdout).toContain('row 3');
  });

  it('reads a .xml file as an HMRC CDS declaration and validates it against the XSDs with --xsd', async () => {
    const sample = join(HMRC_CDS, 'samples/IM001a_import_H1_declaration.xml');
    const result = await runCli(['validate', sample, '--xsd', join(HMRC_CDS, 'schemas/declaration')]);
    expect(result.stdout).toContain('1 declaration(s), 0 invalid');
    expect(result.code).toBe(0);
    // What the importer defaulted is shown for a person to check, and is not a problem.
    expect(result.stdout).toMatch(/record 1: note \/dates\/lodged: no AcceptanceDateTime/);
    const json = await runCli(['validate', sample, '--json']);
    expect(json.code).toBe(0);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { severity: string; pointer: string });
    expect(lines.filter((line) => line.severity === 'note').map((line) => line.pointer)).toContain('/dates/lodged');
    expect(lines.some((line) => line.severity === 'error')).toBe(false);
    const broken = join(root, 'broken.xml');
    await writeFile(broken, (await readFile(sample, 'utf8')).replace('<FunctionCode>9<', '<FunctionCode>99<'));
    // --xsd without a folder: the schemas that ship in data/.
    const invalid = await runCli(['validate', broken, '--format', 'wco-xml', '--xsd']);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain('DECL_XSD_INVALID');

    // The same check before an import: the document the schemas refuse is reported and nothing is lodged.
    const dir = join(root, 'xsd-node');
    expect((await runCli(['init', '--data-dir', dir, '--admin', 'GB', '--json'])).code).toBe(0);
    const xsd = ['--xsd', join(HMRC_CDS, 'schemas/declaration'), '--json'];
    const refused = await runCli(['import', broken, '--format', 'wco-xml', '--data-dir', dir, ...xsd]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ created: 0, rejected: 1 });
    expect(await readFile(`${broken}.rejected.ndjson`, 'utf8')).toContain('DECL_XSD_INVALID');
    const imported = await runCli(['import', sample, '--data-dir', dir, '--report', join(root, 'r.ndjson'), ...xsd]);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      created: 1,
      rejected: 0,
      notes: expect.arrayContaining([expect.objectContaining({ record: 1, pointer: '/dates/lodged' })]),
    });
    // An HMRC CDS invalidation of a declaration lodged here is applied by import, and only described by validate.
    const exported = join(HMRC_CDS, 'samples/EX010a_export_declaration.xml');
    const cancellation = join(HMRC_CDS, 'samples/EX010a_export_cancellation.xml');
    const report = ['--report', join(root, 'r2.ndjson'), '--json'];
    expect((await runCli(['import', exported, '--data-dir', dir, ...report])).code).toBe(0);
    expect((await runCli(['validate', cancellation])).stdout).toContain('concord import applies it');
    const applied = await runCli(['import', cancellation, '--data-dir', dir, ...report]);
    expect(JSON.parse(applied.stdout)).toMatchObject({ cancelled: 1, rejected: 0 });
  });
});
