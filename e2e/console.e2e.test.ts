import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, ADMIN_PASSWORD, CLI, freePort, RESULTS_DIR, ROOT, run, stopNode, waitForHealth } from './support.js';

const NEW_USER = { username: 'e2e-officer', displayName: 'Eva Officer', password: 'e2e-officer-passphrase-7' };

describe('the web console against a real node', () => {
  let dataDir: string;
  let node: ChildProcess | undefined;
  let nodeOutput = '';
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  /** Errors the page threw and CSP refusals: a product console has none. */
  const pageProblems: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'concord-e2e-'));
    const passwordFile = path.join(dataDir, 'admin-password');
    await writeFile(passwordFile, `${ADMIN_PASSWORD}\n`, { mode: 0o600 });
    const home = path.join(dataDir, 'node');
    await run(
      process.execPath,
      [CLI, 'init', '--admin', 'NL', '--data-dir', home, '--admin-password-file', passwordFile],
      {
        cwd: ROOT,
      },
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

    ({ browser, page } = await openPage(pageProblems));
  });

  afterAll(async () => {
    await browser?.close();
    await stopNode(node);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('sends a visitor to the login page and shows a failed login with its code', async () => {
    await page.goto(`${baseUrl}/`);
    await page.waitForURL(`${baseUrl}/login`);
    await expect(page.getByTestId('login-title').textContent()).resolves.toContain('Concord');

    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByTestId('login-submit').click();

    const alert = page.getByRole('alert').filter({ hasText: 'AUTH_INVALID_CREDENTIALS' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('Wrong user name or password');
    expect(page.url()).toBe(`${baseUrl}/login`);
  });

  it('signs the admin in to the node page, with administration NL and the signing key id', async () => {
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${baseUrl}/node`);

    await expect(page.getByTestId('node-administration').textContent()).resolves.toBe('NL');
    await expect(page.getByTestId('header-administration').textContent()).resolves.toBe('NL');
    await expect(page.getByTestId('header-user').textContent()).resolves.toContain('admin');

    // The key id on screen is the one the API reports (same cookie jar as the page).
    const info = (await (await page.request.get(`${baseUrl}/api/v1/node`)).json()) as {
      keys: { signing: { kid: string } };
    };
    expect(info.keys.signing.kid).toMatch(/\S/);
    await expect(page.getByTestId('signing-kid').textContent()).resolves.toBe(info.keys.signing.kid);
    await expect(page.getByTestId('node-health-status').textContent()).resolves.toBe('Healthy');

    await mkdir(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS_DIR, 'node-page.png'), fullPage: true });
  });

  it('switches to French, keeps it across a reload, and switches back', async () => {
    await page.getByTestId('language-fr').click();
    await page.getByRole('heading', { level: 1, name: 'Nœud' }).waitFor();
    await expect(page.getByTestId('nav-users').textContent()).resolves.toBe('Utilisateurs');
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('fr');

    // The language is remembered, and the session (with its CSRF token, from GET /api/v1/me) survives a reload.
    await page.reload();
    await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
    await expect(page.getByTestId('page-title').textContent()).resolves.toBe('Nœud');

    await page.getByTestId('language-en').click();
    await page.getByRole('heading', { level: 1, name: 'Node' }).waitFor();
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('en');
  });

  it('creates a user from the Users page', async () => {
    await page.getByTestId('nav-users').click();
    await page.waitForURL(`${baseUrl}/users`);
    await page.getByTestId('users-table').waitFor();

    await page.getByTestId('new-user').click();
    await page.getByLabel('User name').fill(NEW_USER.username);
    await page.getByLabel(/Display name/).fill(NEW_USER.displayName);
    await page.getByLabel('Initial password').fill(NEW_USER.password);
    await page.getByTestId('new-user-role-analyst').check();
    await page.getByTestId('create-user-submit').click();

    await expect(page.getByTestId('users-notice').textContent()).resolves.toContain(NEW_USER.username);
    const row = page.getByTestId(`user-row-${NEW_USER.username}`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain(NEW_USER.displayName);
    await expect(row.textContent()).resolves.toContain('Analyst');
    await expect(page.getByTestId(`user-status-${NEW_USER.username}`).textContent()).resolves.toBe('Active');
  });

  it('signs out and lands on the login page, with the session gone', async () => {
    await page.getByTestId('logout').click();
    await page.waitForURL(`${baseUrl}/login`);
    await page.getByTestId('login-form').waitFor();
    await page.getByTestId('signed-out').waitFor();
    expect((await page.request.get(`${baseUrl}/api/v1/me`)).status()).toBe(401);
  });

  it('shows the new officer a 403 page for a module that needs a role they lack', async () => {
    await page.getByLabel('User name').fill(NEW_USER.username);
    await page.getByLabel('Password').fill(NEW_USER.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${baseUrl}/node`);
    await expect(page.getByTestId('nav-users').count()).resolves.toBe(0);

    await page.goto(`${baseUrl}/users`);
    await page.getByTestId('forbidden').waitFor();
    await expect(page.getByTestId('forbidden').textContent()).resolves.toContain('Administrator');
  });

  it('ran without page errors or CSP refusals', () => {
    expect(pageProblems).toEqual([]);
  });
});
