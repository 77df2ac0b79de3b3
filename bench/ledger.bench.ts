/**
 * The ledger suite: hashing against the machine's raw SHA-256 rate, the in-memory tree and proofs against
 * merkletreejs, durable appends against bare better-sqlite3 inserts, and proofs read from a stored SQLite log of
 * 10^6 and 10^7 entries (median latency of many random proofs), with offline verification per second.
 *
 * `LEDGER_BENCH_MAX` caps the largest stored log (default 1e7; `LEDGER_BENCH_MAX=1e6` for a quick run). Growing the
 * log goes through the public `appendAll` in durable batches of {@link BUILD_BATCH}, with progress on stderr.
 */
import { createHash, hash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { MerkleMountainRange, MerkleTree } from 'merkletreejs';
import {
  CompactRange,
  encodeEntry,
  hashLeaf,
  ledgerMigrations,
  LogStore,
  MemoryTree,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
  type AppendedEntry,
  type ConsistencyProof,
  type InclusionProof,
  type LedgerEntry,
} from '../src/ledger/index.js';
import { migrate, openStore } from '../src/storage/index.js';
import { compare, measure, type BenchResult } from './harness.js';

export const name = 'ledger';

/** The largest stored log the proof cases read from; `LEDGER_BENCH_MAX` caps it (e.g. `1e6` for a quick run). */
const MAX_SIZE = Number(process.env.LEDGER_BENCH_MAX ?? 1e7);
/** The stored-log sizes proofs are timed at. */
const SIZES = [1e6, 1e7].filter((size) => size <= MAX_SIZE);
/** Entries per appendAll call in the batch case; each call is one durable commit. */
const BATCH = 10_000;
/** Callers appending one entry each, at the same time, in the group-commit case. */
const CONCURRENT = 1_000;
/** Entries per durable commit while growing the log to the proof sizes. */
const BUILD_BATCH = 100_000;
/** Random proofs timed one by one for each median. */
const SAMPLES = 5_000;

const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/** Distinct per entry, without a hash per entry (growing 10^7 entries should cost the log, not the bench). */
const PAYLOAD = randomBytes(32).toString('hex').slice(0, 52);

function entry(i: number): LedgerEntry {
  return {
    type: 'envelope.accepted',
    at: new Date(Date.UTC(2026, 0, 1) + i).toISOString(),
    envelopeId: `01956a7e-6f00-7c4e-9a10-${String(i).padStart(12, '0')}`,
    from: 'SG',
    agreementId: 'NL-SG-CMAA-2026',
    purpose: 'risk-assessment',
    category: 'declaration.prearrival',
    payloadHash: PAYLOAD + i.toString(16).padStart(12, '0'),
  };
}

/** A fixed sequence of pseudo-random indices below `n`, so ours and the peer ask for the same proofs. */
function indices(n: number, count = 4096): () => number {
  const values = Array.from({ length: count }, () => randomBytes(6).readUIntBE(0, 6) % n);
  let i = 0;
  return () => values[i++ % count]!;
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`ledger bench: ${what}`);
}

/** Scales a result to one entry: both sides wrote `count` entries per operation, so the ratio is unchanged. */
function perEntry(result: BenchResult, count: number, caseName: string): BenchResult {
  return {
    ...result,
    case: caseName,
    opsPerSec: result.opsPerSec * count,
    ...(result.peerOpsPerSec === undefined ? {} : { peerOpsPerSec: result.peerOpsPerSec * count }),
  };
}

/** Median and 99th percentile, in microseconds, of `count` calls timed one by one. */
async function latency(count: number, fn: () => unknown): Promise<{ median: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await fn();
    times.push((performance.now() - start) * 1000);
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1]!, p99: times[Math.floor(times.length * 0.99)]! };
}

const us = (value: number): string => `${value < 10 ? value.toFixed(1) : Math.round(value)} µs`;
const count = (value: number): string => value.toLocaleString('en-US');

