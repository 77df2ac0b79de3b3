/**
 * The ledger audit: recompute the whole tree from the stored entries and compare it with every stored hash and
 * every published checkpoint. This is how an edited or deleted row is found, and where.
 *
 * What can be named exactly: an entry whose bytes no longer match its stored leaf hash, an entry that no longer
 * decodes, a missing row. An entry rewritten together with its leaf hash shows up as a stored subtree hash that no
 * longer matches (naming the range of entries under it), and, if the subtree hashes were rewritten too, as a
 * published checkpoint whose root no longer matches (naming the entries since the previous good checkpoint). The
 * report's `firstBadIndex` is the earliest entry known to differ, or the start of an earlier range that no known
 * entry explains.
 *
 * Findings are the expected output of an audit, so they are returned as a report, not thrown.
 */
import type { Kysely } from 'kysely';
import type { Store } from '../storage/index.js';
import { openCheckpoint, parseCheckpoint } from './checkpoint.js';
import { CompactRange, type NewNode } from './compact-range.js';
import { decodeEntry } from './entry.js';
import { bytesEqual } from './hasher.js';
import type { LedgerTables } from './log-tables.js';
import { readSize } from './log-store.js';
import { hashLeaf } from './merkle.js';
import type { NoteVerifier } from './note.js';

export type AuditProblemKind =
  | 'entry-missing'
  | 'entry-altered'
  | 'entry-malformed'
  | 'node-missing'
  | 'node-altered'
  | 'node-extra'
  | 'checkpoint-mismatch'
  | 'checkpoint-invalid'
  | 'size-mismatch';

export interface AuditProblem {
  readonly kind: AuditProblemKind;
  /** The first entry that may differ. */
  readonly index: number;
  /**
   * End (exclusive) of the entries that may hold the difference: `index + 1` when it is exactly one entry, `index`
   * when no entry is implicated (a checkpoint row that was itself altered).
   */
  readonly end: number;
  readonly message: string;
}

export interface AuditReport {
  readonly ok: boolean;
  /** The committed size recorded by the log. */
  readonly size: number;
  readonly entriesChecked: number;
  readonly nodesChecked: number;
  readonly checkpointsChecked: number;
  /** The earliest entry any problem implicates; undefined when the log is intact. */
  readonly firstBadIndex: number | undefined;
  /** The problems found, in the order found, at most `maxProblems`. */
  readonly problems: readonly AuditProblem[];
}

export interface AuditOptions {
  /** The log's origin, which every checkpoint must carry. */
  readonly origin?: string;
  /** The log's keys: when given, every checkpoint's signature is verified too. */
  readonly verifiers?: readonly NoteVerifier[];
  readonly chunkSize?: number;
  readonly maxProblems?: number;
  /** Called after each chunk, for a progress bar. */
  readonly onProgress?: (checked: number, total: number) => void;
}

const CHECKPOINT_PAGE = 1000;
/** Problems that name one entry exactly. */
const EXACT = new Set<AuditProblemKind>(['entry-missing', 'entry-altered', 'entry-malformed']);
const MAX_EVIDENCE = 10_000;

/**
 * Audits the log stored in `store`.
 *
 * @example
 * const report = await auditLog(store, { origin: 'concord.example/NL', verifiers: [nodeVerifier] });
 * if (!report.ok) console.error(`first bad entry: ${report.firstBadIndex}`, report.problems);
 */
