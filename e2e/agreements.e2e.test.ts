import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, ADMIN_PASSWORD, CLI, freePort, RESULTS_DIR, ROOT, run, stopNode, waitForHealth } from './support.js';
import { canonicalBytes, generateSigningKey, signBytes } from '../src/kernel/index.js';

/** Singapore's signing key: the partner signs its copy of the agreement; here the test plays that part. */
const SG_KEY = generateSigningKey();

/** Signs in as the admin through the API; returns what a state-changing request needs. */
async function adminSession(baseUrl: string): Promise<{ cookie: string; csrfToken: string }> {
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
  return { cookie, csrfToken };
}

async function post(baseUrl: string, session: { cookie: string; csrfToken: string }, path: string, body: unknown) {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken, cookie: session.cookie },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  expect(response.status, text).toBeLessThan(300);
  return JSON.parse(text) as unknown;
}

describe('the agreements pages against a real node', () => {
  let dataDir: string;
  let node: ChildProcess | undefined;
  let nodeOutput = '';
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  let session: { cookie: string; csrfToken: string };
  /** Errors the page threw and CSP refusals: a product console has none. */
  const pageProblems: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'concord-e2e-agreements-'));
    const passwordFile = path.join(dataDir, 'admin-password');
    await writeFile(passwordFile, `${ADMIN_PASSWORD}\n`, { mode: 0o600 });
    const home = path.join(dataDir, 'node');
    await run(
      process.execPath,
      [CLI, 'init', '--admin', 'NL', '--data-dir', home, '--admin-password-file', passwordFile],
      { cwd: ROOT },
    );

    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    node = spawn(process.execPath, [CLI, 'serve', '--data-dir', home, '--port', String(port), '--log-level', 'warn'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    node.stdout?.on('data', (chunk: Buffer) => (nodeOutput += chunk.toString()));
    node.stderr?.on('data', (chunk: Buffer) => (nodeOutput += chunk.toString()));
    await waitForHealth(baseUrl, node, () => nodeOutput);

    // Singapore becomes a known administration: its public key, exchanged out of band.
    session = await adminSession(baseUrl);
    await post(baseUrl, session, '/api/v1/agreement-parties', { party: 'SG', jwk: SG_KEY.publicJwk });

    ({ browser, page } = await openPage(pageProblems));
  });

  afterAll(async () => {
    await browser?.close();
    await stopNode(node);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('drafts a CMAA with SG in the editor, showing the node’s validation errors with their pointers', async () => {
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${baseUrl}/node`);

    await page.getByTestId('nav-agreements').click();
    await page.waitForURL(`${baseUrl}/agreements`);
    await page.getByRole('heading', { level: 1, name: 'Agreements' }).waitFor();
    await expect(page.getByTestId('agreements-table').textContent()).resolves.toContain('No agreement yet');

    await page.getByTestId('agreements-new').click();
    await page.waitForURL(`${baseUrl}/agreements/new`);
    await page.getByTestId('agreement-party-SG').check();
    await page.getByTestId('agreement-prepare').click();
    await page.getByTestId('agreement-editor').waitFor();
    expect(await page.getByTestId('clause-form').count()).toBe(6);

    // An identifier the schema refuses: the node's code and the JSON Pointer come back.
    await page.getByTestId('agreement-id').fill('Not An Id');
    await page.getByTestId('agreement-create').click();
    await page.getByTestId('agreement-create-error').waitFor();
    await expect(page.getByTestId('problem-code').textContent()).resolves.toBe('AGREEMENT_INVALID');
    await expect(page.getByTestId('agreement-error-pointers').textContent()).resolves.toContain('/id');

    // Fixed in the JSON view, then created.
    await page.getByTestId('agreement-mode-json').click();
    const json = await page.getByTestId('agreement-json').inputValue();
    await page.getByTestId('agreement-json').fill(json.replace('"Not An Id"', '"cmaa-nl-sg"'));
    await page.getByTestId('agreement-create').click();
    await page.waitForURL(`${baseUrl}/agreements/cmaa-nl-sg`);
  });

  it('shows each party’s signature, signs as NL, and comes into force once SG has signed', async () => {
    await expect(page.getByTestId('agreement-status').textContent()).resolves.toBe('Awaiting signatures');
    const status = (party: string) =>
      page.locator(`[data-testid="signature-row"][data-party="${party}"] [data-testid="signature-status"]`);
    await expect(status('NL').textContent()).resolves.toBe('Awaiting signature');
    await expect(status('SG').textContent()).resolves.toBe('Awaiting signature');

    await page.getByTestId('agreement-sign').click();
    await page.getByTestId('agreement-confirm').click();
    await expect.poll(() => status('NL').textContent(), { timeout: 10_000 }).toBe('Signed');
    await expect(status('SG').textContent()).resolves.toBe('Awaiting signature');

    // SG signs its copy (the canonical document) and the signature arrives as data.
    const agreement = (await (
      await fetch(`${baseUrl}/api/v1/agreements/cmaa-nl-sg`, { headers: { cookie: session.cookie } })
    ).json()) as { versions: { document: unknown }[] };
    const signature = signBytes(canonicalBytes(agreement.versions[0]!.document), SG_KEY).toString('base64url');
    await post(baseUrl, session, '/api/v1/agreements/cmaa-nl-sg/signatures', {
      version: 1,
      party: 'SG',
      signature,
      kid: SG_KEY.kid,
    });

    await page.reload();
    await page.getByTestId('signatures-table').waitFor();
    await expect(page.getByTestId('agreement-status').textContent()).resolves.toBe('In force');
    await expect(status('SG').textContent()).resolves.toBe('Signed');

    // The clause in plain language, generated from its JSON.
    const clause = page.locator('[data-testid="clause"][data-clause="prearrival-nl-sg"] [data-testid="clause-plain"]');
    await expect(clause.textContent()).resolves.toBe(
      'NL may send SG pre-arrival declarations and export declarations for risk assessment; personal data pseudonymized; enforcement data withheld; kept 90 days, then anonymized; no onward transfer (Art. 7).',
    );
    await expect(page.getByTestId('legal-references').textContent()).resolves.toContain(
      'Advance exchange of information',
    );
    await mkdir(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS_DIR, 'agreement-page.png'), fullPage: true });

    // The same clause in French.
    await page.getByTestId('language-fr').click();
    await expect
      .poll(() => clause.textContent())
      .toBe(
        'NL peut envoyer à SG les déclarations préalables à l’arrivée et les déclarations d’exportation pour l’évaluation des risques\u202f; données personnelles pseudonymisées\u202f; données de contrôle retenues\u202f; conservées 90 jours, puis anonymisées\u202f; aucun transfert ultérieur (Art. 7).',
      );
    await page.getByTestId('language-en').click();
  });

  it('lists the agreement and colours the coverage matrix', async () => {
    await page.getByTestId('agreement-back').click();
    await page.waitForURL(`${baseUrl}/agreements`);
    await page.getByTestId('agreement-row').waitFor();
    await expect(page.getByTestId('agreement-row').count()).resolves.toBe(1);
    const row = page.getByTestId('agreement-row');
    await expect(row.textContent()).resolves.toContain('Bilateral CMAA');
    await expect(row.getByTestId('agreement-status').textContent()).resolves.toBe('In force');

    const cell = (category: string) =>
      page.locator(`[data-testid="coverage-cell"][data-partner="SG"][data-category="${category}"]`);
    await expect(cell('declaration.prearrival').getAttribute('data-level')).resolves.toBe('withheld');
    await expect(cell('declaration.prearrival').textContent()).resolves.toContain('risk assessment');
    await expect(cell('intelligence.seizure').getAttribute('data-level')).resolves.toBe('full');
    await page.getByTestId('coverage-legend').waitFor();
    await page.screenshot({ path: path.join(RESULTS_DIR, 'agreements-list.png'), fullPage: true });
  });

  it('explains why a record may go to SG, and which fields are withheld', async () => {
    await page.getByTestId('agreements-why').click();
    await page.waitForURL(`${baseUrl}/agreements/decide`);
    await page.getByTestId('decide-receiver').fill('SG');
    await page.getByTestId('decide-submit').click();
    await page.getByTestId('decision').waitFor();

    await expect(page.getByTestId('decision-verdict').textContent()).resolves.toBe('Allowed');
    await expect(page.getByTestId('decision-basis').textContent()).resolves.toContain('prearrival-nl-sg');
    const risk = page.locator('[data-testid="decision-field"][data-pointer="/risk"]');
    await expect(risk.getAttribute('data-treatment')).resolves.toBe('withheld');
    const name = page.locator('[data-testid="decision-field"][data-pointer="/parties/0/name"]');
    await expect(name.getAttribute('data-treatment')).resolves.toBe('pseudonymized');
    await expect(page.getByTestId('decision-reasons').textContent()).resolves.toContain('Art. 7');
    await page.screenshot({ path: path.join(RESULTS_DIR, 'sharing-decision.png'), fullPage: true });

    // A purpose no clause allows: denied, with the code.
    await page.getByTestId('decide-purpose').selectOption('statistics');
    await page.getByTestId('decide-submit').click();
    await expect.poll(() => page.getByTestId('decision-verdict').textContent()).toBe('Denied');
    await expect(page.getByTestId('decision-code').textContent()).resolves.toMatch(/^SHARING_/);
  });

  it('raised no page error or CSP refusal', () => {
    expect(pageProblems).toEqual([]);
  });
});
