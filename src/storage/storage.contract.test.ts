import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appliedMigrations,
  isUniqueViolation,
  migrate,
  type Migration,
  openStore,
  type Store,
  storeTargets,
} from './index.js';

const thingsMigration: Migration = {
  name: 'test/0001-things',
  async up({ db, binaryType, bigintType }) {
    await db.schema
      .createTable('things')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('n', bigintType, (c) => c.notNull())
      .addColumn('bytes', binaryType)
      .execute();
  },
};

interface ThingsTables {
  things: { id: string; n: number; bytes: Buffer | null };
}

for (const target of storeTargets()) {
  describe(`storage on ${target.name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await target.open();
    });
    afterEach(async () => {
      await target.dispose(store);
    });

    describe(migrate.name, () => {
      it('applies each migration once, in order, and remembers it', async () => {
        expect(await migrate(store, [thingsMigration])).toEqual(['test/0001-things']);
        expect(await migrate(store, [thingsMigration])).toEqual([]);
        expect(await appliedMigrations(store)).toEqual(['test/0001-things']);
      });

      it('rolls back a failing migration whole and reports it with STORAGE_MIGRATION_FAILED', async () => {
        const broken: Migration = {
          name: 'test/0002-broken',
          async up({ db }) {
            await db.schema.createTable('half').addColumn('id', 'text').execute();
            await sql`this is not sql`.execute(db);
          },
        };
        await expect(migrate(store, [thingsMigration, broken])).rejects.toMatchObject({
          code: 'STORAGE_MIGRATION_FAILED',
        });
        expect(await appliedMigrations(store)).toEqual(['test/0001-things']);
        // the half-made table went with the failed transaction
        await expect(sql`select * from half`.execute(store.db)).rejects.toThrow();
      });

      it('refuses duplicate migration names before touching the database', async () => {
        await expect(migrate(store, [thingsMigration, thingsMigration])).rejects.toMatchObject({
          code: 'STORAGE_MIGRATION_FAILED',
        });
      });
    });

    describe('values', () => {
      beforeEach(async () => {
        await migrate(store, [thingsMigration]);
      });

      it('round-trips 64-bit integers as numbers and bytes as Buffers', async () => {
        const db = store.typed<ThingsTables>();
        const big = 2 ** 52 + 7;
        await db
          .insertInto('things')
          .values({ id: 'a', n: big, bytes: Buffer.from([0, 1, 255]) })
          .execute();
        const row = await db.selectFrom('things').selectAll().where('id', '=', 'a').executeTakeFirstOrThrow();
        expect(row.n).toBe(big);
        expect(Buffer.from(row.bytes!)).toEqual(Buffer.from([0, 1, 255]));
      });

      it('recognizes a unique violation on either engine', async () => {
        const db = store.typed<ThingsTables>();
        await db.insertInto('things').values({ id: 'a', n: 1, bytes: null }).execute();
        const error = await db
          .insertInto('things')
          .values({ id: 'a', n: 2, bytes: null })
          .execute()
          .catch((e: unknown) => e);
        expect(isUniqueViolation(error)).toBe(true);
        expect(isUniqueViolation(new Error('other'))).toBe(false);
      });

      it('commits a transaction whole or not at all', async () => {
        const db = store.typed<ThingsTables>();
        await expect(
          db.transaction().execute(async (trx) => {
            await trx.insertInto('things').values({ id: 'x', n: 1, bytes: null }).execute();
            throw new Error('abort');
          }),
        ).rejects.toThrow('abort');
        expect(await db.selectFrom('things').selectAll().execute()).toEqual([]);
      });

      it('answers ping', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('exposes the raw SQLite connection behind db, and only on SQLite', async () => {
        if (store.dialect !== 'sqlite') {
          expect(store.sqlite).toBeUndefined();
          return;
        }
        const raw = store.sqlite!;
        raw.prepare('insert into things (id, n, bytes) values (?, ?, ?)').run('r', 5, Buffer.from([7]));
        const db = store.typed<ThingsTables>();
        expect((await db.selectFrom('things').selectAll().where('id', '=', 'r').executeTakeFirstOrThrow()).n).toBe(5);
        // The same connection: a Kysely transaction in progress is visible to it.
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('things').values({ id: 't', n: 1, bytes: null }).execute();
          expect(raw.inTransaction).toBe(true);
        });
        expect(raw.inTransaction).toBe(false);
      });
    });
  });
}

describe('SQLite files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'concord-storage-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives a new file 16 KiB pages in WAL mode, and opens a file made with another page size as it is', async () => {
    const fresh = await openStore({ sqlitePath: join(dir, 'new.sqlite') });
    await migrate(fresh, [thingsMigration]);
    expect(fresh.sqlite!.pragma('page_size', { simple: true })).toBe(16_384);
    expect(fresh.sqlite!.pragma('journal_mode', { simple: true })).toBe('wal');
    await fresh.close();

    const oldPath = join(dir, 'old.sqlite');
    const old = new SQLite(oldPath);
    old.pragma('page_size = 4096');
    old.pragma('journal_mode = WAL');
    old.exec(
      "create table things (id text primary key, n integer not null, bytes blob); insert into things values ('a', 1, null)",
    );
    old.close();
    const reopened = await openStore({ sqlitePath: oldPath });
    expect(reopened.sqlite!.pragma('page_size', { simple: true })).toBe(4096);
    const db = reopened.typed<ThingsTables>();
    await db.insertInto('things').values({ id: 'b', n: 2, bytes: null }).execute();
    expect((await db.selectFrom('things').select('id').orderBy('id').execute()).map((row) => row.id)).toEqual([
      'a',
      'b',
    ]);
    await reopened.close();
  });
});