export async function auditLog(store: Store, options: AuditOptions = {}): Promise<AuditReport> {
  const db = store.typed<LedgerTables>();
  const chunkSize = options.chunkSize ?? 10_000;
  const maxProblems = options.maxProblems ?? 100;
  const problems: AuditProblem[] = [];
  let problemCount = 0;
  // Entries known to differ, in increasing order (the stream finds them in order), and the ranges that hold a
  // difference somewhere (a subtree hash, a checkpoint root).
  const exact: number[] = [];
  const ranges: (readonly [number, number])[] = [];
  const report = (kind: AuditProblemKind, index: number, end: number, message: string): void => {
    problemCount++;
    if (problems.length < maxProblems) problems.push({ kind, index, end, message });
    if (end === index) return;
    if (EXACT.has(kind)) {
      if (exact.length < MAX_EVIDENCE) exact.push(index);
    } else if (ranges.length < MAX_EVIDENCE) {
      ranges.push([index, end]);
    }
  };
  const size = await readSize(db);
  const range = new CompactRange();
  const checkpoints = checkpointCursor(db);
  let checkpointsChecked = 0;
  let lastGoodCheckpoint = 0;
  let nodesChecked = 0;

  const checkCheckpoint = (row: LedgerTables['ledger_checkpoints']): void => {
    checkpointsChecked++;
    const cpSize = Number(row.size);
    const root = range.root();
    const problem = checkpointProblem(row, options);
    if (problem) report('checkpoint-invalid', cpSize, cpSize, problem);
    if (!bytesEqual(root, row.root_hash)) {
      report(
        'checkpoint-mismatch',
        lastGoodCheckpoint,
        cpSize,
        `the entries do not produce the root of checkpoint ${cpSize}: an entry in [${lastGoodCheckpoint}, ${cpSize}) differs`,
      );
    } else if (!problem) {
      lastGoodCheckpoint = cpSize;
    }
  };

  // The empty tree's checkpoint, if one was published.
  for (let cp = await checkpoints.peek(); cp && Number(cp.size) === 0; cp = await checkpoints.peek()) {
    checkCheckpoint((await checkpoints.next())!);
  }

  let expected = 0;
  const created: NewNode[] = [];
  const appendLeaf = async (leafHash: Uint8Array): Promise<void> => {
    created.push(...range.append(leafHash));
    expected++;
    for (let cp = await checkpoints.peek(); cp && Number(cp.size) === expected; cp = await checkpoints.peek()) {
      checkCheckpoint((await checkpoints.next())!);
    }
  };
  for (;;) {
    const rows = await db
      .selectFrom('ledger_leaves')
      .select(['idx', 'leaf_hash', 'entry'])
      .where('idx', '>=', expected)
      .orderBy('idx')
      .limit(chunkSize)
      .execute();
    if (rows.length === 0) break;
    created.length = 0;
    for (const row of rows) {
      const index = Number(row.idx);
      if (index > expected) {
        report('entry-missing', expected, index, `entries [${expected}, ${index}) are missing`);
        // Stand-ins keep later positions right; the subtrees and roots over the gap will differ, as they should.
        while (expected < index) await appendLeaf(new Uint8Array(32));
      }
      const bytes = new Uint8Array(row.entry);
      const leafHash = hashLeaf(bytes);
      if (!bytesEqual(leafHash, row.leaf_hash)) {
        report('entry-altered', index, index + 1, `entry ${index} does not match its stored leaf hash`);
      }
      try {
        decodeEntry(bytes);
      } catch (error) {
        report('entry-malformed', index, index + 1, `entry ${index} is not a valid entry: ${(error as Error).message}`);
      }
      await appendLeaf(leafHash);
    }
    nodesChecked += await compareNodes(db, created, report);
    options.onProgress?.(expected, size);
  }

  if (expected !== size) {
    const [from, to] = expected < size ? [expected, size] : [size, expected];
    report('size-mismatch', from, to, `the log records ${size} entries but ${expected} are stored`);
  }
  for (let cp = await checkpoints.next(); cp; cp = await checkpoints.next()) {
    checkpointsChecked++;
    report('size-mismatch', expected, Number(cp.size), `checkpoint ${Number(cp.size)} commits to entries not stored`);
  }
  const storedNodes = await db
    .selectFrom('ledger_nodes')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  if (Number(storedNodes.count) > nodesChecked) {
    report(
      'node-extra',
      expected,
      expected + 1,
      `${Number(storedNodes.count) - nodesChecked} stored nodes are beyond the tree`,
    );
  }

  const first = firstDifference(exact, ranges);
  return {
    ok: problemCount === 0,
    size,
    entriesChecked: expected,
    nodesChecked,
    checkpointsChecked,
    firstBadIndex: first,
    problems,
  };
}

