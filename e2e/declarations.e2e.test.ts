import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, ADMIN_PASSWORD, CLI, freePort, RESULTS_DIR, ROOT, run, stopNode, waitForHealth } from './support.js';

/** A declaration lodged in the HS 2017 edition and in US dollars, so harmonization has work to do and warns. */
const HS2017_REFERENCE = 'E2E-HS2017-0001';

/**
 * Lodges declarations as the admin through the API: 20 synthetic ones lodged with NL (imports, exports and transits,
 * `concord generate declarations --seed 7`) and one in HS 2017 and US dollars.
 */
async function lodgeDeclarations(baseUrl: string): Promise<{ types: string[] }> {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  expect(login.status).toBe(200);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers
    .getSetCookie()
    .map((header) => header.split(';')[0])
    .join('; ');

  const { stdout } = await run(
    process.execPath,
    [CLI, 'generate', 'declarations', '--count', '20', '--seed', '7', '--country', 'NL'],
    { cwd: ROOT },
  );
  const generated = stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record<string, unknown>);

  // The first import, re-declared under HS 2017 (850760 splits in HS 2022) with its values in US dollars.
  const template = structuredClone(generated.find((declaration) => declaration.type === 'import')!);
  const items = template.items as { hs: { code: string; edition?: number }; customsValue: { currency: string } }[];
  template.functionalReference = HS2017_REFERENCE;
  delete template.ucr;
  items[0]!.hs = { code: '850760', edition: 2017 };
  for (const item of items) item.customsValue.currency = 'USD';

  const ndjson = [...generated, template].map((declaration) => JSON.stringify(declaration)).join('\n');
  const lodged = await fetch(`${baseUrl}/api/v1/declarations`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', 'x-csrf-token': csrfToken, cookie },
    body: ndjson,
  });
  const body = (await lodged.json()) as { results: { status: string; errors: unknown[] }[] };
  expect(lodged.status, JSON.stringify(body)).toBe(201);
  expect(body.results.map((result) => result.status)).toEqual(Array(21).fill('created'));
  return { types: [...generated, template].map((declaration) => String(declaration.type)) };
}

