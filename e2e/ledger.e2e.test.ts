import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, CHROMIUM, CLI, freePort, RESULTS_DIR, ROOT, run, stopNode, waitForHealth } from './support.js';

/** A certificate of origin, anchored as JSON: the node hashes its RFC 8785 form. */
const CERTIFICATE = {
  certificateNumber: 'NL-CO-2026-000417',
  exporter: { name: 'Tulip Machinery B.V.', eori: 'NL123456789' },
  consignee: { name: 'Lion City Imports Pte Ltd', country: 'SG' },
  goods: [{ hsCode: '842890', description: 'Bulb-planting machines', quantity: 12, originCountry: 'NL' }],
  issuedAt: '2026-03-14',
};

/** The document as the holder received it: same JSON, other key order and white space (same RFC 8785 hash). */
const HELD_DOCUMENT = Buffer.from(
  JSON.stringify(
    {
      issuedAt: CERTIFICATE.issuedAt,
      goods: CERTIFICATE.goods,
      consignee: CERTIFICATE.consignee,
      exporter: CERTIFICATE.exporter,
      certificateNumber: CERTIFICATE.certificateNumber,
    },
    null,
    2,
  ),
);

interface RunningNode {
  administration: string;
  baseUrl: string;
  child: ChildProcess;
  output: () => string;
}

/** `concord init` + `concord serve` for one administration; checkpoints are published by the test, not a timer. */
async function startNode(dataDir: string, administration: string): Promise<RunningNode> {
  const passwordFile = path.join(dataDir, `${administration}-admin-password`);
  await writeFile(passwordFile, `${ADMIN_PASSWORD}\n`, { mode: 0o600 });
  const home = path.join(dataDir, administration);
  await run(
    process.execPath,
    [CLI, 'init', '--admin', administration, '--data-dir', home, '--admin-password-file', passwordFile],
    { cwd: ROOT },
  );
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--data-dir', home, '--port', String(port), '--log-level', 'warn', '--checkpoint-interval', '3600'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitForHealth(baseUrl, child, () => output);
  return { administration, baseUrl, child, output: () => output };
}

/** An admin's API session on a node (cookie and CSRF token), for the set-up the console does not cover. */
async function adminApi(baseUrl: string) {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  expect(login.status).toBe(200);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  return async function call<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${baseUrl}${route}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': csrfToken,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
    return (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
  };
}

async function text(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return (await response.text()).trim();
}

