import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKey, ManualClock, sha256Hex } from '../kernel/index.js';
import { migrate, storeTargets, type Store } from '../storage/index.js';
import { openCheckpoint } from './checkpoint.js';
import { encodeEntry, type LedgerEntry } from './entry.js';
import { auditLog } from './log-audit.js';
import { LogStore } from './log-store.js';
import { ledgerMigrations, type LedgerTables } from './log-tables.js';
import { hashLeaf } from './merkle.js';
import { MemoryTree } from './memory-tree.js';
import { ed25519NoteSigner, ed25519NoteVerifier } from './note.js';
import { verifyConsistency, verifyInclusion } from './verify-proof.js';

const origin = 'concord.example/NL';
const signer = ed25519NoteSigner(origin, generateSigningKey());
const verifier = ed25519NoteVerifier(origin, signer.publicKey);

function entryNo(i: number): LedgerEntry {
  return {
    type: 'declaration.accepted',
    at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    declarationId: `dcl-${i}`,
    declarationHash: sha256Hex(`declaration ${i}`),
  };
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

for (const target of storeTargets()) {
  describe(`${LogStore.name} on ${target.name}`, () => {
    let store: Store;
    let log: LogStore;
    const db = () => store.typed<LedgerTables>();

    beforeEach(async () => {
      store = await target.open();
      await migrate(store, ledgerMigrations);
      log = await LogStore.open({ store, origin, clock: new ManualClock() });
    });
    afterEach(async () => {
      await target.dispose(store);
    });

    async function appendMany(n: number): Promise<void> {
      await log.appendAll(Array.from({ length: n }, (_, i) => entryNo(i)));
    }

    describe('appending', () => {
      it('acknowledges each entry with its index and leaf hash once committed', async () => {
        const first = await log.append(entryNo(0));
        const second = await log.append(entryNo(1));
        expect([first.index, second.index]).toEqual([0, 1]);
        expect(await log.size()).toBe(2);
        expect(hex((await log.entry(1)).leafHash)).toBe(hex(second.leafHash));
      });

      it('acknowledges appends awaited one after another (no append left in the queue)', async () => {
        for (let i = 0; i < 20; i++) {
          const [ack] = await log.appendAll([entryNo(i)]);
          expect(ack!.index).toBe(i);
        }
      });

      it('groups concurrent appends into transactions and keeps their order', async () => {
        const acks = await Promise.all(Array.from({ length: 1200 }, (_, i) => log.append(entryNo(i))));
        expect(acks.map((a) => a.index)).toEqual(Array.from({ length: 1200 }, (_, i) => i));
        const expected = MemoryTree.fromLeafHashes(acks.map((a) => a.leafHash));
        expect(hex(await log.rootHash())).toBe(hex(expected.rootHash()));
      });

      it('splits a batch larger than the transaction limit', async () => {
        const small = await LogStore.open({ store, origin, maxBatch: 100 });
        const acks = await Promise.all([
          small.appendAll([entryNo(0), entryNo(1)]),
          ...Array.from({ length: 300 }, (_, i) => small.append(entryNo(i + 2))),
        ]);
        expect(acks.flat().map((a) => a.index)).toEqual(Array.from({ length: 302 }, (_, i) => i));
      });

      it('refuses a malformed entry before writing anything', async () => {
        await expect(log.append({ ...entryNo(0), declarationHash: 'nope' } as LedgerEntry)).rejects.toMatchObject({
          code: 'LEDGER_ENTRY_MALFORMED',
        });
        expect(await log.size()).toBe(0);
      });

      it('acknowledges nothing from a transaction that failed, and resumes where the log was', async () => {
        await log.append(entryNo(0));
        // A row in the way of the next index makes the next transaction fail.
        await db()
          .insertInto('ledger_leaves')
          .values({ idx: 1, leaf_hash: Buffer.alloc(32), entry: Buffer.alloc(1) })
          .execute();
        await expect(log.append(entryNo(1))).rejects.toThrow();
        expect(await log.size()).toBe(1);
        await db().deleteFrom('ledger_leaves').where('idx', '=', 1).execute();
        expect((await log.append(entryNo(1))).index).toBe(1);
        expect((await auditLog(store)).ok).toBe(true);
      });

      it('lets two writers share the database (another process): the stale one reloads and retries', async () => {
        const other = await LogStore.open({ store, origin });
        await log.append(entryNo(0));
        await other.append(entryNo(1));
        await log.append(entryNo(2));
        await Promise.all([log.append(entryNo(3)), other.append(entryNo(4))]);
        expect(await log.size()).toBe(5);
        expect((await auditLog(store)).ok).toBe(true);
      });

      it('waits for a transaction another module holds on the connection, and commits apart from it', async () => {
        let pending: Promise<unknown> | undefined;
        await expect(
          store.db.transaction().execute(async (trx) => {
            await sql`select 1`.execute(trx);
            pending = log.append(entryNo(0));
            await new Promise((resolve) => setTimeout(resolve, 10));
            throw new Error('the other transaction rolls back');
          }),
        ).rejects.toThrow('rolls back');
        expect(await pending).toMatchObject({ index: 0 });
        expect(await log.size()).toBe(1);
        expect((await auditLog(store)).ok).toBe(true);
      });

      it('finds entries by leaf hash in a log written before the prefix index (ledger/0003)', async () => {
        const early = await target.open();
        try {
          await migrate(early, ledgerMigrations.slice(0, 2));
          const old = await LogStore.open({ store: early, origin });
          const acks = await old.appendAll(Array.from({ length: 20 }, (_, i) => entryNo(i)));
          await migrate(early, ledgerMigrations);
          const proof = await (await LogStore.open({ store: early, origin })).inclusionProofByHash(acks[13]!.leafHash);
          expect(proof.leafIndex).toBe(13);
        } finally {
          await target.dispose(early);
        }
      });

      it('resumes from the stored frontier when reopened', async () => {
        const acks = await log.appendAll(Array.from({ length: 37 }, (_, i) => entryNo(i)));
        const reopened = await LogStore.open({ store, origin });
        acks.push(await reopened.append(entryNo(37)));
        expect(acks.map((a) => a.index)).toEqual(Array.from({ length: 38 }, (_, i) => i));
        const tree = MemoryTree.fromLeafHashes(acks.map((a) => a.leafHash));
        expect(hex(await reopened.rootHash())).toBe(hex(tree.rootHash()));
        expect((await auditLog(store)).ok).toBe(true);
      });
    });

    describe('proofs', () => {
      beforeEach(async () => {
        await appendMany(70);
      });

      it('proves inclusion of any entry in any past tree, by index', async () => {
        for (const [index, size] of [
          [0, 1],
          [5, 8],
          [63, 64],
          [64, 70],
          [69, 70],
          [12, 33],
        ] as const) {
          const proof = await log.inclusionProof(index, size);
          const entry = await log.entry(index);
          verifyInclusion(proof, entry.leafHash, await log.rootHash(size));
        }
      });

      it('proves inclusion by leaf hash, for document verification', async () => {
        const leafHash = (await log.entry(42)).leafHash;
        const proof = await log.inclusionProofByHash(leafHash);
        expect(proof.leafIndex).toBe(42);
        verifyInclusion(proof, leafHash, await log.rootHash());
        await expect(log.inclusionProofByHash(leafHash, 42)).rejects.toMatchObject({ code: 'LEDGER_ENTRY_UNKNOWN' });
        await expect(log.inclusionProofByHash(new Uint8Array(32))).rejects.toMatchObject({
          code: 'LEDGER_ENTRY_UNKNOWN',
        });
      });

      it('proves consistency between any two sizes', async () => {
        for (let size1 = 1; size1 <= 70; size1 += 7) {
          for (const size2 of [size1, size1 + 1, 64, 70].filter((s) => s >= size1 && s <= 70)) {
            const proof = await log.consistencyProof(size1, size2);
            verifyConsistency(proof, await log.rootHash(size1), await log.rootHash(size2));
          }
        }
      });

      it('refuses sizes beyond the log and indices beyond the size', async () => {
        await expect(log.inclusionProof(3, 71)).rejects.toMatchObject({ code: 'LEDGER_SIZE_INVALID' });
        await expect(log.inclusionProof(70, 70)).rejects.toMatchObject({ code: 'LEDGER_INDEX_OUT_OF_RANGE' });
        await expect(log.consistencyProof(71)).rejects.toMatchObject({ code: 'LEDGER_SIZE_INVALID' });
      });

      it('reads entry ranges, capped', async () => {
        const entries = await log.entries(60, 80);
        expect(entries.map((e) => e.index)).toEqual(Array.from({ length: 10 }, (_, i) => 60 + i));
        expect(entries[0]!.entry).toEqual(entryNo(60));
        await expect(log.entries(0, 10_001)).rejects.toMatchObject({ code: 'LEDGER_SIZE_INVALID' });
        await expect(log.entry(70)).rejects.toMatchObject({ code: 'LEDGER_ENTRY_UNKNOWN' });
      });

      it('refuses to return an entry whose row was altered', async () => {
        await db()
          .updateTable('ledger_leaves')
          .set({ entry: Buffer.from('{}') })
          .where('idx', '=', 3)
          .execute();
        await expect(log.entry(3)).rejects.toMatchObject({ code: 'LEDGER_INTEGRITY_FAILED' });
      });
    });

    describe('checkpoints', () => {
      it('publishes signed checkpoints of the committed tree and keeps their history', async () => {
        const empty = await log.publishCheckpoint([signer]);
        expect(empty.checkpoint.size).toBe(0);
        await appendMany(10);
        const ten = await log.publishCheckpoint([signer]);
        expect(openCheckpoint(ten.note, [verifier], { origin }).checkpoint.size).toBe(10);
        expect(hex(ten.checkpoint.rootHash)).toBe(hex(await log.rootHash(10)));
        expect((await log.publishCheckpoint([signer])).note).toBe(ten.note);
        await log.append(entryNo(10));
        await log.publishCheckpoint([signer]);
        expect((await log.checkpointHistory()).map((c) => c.checkpoint.size)).toEqual([0, 10, 11]);
        expect((await log.checkpointHistory({ afterSize: 0, limit: 1 })).map((c) => c.checkpoint.size)).toEqual([10]);
        expect((await log.latestCheckpoint())?.checkpoint.size).toBe(11);
        verifyConsistency(
          await log.consistencyProof(10, 11),
          ten.checkpoint.rootHash,
          (await log.latestCheckpoint())!.checkpoint.rootHash,
        );
      });

      it('waits for pending appends before publishing', async () => {
        const pending = log.append(entryNo(0));
        const published = await log.publishCheckpoint([signer]);
        await pending;
        expect(published.checkpoint.size).toBe(1);
      });
    });

    describe(auditLog.name, () => {
      beforeEach(async () => {
        await log.publishCheckpoint([signer]);
        await appendMany(40);
        await log.publishCheckpoint([signer]);
        await log.appendAll(Array.from({ length: 60 }, (_, i) => entryNo(40 + i)));
        await log.publishCheckpoint([signer]);
      });

      const audit = () => auditLog(store, { origin, verifiers: [verifier], chunkSize: 16 });

      it('finds nothing wrong with an intact log', async () => {
        const report = await audit();
        expect(report).toMatchObject({ ok: true, size: 100, entriesChecked: 100, checkpointsChecked: 3, problems: [] });
        expect(report.nodesChecked).toBe(100 - 3); // n − popcount(n) complete subtrees above the leaves
      });

      it('names the entry whose bytes were edited', async () => {
        const edited = new TextEncoder().encode(JSON.stringify({ ...entryNo(57), declarationId: 'forged' }));
        await db()
          .updateTable('ledger_leaves')
          .set({ entry: Buffer.from(edited) })
          .where('idx', '=', 57)
          .execute();
        const report = await audit();
        expect(report.ok).toBe(false);
        expect(report.firstBadIndex).toBe(57);
        expect(report.problems[0]).toMatchObject({ kind: 'entry-altered', index: 57, end: 58 });
      });

      it('finds an entry rewritten together with its leaf hash, through the subtree hashes', async () => {
        const forged = Buffer.from(encodeEntry({ ...entryNo(21), declarationId: 'forged' } as LedgerEntry));
        await db()
          .updateTable('ledger_leaves')
          .set({ entry: forged, leaf_hash: Buffer.from(hashLeaf(forged)) })
          .where('idx', '=', 21)
          .execute();
        const report = await audit();
        expect(report.firstBadIndex).toBe(20);
        expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'node-altered', index: 20, end: 22 }));
        expect(report.problems).toContainEqual(
          expect.objectContaining({ kind: 'checkpoint-mismatch', index: 0, end: 40 }),
        );
      });

      it('names a deleted entry', async () => {
        await db().deleteFrom('ledger_leaves').where('idx', '=', 64).execute();
        const report = await audit();
        expect(report.firstBadIndex).toBe(64);
        expect(report.problems[0]).toMatchObject({ kind: 'entry-missing', index: 64, end: 65 });
      });

      it('finds a truncated log: checkpoints commit to entries no longer stored', async () => {
        await db().deleteFrom('ledger_leaves').where('idx', '>=', 90).execute();
        await db().updateTable('ledger_state').set({ size: 90 }).execute();
        const report = await audit();
        expect(report.firstBadIndex).toBe(90);
        expect(report.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['size-mismatch', 'node-extra']));
      });

      it('finds a checkpoint row that was altered', async () => {
        await db()
          .updateTable('ledger_checkpoints')
          .set({ root_hash: Buffer.alloc(32) })
          .where('size', '=', 40)
          .execute();
        const report = await audit();
        expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'checkpoint-invalid', index: 40 }));
      });

      it('finds a node row that was altered', async () => {
        await sql`update ledger_nodes set hash = ${Buffer.alloc(32)} where level = 2 and idx = 3`.execute(store.db);
        const report = await audit();
        expect(report.problems).toEqual([expect.objectContaining({ kind: 'node-altered', index: 12, end: 16 })]);
      });

      it('reports progress', async () => {
        const seen: number[] = [];
        await auditLog(store, { chunkSize: 30, onProgress: (done) => seen.push(done) });
        expect(seen).toEqual([30, 60, 90, 100]);
      });
    });
  });
}