describe('the declarations pages and the HS browser against a real node', () => {
  let dataDir: string;
  let node: ChildProcess | undefined;
  let nodeOutput = '';
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  let types: string[] = [];
  /** Errors the page threw and CSP refusals: a product console has none. */
  const pageProblems: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'concord-e2e-declarations-'));
    const passwordFile = path.join(dataDir, 'admin-password');
    await writeFile(passwordFile, `${ADMIN_PASSWORD}\n`, { mode: 0o600 });
    const home = path.join(dataDir, 'node');
    await run(
      process.execPath,
      [CLI, 'init', '--admin', 'NL', '--data-dir', home, '--admin-password-file', passwordFile],
      { cwd: ROOT },
    );
    // A test node: its console may lodge generated declarations.
    const configFile = path.join(home, 'concord.json');
    const config = JSON.parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
    await writeFile(configFile, JSON.stringify({ ...config, declarations: { syntheticLodging: true } }));

    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    node = spawn(process.execPath, [CLI, 'serve', '--data-dir', home, '--port', String(port), '--log-level', 'warn'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    node.stdout?.on('data', (chunk: Buffer) => (nodeOutput += chunk.toString()));
    node.stderr?.on('data', (chunk: Buffer) => (nodeOutput += chunk.toString()));
    await waitForHealth(baseUrl, node, () => nodeOutput);
    ({ types } = await lodgeDeclarations(baseUrl));

    ({ browser, page } = await openPage(pageProblems));
  });

  afterAll(async () => {
    await browser?.close();
    await stopNode(node);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('lists the lodged declarations from the navigation', async () => {
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${baseUrl}/node`);

    await page.getByTestId('nav-declarations').click();
    await page.waitForURL(`${baseUrl}/declarations`);
    await page.getByRole('heading', { level: 1, name: 'Declarations' }).waitFor();
    await page.getByTestId('declarations-table').waitFor();

    await expect(page.getByTestId('declaration-row').count()).resolves.toBe(21);
    await expect(page.getByTestId('declarations-caption').textContent()).resolves.toContain('21 shown');
    await expect(page.getByTestId('declarations-table').textContent()).resolves.toContain(HS2017_REFERENCE);
    await mkdir(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS_DIR, 'declarations-list.png') });
  });

  it('narrows the list by type, keeping the filter in the URL', async () => {
    const exports = types.filter((type) => type === 'export').length;
    expect(exports).toBeGreaterThan(0);
    expect(exports).toBeLessThan(21);

    await page.getByLabel('Type').selectOption('export');
    await page.getByTestId('declarations-apply').click();
    await page.waitForURL(`${baseUrl}/declarations?type=export`);
    await expect.poll(() => page.getByTestId('declaration-row').count(), { timeout: 10_000 }).toBe(exports);
    const rowTypes = await page
      .getByTestId('declaration-row')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-type')));
    expect(new Set(rowTypes)).toEqual(new Set(['export']));

    // A reload keeps the filter, in the URL and in the form.
    await page.reload();
    await page.getByTestId('declarations-table').waitFor();
    await expect(page.getByTestId('declaration-row').count()).resolves.toBe(exports);
    await expect(page.getByLabel('Type').inputValue()).resolves.toBe('export');

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForURL(`${baseUrl}/declarations`);
    await expect.poll(() => page.getByTestId('declaration-row').count(), { timeout: 10_000 }).toBe(21);

    // A reference typed as a person types it finds its declaration.
    await page.getByLabel('Reference or UCR').fill(HS2017_REFERENCE.toLowerCase());
    await page.getByTestId('declarations-apply').click();
    await page.waitForURL(/reference=e2e-hs2017-0001/);
    await expect.poll(() => page.getByTestId('declaration-row').count(), { timeout: 10_000 }).toBe(1);
    await expect(page.getByTestId('declaration-row').getByRole('link').first().textContent()).resolves.toBe(
      HS2017_REFERENCE,
    );
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForURL(`${baseUrl}/declarations`);
    await expect.poll(() => page.getByTestId('declaration-row').count(), { timeout: 10_000 }).toBe(21);
  });

  it('opens a declaration with its parties, items, route, warnings and harmonization trace', async () => {
    await page.getByRole('link', { name: HS2017_REFERENCE }).click();
    await page.waitForURL(/\/declarations\/[^/]+$/);
    await page.getByRole('heading', { level: 1, name: `Declaration ${HS2017_REFERENCE}` }).waitFor();
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe('page-title');

    await expect(page.getByTestId('declaration-type').textContent()).resolves.toBe('Import');
    await expect(page.getByTestId('declaration-status').textContent()).resolves.toBe('Accepted');
    await expect(page.getByTestId('party-declarant').textContent()).resolves.toContain('personal data');

    // Items: the HS 2017 code is shown as its HS 2022 translation, with the description and the declared edition.
    const items = page.getByTestId('items-table');
    await items.waitFor();
    expect(await page.getByTestId('item-row').count()).toBeGreaterThan(0);
    await expect(page.getByTestId('item-hs').first().textContent()).resolves.toBe('8507.60');
    await expect.poll(() => items.textContent()).toContain('lithium-ion');
    await expect(items.textContent()).resolves.toContain('declared 8507.60 HS 2017');
    await expect(items.textContent()).resolves.toMatch(/declared USD/);

    // Route: loading and unloading ports with their countries.
    const stops = await page.getByTestId('route-stop').allTextContents();
    expect(stops.length).toBeGreaterThanOrEqual(2);
    expect(stops.at(-1)).toMatch(/NL(RTM|AMS)Netherlands/);

    // The map: the loading port at its UN/LOCODE coordinates, labelled with its name, on Natural Earth's outline.
    expect(stops[0]).toMatch(/^Loading/);
    const loadingCode = (await page.getByTestId('route-stop').first().locator('code').textContent())!;
    const location = await page.request.get(`${baseUrl}/api/v1/reference/locations/${loadingCode}`);
    expect(location.status()).toBe(200);
    const { name: loadingName } = (await location.json()) as { name: string };
    const map = page.getByTestId('world-map');
    await map.waitFor();
    await expect(
      map.getByRole('img', { name: `Map of the route of declaration ${HS2017_REFERENCE}` }).count(),
    ).resolves.toBe(1);
    const loadingPoint = map.locator(`[data-testid="world-map-point"][data-id="${loadingCode}"]`);
    await expect(loadingPoint.getByTestId('world-map-label').textContent()).resolves.toBe(loadingName);
    expect(await map.getByTestId('world-map-line').count()).toBeGreaterThan(0);
    await map.locator('.world-map__land').waitFor();
    await map.screenshot({ path: path.join(RESULTS_DIR, 'declaration-map.png') });

    // Warnings, with their code and JSON Pointer.
    const validation = page.getByTestId('validation-table');
    await expect(validation.textContent()).resolves.toContain('DECL_HS_EDITION_MISMATCH');
    await expect(validation.textContent()).resolves.toContain('/items/0/hs');

    // The trace: the HS translation and the currency conversion, for a person to read.
    const trace = page.getByTestId('trace');
    expect(await page.getByTestId('trace-step').count()).toBeGreaterThan(1);
    await expect(trace.textContent()).resolves.toContain('Item 1 · hs');
    await expect(trace.textContent()).resolves.toMatch(/USD → .*EUR/);
    await page.getByTestId('versions-table').waitFor();

    await mkdir(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS_DIR, 'declaration-page.png'), fullPage: true });
  });

  it('finds lithium batteries in the HS browser and translates the code between editions', async () => {
    await page.getByTestId('nav-hs').click();
    await page.waitForURL(`${baseUrl}/hs`);
    await page.getByLabel('Goods description').fill('lithium batteries');
    await page.getByTestId('hs-search').click();
    await page.waitForURL(`${baseUrl}/hs?q=lithium+batteries`);
    await page.getByTestId('hs-results').waitFor();

    const codes = await page.getByTestId('hs-result-code').allTextContents();
    expect(codes.some((code) => code === '8506.50' || code === '8507.60')).toBe(true);
    await expect(page.getByTestId('hs-results').textContent()).resolves.toContain('Section XVI');

    await page.getByRole('link', { name: '8507.60', exact: true }).click();
    await page.waitForURL(`${baseUrl}/hs/2022/850760`);
    await page.getByRole('heading', { level: 1, name: 'HS 2022 8507.60' }).waitFor();
    await expect(page.getByTestId('hs-breadcrumb').textContent()).resolves.toContain('8507');
    await page.getByTestId('hs-translation').waitFor();
    await expect(page.getByTestId('hs-translation-kind').textContent()).resolves.toBe('Exact');
    await page.screenshot({ path: path.join(RESULTS_DIR, 'hs-code-page.png') });

    // Back to HS 2017: the same subheading then splits over several HS 2022 codes.
    await page.getByTestId('hs-candidate').first().click();
    await page.waitForURL(`${baseUrl}/hs/2017/850760`);
    await page.getByRole('heading', { level: 1, name: 'HS 2017 8507.60' }).waitFor();
    await expect(page.getByTestId('hs-translation-kind').textContent()).resolves.toBe('Ambiguous');
    expect(await page.getByTestId('hs-candidate').count()).toBeGreaterThan(1);

    await page.getByRole('link', { name: '8507', exact: true }).first().click();
    await page.waitForURL(`${baseUrl}/hs/2017/8507`);
    await page.getByTestId('hs-children').waitFor();

    // The console in French: the same page, translated.
    await page.getByTestId('language-fr').click();
    await page.getByRole('heading', { level: 1, name: 'SH 2017 8507' }).waitFor();
    await expect(page.getByTestId('nav-hs').textContent()).resolves.toBe('Nomenclature SH');
    await page.getByTestId('language-en').click();
    await page.getByRole('heading', { level: 1, name: 'HS 2017 8507' }).waitFor();
  });

  it('imports a file of declarations from the console and shows what happened to each record', async () => {
    const { stdout } = await run(
      process.execPath,
      [CLI, 'generate', 'declarations', '--count', '3', '--seed', '11', '--country', 'NL'],
      { cwd: ROOT },
    );
    const lines = stdout.split('\n').filter((line) => line.trim());
    const bad = JSON.parse(lines[1]!) as { functionalReference: string; containers?: string[] };
    bad.functionalReference = 'E2E-IMPORT-BAD';
    bad.containers = ['CONU1234567']; // wrong ISO 6346 check digit
    const ndjson = [lines[0], JSON.stringify(bad), lines[2], '{"type": "import", '].join('\n');

    await page.goto(`${baseUrl}/declarations`);
    await page.getByTestId('declarations-table').waitFor();
    const before = await page.getByTestId('declaration-row').count();
    await page.getByTestId('declarations-import').click();
    await page.getByRole('heading', { level: 2, name: 'Import declarations' }).waitFor();
    await page
      .getByTestId('import-file-input')
      .setInputFiles({ name: 'lodge.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(ndjson) });
    await expect(page.getByTestId('import-format').inputValue()).resolves.toBe('ndjson');
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-results').waitFor();
    await expect(page.getByTestId('import-count-created').textContent()).resolves.toBe('2 created');
    await expect(page.getByTestId('import-count-rejected').textContent()).resolves.toBe('2 rejected');
    // Rejected records first, each with its code and pointer.
    const statuses = await page.getByTestId('import-row').evaluateAll((rows) => rows.map((row) => row.dataset.status));
    expect(statuses).toEqual(['rejected', 'rejected', 'created', 'created']);
    const table = (await page.getByTestId('import-table').textContent())!;
    expect(table).toContain('DECL_CONTAINER_CHECK_DIGIT');
    expect(table).toContain('E2E-IMPORT-BAD'); // a rejected record is named by the reference it gave
    expect(table).toContain('/containers/0');
    expect(table).toContain('DECL_INPUT_MALFORMED');
    // The list behind it is reloaded with the two new declarations.
    await expect.poll(() => page.getByTestId('declaration-row').count(), { timeout: 10_000 }).toBe(before + 2);
    await page.screenshot({ path: path.join(RESULTS_DIR, 'declarations-import.png'), fullPage: true });

    // An XML declaration checked against the HMRC schemas: refused with the schema's message, nothing stored.
    const sample = path.join(ROOT, '..', 'shared', 'data', 'customs-declarations', 'hmrc-cds', 'samples');
    const xml = (await readFile(path.join(sample, 'EX039a_export_declaration.xml'), 'utf8')).replace(
      '<FunctionCode>9</FunctionCode>',
      '<FunctionCode>99</FunctionCode>',
    );
    await page
      .getByTestId('import-file-input')
      .setInputFiles({ name: 'broken.xml', mimeType: 'application/xml', buffer: Buffer.from(xml) });
    await expect(page.getByTestId('import-format').inputValue()).resolves.toBe('xml');
    await page.getByTestId('import-xsd').check();
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-problem').waitFor();
    await expect(page.getByTestId('import-problem').getByTestId('problem-code').textContent()).resolves.toBe(
      'DECL_XSD_INVALID',
    );
    await expect(page.getByTestId('import-problem').textContent()).resolves.toContain('FunctionCode');
    await page.getByTestId('declarations-refresh').click();
    await expect.poll(() => page.getByTestId('declaration-row').count(), { timeout: 10_000 }).toBe(before + 2);
    await page.getByTestId('import-close').click();
    await expect(page.getByTestId('import-panel').count()).resolves.toBe(0);
  });

  it('generates labelled declarations in the console, the same as the CLI, downloads and lodges them', async () => {
    const labelsFile = path.join(dataDir, 'e2e-generate.labels.ndjson');
    const { stdout } = await run(
      process.execPath,
      [
        CLI,
        'generate',
        'declarations',
        '--count',
        '20',
        '--seed',
        'e2e-generate',
        '--country',
        'NL',
        '--irregular-rate',
        '0.3',
        '--labels',
        labelsFile,
      ],
      { cwd: ROOT },
    );
    const ndjson = (text: string) =>
      text
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as { functionalReference: string });
    const fromCli = ndjson(stdout);
    const labelsFromCli = ndjson(await readFile(labelsFile, 'utf8'));
    expect(labelsFromCli.length).toBeGreaterThan(0);

    await page.goto(`${baseUrl}/declarations`);
    await page.getByTestId('declarations-table').waitFor();
    const before = await page.getByTestId('declaration-row').count();
    await page.getByTestId('declarations-generate').click();
    await page.getByRole('heading', { level: 2, name: 'Generate synthetic declarations' }).waitFor();
    await page.getByTestId('generate-count').fill('20');
    await page.getByTestId('generate-seed').fill('e2e-generate');
    await page.getByTestId('generate-rate').fill('30');
    await page.getByTestId('generate-submit').click();
    await page.getByTestId('generate-results').waitFor();
    await expect(page.getByTestId('generate-summary').textContent()).resolves.toBe(
      `20 declarations generated, ${labelsFromCli.length} with a planted irregularity. Nothing was stored.`,
    );
    await expect(page.getByTestId('generate-row').count()).resolves.toBe(20);
    await expect(page.locator('[data-testid="generate-row"][data-irregular="true"]').count()).resolves.toBe(
      labelsFromCli.length,
    );
    await page.screenshot({ path: path.join(RESULTS_DIR, 'declarations-generate.png'), fullPage: true });

    // The downloads hold what the CLI prints for the same seed.
    const [declarations] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('generate-download').click(),
    ]);
    expect(declarations.suggestedFilename()).toBe('declarations-e2e-generate.ndjson');
    expect(ndjson(await readFile((await declarations.path())!, 'utf8'))).toEqual(fromCli);
    const [labels] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('generate-download-labels').click(),
    ]);
    expect(ndjson(await readFile((await labels.path())!, 'utf8'))).toEqual(labelsFromCli);
    // Nothing was stored by generating.
    await page.getByTestId('declarations-refresh').click();
    await expect.poll(() => page.getByTestId('declaration-row').count(), { timeout: 10_000 }).toBe(before);

    // Lodged on this (test) node: every one created, the list reloaded, each label linked to its declaration.
    await page.getByTestId('generate-lodge').click();
    await expect
      .poll(() => page.getByTestId('generate-summary').textContent(), { timeout: 10_000 })
      .toBe(`20 declarations generated and lodged, ${labelsFromCli.length} with a planted irregularity.`);
    await expect(page.getByTestId('import-count-created').textContent()).resolves.toBe('20 created');
    await expect.poll(() => page.getByTestId('declaration-row').count(), { timeout: 10_000 }).toBe(before + 20);
    await expect(page.getByTestId('generate-label').count()).resolves.toBe(labelsFromCli.length);
    const first = page.getByTestId('generate-label').first().getByRole('link');
    const reference = (await first.textContent())!;
    expect(reference).toBe(labelsFromCli[0]!.functionalReference);
    await first.click();
    await page.getByRole('heading', { level: 1, name: new RegExp(reference) }).waitFor();
  });

  it('raised no page error or CSP refusal', () => {
    expect(pageProblems).toEqual([]);
  });
});