/** Hashing alone, as a fraction of this machine's SHA-256 rate over the same bytes. */
async function hashing(): Promise<BenchResult[]> {
  const data = Array.from({ length: 4096 }, (_, i) => Buffer.from(encodeEntry(entry(i))));
  const bytes = Math.round(data.reduce((sum, d) => sum + d.length, 0) / data.length);
  let k = 0;
  const rawSha256 = { name: 'node:crypto SHA-256 of the entry bytes', fn: () => hash('sha256', data[k++ & 4095]!) };
  const leaf = await compare(name, 'leaf hash', () => hashLeaf(data[k++ & 4095]!), rawSha256);
  let range = new CompactRange();
  const tree = await compare(
    name,
    'tree hashing',
    () => {
      if (range.size >= 1 << 24) range = new CompactRange();
      return range.append(hashLeaf(data[k++ & 4095]!));
    },
    rawSha256,
  );
  return [
    { ...leaf, case: `leaf hash of an entry (${bytes} bytes); ratio = fraction of raw SHA-256` },
    {
      ...tree,
      case: 'hash an entry into the tree (leaf + frontier nodes, ~2 SHA-256 each); ratio = fraction of raw SHA-256',
    },
  ];
}

async function inMemory(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const data = Array.from({ length: 100_000 }, (_, i) => Buffer.from(`entry ${i}`));
  const leafHashes = data.map((d) => Buffer.from(hashLeaf(d)));

  // Root of 10,000 leaf hashes: RFC 9162 tree vs merkletreejs's tree (not RFC 9162-shaped, but the same hashing).
  const tenThousand = leafHashes.slice(0, 10_000);
  results.push(
    await compare(name, 'root of 10,000 leaf hashes', () => rootFromLeafHashes(tenThousand), {
      name: 'merkletreejs MerkleTree',
      fn: () => new MerkleTree(tenThousand, sha256).getRoot(),
    }),
  );

  // Appending, every node kept: MemoryTree vs merkletreejs's Merkle mountain range (also append-only).
  let tree = new MemoryTree();
  let mmr = new MerkleMountainRange(sha256);
  let next = 0;
  results.push(
    await compare(
      name,
      'append to an in-memory tree (leaf hash + nodes kept)',
      () => {
        if (tree.size >= 1_000_000) tree = new MemoryTree();
        return tree.append(hashLeaf(data[next++ % data.length]!));
      },
      {
        name: 'merkletreejs MerkleMountainRange',
        fn: () => {
          if (mmr.size >= 2_000_000) mmr = new MerkleMountainRange(sha256);
          mmr.append(data[next++ % data.length]!);
        },
      },
    ),
  );

  // Inclusion proofs over 100,000 leaves.
  const memory = MemoryTree.fromLeafHashes(leafHashes);
  const peerTree = new MerkleTree(leafHashes, sha256);
  const pick = indices(leafHashes.length);
  results.push(
    await compare(name, 'inclusion proof, 100,000 leaves in memory', () => memory.inclusionProof(pick()), {
      name: 'merkletreejs getProof(leaf, index)',
      fn: () => {
        const i = pick();
        return peerTree.getProof(leafHashes[i]!, i);
      },
    }),
  );
  return results;
}

/** Ours (stored) against merkletreejs (in memory, the same leaves): proving, then verifying offline. */
async function againstMerkletreejs(log: LogStore, leafHashes: readonly Buffer[]): Promise<BenchResult[]> {
  const size = leafHashes.length;
  const label = count(size);
  process.stderr.write(`bench: building merkletreejs over the same ${label} leaf hashes…\n`);
  const peerTree = new MerkleTree(leafHashes as Buffer[], sha256);
  const peerRoot = peerTree.getRoot();
  const root = await log.rootHash(size);
  const pick = indices(size);
  const results: BenchResult[] = [];
  results.push(
    await compare(
      name,
      `inclusion proof, same ${label} leaves (ours: stored SQLite; peer: in memory)`,
      () => log.inclusionProof(pick(), size),
      {
        name: 'merkletreejs getProof(leaf, index)',
        fn: () => {
          const i = pick();
          return peerTree.getProof(leafHashes[i]!, i);
        },
      },
    ),
  );
  const proofs: { i: number; ours: InclusionProof; peer: ReturnType<MerkleTree['getProof']> }[] = [];
  for (let n = 0; n < 256; n++) {
    const i = pick();
    proofs.push({ i, ours: await log.inclusionProof(i, size), peer: peerTree.getProof(leafHashes[i]!, i) });
  }
  for (const p of proofs.slice(0, 8)) {
    verifyInclusion(p.ours, leafHashes[p.i]!, root);
    check(peerTree.verify(p.peer, leafHashes[p.i]!, peerRoot), 'merkletreejs proof does not verify');
  }
  let k = 0;
  results.push(
    await compare(
      name,
      `verify an inclusion proof offline, ${label} leaves`,
      () => {
        const p = proofs[k++ & 255]!;
        verifyInclusion(p.ours, leafHashes[p.i]!, root);
      },
      {
        name: 'merkletreejs verify',
        fn: () => {
          const p = proofs[k++ & 255]!;
          return peerTree.verify(p.peer, leafHashes[p.i]!, peerRoot);
        },
      },
    ),
  );
  return results;
}

