import { sql, type Generated } from 'kysely';
import type { Migration, Store } from '../storage/index.js';

/**
 * The log on disk. Rows are only ever inserted (and `ledger_state.size` only grows); `auditLog` detects an edited or
 * deleted row by recomputing everything from `ledger_leaves`.
 */
export interface LedgerTables {
  /**
   * One row per entry: its index, RFC 9162 leaf hash and canonical JSON bytes. Entries are found by leaf hash through
   * an index on its first 8 bytes (`ledger/0003-leaf-hash-prefix`), matched in full against `leaf_hash`.
   */
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
  /** Logs this node witnesses (configured by an admin): the log's note verifier key and the last checkpoint cosigned. */
  ledger_witnessed: { origin: string; verifier_key: string; size: number; note: string | null; updated_at: string };
  /** Evidence of split views: two checkpoints signed by one log that no consistency proof joins. */
  ledger_split_views: {
    id: Generated<number>;
    origin: string;
    cosigned: string;
    submitted: string;
    old_size: number;
    new_size: number;
    proof: string;
    detected_at: string;
  };
  /** Witnesses this node asks to cosign its checkpoints, and the size each last cosigned. */
  ledger_witnesses: {
    name: string;
    url: string;
    verifier_key: string;
    size: number;
    last_error: string | null;
    added_at: string;
  };
  /** Cosignature lines received for this log's checkpoints. */
  ledger_cosignatures: { size: number; witness: string; line: string; received_at: string };
  /** Anchored documents by hash, with the indices of their anchoring and revocation entries. */
  ledger_documents: {
    document_hash: string;
    document_id: string;
    document_type: string;
    anchored_index: number;
    revoked_index: number | null;
  };
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
  {
    name: 'ledger/0002-witnessing-and-documents',
    async up({ db, dialect, bigintType }: Store) {
      await db.schema
        .createTable('ledger_witnessed')
        .addColumn('origin', 'text', (c) => c.primaryKey())
        .addColumn('verifier_key', 'text', (c) => c.notNull())
        .addColumn('size', bigintType, (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ledger_split_views')
        .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('cosigned', 'text', (c) => c.notNull())
        .addColumn('submitted', 'text', (c) => c.notNull())
        .addColumn('old_size', bigintType, (c) => c.notNull())
        .addColumn('new_size', bigintType, (c) => c.notNull())
        .addColumn('proof', 'text', (c) => c.notNull())
        .addColumn('detected_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ledger_witnesses')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('verifier_key', 'text', (c) => c.notNull())
        .addColumn('size', bigintType, (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('added_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ledger_cosignatures')
        .addColumn('size', bigintType, (c) => c.notNull())
        .addColumn('witness', 'text', (c) => c.notNull())
        .addColumn('line', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_cosignatures_pk', ['size', 'witness'])
        .execute();
      await db.schema
        .createTable('ledger_documents')
        .addColumn('document_hash', 'text', (c) => c.primaryKey())
        .addColumn('document_id', 'text', (c) => c.notNull().unique())
        .addColumn('document_type', 'text', (c) => c.notNull())
        .addColumn('anchored_index', bigintType, (c) => c.notNull())
        .addColumn('revoked_index', bigintType)
        .execute();
    },
  },
  {
    // The full 32-byte leaf-hash index made every append a random insert into a B-tree whose rows were the size of
    // the hash: the largest cost of a durable append once the log outgrows the page cache. An index on the first
    // 8 bytes is less than half the size, and the full hash is still compared on the row (the expression must
    // read exactly `substr(leaf_hash, 1, 8)` in queries for the planner to use it).
    name: 'ledger/0003-leaf-hash-prefix',
    async up({ db }: Store) {
      await sql`create index ledger_leaves_by_hash_prefix on ledger_leaves ((substr(leaf_hash, 1, 8)))`.execute(db);
      await db.schema.dropIndex('ledger_leaves_by_hash').execute();
    },
  },
];