/**
 * The earliest entry that differs, on the best evidence: an entry known to differ, or the start of a range that
 * neither such an entry nor a narrower range explains. A rewritten entry makes every subtree above it and every
 * later checkpoint root differ; the narrowest of those ranges is the one that locates it.
 */
function firstDifference(exact: readonly number[], ranges: readonly (readonly [number, number])[]): number | undefined {
  let first = exact[0] ?? Number.POSITIVE_INFINITY;
  const narrowest: (readonly [number, number])[] = [];
  const unexplained = ranges.filter(([start, end]) => !containsAny(exact, start, end));
  for (const range of unexplained.sort((a, b) => a[1] - a[0] - (b[1] - b[0]))) {
    if (narrowest.some(([start, end]) => start >= range[0] && end <= range[1])) continue;
    narrowest.push(range);
    first = Math.min(first, range[0]);
  }
  return Number.isFinite(first) ? first : undefined;
}

/** True if the sorted `indices` hold one in [start, end). */
function containsAny(indices: readonly number[], start: number, end: number): boolean {
  let lo = 0;
  let hi = indices.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (indices[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < indices.length && indices[lo]! < end;
}

/** Compares recomputed complete subtrees (level ≥ 1) with the stored ones: one range query per level. */
async function compareNodes(
  db: Kysely<LedgerTables>,
  created: readonly NewNode[],
  report: (kind: AuditProblemKind, index: number, end: number, message: string) => void,
): Promise<number> {
  const byLevel = new Map<number, NewNode[]>();
  for (const node of created)
    if (node.level > 0) (byLevel.get(node.level) ?? byLevel.set(node.level, []).get(node.level)!).push(node);
  let checked = 0;
  for (const [level, nodes] of byLevel) {
    const rows = await db
      .selectFrom('ledger_nodes')
      .select(['idx', 'hash'])
      .where('level', '=', level)
      .where('idx', '>=', nodes[0]!.index)
      .where('idx', '<=', nodes[nodes.length - 1]!.index)
      .execute();
    const stored = new Map(rows.map((r) => [Number(r.idx), r.hash]));
    for (const node of nodes) {
      const width = 2 ** level;
      const [first, end] = [node.index * width, (node.index + 1) * width];
      const hash = stored.get(node.index);
      if (!hash) {
        report('node-missing', first, end, `the stored hash of entries [${first}, ${end}) is missing`);
      } else {
        checked++;
        if (!bytesEqual(hash, node.hash)) {
          report('node-altered', first, end, `the stored hash of entries [${first}, ${end}) does not match them`);
        }
      }
    }
  }
  return checked;
}

function checkpointProblem(row: LedgerTables['ledger_checkpoints'], options: AuditOptions): string | undefined {
  const size = Number(row.size);
  try {
    const { checkpoint } = options.verifiers
      ? openCheckpoint(row.note, options.verifiers, options.origin === undefined ? {} : { origin: options.origin })
      : { checkpoint: parseCheckpoint(row.note.slice(0, row.note.lastIndexOf('\n\n') + 1)) };
    if (checkpoint.size !== size || !bytesEqual(checkpoint.rootHash, row.root_hash)) {
      return `checkpoint ${size}: the signed note does not match the stored size and root`;
    }
    if (options.origin !== undefined && checkpoint.origin !== options.origin) {
      return `checkpoint ${size} is for ${checkpoint.origin}`;
    }
  } catch (error) {
    return `checkpoint ${size}: ${(error as Error).message}`;
  }
  return undefined;
}

/** Reads published checkpoints in increasing size, a page at a time. */
function checkpointCursor(db: Kysely<LedgerTables>) {
  let page: LedgerTables['ledger_checkpoints'][] = [];
  let after = -1;
  let done = false;
  const fill = async (): Promise<void> => {
    if (page.length > 0 || done) return;
    page = await db
      .selectFrom('ledger_checkpoints')
      .selectAll()
      .where('size', '>', after)
      .orderBy('size')
      .limit(CHECKPOINT_PAGE)
      .execute();
    if (page.length === 0) done = true;
    else after = Number(page[page.length - 1]!.size);
  };
  return {
    async peek() {
      await fill();
      return page[0];
    },
    async next() {
      await fill();
      return page.shift();
    },
  };
}
