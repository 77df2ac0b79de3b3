/**
 * The node's tamper-evident log on its database: entries in `ledger_leaves`, complete-subtree hashes in
 * `ledger_nodes`, signed checkpoints in `ledger_checkpoints` (tables in log-tables.ts).
 *
 * Appends are grouped: every append made while a transaction is being written waits for the next one, and each
 * promise resolves only after the transaction holding its entry has committed (with SQLite's `synchronous = FULL`,
 * after it is on disk). So an acknowledged entry survives a crash, and a busy node pays one commit per batch rather
 * than per entry.
 *
 * The appender keeps the tree's frontier (a CompactRange) in memory. The single `ledger_state` row is both the
 * committed size and the writers' lock: a transaction first moves it from the size this process knows, so a second
 * writer (another process on the same database) finds it moved, reloads the frontier and retries.
 *
 * On SQLite the hot paths (the append transaction, proof reads) run on the raw better-sqlite3 connection with
 * prepared single-row statements, in one synchronous `BEGIN IMMEDIATE … COMMIT` per batch: Kysely's async path per
 * query cost more than the inserts themselves (and multi-row `VALUES` measured slower than single-row prepared
 * statements there). While another transaction is open on the connection they fall back to Kysely, which waits for
 * it. PostgreSQL always goes through Kysely, with multi-row inserts.
 */
import { sql, type Kysely } from 'kysely';
import { ConcordError, systemClock, type Clock } from '../kernel/index.js';
import { isUniqueViolation, type Store } from '../storage/index.js';
import { parseCheckpoint, signCheckpoint, type Checkpoint } from './checkpoint.js';
import { CompactRange, type NewNode } from './compact-range.js';
import type { ConsistencyProof } from './consistency-proof.js';
import { decodeEntry, encodeEntry, type LedgerEntry } from './entry.js';
import { bytesEqual, isHash } from './hasher.js';
import type { InclusionProof } from './inclusion-proof.js';
import type { LedgerTables } from './log-tables.js';
import {
  EMPTY_ROOT,
  composeProof,
  frontierNodes,
  hashLeaf,
  nodeHasher,
  planConsistencyProof,
  planInclusionProof,
  planNodes,
  planRootHash,
  type NodeRef,
  type ProofPlan,
} from './merkle.js';
import type { NoteSigner } from './note.js';
import { isTreeIndex } from './tree-math.js';

export interface LogStoreOptions {
  /** The database, with `ledgerMigrations` applied. */
  readonly store: Store;
  /** The log's origin line, e.g. `concord.example/NL`; also the key name its checkpoints are signed with. */
  readonly origin: string;
  readonly clock?: Clock;
  /** Most entries written in one transaction (default 10,000). */
  readonly maxBatch?: number;
}

/** The acknowledgement of an append: where the entry is, and its leaf hash. */
export interface AppendedEntry {
  readonly index: number;
  readonly leafHash: Uint8Array;
}

export interface StoredEntry {
  readonly index: number;
  readonly leafHash: Uint8Array;
  readonly entry: LedgerEntry;
}

export interface PublishedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** The signed note, as published. */
  readonly note: string;
  readonly publishedAt: string;
}

/** Most entries returned by one {@link LogStore.entries} call. */
export const MAX_ENTRIES_PER_READ = 10_000;

// SQLite binds at most 32766 parameters per statement; three per row leaves room.
const ROWS_PER_INSERT = 1_000;

/** Bytes of the leaf hash indexed for {@link LogStore.inclusionProofByHash} (`ledger/0003-leaf-hash-prefix`). */
export const LEAF_HASH_PREFIX_BYTES = 8;

interface Pending {
  readonly bytes: Uint8Array[];
  readonly resolve: (entries: AppendedEntry[]) => void;
  readonly reject: (error: unknown) => void;
}

class StaleFrontier extends Error {}

export class LogStore {
  readonly origin: string;
  readonly #db: Kysely<LedgerTables>;
  readonly #clock: Clock;
  readonly #maxBatch: number;
  /** Prepared statements on the raw connection, on SQLite. */
  readonly #sqlite: SqliteStatements | undefined;
  #range: CompactRange;
  #queue: Pending[] = [];
  /** Hashes of multi-subtree ranges already composed; they never change. */
  readonly #composed = new Map<string, Uint8Array>();
  #draining: Promise<void> | undefined;

