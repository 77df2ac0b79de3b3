import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultEnvironment } from '../src/declarations/index.js';
import { simulateTrade, type Shipment } from '../src/federation/index.js';
import type { NodeContext } from '../src/node/index.js';
import { TEST_PASSWORD } from '../src/server/testing.js';
import { eventually, startNetwork, type TestNetwork } from '../test/federation-support.js';
import { openPage, RESULTS_DIR, ROOT } from './support.js';

const AGREEMENT = 'cmaa-nl-sg';
const SHIPMENTS = 6;

async function signIn(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(`${baseUrl}/node`);
}

async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS_DIR, name), fullPage: true });
}

/**
 * Two real nodes, NL and SG, serving the built console from in-process servers on loopback ports and exchanging
 * envelopes over HTTP: an agreement proposed at NL and signed at both, then exports lodged at NL that travel to SG as
 * pre-arrival data, and the imports lodged at SG that are matched and compared.
 */
describe('the exchange pages between two real nodes', () => {
  let net: TestNetwork;
  let nl: NodeContext;
  let sg: NodeContext;
  let nlUrl: string;
  let sgUrl: string;
  let shipments: Shipment[];
  let browser: Browser;
  let page: Page;
  /** Errors the page threw and CSP refusals: a product console has none. */
  const pageProblems: string[] = [];

  beforeAll(async () => {
    net = await startNetwork(['NL', 'SG'], { webRoot: path.join(ROOT, 'dist', 'web') });
    nl = net.nodes.NL!.node;
    sg = net.nodes.SG!.node;
    nlUrl = net.nodes.NL!.url;
    sgUrl = net.nodes.SG!.url;

    await nl.agreements.create({ template: 'cmaa', parties: ['NL', 'SG'], id: AGREEMENT }, 'admin');
    await eventually(() => sg.agreements.get(AGREEMENT).catch(() => null));
    await nl.agreements.sign(AGREEMENT);
    await sg.agreements.sign(AGREEMENT);
    const inForce = async (node: NodeContext) => (await node.agreements.get(AGREEMENT)).inForceVersion === 1;
    await eventually(async () => (await inForce(nl)) && (await inForce(sg)));

    // Seeded so that the imports are one undervalued, two of misdeclared origin and three mirror images.
    const trade = simulateTrade(defaultEnvironment(), {
      seed: 'e2e-1',
      lanes: [{ from: 'NL', to: 'SG' }],
      irregularRate: 0.5,
      kinds: ['undervaluation', 'origin-misdeclaration'],
    });
    shipments = Array.from({ length: SHIPMENTS }, () => trade.next().value as Shipment);
    const exports = await nl.declarations.submit(shipments.map((shipment) => shipment.export));
    expect(exports.every((result) => result.status === 'created')).toBe(true);
    await eventually(async () => {
      const sent = await nl.federation.listOutbox({ partner: 'SG', category: 'declaration.prearrival' });
      return sent.length === SHIPMENTS && sent.every((entry) => entry.state === 'delivered');
    });

    ({ browser, page } = await openPage(pageProblems));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await net?.close();
  });

  it('lists the delivered envelopes in NL’s outbox, each with its agreement, and retries a dead letter', async () => {
    await signIn(page, nlUrl);
    await page.getByTestId('nav-outbox').click();
    await page.waitForURL(`${nlUrl}/exchange/outbox`);
    await page.getByRole('heading', { level: 1, name: 'Outbox' }).waitFor();
    await page.getByTestId('outbox-table').waitFor();

    // The pre-arrival data, filtered by category and state through the URL.
    await page.getByTestId('outbox-category').selectOption('declaration.prearrival');
    await page.getByTestId('outbox-tab-delivered').click();
    await page.waitForURL(`${nlUrl}/exchange/outbox?state=delivered&category=declaration.prearrival`);
    const rows = page.locator('[data-testid="outbox-row"]');
    await expect.poll(() => rows.count()).toBe(SHIPMENTS);
    await expect(page.getByTestId('outbox-caption').textContent()).resolves.toBe('Outbox (filtered), 6 envelopes');
    for (let i = 0; i < SHIPMENTS; i++) {
      const row = rows.nth(i);
      await expect(row.getAttribute('data-state')).resolves.toBe('delivered');
      await expect(row.getByTestId('envelope-agreement').textContent()).resolves.toBe(`${AGREEMENT}version 1`);
      await expect(row.getByTestId('envelope-encrypted').textContent()).resolves.toBe('Encrypted');
    }
    // Why each one left: the decision logged for it, under the agreement's pre-arrival clause.
    await rows.first().getByTestId('envelope-why').click();
    const decision = page.getByTestId('decision-details');
    await expect(decision.getByTestId('decision-verdict').textContent()).resolves.toBe('Allowed');
    await expect(decision.getByTestId('decision-clause').textContent()).resolves.toBe('prearrival-nl-sg');
    await screenshot(page, 'exchange-outbox.png');
    await rows.first().getByTestId('envelope-why').click();
    await expect.poll(() => decision.count()).toBe(0);

    // A dead letter (the node gives up after a day; here it is made one) goes back in the queue and is delivered.
    const [first] = await nl.federation.listOutbox({ partner: 'SG', category: 'declaration.prearrival', limit: 1 });
    await nl.store
      .typed<{
        federation_outbox: { id: string; state: string; last_error: string | null; last_code: string | null };
      }>()
      .updateTable('federation_outbox')
      .set({ state: 'dead', last_error: 'connect ECONNREFUSED', last_code: 'FEDERATION_PARTNER_UNREACHABLE' })
      .where('id', '=', first!.id)
      .execute();
    await page.getByTestId('outbox-tab-dead').click();
    await page.waitForURL(`${nlUrl}/exchange/outbox?state=dead&category=declaration.prearrival`);
    await expect.poll(() => rows.count()).toBe(1);
    await expect(rows.first().getByTestId('envelope-code').textContent()).resolves.toBe(
      'FEDERATION_PARTNER_UNREACHABLE',
    );
    await rows.first().getByTestId('envelope-retry').click();
    await expect.poll(() => rows.count()).toBe(0);
    await eventually(async () => (await nl.federation.outboxEntry(first!.id)).state === 'delivered');

    // Each agreement links to its page.
    await page.getByTestId('outbox-tab-all').click();
    await page.locator('[data-testid="outbox-row"] [data-testid="envelope-agreement"]').first().click();
    await page.waitForURL(`${nlUrl}/agreements/${AGREEMENT}`);
    await expect(page.getByTestId('agreement-status').textContent()).resolves.toBe('In force');
  });

  it('shows SG as up on NL’s partner map and table, with the directory’s current keys', async () => {
    await page.getByTestId('nav-partners').click();
    await page.waitForURL(`${nlUrl}/exchange/partners`);
    const row = page.locator('[data-testid="partner-row"][data-partner="SG"]');
    await expect(row.getByTestId('partner-health').textContent()).resolves.toBe('Up');

    // NL and SG placed at their countries' centroids (the test directory gives no location), joined by a green line.
    const map = page.getByTestId('partner-map');
    await expect.poll(() => map.getByTestId('world-map-point').count()).toBe(2);
    await expect(map.locator('[data-testid="world-map-line"].world-map__line--health-up').count()).resolves.toBe(1);

    await expect(page.getByTestId('directory-version').textContent()).resolves.toBe('1');
    const members = page.getByTestId('directory-member');
    await expect(members.count()).resolves.toBe(2);
    // Each member has a current signing key and a current encryption key.
    await expect(
      page.locator('[data-testid="directory-member"][data-member="SG"] [data-testid="directory-key-current"]').count(),
    ).resolves.toBe(2);
    await page.locator('.world-map__land').first().waitFor({ state: 'attached' });
    await screenshot(page, 'exchange-partners.png');
  });

  it('lists the exports as expected arrivals at SG, and as accepted envelopes in SG’s inbox', async () => {
    await signIn(page, sgUrl);
    await page.getByTestId('nav-arrivals').click();
    await page.waitForURL(`${sgUrl}/arrivals`);
    await expect(page.getByTestId('arrivals-count-expected').textContent()).resolves.toBe(String(SHIPMENTS));
    await expect(page.getByTestId('arrivals-count-arrived').textContent()).resolves.toBe('0');
    const ucrs = await page.getByTestId('arrival-ucr').allTextContents();
    expect(ucrs.sort()).toEqual(shipments.map((shipment) => shipment.export.ucr!.toUpperCase()).sort());
    await expect(page.getByTestId('arrival-declaration').count()).resolves.toBe(0);
    await screenshot(page, 'exchange-arrivals.png');

    await page.getByTestId('nav-inbox').click();
    await page.waitForURL(`${sgUrl}/exchange/inbox`);
    await page.getByTestId('inbox-category').selectOption('declaration.prearrival');
    const rows = page.locator('[data-testid="inbox-row"]');
    await expect.poll(() => rows.count()).toBe(SHIPMENTS);
    await expect(page.locator('[data-testid="inbox-row"][data-status="accepted"]').count()).resolves.toBe(SHIPMENTS);
    await expect(rows.first().getByTestId('envelope-agreement').textContent()).resolves.toBe(`${AGREEMENT}version 1`);
    await rows.first().getByTestId('envelope-why').click();
    await expect(page.getByTestId('decision-verdict').textContent()).resolves.toBe('Allowed');
    await screenshot(page, 'exchange-inbox.png');
  });

  it('once the imports are lodged, charts the mirror analysis and explains each match', async () => {
    const imports = await sg.declarations.submit(shipments.map((shipment) => shipment.import));
    expect(imports.every((result) => result.status === 'created')).toBe(true);

    await page.getByTestId('nav-arrivals').click();
    await page.waitForURL(`${sgUrl}/arrivals`);
    await expect(page.getByTestId('arrivals-count-arrived').textContent()).resolves.toBe(String(SHIPMENTS));
    await expect(page.getByTestId('arrival-declaration').count()).resolves.toBe(SHIPMENTS);

    await page.getByTestId('nav-mirror').click();
    await page.waitForURL(`${sgUrl}/mirror`);
    const bars = (chart: string) => page.getByTestId(chart).locator('[data-testid="bar"]');
    await expect.poll(() => bars('mirror-chart-partner').count()).toBe(1);
    await expect(bars('mirror-chart-partner').getAttribute('data-key')).resolves.toBe('NL');
    await expect.poll(() => bars('mirror-chart-reason').count()).toBeGreaterThan(0);
    const rows = page.locator('[data-testid="mirror-row"]');
    await expect.poll(() => rows.count()).toBe(SHIPMENTS);

    // The undervalued import, with its reason in words and a link to the declaration.
    const undervalued = shipments.findIndex((s) => s.irregularities.some((i) => i.kind === 'undervaluation'));
    expect(undervalued).toBeGreaterThanOrEqual(0);
    const declarationId = imports[undervalued]!.id;
    const row = page.locator('[data-testid="mirror-row"]', {
      has: page.locator(`[data-testid="mirror-declaration"][href="/declarations/${declarationId}"]`),
    });
    // The total and each undervalued line give a reason of this code.
    const reason = row.locator('[data-testid="mirror-reason"][data-code="MIRROR_VALUE_LOWER"]').first();
    await expect(reason.textContent()).resolves.toContain('Value lower on import');
    await expect(reason.textContent()).resolves.toMatch(/import value .* below/);
    await screenshot(page, 'exchange-mirror.png');

    // The most suspicious come first; a minimum score filters the rest out.
    const scores = await rows.evaluateAll((elements) => elements.map((e) => Number(e.getAttribute('data-score'))));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    await page.getByTestId('mirror-min-score').fill('20');
    await page.getByTestId('mirror-apply').click();
    await page.waitForURL(`${sgUrl}/mirror?minScore=20`);
    await expect.poll(() => rows.count()).toBe(scores.filter((score) => score >= 20).length);

    await row.getByTestId('mirror-declaration').click();
    await page.waitForURL(`${sgUrl}/declarations/${declarationId}`);
  });

  it('says it all in French', async () => {
    await page.getByTestId('nav-mirror').click();
    await page.waitForURL(`${sgUrl}/mirror`);
    await page.getByTestId('language-fr').click();
    await page.getByRole('heading', { level: 1, name: 'Analyse miroir' }).waitFor();
    await expect(page.getByTestId('nav-arrivals').textContent()).resolves.toBe('Arrivées attendues');
    await expect(
      page
        .locator('[data-testid="mirror-reason"][data-code="MIRROR_VALUE_LOWER"] .mirror-reason__title')
        .first()
        .textContent(),
    ).resolves.toMatch(/^Valeur plus faible à l’importation \+\d+$/);
    await screenshot(page, 'exchange-mirror-fr.png');
    await page.getByTestId('language-en').click();
    await page.getByRole('heading', { level: 1, name: 'Mirror analysis' }).waitFor();
  });

  it('raises a banner for an open split-view alert, until someone acknowledges it', async () => {
    await sg.federation.raiseAlert({
      kind: 'split-view',
      subject: 'NL',
      message: "NL's log showed this node a checkpoint inconsistent with one it showed before",
    });
    await page.reload();
    const alert = page.getByTestId('federation-alert');
    await expect(alert.locator('.alert__message').textContent()).resolves.toBe(
      "Split view: NL's log showed this node two different histories.",
    );
    await screenshot(page, 'exchange-alert.png');
    await page.getByTestId('federation-alert-acknowledge').click();
    await expect.poll(() => alert.count()).toBe(0);
    expect((await sg.federation.listAlerts({ open: true })).length).toBe(0);
  });

  it('met no page error and no Content-Security-Policy refusal', () => {
    expect(pageProblems).toEqual([]);
  });
});
