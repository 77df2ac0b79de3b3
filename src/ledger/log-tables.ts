import type { Migration, Store } from '../storage/index.js';

/**
 * The log on disk. Rows are only ever inserted (and `ledger_state.size` only grows); `auditLog` detects an edited or
 * deleted row by recomputing everything from `ledger_leaves`.
 */
export interface LedgerTables {
  /** One row per entry: its index, RFC 9162 leaf hash and canonical JSON bytes. */
  ledger_leaves: { idx: number; leaf_hash: Uint8Array; entry: Uint8Array };
  /**
   * The hash of every complete subtree of level ≥ 1 (level 0 is `ledger_leaves.leaf_hash`): node (level, idx) covers
   * leaves [idx·2^level, (idx+1)·2^level). Any root or proof is O(log n) point reads here, never a rebuild.
   */
  ledger_nodes: { level: number; idx: number; hash: Uint8Array };
  /** One row (id 1): the committed tree size, also the writers' lock (see LogStore). */
  ledger_state: { id: number; size: number };
  /** Every checkpoint this log published, as signed. */
  ledger_checkpoints: { size: number; root_hash: Uint8Array; note: string; published_at: string };
}

export const ledgerMigrations: Migration[] = [
  {
    name: 'ledger/0001-merkle-log',
    async up({ db, binaryType, bigintType }: Store) {
      await db.schema
        .createTable('ledger_leaves')
        .addColumn('idx', bigintType, (c) => c.primaryKey())
        .addColumn('leaf_hash', binaryType, (c) => c.notNull())
        .addColumn('entry', binaryType, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ledger_leaves_by_hash').on('ledger_leaves').column('leaf_hash').execute();
      await db.schema
        .createTable('ledger_nodes')
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('idx', bigintType, (c) => c.notNull())
        .addColumn('hash', binaryType, (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_nodes_pk', ['level', 'idx'])
        .execute();
      await db.schema
        .createTable('ledger_state')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('size', bigintType, (c) => c.notNull())
        .execute();
      await db.insertInto('ledger_state').values({ id: 1, size: 0 }).execute();
      await db.schema
        .createTable('ledger_checkpoints')
        .addColumn('size', bigintType, (c) => c.primaryKey())
        .addColumn('root_hash', binaryType, (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
];