/** Proof latency (median of {@link SAMPLES} random proofs) and offline verification, at the log's current size. */
async function proofsAt(log: LogStore): Promise<BenchResult[]> {
  const size = await log.size();
  const label = count(size);
  const root = await log.rootHash(size);
  const pick = indices(size);
  const sample = await log.inclusionProof(pick());
  verifyInclusion(sample, (await log.entry(sample.leafIndex)).leafHash, root);
  const results: BenchResult[] = [];

  const inclusion = await latency(SAMPLES, () => log.inclusionProof(pick(), size));
  results.push({
    suite: name,
    case: `inclusion proof, SQLite log of ${label} entries (median ${us(inclusion.median)}, p99 ${us(inclusion.p99)})`,
    opsPerSec: await measure('inclusion proof', () => log.inclusionProof(pick(), size)),
  });
  const consistency = await latency(SAMPLES, () => log.consistencyProof(1 + pick(), size));
  results.push({
    suite: name,
    case:
      `consistency proof, SQLite log of ${label} entries ` +
      `(median ${us(consistency.median)}, p99 ${us(consistency.p99)})`,
    opsPerSec: await measure('consistency proof', () => log.consistencyProof(1 + pick(), size)),
  });
  const hashes = await Promise.all(Array.from({ length: 1024 }, async () => (await log.entry(pick())).leafHash));
  let h = 0;
  const byHash = await latency(SAMPLES, () => log.inclusionProofByHash(hashes[h++ & 1023]!, size));
  results.push({
    suite: name,
    case:
      `inclusion proof by leaf hash, SQLite log of ${label} entries ` +
      `(median ${us(byHash.median)}, p99 ${us(byHash.p99)})`,
    opsPerSec: await measure('inclusion proof by hash', () => log.inclusionProofByHash(hashes[h++ & 1023]!, size)),
  });

  // Offline verification: what a partner or the web console does with a proof and a checkpoint's root.
  const inclusions: { proof: InclusionProof; leafHash: Uint8Array }[] = [];
  const consistencies: { proof: ConsistencyProof; oldRoot: Uint8Array }[] = [];
  for (let n = 0; n < 256; n++) {
    inclusions.push({ proof: await log.inclusionProofByHash(hashes[n]!, size), leafHash: hashes[n]! });
    const older = 1 + pick();
    consistencies.push({ proof: await log.consistencyProof(older, size), oldRoot: await log.rootHash(older) });
  }
  let v = 0;
  results.push({
    suite: name,
    case: `verify an inclusion proof offline, ${label} entries`,
    opsPerSec: await measure('verify inclusion', () => {
      const { proof, leafHash } = inclusions[v++ & 255]!;
      verifyInclusion(proof, leafHash, root);
    }),
  });
  results.push({
    suite: name,
    case: `verify a consistency proof offline, ${label} entries`,
    opsPerSec: await measure('verify consistency', () => {
      const { proof, oldRoot } = consistencies[v++ & 255]!;
      verifyConsistency(proof, oldRoot, root);
    }),
  });
  return results;
}

