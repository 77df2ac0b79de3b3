import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { openStore, type Store } from './database.js';

/**
 * One database engine a contract test runs on. Every storage behaviour is tested on each target, in the manner of
 * Kysely's own suite: SQLite always, PostgreSQL when `DATABASE_URL` is set.
 */
export interface StoreTarget {
  readonly name: 'sqlite' | 'postgres';
  /** Opens a fresh, empty database (a new in-memory SQLite, or a new PostgreSQL schema). */
  open(): Promise<Store>;
  /** Closes the store and drops what `open` created. */
  dispose(store: Store): Promise<void>;
}

export function storeTargets(env: NodeJS.ProcessEnv = process.env): StoreTarget[] {
  const targets: StoreTarget[] = [
    {
      name: 'sqlite',
      open: () => openStore({ sqlitePath: ':memory:' }),
      dispose: (store) => store.close(),
    },
  ];
  const url = env.DATABASE_URL;
  if (url) {
    const schemas = new WeakMap<Store, string>();
    targets.push({
      name: 'postgres',
      async open() {
        const schema = `t_${randomBytes(6).toString('hex')}`;
        const store = await openStore({ databaseUrl: url, schema, poolSize: 4 });
        schemas.set(store, schema);
        return store;
      },
      async dispose(store) {
        const schema = schemas.get(store);
        if (schema) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
        await store.close();
      },
    });
  }
  return targets;
}