  private constructor(options: LogStoreOptions, range: CompactRange, statements: SqliteStatements | undefined) {
    this.origin = options.origin;
    this.#db = options.store.typed<LedgerTables>();
    this.#clock = options.clock ?? systemClock;
    this.#maxBatch = options.maxBatch ?? 10_000;
    this.#sqlite = statements;
    this.#range = range;
  }

  /**
   * Opens the log: loads the frontier of the committed tree (O(log n) reads).
   *
   * @example
   * await migrate(store, [...ledgerMigrations]);
   * const log = await LogStore.open({ store, origin: 'concord.example/NL' });
   */
  static async open(options: LogStoreOptions): Promise<LogStore> {
    const db = options.store.typed<LedgerTables>();
    const raw = options.store.sqlite;
    const statements = raw ? new SqliteStatements(raw) : undefined;
    return new LogStore(options, await loadFrontier(db, statements), statements);
  }

  /**
   * Appends an entry; resolves once the transaction that holds it has committed.
   *
   * @throws ConcordError `LEDGER_ENTRY_MALFORMED` / `LEDGER_ENTRY_TYPE_UNKNOWN` before anything is written.
   */
  async append(entry: LedgerEntry): Promise<AppendedEntry> {
    const [appended] = await this.appendAll([entry]);
    return appended!;
  }

