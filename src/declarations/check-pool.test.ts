import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConcordError, ManualClock } from '../kernel/index.js';
import { loadReferenceData } from '../reference/index.js';
import { migrate, type Store, type StoreTarget, storeTargets } from '../storage/index.js';
import { CheckPool, packChecked, releaseChecked, unpackChecked } from './check-pool.js';
import { type CheckedItem, checkItem, withTexts } from './checking.js';
import {
  CHECK_POOL_MIN_ITEMS,
  DeclarationService,
  declarationsMigrations,
  defaultEnvironment,
  generateDeclarationBatch,
  type ImportRecord,
  parseJsonDeclarations,
} from './index.js';

const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
const env = defaultEnvironment({ clock });
const reference = loadReferenceData();

/**
 * A submission larger than {@link CHECK_POOL_MIN_ITEMS} as NDJSON text with every kind of item: valid ones, a line
 * that is not JSON, one that is not an object, an invalid declaration, one with a lone surrogate (valid JSON with no
 * canonical form), a repeat within the batch and a conflicting repeat.
 */
function mixedNdjson(): string {
  const declarations = generateDeclarationBatch(env, { seed: 'pool', count: CHECK_POOL_MIN_ITEMS + 50, country: 'NL' })
    .map((generated) => generated.declaration)
    .map((declaration) => JSON.stringify(declaration));
  const invalid = JSON.parse(declarations[7]!) as { items: { hs: { code: string } }[]; functionalReference: string };
  invalid.items[0]!.hs.code = '999999';
  invalid.functionalReference = 'INVALID-1';
  const conflicting = JSON.parse(declarations[3]!) as { items: { description: string }[] };
  conflicting.items[0]!.description = 'Something else entirely';
  const surrogate = JSON.parse(declarations[8]!) as { items: { description: string }[]; functionalReference: string };
  surrogate.functionalReference = 'SURROGATE-1';
  return [
    ...declarations,
    '{"type": "import", "functionalReference": ',
    '[1, 2, 3]',
    JSON.stringify(invalid),
    JSON.stringify(surrogate).replace('"description":"', '"description":"\\udc00'),
    declarations[10]!,
    JSON.stringify(conflicting),
  ].join('\n');
}

