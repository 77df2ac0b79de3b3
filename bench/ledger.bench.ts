import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { MerkleMountainRange, MerkleTree } from 'merkletreejs';
import {
  hashLeaf,
  ledgerMigrations,
  LogStore,
  MemoryTree,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
  type LedgerEntry,
} from '../src/ledger/index.js';
import { migrate, openStore } from '../src/storage/index.js';
import { compare, measure, type BenchResult } from './harness.js';

export const name = 'ledger';

/** Size of the stored log the proof cases read from; `LEDGER_BENCH_SIZE` overrides it. */
const STORED_SIZE = Number(process.env.LEDGER_BENCH_SIZE ?? 1_000_000);
/** Entries per appendAll call in the batch case; each call is one durable commit. */
const BATCH = 10_000;
/** Callers appending one entry each, at the same time, in the group-commit case. */
const CONCURRENT = 1_000;

const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

function entry(i: number): LedgerEntry {
  return {
    type: 'envelope.accepted',
    at: new Date(Date.UTC(2026, 0, 1) + i).toISOString(),
    envelopeId: `01956a7e-6f00-7c4e-9a10-${String(i).padStart(12, '0')}`,
    from: 'SG',
    agreementId: 'NL-SG-CMAA-2026',
    purpose: 'risk-assessment',
    category: 'declaration.prearrival',
    payloadHash: createHash('sha256').update(String(i)).digest('hex'),
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
  const root = memory.rootHash();
  const peerRoot = peerTree.getRoot();
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

  const proofs = Array.from({ length: 256 }, () => {
    const i = pick();
    return { i, ours: memory.inclusionProof(i), peer: peerTree.getProof(leafHashes[i]!, i) };
  });
  for (const p of proofs.slice(0, 8)) {
    verifyInclusion(p.ours, leafHashes[p.i]!, root);
    check(peerTree.verify(p.peer, leafHashes[p.i]!, peerRoot), 'merkletreejs proof does not verify');
  }
  let k = 0;
  results.push(
    await compare(
      name,
      'verify an inclusion proof (100,000 leaves)',
      () => {
        const p = proofs[k++ % proofs.length]!;
        verifyInclusion(p.ours, leafHashes[p.i]!, root);
      },
      {
        name: 'merkletreejs verify',
        fn: () => {
          const p = proofs[k++ % proofs.length]!;
          return peerTree.verify(p.peer, leafHashes[p.i]!, peerRoot);
        },
      },
    ),
  );
  return results;
}

async function stored(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'concord-ledger-bench-'));
  const store = await openStore({ sqlitePath: join(dir, 'ledger.db') });
  // The peer: better-sqlite3 inserting the same leaf rows in transactions of the same size, with the same pragmas,
  // and nothing else — no validation, no canonical JSON, no tree. It is the floor our appends stand on.
  const raw = new SQLite(join(dir, 'raw.db'));
  try {
    await migrate(store, ledgerMigrations);
    const log = await LogStore.open({ store, origin: 'bench.example/log' });
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    raw.exec('create table leaves (idx integer primary key, leaf_hash blob not null, entry blob not null)');
    raw.exec('create index leaves_by_hash on leaves (leaf_hash)');
    const insert = raw.prepare('insert into leaves (idx, leaf_hash, entry) values (?, ?, ?)');
    let rawSize = 0;
    const rawBatch = raw.transaction((rows: readonly Buffer[]) => {
      for (const row of rows) {
        insert.run(rawSize++, sha256(row), row);
      }
    });

    let n = 0;
    const entries = (count: number): LedgerEntry[] => Array.from({ length: count }, () => entry(n++));
    const rawRows = (count: number): Buffer[] =>
      Array.from({ length: count }, () => Buffer.from(JSON.stringify(entry(n++))));
    results.push(
      perEntry(
        await compare(name, 'append batches', () => log.appendAll(entries(BATCH)), {
          name: 'better-sqlite3 insert only',
          fn: () => rawBatch(rawRows(BATCH)),
        }),
        BATCH,
        `append to the SQLite log, per entry (batches of ${BATCH.toLocaleString('en-US')}, durable)`,
      ),
    );
    // The server's pattern: many requests, each awaiting its own append; group commit batches them.
    results.push(
      perEntry(
        await compare(name, 'concurrent appends', () => Promise.all(entries(CONCURRENT).map((e) => log.append(e))), {
          name: 'better-sqlite3 insert only',
          fn: () => rawBatch(rawRows(CONCURRENT)),
        }),
        CONCURRENT,
        `append to the SQLite log, per entry (${CONCURRENT.toLocaleString('en-US')} concurrent callers, durable)`,
      ),
    );

    // Grow the log to the size the proof cases read from.
    const startedAt = performance.now();
    for (let size = await log.size(); size < STORED_SIZE; size = await log.size()) {
      await log.appendAll(entries(Math.min(BATCH, STORED_SIZE - size)));
    }
    process.stderr.write(
      `bench: ledger grown to ${STORED_SIZE} entries in ${Math.round(performance.now() - startedAt)} ms\n`,
    );

    const size = await log.size();
    const label = size.toLocaleString('en-US');
    const root = await log.rootHash(size);
    const pick = indices(size);
    const sample = await log.inclusionProof(pick());
    verifyInclusion(sample, (await log.entry(sample.leafIndex)).leafHash, root);
    const older = Math.floor(size / 3) + 1;
    verifyConsistency(await log.consistencyProof(older, size), await log.rootHash(older), root);

    results.push({
      suite: name,
      case: `inclusion proof, SQLite log of ${label} entries`,
      opsPerSec: await measure('inclusion proof', () => log.inclusionProof(pick(), size)),
    });
    results.push({
      suite: name,
      case: `consistency proof, SQLite log of ${label} entries`,
      opsPerSec: await measure('consistency proof', () => log.consistencyProof(1 + pick(), size)),
    });
    const hashes = await Promise.all(Array.from({ length: 256 }, async () => (await log.entry(pick())).leafHash));
    let h = 0;
    results.push({
      suite: name,
      case: `inclusion proof by leaf hash, SQLite log of ${label} entries`,
      opsPerSec: await measure('inclusion proof by hash', () =>
        log.inclusionProofByHash(hashes[h++ % hashes.length]!, size),
      ),
    });
    return results;
  } finally {
    raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  return [...(await inMemory()), ...(await stored())];
}