  /** Appends entries, in order and in the same transaction; resolves once it has committed. */
  appendAll(entries: readonly LedgerEntry[]): Promise<AppendedEntry[]> {
    let bytes: Uint8Array[];
    try {
      bytes = entries.map(encodeEntry);
    } catch (error) {
      return Promise.reject(error);
    }
    if (bytes.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#queue.push({ bytes, resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** Waits until every append made so far is committed (or failed). */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** The committed tree size. */
  async size(): Promise<number> {
    return this.#idle()?.size() ?? readSize(this.#db);
  }

  /** The root hash of the tree at `size` (default: the committed size). */
  async rootHash(size?: number): Promise<Uint8Array> {
    const at = await this.#sizeAtMost(size);
    const [root] = await this.#readPlan(planRootHash(at));
    return root ?? EMPTY_ROOT;
  }

  /**
   * The inclusion proof of entry `index` in the tree at `size` (default: the committed size).
   *
   * @throws ConcordError `LEDGER_INDEX_OUT_OF_RANGE`, `LEDGER_SIZE_INVALID`.
   */
  async inclusionProof(index: number, size?: number): Promise<InclusionProof> {
    const at = await this.#sizeAtMost(size);
    const plan = planInclusionProof(index, at);
    return { leafIndex: index, treeSize: at, hashes: await this.#readPlan(plan) };
  }

  /**
   * The inclusion proof of the first entry with this leaf hash, in the tree at `size` — how a document is verified
   * from its hash alone.
   *
   * @throws ConcordError `LEDGER_ENTRY_UNKNOWN` if no such entry is in that tree.
   */
  async inclusionProofByHash(leafHash: Uint8Array, size?: number): Promise<InclusionProof> {
    const at = await this.#sizeAtMost(size);
    if (!isHash(leafHash)) throw new ConcordError('LEDGER_ENTRY_UNKNOWN', 'a leaf hash is 32 bytes');
    const hash = toBuffer(leafHash);
    const prefix = hash.subarray(0, LEAF_HASH_PREFIX_BYTES);
    const idle = this.#idle();
    let index: number | undefined;
    if (idle) {
      index = idle.indexByHash(prefix, hash, at);
    } else {
      // The expression must read exactly as the index's (`ledger/0003-leaf-hash-prefix`) for the planner to use it.
      const { rows } = await sql<{ idx: number }>`select idx from ledger_leaves
        where substr(leaf_hash, 1, 8) = ${prefix} and leaf_hash = ${hash} and idx < ${at}
        order by idx limit 1`.execute(this.#db);
      index = rows[0] === undefined ? undefined : Number(rows[0].idx);
    }
    if (index === undefined) {
      throw new ConcordError('LEDGER_ENTRY_UNKNOWN', `no entry with that leaf hash in the first ${at}`);
    }
    return this.inclusionProof(index, at);
  }

  /**
   * The consistency proof from the tree at `size1` to the tree at `size2` (default: the committed size).
   *
   * @throws ConcordError `LEDGER_SIZE_INVALID`.
   */
  async consistencyProof(size1: number, size2?: number): Promise<ConsistencyProof> {
    const at = await this.#sizeAtMost(size2);
    const plan = planConsistencyProof(size1, at);
    return { size1, size2: at, hashes: await this.#readPlan(plan) };
  }

  /**
   * Entry `index`, checked against its stored leaf hash.
   *
   * @throws ConcordError `LEDGER_ENTRY_UNKNOWN`, or `LEDGER_INTEGRITY_FAILED` if the row was altered.
   */
  async entry(index: number): Promise<StoredEntry> {
    const [entry] = await this.entries(index, index + 1);
    if (!entry) throw new ConcordError('LEDGER_ENTRY_UNKNOWN', `no entry ${index}`, { index });
    return entry;
  }

  /**
   * The committed entries with indices in [start, end), at most {@link MAX_ENTRIES_PER_READ}, each checked against
   * its leaf hash.
   */
  async entries(start: number, end: number): Promise<StoredEntry[]> {
    if (!isTreeIndex(start) || !isTreeIndex(end) || end < start || end - start > MAX_ENTRIES_PER_READ) {
      throw new ConcordError('LEDGER_SIZE_INVALID', `read [${start}, ${end}) at most ${MAX_ENTRIES_PER_READ} entries`);
    }
    const size = await readSize(this.#db);
    const rows = await this.#db
      .selectFrom('ledger_leaves')
      .select(['idx', 'leaf_hash', 'entry'])
      .where('idx', '>=', start)
      .where('idx', '<', Math.min(end, size))
      .orderBy('idx')
      .execute();
    return rows.map((row, i) => {
      const index = Number(row.idx);
      const bytes = new Uint8Array(row.entry);
      if (index !== start + i || !bytesEqual(hashLeaf(bytes), row.leaf_hash)) {
        throw new ConcordError('LEDGER_INTEGRITY_FAILED', `entry ${start + i} is missing or altered`, {
          index: start + i,
        });
      }
      return { index, leafHash: new Uint8Array(row.leaf_hash), entry: decodeEntry(bytes) };
    });
  }

  /**
   * Signs and stores a checkpoint of the committed tree, after pending appends have committed. Idempotent: if the
   * latest checkpoint already has this size, returns it.
   *
   * @example
   * const { note } = await log.publishCheckpoint([ed25519NoteSigner(log.origin, nodeKey)]);
   */
  async publishCheckpoint(signers: readonly NoteSigner[]): Promise<PublishedCheckpoint> {
    await this.flush();
    const size = await readSize(this.#db);
    const existing = await this.checkpointAt(size);
    if (existing) return existing;
    const checkpoint: Checkpoint = { origin: this.origin, size, rootHash: await this.rootHash(size), extensions: [] };
    const note = signCheckpoint(checkpoint, signers);
    const publishedAt = new Date(this.#clock.now()).toISOString();
    try {
      await this.#db
        .insertInto('ledger_checkpoints')
        .values({ size, root_hash: toBuffer(checkpoint.rootHash), note, published_at: publishedAt })
        .execute();
    } catch (error) {
      // Another process published this size first; the tree is the same, so is the root.
      if (!isUniqueViolation(error)) throw error;
      const other = await this.checkpointAt(size);
      if (other && bytesEqual(other.checkpoint.rootHash, checkpoint.rootHash)) return other;
      throw new ConcordError('LEDGER_INTEGRITY_FAILED', `two roots stored for size ${size}`, { size });
    }
    return { checkpoint, note, publishedAt };
  }

  /** The checkpoint published at `size`, if any. */
  async checkpointAt(size: number): Promise<PublishedCheckpoint | undefined> {
    const row = await this.#db.selectFrom('ledger_checkpoints').selectAll().where('size', '=', size).executeTakeFirst();
    return row ? toPublished(row) : undefined;
  }

  /** The latest published checkpoint, if any. */
  async latestCheckpoint(): Promise<PublishedCheckpoint | undefined> {
    const row = await this.#db
      .selectFrom('ledger_checkpoints')
      .selectAll()
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toPublished(row) : undefined;
  }

  /** Published checkpoints in increasing size, those after `afterSize`, at most `limit`. */
  async checkpointHistory(options: { afterSize?: number; limit?: number } = {}): Promise<PublishedCheckpoint[]> {
    const rows = await this.#db
      .selectFrom('ledger_checkpoints')
      .selectAll()
      .where('size', '>', options.afterSize ?? -1)
      .orderBy('size')
      .limit(Math.min(options.limit ?? 100, 1000))
      .execute();
    return rows.map(toPublished);
  }

  async #sizeAtMost(size: number | undefined): Promise<number> {
    // The size this process committed is a lower bound of the committed size: no need to ask the database.
    if (size !== undefined && isTreeIndex(size) && size <= this.#range.size) return size;
    const committed = await this.size();
    if (size === undefined) return committed;
    if (!isTreeIndex(size) || size > committed) {
      throw new ConcordError('LEDGER_SIZE_INVALID', `size ${String(size)} is beyond the log's ${committed} entries`, {
        size,
        committed,
      });
    }
    return size;
  }

  async #drain(): Promise<void> {
    try {
      // Let the current synchronous code queue its appends too, so they share this transaction.
      await null;
      while (this.#queue.length > 0) {
        const batch: Pending[] = [];
        let count = 0;
        while (
          this.#queue.length > 0 &&
          (batch.length === 0 || count + this.#queue[0]!.bytes.length <= this.#maxBatch)
        ) {
          const next = this.#queue.shift()!;
          batch.push(next);
          count += next.bytes.length;
        }
        try {
          const appended = await this.#commit(batch.flatMap((p) => p.bytes));
          let offset = 0;
          for (const pending of batch) {
            pending.resolve(appended.slice(offset, offset + pending.bytes.length));
            offset += pending.bytes.length;
          }
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      // Cleared in the same synchronous step that saw the queue empty, so an append queued after this starts a new
      // drain and none is left behind.
      this.#draining = undefined;
    }
  }

  /** The raw SQLite statements, when no transaction is open on the connection (see the file comment). */
  #idle(): SqliteStatements | undefined {
    return this.#sqlite && !this.#sqlite.db.inTransaction ? this.#sqlite : undefined;
  }

  async #readPlan(plan: ProofPlan): Promise<Uint8Array[]> {
    const idle = this.#idle();
    if (!idle) return readPlan(this.#db, plan, this.#composed);
    const cache = this.#composed;
    const needed = plan.filter((nodes) => nodes.length === 1 || !cache.has(rangeKey(nodes)));
    const hashes = idle.nodes(planNodes(needed));
    return composeProof(plan, (node) => hashes.get(nodeKey(node))!, nodeHasher, cache);
  }

  async #commit(entries: readonly Uint8Array[]): Promise<AppendedEntry[]> {
    for (let attempt = 0; ; attempt++) {
      const range = this.#range.clone();
      const start = range.size;
      try {
        const idle = this.#idle();
        if (idle) {
          // Synchronous: BEGIN IMMEDIATE … COMMIT (durable on return), or ROLLBACK and throw.
          const appended = idle.append(range, entries);
          this.#range = range;
          return appended;
        }
        const appended = await this.#db.transaction().execute(async (trx) => {
          const locked = await trx
            .updateTable('ledger_state')
            .set({ size: start + entries.length })
            .where('id', '=', 1)
            .where('size', '=', start)
            .executeTakeFirst();
          if (Number(locked.numUpdatedRows) !== 1) throw new StaleFrontier();
          const leaves: LedgerTables['ledger_leaves'][] = [];
          const nodes: LedgerTables['ledger_nodes'][] = [];
          const result: AppendedEntry[] = [];
          for (const bytes of entries) {
            const leafHash = hashLeaf(bytes);
            const index = range.size;
            for (const node of range.append(leafHash)) if (node.level > 0) nodes.push(nodeRow(node));
            leaves.push({ idx: index, leaf_hash: toBuffer(leafHash), entry: toBuffer(bytes) });
            result.push({ index, leafHash });
          }
          for (let i = 0; i < leaves.length; i += ROWS_PER_INSERT) {
            await trx
              .insertInto('ledger_leaves')
              .values(leaves.slice(i, i + ROWS_PER_INSERT))
              .execute();
          }
          for (let i = 0; i < nodes.length; i += ROWS_PER_INSERT) {
            await trx
              .insertInto('ledger_nodes')
              .values(nodes.slice(i, i + ROWS_PER_INSERT))
              .execute();
          }
          return result;
        });
        this.#range = range;
        return appended;
      } catch (error) {
        if (!(error instanceof StaleFrontier) || attempt >= 5) throw error;
        this.#range = await loadFrontier(this.#db, this.#sqlite);
      }
    }
  }
}

/** The committed size. */
export async function readSize(db: Kysely<LedgerTables>): Promise<number> {
  const row = await db.selectFrom('ledger_state').select('size').where('id', '=', 1).executeTakeFirst();
  if (!row) throw new ConcordError('LEDGER_INTEGRITY_FAILED', 'the ledger_state row is missing');
  return Number(row.size);
}

/**
 * Reads the nodes of a plan (one query, whatever the tree size) and composes them. With `cache`, ranges composed
 * before are neither read nor hashed again.
 */
export async function readPlan(
  db: Kysely<LedgerTables>,
  plan: ProofPlan,
  cache?: Map<string, Uint8Array>,
): Promise<Uint8Array[]> {
  const needed = cache ? plan.filter((nodes) => nodes.length === 1 || !cache.has(rangeKey(nodes))) : plan;
  const hashes = await readNodes(db, planNodes(needed));
  return composeProof(plan, (node) => hashes.get(nodeKey(node))!, nodeHasher, cache);
}

function rangeKey(nodes: readonly NodeRef[]): string {
  const last = nodes[nodes.length - 1]!;
  return `${nodes[0]!.level}/${nodes[0]!.index}-${last.level}/${last.index}`;
}

/**
 * The hashes of complete subtrees, from `ledger_leaves` (level 0) and `ledger_nodes`, in one query: a proof in a
 * log of any size is one round trip of O(log n) primary-key lookups.
 *
 * @throws ConcordError `LEDGER_INTEGRITY_FAILED` if one is missing.
 */
export async function readNodes(db: Kysely<LedgerTables>, nodes: readonly NodeRef[]): Promise<Map<string, Uint8Array>> {
  const hashes = new Map<string, Uint8Array>();
  const leaves = nodes.filter((n) => n.level === 0);
  const upper = nodes.filter((n) => n.level > 0);
  const parts = [];
  if (leaves.length > 0) {
    const ids = sql.join(leaves.map((n) => sql`${n.index}`));
    parts.push(sql`select 0 as level, idx, leaf_hash as hash from ledger_leaves where idx in (${ids})`);
  }
  if (upper.length > 0) {
    // Row values: one index probe per node. The casts give PostgreSQL the VALUES column types.
    const keys = sql.join(upper.map((n) => sql`(cast(${n.level} as integer), cast(${n.index} as bigint))`));
    parts.push(sql`select level, idx, hash from ledger_nodes where (level, idx) in (values ${keys})`);
  }
  if (parts.length > 0) {
    const { rows } = await sql<{
      level: number;
      idx: number;
      hash: Uint8Array;
    }>`${sql.join(parts, sql` union all `)}`.execute(db);
    for (const row of rows) hashes.set(`${Number(row.level)}/${Number(row.idx)}`, new Uint8Array(row.hash));
  }
  for (const node of nodes) if (!hashes.has(nodeKey(node))) throw missingNode(node);
  return hashes;
}

async function loadFrontier(db: Kysely<LedgerTables>, statements?: SqliteStatements): Promise<CompactRange> {
  const idle = statements && !statements.db.inTransaction ? statements : undefined;
  const size = idle ? idle.size() : await readSize(db);
  const nodes = frontierNodes(size);
  const hashes = idle ? idle.nodes(nodes) : await readNodes(db, nodes);
  return CompactRange.fromFrontier(
    size,
    nodes.map((n) => hashes.get(nodeKey(n))!),
  );
}

function nodeKey(node: NodeRef): string {
  return `${node.level}/${node.index}`;
}

function missingNode(node: NodeRef): ConcordError {
  return new ConcordError('LEDGER_INTEGRITY_FAILED', `stored node ${nodeKey(node)} is missing`, { ...node });
}

type SqliteDatabase = NonNullable<Store['sqlite']>;

/**
 * The log's statements on the raw better-sqlite3 connection, prepared once. Every method is synchronous, so none
 * can interleave with another query on the connection; callers check `db.inTransaction` first.
 */
class SqliteStatements {
  readonly #lock;
  readonly #insertLeaf;
  readonly #insertNode;
  readonly #size;
  /** Statements reading `leaves` leaf hashes and `upper` node hashes in one step, by `${leaves}/${upper}`. */
  readonly #readers = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
  readonly #byHash;
  readonly #append;

  constructor(readonly db: SqliteDatabase) {
    this.#lock = db.prepare<[number, number]>('update ledger_state set size = ? where id = 1 and size = ?');
    this.#insertLeaf = db.prepare<[number, Buffer, Buffer]>(
      'insert into ledger_leaves (idx, leaf_hash, entry) values (?, ?, ?)',
    );
    this.#insertNode = db.prepare<[number, number, Buffer]>(
      'insert into ledger_nodes (level, idx, hash) values (?, ?, ?)',
    );
    this.#size = db.prepare<[], number>('select size from ledger_state where id = 1').pluck();
    this.#byHash = db
      .prepare<[Buffer, Buffer, number], number>(
        'select idx from ledger_leaves where substr(leaf_hash, 1, 8) = ? and leaf_hash = ? and idx < ? order by idx limit 1',
      )
      .pluck();
    this.#append = db.transaction((range: CompactRange, entries: readonly Uint8Array[]): AppendedEntry[] => {
      const start = range.size;
      if (this.#lock.run(start + entries.length, start).changes !== 1) throw new StaleFrontier();
      const result: AppendedEntry[] = new Array<AppendedEntry>(entries.length);
      for (let i = 0; i < entries.length; i++) {
        const bytes = toBuffer(entries[i]!);
        const leafHash = toBuffer(hashLeaf(bytes));
        const index = start + i;
        const nodes = range.append(leafHash);
        for (let n = 1; n < nodes.length; n++) {
          const node = nodes[n]!;
          this.#insertNode.run(node.level, node.index, toBuffer(node.hash));
        }
        this.#insertLeaf.run(index, leafHash, bytes);
        result[i] = { index, leafHash };
      }
      return result;
    });
  }

  /** Appends `entries` to `range` and writes them in one `BEGIN IMMEDIATE … COMMIT`; throws after a rollback. */
  append(range: CompactRange, entries: readonly Uint8Array[]): AppendedEntry[] {
    return this.#append.immediate(range, entries);
  }

  size(): number {
    const size = this.#size.get();
    if (size === undefined) throw new ConcordError('LEDGER_INTEGRITY_FAILED', 'the ledger_state row is missing');
    return Number(size);
  }

  /**
   * The hashes of complete subtrees: one statement (prepared once per shape) of one primary-key probe per node, as
   * {@link readNodes} does through Kysely — a proof costs one call into SQLite, not one per node.
   */
  nodes(nodes: readonly NodeRef[]): Map<string, Uint8Array> {
    const hashes = new Map<string, Uint8Array>();
    if (nodes.length === 0) return hashes;
    const params: number[] = [];
    let leaves = 0;
    for (const node of nodes) {
      if (node.level === 0) {
        params.push(node.index);
        leaves++;
      }
    }
    for (const node of nodes) if (node.level > 0) params.push(node.level, node.index);
    const rows = this.#reader(leaves, nodes.length - leaves).all(params) as {
      level: number;
      idx: number;
      hash: Buffer;
    }[];
    for (const row of rows) hashes.set(`${row.level}/${row.idx}`, row.hash);
    for (const node of nodes) if (!hashes.has(nodeKey(node))) throw missingNode(node);
    return hashes;
  }

  #reader(leaves: number, upper: number) {
    const key = `${leaves}/${upper}`;
    let statement = this.#readers.get(key);
    if (!statement) {
      const parts: string[] = [];
      if (leaves > 0) {
        const ids = new Array<string>(leaves).fill('?').join(', ');
        parts.push(`select 0 as level, idx, leaf_hash as hash from ledger_leaves where idx in (${ids})`);
      }
      if (upper > 0) {
        const keys = new Array<string>(upper).fill('(?, ?)').join(', ');
        parts.push(`select level, idx, hash from ledger_nodes where (level, idx) in (values ${keys})`);
      }
      statement = this.db.prepare(parts.join(' union all '));
      this.#readers.set(key, statement);
    }
    return statement;
  }

  /** The first index below `size` whose leaf hash is `hash`. */
  indexByHash(prefix: Buffer, hash: Buffer, size: number): number | undefined {
    const index = this.#byHash.get(prefix, hash, size);
    return index === undefined ? undefined : Number(index);
  }
}

function nodeRow(node: NewNode): LedgerTables['ledger_nodes'] {
  return { level: node.level, idx: node.index, hash: toBuffer(node.hash) };
}

function toPublished(row: LedgerTables['ledger_checkpoints']): PublishedCheckpoint {
  const text = row.note.slice(0, row.note.lastIndexOf('\n\n') + 1);
  const checkpoint = parseCheckpoint(text);
  if (checkpoint.size !== Number(row.size) || !bytesEqual(checkpoint.rootHash, row.root_hash)) {
    throw new ConcordError('LEDGER_INTEGRITY_FAILED', `checkpoint ${Number(row.size)} does not match its note`);
  }
  return { checkpoint, note: row.note, publishedAt: row.published_at };
}

/** A Buffer view of bytes (better-sqlite3 binds Buffers, not plain Uint8Arrays). */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