describe('checking on worker threads', () => {
  const stores: { store: Store; target: StoreTarget }[] = [];
  const services: DeclarationService[] = [];
  const open = async (checkWorkers: number, target: StoreTarget = storeTargets()[0]!) => {
    const store = await target.open();
    await migrate(store, declarationsMigrations);
    const service = new DeclarationService(store, { clock, checkWorkers });
    stores.push({ store, target });
    services.push(service);
    return { store, service };
  };
  beforeEach(() => {
    stores.length = 0;
    services.length = 0;
  });
  afterEach(async () => {
    for (const service of services) await service.close();
    for (const { store, target } of stores) await target.dispose(store);
  });

  for (const target of storeTargets()) {
    it(`gives every item the result it gets on the calling thread, and stores the same rows on ${target.name}`, async () => {
      const records = parseJsonDeclarations(mixedNdjson(), 'ndjson', { defer: true });
      expect(records.every((record) => record.text !== undefined)).toBe(true);
      const inline = await open(0, target);
      const pooled = await open(1, target);
      const expected = await inline.service.submitRecords(records);
      const actual = await pooled.service.submitRecords(records);

      const comparable = (results: typeof expected) => results.map(({ id: _id, ...rest }) => rest);
      expect(comparable(actual)).toEqual(comparable(expected));
      const statuses = actual.map((result) => result.status);
      expect(statuses.filter((status) => status === 'created')).toHaveLength(CHECK_POOL_MIN_ITEMS + 50);
      expect(actual.at(-6)!.errors[0]!.code).toBe('DECL_INPUT_MALFORMED');
      expect(actual.at(-5)!.errors[0]!.code).toBe('DECL_INPUT_MALFORMED');
      expect(actual.at(-4)!.errors.map((error) => error.code)).toContain('DECL_HS_CODE_UNKNOWN');
      expect(actual.at(-4)!.functionalReference).toBe('INVALID-1');
      expect(actual.at(-3)!.errors).toEqual([expect.objectContaining({ code: 'DECL_TEXT_INVALID' })]);
      expect(actual.at(-3)!.errors[0]!.pointer).toMatch(/^\/items\/\d+\/description$/);
      expect(actual.at(-2)!.status).toBe('existing');
      expect(actual.at(-1)!.errors[0]!.code).toBe('DECL_REFERENCE_CONFLICT');

      const columns = ['functional_reference', 'content_hash', 'original', 'canonical', 'trace', 'warnings'] as const;
      const rows = async (store: Store) =>
        store
          .typed<{ declarations: Record<(typeof columns)[number], string> }>()
          .selectFrom('declarations')
          .select([...columns])
          .orderBy('functional_reference')
          .execute();
      const pooledRows = await rows(pooled.store);
      expect(pooledRows).toEqual(await rows(inline.store));
      // The text of each record is kept as its original, exactly as it came.
      const texts = new Set(records.map((record) => record.text));
      expect(pooledRows.every((row) => texts.has(row.original))).toBe(true);
    });
  }

  it('harmonizes with the rates the node imported', async () => {
    const rates = 'currency,date,rate\nUSD,2024-01-01,2\nUSD,2025-12-01,2\nGBP,2024-01-01,0.5\nGBP,2025-12-01,0.5\n';
    const declarations = generateDeclarationBatch(env, { seed: 'rates', count: CHECK_POOL_MIN_ITEMS, country: 'NL' });
    const inline = await open(0);
    const pooled = await open(1);
    for (const { service } of [inline, pooled]) await service.importRates(rates);
    const values = declarations.map((generated) => generated.declaration);
    const [expected, actual] = await Promise.all([inline.service.submit(values), pooled.service.submit(values)]);
    expect(actual.every((result) => result.status === 'created')).toBe(true);
    const inlineRecord = await inline.service.get(expected[0]!.id!);
    const pooledRecord = await pooled.service.get(actual[0]!.id!);
    expect(pooledRecord.canonical).toEqual(inlineRecord.canonical);
    expect(JSON.stringify(pooledRecord.trace)).toContain('at 0.500000 (EUR rates of 2024-01-01');
  });

  it('refuses the whole submission and stores nothing when a worker fails', async () => {
    // A data folder whose UN/LOCODE table is missing: the calling thread never needs it for this, the worker's
    // preload does, and fails.
    const dir = await mkdtemp(join(tmpdir(), 'concord-pool-'));
    try {
      for (const entry of await readdir(reference.dataDir, { withFileTypes: true })) {
        if (entry.isFile() && !entry.name.startsWith('unlocode')) {
          await copyFile(join(reference.dataDir, entry.name), join(dir, entry.name));
        }
      }
      const target = storeTargets()[0]!;
      const store = await target.open();
      stores.push({ store, target });
      await migrate(store, declarationsMigrations);
      const service = new DeclarationService(store, { clock, checkWorkers: 1, reference: loadReferenceData(dir) });
      services.push(service);
      const items = Array.from({ length: CHECK_POOL_MIN_ITEMS }, () => ({ type: 'import' }));
      await expect(service.submit(items)).rejects.toThrow(/checking worker (failed|exited)/);
      expect((await service.list()).items).toHaveLength(0);
      // The failed worker is replaced on the next use (and fails again here, for the same reason).
      await expect(service.submit(items)).rejects.toThrow(ConcordError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lets a submission under way finish when rates are imported, and checks the next with the new rates', async () => {
    const { service } = await open(1);
    const values = generateDeclarationBatch(env, {
      seed: 'retire',
      count: CHECK_POOL_MIN_ITEMS * 2,
      country: 'NL',
    }).map((generated) => generated.declaration);
    const under = service.submit(values.slice(0, CHECK_POOL_MIN_ITEMS));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the workers have it
    await service.importRates('currency,date,rate\nUSD,2024-01-01,4\nUSD,2025-12-01,4\n');
    expect((await under).every((result) => result.status === 'created')).toBe(true);
    const next = await service.submit(values.slice(CHECK_POOL_MIN_ITEMS));
    expect(next.every((result) => result.status === 'created')).toBe(true);
    const usd = (await Promise.all(next.map((result) => service.get(result.id!)))).flatMap((record) =>
      record.trace.filter((step) => step.rule === 'currency' && (step.from as { currency: string }).currency === 'USD'),
    );
    expect(usd.length).toBeGreaterThan(0);
    expect(usd.every((step) => step.note.includes(' at 0.250000 '))).toBe(true);
  });

  it('refuses checks once closed', async () => {
    const pool = new CheckPool(1, { dataDir: reference.dataDir, rates: null, currency: 'EUR' });
    await pool.close();
    await expect(pool.check([{ value: {} }], new Date().toISOString(), 'test')).rejects.toThrow(/closed/);
  });

  it('answers a large NDJSON batch of only bad lines with one error each', async () => {
    const { service } = await open(1);
    const records: ImportRecord[] = Array.from({ length: CHECK_POOL_MIN_ITEMS }, (_, i) => ({
      record: i + 1,
      text: i % 2 === 0 ? 'not json' : '"a string"',
    }));
    const results = await service.submitRecords(records);
    expect(results.map((result) => result.errors.map((error) => error.code))).toEqual(
      records.map(() => ['DECL_INPUT_MALFORMED']),
    );
    expect((await service.list()).items).toHaveLength(0);
  });
});

describe('packing checked items for the trip between threads', () => {
  const now = new Date(clock.now()).toISOString();
  const generated = generateDeclarationBatch(env, { seed: 'pack', count: 6, country: 'SG' });
  const sent = [
    ...generated.slice(0, 5).map((g) => ({ text: JSON.stringify(g.declaration) })),
    { text: 'nope' },
    { value: { type: 'import' } },
    { value: generated[5]!.declaration },
  ];
  /** The items as a worker sends them and the storing thread receives them, the bytes transferred. */
  const trip = (items: CheckedItem[]) => {
    const packed = packChecked(items);
    return unpackChecked(structuredClone(packed, { transfer: [packed.bytes] }));
  };
  const withStrings = (items: CheckedItem[]) =>
    items.map((item) => (item.row === undefined ? item : { ...item, row: withTexts(item.row) }));

  it('gives back every row and column as it was, the large texts as their UTF-8 bytes', () => {
    const items = sent.map((item) => checkItem(item, env, now, 'test'));
    const received = trip(items);
    expect(withStrings(received)).toEqual(items);
    expect(received.filter((item) => item.row !== undefined)).toHaveLength(6);
    for (const { row } of received.filter((item) => item.row !== undefined)) {
      expect([row!.original, row!.canonical, row!.trace].every((text) => Buffer.isBuffer(text))).toBe(true);
    }
  });

  it('gives back the memory of the texts at once when asked, once their rows are stored', () => {
    const received = trip(sent.map((item) => checkItem(item, env, now, 'test')));
    const canonical = received.find((item) => item.row !== undefined)!.row!.canonical as Buffer;
    expect(canonical.buffer.byteLength).toBeGreaterThan(0);
    releaseChecked(received);
    expect(canonical.buffer.byteLength).toBe(0);
    expect(() => releaseChecked(received)).not.toThrow();
  });

  it('sends an original with a lone surrogate as the string, which UTF-8 cannot carry', () => {
    const [valid] = sent.slice(0, 1).map((item) => checkItem(item, env, now, 'test'));
    const original = `${valid!.row!.original as string}\udc00`; // after the JSON: as a text given as a string may be
    const [received] = trip([{ ...valid!, row: { ...valid!.row!, original } }]);
    expect(received!.row!.original).toBe(original);
    expect(received!.row!.canonical).toEqual(Buffer.from(valid!.row!.canonical as string));
  });
});