describe('the log explorer and document verification against real nodes', () => {
  let dataDir: string;
  const nodes: RunningNode[] = [];
  let nl: RunningNode;
  let browser: Browser;
  let page: Page;
  /** A visitor who never signs in, in a browser context of its own. */
  let visitor: Page;
  let documentHash: string;
  let anchoredIndex: number;
  /** Errors the pages threw and CSP refusals: a product console has none. */
  const pageProblems: string[] = [];

  function watch(target: Page): void {
    target.on('pageerror', (error) => pageProblems.push(`pageerror: ${error.message}`));
    target.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
        pageProblems.push(`csp: ${message.text()}`);
      }
    });
  }

  async function bundleFile(): Promise<Buffer> {
    const response = await fetch(`${nl.baseUrl}/api/v1/documents/${documentHash}/bundle`);
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  }

  /** Opens /verify without a session, drops the files, optionally pastes a key, and submits. */
  async function verify(document: Buffer, bundle: Buffer | null, key?: string): Promise<Page> {
    await visitor.goto(`${nl.baseUrl}/verify`);
    await visitor.getByTestId('verify-form').waitFor();
    await visitor
      .getByTestId('verify-document-input')
      .setInputFiles({ name: 'certificate-of-origin.json', mimeType: 'application/json', buffer: document });
    if (bundle) {
      await visitor
        .getByTestId('verify-bundle-input')
        .setInputFiles({ name: 'certificate-of-origin.bundle.json', mimeType: 'application/json', buffer: bundle });
    }
    if (key) await visitor.getByLabel(/note verifier key/).fill(key);
    await visitor.getByTestId('verify-submit').click();
    await visitor.getByTestId('verify-result').waitFor();
    return visitor;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'concord-e2e-ledger-'));
    // NL's log, witnessed by the nodes of SG and KE.
    for (const administration of ['NL', 'SG', 'KE']) nodes.push(await startNode(dataDir, administration));
    nl = nodes[0]!;
    const nlAdmin = await adminApi(nl.baseUrl);
    const nlKey = await text(`${nl.baseUrl}/api/v1/log/key`);
    for (const witness of nodes.slice(1)) {
      const witnessAdmin = await adminApi(witness.baseUrl);
      await witnessAdmin('POST', '/api/v1/log/witnessed', { origin: 'concord.nl/log', key: nlKey });
      const witnessKey = await text(`${witness.baseUrl}/api/v1/log/witness/key`);
      await nlAdmin('POST', '/api/v1/log/witnesses', { url: witness.baseUrl, key: witnessKey });
    }

    // Two other documents first, so the certificate's inclusion proof is not empty.
    for (const content of ['AEO certificate NL-AEOF-000123', 'Phytosanitary certificate NL-PH-2026-88']) {
      await nlAdmin('POST', '/api/v1/documents', {
        content: Buffer.from(content).toString('base64'),
        documentType: content.startsWith('AEO') ? 'aeo-certificate' : 'phytosanitary-certificate',
      });
    }
    const anchored = await nlAdmin<{ documentHash: string; index: number }>('POST', '/api/v1/documents', {
      document: CERTIFICATE,
      documentType: 'certificate-of-origin',
      documentId: CERTIFICATE.certificateNumber,
    });
    documentHash = anchored.documentHash;
    anchoredIndex = anchored.index;
    const published = await nlAdmin<{ size: number; witnessedBy: string[] }>('POST', '/api/v1/log/checkpoint');
    expect(published.size).toBeGreaterThan(anchoredIndex);
    expect([...published.witnessedBy].sort()).toEqual(['KE', 'SG']);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await (await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-GB' })).newPage();
    watch(page);
    visitor = await (await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-GB' })).newPage();
    watch(visitor);
  });

  afterAll(async () => {
    await browser?.close();
    for (const node of nodes) await stopNode(node.child);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('shows the latest checkpoint on the Log page, its signature checked and its witnesses', async () => {
    await page.goto(`${nl.baseUrl}/login`);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${nl.baseUrl}/node`);

    await page.getByTestId('nav-log').click();
    await page.waitForURL(`${nl.baseUrl}/log`);
    await page.getByTestId('checkpoint').waitFor();

    const note = await text(`${nl.baseUrl}/api/v1/log/checkpoint`);
    const [origin, size, root] = note.split('\n');
    await expect(page.getByTestId('checkpoint-origin').textContent()).resolves.toBe(origin);
    await expect(page.getByTestId('checkpoint-size').textContent()).resolves.toBe(size);
    await expect(page.getByTestId('checkpoint-root').textContent()).resolves.toBe(root);
    await expect(page.getByTestId('checkpoint-note').textContent()).resolves.toBe(`${note}\n`);
    await expect(page.getByTestId('checkpoint-signature').textContent()).resolves.toContain('Verified in this browser');
    await expect(page.getByTestId('checkpoint-witnesses').textContent()).resolves.toBe('Witnessed by KE and SG');
    await expect(page.getByTestId('checkpoint-history').textContent()).resolves.toContain('First visit');
  });

  it("verifies an entry's inclusion proof in the browser", async () => {
    const row = page.getByTestId(`log-entry-${anchoredIndex}`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('document.anchored');
    await expect(row.textContent()).resolves.toContain(CERTIFICATE.certificateNumber);

    await page.getByTestId(`verify-entry-${anchoredIndex}`).click();
    await page.getByTestId(`proof-${anchoredIndex}`).getByTestId('proof-ok').waitFor();
    await expect(page.getByTestId(`proof-${anchoredIndex}`).textContent()).resolves.toBe('✓ Included');

    await mkdir(RESULTS_DIR, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0)); // the sticky top bar stays at the top of the full-page image
    await page.screenshot({ path: path.join(RESULTS_DIR, 'log-page.png'), fullPage: true });
  });

  it('opens Verify from the login page without signing in and reports the anchored document as valid', async () => {
    await visitor.goto(`${nl.baseUrl}/login`);
    await visitor.getByTestId('login-verify-link').click();
    await visitor.waitForURL(`${nl.baseUrl}/verify`);
    await visitor.getByRole('heading', { level: 1, name: 'Verify a document' }).waitFor();
    expect((await visitor.request.get(`${nl.baseUrl}/api/v1/me`)).status()).toBe(401);

    const result = await verify(HELD_DOCUMENT, await bundleFile());
    await expect(result.getByTestId('verify-status').textContent()).resolves.toBe('Valid');
    await expect(result.getByTestId('verify-result').getAttribute('role')).resolves.toBe('status');
    for (const check of ['signature', 'inclusion', 'documentHash']) {
      await expect(result.getByTestId(`verify-check-${check}`).getAttribute('class')).resolves.toContain('--passed');
    }
    await expect(result.getByTestId('verify-result').textContent()).resolves.toContain('Cosigned by KE and SG');
    await result.evaluate(() => window.scrollTo(0, 0));
    await result.screenshot({ path: path.join(RESULTS_DIR, 'verify-valid.png'), fullPage: true });
  });

  it('reports the document with one byte changed as tampered, naming the document hash check', async () => {
    const altered = Buffer.from(HELD_DOCUMENT);
    const at = altered.indexOf('"quantity": 12') + '"quantity": 1'.length;
    altered[at] = '3'.charCodeAt(0); // 12 machines become 13
    const result = await verify(altered, await bundleFile());
    await expect(result.getByTestId('verify-status').textContent()).resolves.toBe('Tampered');
    await expect(result.getByTestId('verify-result').getAttribute('role')).resolves.toBe('alert');
    await expect(result.getByTestId('verify-failed-check').textContent()).resolves.toBe('Document hash');
    await result.evaluate(() => window.scrollTo(0, 0));
    await result.screenshot({ path: path.join(RESULTS_DIR, 'verify-tampered.png'), fullPage: true });
  });

  it('names the checkpoint signature when the bundle is checked against another log key', async () => {
    const sgKey = await text(`${nodes[1]!.baseUrl}/api/v1/log/key`);
    const result = await verify(HELD_DOCUMENT, await bundleFile(), sgKey);
    await expect(result.getByTestId('verify-status').textContent()).resolves.toBe('Tampered');
    await expect(result.getByTestId('verify-failed-check').textContent()).resolves.toBe('Checkpoint signature');
  });

  it('names the inclusion proof when a proof hash of the bundle is altered', async () => {
    const bundle = JSON.parse((await bundleFile()).toString()) as { anchor: { proof: string[] } };
    const first = bundle.anchor.proof[0]!;
    bundle.anchor.proof[0] = (first.startsWith('A') ? 'B' : 'A') + first.slice(1);
    const result = await verify(HELD_DOCUMENT, Buffer.from(JSON.stringify(bundle)));
    await expect(result.getByTestId('verify-status').textContent()).resolves.toBe('Tampered');
    await expect(result.getByTestId('verify-failed-check').textContent()).resolves.toBe('Inclusion proof');
  });

  it('reports the document as revoked, with when, once the issuer revoked it', async () => {
    const nlAdmin = await adminApi(nl.baseUrl);
    await nlAdmin('POST', `/api/v1/documents/${documentHash}/revoke`, { reason: 'withdrawn' });

    const result = await verify(HELD_DOCUMENT, await bundleFile());
    await expect(result.getByTestId('verify-status').textContent()).resolves.toBe('Revoked');
    await expect(result.getByTestId('verify-summary').textContent()).resolves.toMatch(
      /revoked this document on .*2\d{3}.*withdrawn/,
    );

    // Without a bundle file, the page fetches this node's latest bundle for the document.
    const fetched = await verify(HELD_DOCUMENT, null);
    await expect(fetched.getByTestId('verify-status').textContent()).resolves.toBe('Revoked');

    // The verdict in French, as a French-speaking officer reads it.
    await fetched.getByTestId('language-fr').click();
    await fetched.getByRole('heading', { level: 2, name: 'Révoqué' }).waitFor();
    await fetched.evaluate(() => window.scrollTo(0, 0));
    await fetched.screenshot({ path: path.join(RESULTS_DIR, 'verify-revoked-fr.png'), fullPage: true });
    await fetched.getByTestId('language-en').click();
  });

  it('checks in the browser, on the next look at the Log page, that the log only grew since', async () => {
    // The revocation grew the log, and fetching the bundle published a checkpoint that covers it.
    await page.getByTestId('log-refresh').click();
    await page
      .getByTestId('checkpoint-size')
      .filter({ hasText: String(anchoredIndex + 2) })
      .waitFor();
    await expect(page.getByTestId('checkpoint-history').textContent()).resolves.toContain(
      `Consistent with the checkpoint of ${anchoredIndex + 1} entries this browser saw`,
    );
    const revocation = page.getByTestId(`log-entry-${anchoredIndex + 1}`);
    await expect(revocation.textContent()).resolves.toContain('document.revoked');
    await page.getByTestId(`verify-entry-${anchoredIndex + 1}`).click();
    await page
      .getByTestId(`proof-${anchoredIndex + 1}`)
      .getByTestId('proof-ok')
      .waitFor();
  });

  it('ran without page errors or CSP refusals', () => {
    expect(pageProblems).toEqual([]);
  });
});