async function stored(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'concord-ledger-bench-'));
  const store = await openStore({ sqlitePath: join(dir, 'ledger.db') });
  // The peer: better-sqlite3 inserting the same leaf rows in transactions of the same size, with the same pragmas,
  // and the same leaf-hash index, and nothing else — no validation, no canonical JSON, no tree. It is the floor our
  // appends stand on.
  const raw = new SQLite(join(dir, 'raw.db'));
  try {
    await migrate(store, ledgerMigrations);
    const log = await LogStore.open({ store, origin: 'bench.example/log', maxBatch: BUILD_BATCH });
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    raw.exec('create table leaves (idx integer primary key, leaf_hash blob not null, entry blob not null)');
    raw.exec('create index leaves_by_hash_prefix on leaves ((substr(leaf_hash, 1, 8)))');
    const insert = raw.prepare('insert into leaves (idx, leaf_hash, entry) values (?, ?, ?)');
    let rawSize = 0;
    const rawBatch = raw.transaction((rows: readonly Buffer[]) => {
      for (const row of rows) insert.run(rawSize++, sha256(row), row);
    });

    // The first proof size's leaf hashes, in order, for merkletreejs to build the same tree from.
    const targets = SIZES.length > 0 ? SIZES : [MAX_SIZE];
    const keep = targets[0]!;
    const peerLeaves: Buffer[] = [];
    const record = (acks: readonly AppendedEntry[]): void => {
      for (const ack of acks) if (ack.index < keep) peerLeaves[ack.index] = ack.leafHash as Buffer;
    };
    let n = 0;
    const entries = (howMany: number): LedgerEntry[] => Array.from({ length: howMany }, () => entry(n++));
    const rawRows = (howMany: number): Buffer[] =>
      Array.from({ length: howMany }, () => Buffer.from(JSON.stringify(entry(n++))));
    results.push(
      perEntry(
        await compare(name, 'append batches', () => log.appendAll(entries(BATCH)).then(record), {
          name: 'better-sqlite3 insert only',
          fn: () => rawBatch(rawRows(BATCH)),
        }),
        BATCH,
        `append to the SQLite log, per entry (batches of ${count(BATCH)}, durable)`,
      ),
    );
    // The server's pattern: many requests, each awaiting its own append; group commit batches them.
    results.push(
      perEntry(
        await compare(
          name,
          'concurrent appends',
          () => Promise.all(entries(CONCURRENT).map((e) => log.append(e))).then(record),
          {
            name: 'better-sqlite3 insert only',
            fn: () => rawBatch(rawRows(CONCURRENT)),
          },
        ),
        CONCURRENT,
        `append to the SQLite log, per entry (${count(CONCURRENT)} concurrent callers, durable)`,
      ),
    );
    raw.close();

    // Grow the log to each proof size, in durable batches, keeping the first 10^6 leaf hashes for merkletreejs.
    for (const target of targets) {
      const from = await log.size();
      const startedAt = performance.now();
      let reportedAt = startedAt;
      for (let size = from; size < target;) {
        const batch = Math.min(BUILD_BATCH, target - size);
        const acks = await log.appendAll(entries(batch));
        record(acks);
        size += batch;
        if (performance.now() - reportedAt > 10_000 || size === target) {
          const rate = ((size - from) / (performance.now() - startedAt)) * 1000;
          process.stderr.write(
            `bench: ledger log at ${count(size)} of ${count(target)} entries, ${count(Math.round(rate))}/s\n`,
          );
          reportedAt = performance.now();
        }
      }
      if (target > from) {
        results.push({
          suite: name,
          case: `grow the SQLite log from ${count(from)} to ${count(target)} entries (batches of ${count(BUILD_BATCH)}, durable)`,
          opsPerSec: ((target - from) / (performance.now() - startedAt)) * 1000,
        });
      }
      results.push(...(await proofsAt(log)));
      if (target === keep && (await log.size()) === keep) results.push(...(await againstMerkletreejs(log, peerLeaves)));
    }
    return results;
  } finally {
    if (raw.open) raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  return [...(await hashing()), ...(await inMemory()), ...(await stored())];
}
