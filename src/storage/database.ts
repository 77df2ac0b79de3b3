import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { ConcordError } from '../kernel/index.js';

/** Which engine is behind the handle. Domain code rarely needs it: only for column types Kysely cannot abstract. */
export type Dialect = 'sqlite' | 'postgres';

export interface StoreOptions {
  /** `postgres://…` for PostgreSQL; absent for the embedded SQLite file. */
  databaseUrl?: string | undefined;
  /** Path of the SQLite file (ignored for PostgreSQL). `:memory:` for a throwaway database. */
  sqlitePath?: string | undefined;
  /** PostgreSQL schema to use (created when missing); lets tests and several nodes share one server. */
  schema?: string | undefined;
  /** Connections in the PostgreSQL pool. */
  poolSize?: number | undefined;
}

/**
 * The node's database handle. `db` is untyped here; each module narrows it to its own tables with `typed<T>()`, so
 * storage knows no module's schema and modules know no other module's tables.
 */
export interface Store {
  readonly dialect: Dialect;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  /** The same handle, typed with a module's tables. */
  typed<Tables>(): Kysely<Tables>;
  /** The column type for raw bytes on this engine. */
  readonly binaryType: 'blob' | 'bytea';
  /** The column type for a 64-bit integer on this engine. */
  readonly bigintType: 'integer' | 'bigint';
  /**
   * The raw better-sqlite3 connection behind `db`, on SQLite only: for hot paths where Kysely's per-query async
   * overhead dominates (prepared statements run synchronously). It is the same connection, so: never leave a
   * transaction open across an `await`, and check `sqlite.inTransaction` first — while a Kysely transaction is open,
   * statements run here would join it (use `db` then, which waits for it).
   */
  readonly sqlite?: SQLite.Database;
  /** Checks that the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const PG_INT8_OID = 20;
const PG_NUMERIC_OID = 1700;

/** The page size of a new SQLite file. */
export const SQLITE_PAGE_SIZE = 16_384;

/** Opens the database: SQLite (WAL, foreign keys on, FULL sync) by default, PostgreSQL when a URL is given. */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openSqlite(options.sqlitePath ?? ':memory:');
}

function openSqlite(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let database: SQLite.Database;
  try {
    database = new SQLite(path);
  } catch (cause) {
    throw new ConcordError('STORAGE_UNAVAILABLE', `cannot open SQLite file ${path}`, { path }, { cause });
  }
  // 16 KiB pages for a new file (an existing one keeps its own): a stored declaration's row (~13 KB of original,
  // canonical form and trace) fits in one page instead of spilling over four, which makes its insert about a quarter
  // cheaper, and a one-row commit costs no more (docs/decisions/0015-sqlite-page-size.md).
  database.pragma(`page_size = ${SQLITE_PAGE_SIZE}`);
  // WAL lets the CLI read (and briefly write) beside a running node; FULL sync makes a commit survive power loss,
  // which is what "acknowledged means kept" requires. busy_timeout turns a momentary lock into a short wait.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) });
  return { ...makeStore('sqlite', db), sqlite: database };
}

async function openPostgres(url: string, options: StoreOptions): Promise<Store> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConcordError('CONFIG_INVALID', `invalid PostgreSQL schema name ${schema}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    // 64-bit integers come back as numbers: every count and timestamp we store fits in 2^53.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === PG_INT8_OID || oid === PG_NUMERIC_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  try {
    if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    await sql`select 1`.execute(db);
  } catch (cause) {
    await db.destroy();
    throw new ConcordError(
      'STORAGE_UNAVAILABLE',
      `cannot reach PostgreSQL: ${(cause as Error).message}`,
      {},
      { cause },
    );
  }
  return makeStore('postgres', db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function makeStore(dialect: Dialect, db: Kysely<any>): Store {
  return {
    dialect,
    db,
    typed: <Tables>() => db as unknown as Kysely<Tables>,
    binaryType: dialect === 'sqlite' ? 'blob' : 'bytea',
    bigintType: dialect === 'sqlite' ? 'integer' : 'bigint',
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (cause) {
        throw new ConcordError('STORAGE_UNAVAILABLE', (cause as Error).message, {}, { cause });
      }
    },
    close: () => db.destroy(),
  };
}
