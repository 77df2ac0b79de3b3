import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultEnvironment, generateDeclarationBatch } from '../src/declarations/index.js';
import { initNode, openNode } from '../src/node/index.js';
import { freePort, startCli, stop } from './process.js';

/**
 * A node run as `concord serve` and killed while it lodges declarations over HTTP: nothing it acknowledged is lost,
 * nothing is stored twice, and the log holds exactly one `declaration.accepted` entry per stored declaration, also
 * when the kill comes between a batch's commit and its log entries (the crash point `declarations.stored`).
 */
describe('declarations when the node process is killed', () => {
  let root: string;
  let dataDir: string;
  let token: string;
  let port: number;
  let child: ReturnType<typeof startCli> | undefined;
  /** NDJSON bodies of 250 generated declarations each, and every functional reference. */
  let batches: string[];
  let references: string[];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'concord-declarations-crash-'));
    dataDir = join(root, 'nl');
    await initNode({ dataDir, administration: 'NL', adminPassword: 'NL admin password for tests' });
    const node = await openNode(dataDir);
    try {
      token = (await node.identity.createToken({ username: 'admin', name: 'crash-test' })).secret;
    } finally {
      await node.close();
    }
    const env = defaultEnvironment({ clock: { now: () => Date.parse('2026-01-01T00:00:00Z') } });
    const declarations = generateDeclarationBatch(env, { seed: 'crash', count: 1500, country: 'NL' }).map(
      (generated) => generated.declaration,
    );
    references = declarations.map((declaration) => declaration.functionalReference);
    expect(new Set(references).size).toBe(declarations.length);
    batches = [];
    for (let i = 0; i < declarations.length; i += 250) {
      batches.push(
        declarations
          .slice(i, i + 250)
          .map((declaration) => JSON.stringify(declaration))
          .join('\n'),
      );
    }
    port = await freePort();
  });

  afterEach(async () => {
    if (child) await stop(child, 'SIGKILL');
    child = undefined;
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** Starts `concord serve` (with a crash point armed, if given) and waits until it answers. */
  async function serve(crashAt?: string): Promise<void> {
    const started = startCli(['serve', '--data-dir', dataDir, '--port', String(port), '--log-level', 'warn'], {
      CONCORD_CRASH_AT: crashAt ?? '',
    });
    child = started;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (started.exitCode !== null || started.signalCode !== null) {
        throw new Error(`serve exited:\n${started.output()}`);
      }
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`serve did not answer in 60 s:\n${started.output()}`);
  }

  /** Lodges an NDJSON body; the statuses when the node answered, undefined when the connection died. */
  async function lodge(body: string): Promise<string[] | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/declarations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
        body,
      });
      const json = (await response.json()) as { results: { status: string }[] };
      return json.results.map((result) => result.status);
    } catch {
      return undefined;
    }
  }

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      headers: { authorization: `Bearer ${token}`, 'x-concord-purpose': 'testing' },
    });
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };

  /** Every stored declaration's functional reference, page by page. */
  async function stored(): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { functionalReference: string }[]; nextCursor: string | null } = await api(
        `/api/v1/declarations?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      out.push(...page.items.map((item) => item.functionalReference));
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  /** The declaration ids of the log's `declaration.accepted` entries, in log order. */
  async function logged(): Promise<string[]> {
    const ids: string[] = [];
    const { size } = await api<{ size: number }>('/api/v1/log/entries?start=0&end=0');
    for (let start = 0; start < size; start += 1000) {
      const { entries } = await api<{ entries: { entry: string }[] }>(
        `/api/v1/log/entries?start=${start}&end=${Math.min(size, start + 1000)}`,
      );
      for (const { entry } of entries) {
        const parsed = JSON.parse(Buffer.from(entry, 'base64').toString('utf8')) as {
          type: string;
          declarationId?: string;
        };
        if (parsed.type === 'declaration.accepted') ids.push(parsed.declarationId!);
      }
    }
    return ids;
  }

  it('loses nothing acknowledged, stores nothing twice and logs every stored declaration once', async () => {
    const acknowledged = new Set<number>();

    // Batch 0 lodged and acknowledged; then a node armed to die between batch 1's commit and its log entries.
    await serve();
    expect(await lodge(batches[0]!)).toEqual(Array(250).fill('created'));
    acknowledged.add(0);
    await stop(child!, 'SIGTERM');
    await serve('declarations.stored');
    expect(await lodge(batches[1]!)).toBeUndefined(); // the connection died with the process
    await new Promise<void>((resolve) =>
      child!.exitCode !== null || child!.signalCode ? resolve() : child!.once('exit', () => resolve()),
    );
    expect(child!.signalCode).toBe('SIGKILL');

    // Restarted: batch 1 was committed, so it is there, and its log entries were written when the node opened.
    await serve();
    const afterCut = await stored();
    expect(afterCut).toHaveLength(500);
    let ids = await logged();
    expect(ids).toHaveLength(500);
    expect(new Set(ids).size).toBe(500);

    // The client retries what was not acknowledged: the same records, answered as already lodged.
    expect(await lodge(batches[1]!)).toEqual(Array(250).fill('existing'));
    acknowledged.add(1);

    // Killed at an arbitrary moment while two more batches are lodged at once.
    const inFlight = [2, 3].map((i) => lodge(batches[i]!).then((statuses) => ({ i, statuses })));
    await new Promise((resolve) => setTimeout(resolve, 150 + Math.floor(Math.random() * 600)));
    await stop(child!, 'SIGKILL');
    for (const { i, statuses } of await Promise.all(inFlight)) {
      if (statuses !== undefined) {
        expect(statuses.every((status) => status === 'created')).toBe(true);
        acknowledged.add(i);
      }
    }

    // Restarted: every acknowledged declaration is there; then every batch is lodged again, as a client would.
    await serve();
    const afterKill = new Set(await stored());
    for (const i of acknowledged) {
      for (const reference of references.slice(i * 250, i * 250 + 250)) expect(afterKill.has(reference)).toBe(true);
    }
    for (const batch of batches) {
      const statuses = (await lodge(batch))!;
      expect(statuses.every((status) => status === 'created' || status === 'existing')).toBe(true);
    }

    const final = await stored();
    expect(final).toHaveLength(references.length);
    expect(new Set(final)).toEqual(new Set(references));
    ids = await logged();
    expect(ids).toHaveLength(references.length);
    expect(new Set(ids).size).toBe(references.length);
  }, 240_000);
});
