import { sql } from 'kysely';
import { ConcordError } from '../kernel/index.js';
import type { Store } from './database.js';

/**
 * One schema change. Modules own their tables and contribute their migrations; names are global, so prefix them with
 * the module (`identity/0001-users`). A migration never changes once released: add a new one instead.
 */
export interface Migration {
  readonly name: string;
  up(store: Store): Promise<void>;
}

/**
 * Applies, in the given order, every migration not applied yet, each in its own transaction, and returns the names
 * applied. Safe to run on every start and from several processes: a second runner waits on the lock row and then
 * finds nothing left to do.
 */
export async function migrate(store: Store, migrations: readonly Migration[]): Promise<string[]> {
  const seen = new Set<string>();
  for (const m of migrations) {
    if (seen.has(m.name)) throw new ConcordError('STORAGE_MIGRATION_FAILED', `duplicate migration name ${m.name}`);
    seen.add(m.name);
  }
  await store.db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();

  const applied: string[] = [];
  for (const migration of migrations) {
    try {
      const done = await store.db.transaction().execute(async (trx) => {
        // Serialize concurrent runners: PostgreSQL takes a transaction-scoped advisory lock; SQLite's writer lock
        // is taken by the first write of the transaction.
        if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(7700)`.execute(trx);
        const row = await trx
          .selectFrom('schema_migrations')
          .select('name')
          .where('name', '=', migration.name)
          .executeTakeFirst();
        if (row) return false;
        await trx
          .insertInto('schema_migrations')
          .values({ name: migration.name, applied_at: new Date().toISOString() })
          .execute();
        await migration.up({ ...store, db: trx, typed: () => trx as never });
        return true;
      });
      if (done) applied.push(migration.name);
    } catch (cause) {
      if (cause instanceof ConcordError) throw cause;
      throw new ConcordError(
        'STORAGE_MIGRATION_FAILED',
        `migration ${migration.name} failed: ${(cause as Error).message}`,
        { migration: migration.name },
        { cause },
      );
    }
  }
  return applied;
}

/** Names of the migrations already applied, in the order they were applied. */
export async function appliedMigrations(store: Store): Promise<string[]> {
  const rows = await store.db.selectFrom('schema_migrations').select('name').orderBy('applied_at').execute();
  return rows.map((r: { name: string }) => r.name);
}
