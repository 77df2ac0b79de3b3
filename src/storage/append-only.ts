import { sql } from 'kysely';
import type { Store } from './database.js';

/**
 * Makes a table append-only in the database itself — triggers refuse UPDATE and DELETE (and TRUNCATE on
 * PostgreSQL) with `message` — so that no code path, ours or an operator's SQL, edits history quietly. For use in a
 * migration.
 */
export async function makeAppendOnly({ db, dialect }: Pick<Store, 'db' | 'dialect'>, table: string, message: string) {
  if (!/^[a-z_][a-z0-9_]*$/.test(table) || !/^[A-Z_]+$/.test(message)) throw new Error('invalid table or message');
  if (dialect === 'sqlite') {
    for (const op of ['UPDATE', 'DELETE']) {
      await sql
        .raw(
          `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} ` +
            `BEGIN SELECT RAISE(ABORT, '${message}'); END`,
        )
        .execute(db);
    }
    return;
  }
  await sql
    .raw(
      `CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS ` +
        `$$ BEGIN RAISE EXCEPTION '${message}'; END $$`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON ${table} ` +
        `FOR EACH STATEMENT EXECUTE FUNCTION ${table}_append_only()`,
    )
    .execute(db);
}
