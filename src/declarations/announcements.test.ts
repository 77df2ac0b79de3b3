import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/index.js';
import { migrate, type Store, storeTargets } from '../storage/index.js';
import { processStart } from './process-identity.js';
import {
  type AcceptedDeclaration,
  DeclarationService,
  declarationsMigrations,
  type DeclarationTables,
  sampleDeclaration,
} from './index.js';

/** The pid of a process that has exited: announcements it owned are for another process to replay. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

for (const target of storeTargets()) {
  describe(`announcements of stored declarations on ${target.name}`, () => {
    let store: Store;
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    /** What the hook was told, call by call; it fails while `failing` is set. */
    let told: AcceptedDeclaration[][];
    let failing: boolean;
    let service: DeclarationService;
    const pending = () =>
      store.typed<DeclarationTables>().selectFrom('declaration_announcements').selectAll().execute();

    beforeEach(async () => {
      store = await target.open();
      await migrate(store, declarationsMigrations);
      told = [];
      failing = false;
      service = new DeclarationService(store, {
        clock,
        onAccepted: async (accepted) => {
          if (failing) throw new Error('the log is unavailable');
          told.push([...accepted]);
        },
      });
    });
    afterEach(async () => {
      await service.close();
      await target.dispose(store);
    });

    it('leaves nothing behind when the hook runs, and keeps what a failed hook missed for the replay', async () => {
      await service.submit([sampleDeclaration({ functionalReference: 'ANN-1' })]);
      expect(told).toHaveLength(1);
      expect(await pending()).toEqual([]);

      failing = true;
      const lodging = service.submit([
        sampleDeclaration({ functionalReference: 'ANN-2' }),
        sampleDeclaration({ functionalReference: 'ANN-3' }),
      ]);
      await expect(lodging).rejects.toThrow('the log is unavailable');
      // Stored all the same (the transaction committed before the hook ran), and announced as pending.
      const listed = (await service.list()).items.map((item) => item.functionalReference).sort();
      expect(listed).toEqual(['ANN-1', 'ANN-2', 'ANN-3']);
      expect(await pending()).toHaveLength(1);

      failing = false;
      expect(await service.replayAnnouncements()).toBe(2);
      const replayed = told.at(-1)!;
      expect(replayed.map((a) => a.canonical().functionalReference).sort()).toEqual(['ANN-2', 'ANN-3']);
      for (const accepted of replayed) {
        const record = await service.get(accepted.id);
        expect(accepted).toMatchObject({ version: 1, contentHash: record.contentHash, type: 'import' });
      }
      expect(await pending()).toEqual([]);
      expect(await service.replayAnnouncements()).toBe(0);
    });

    it('announces an amendment as its new version, and replays it with that version’s canonical form', async () => {
      const [lodged] = await service.submit([sampleDeclaration({ functionalReference: 'ANN-AMEND' })]);
      const changed = sampleDeclaration({ functionalReference: 'ANN-AMEND' });
      changed.items[0]!.description = 'Changed description';
      failing = true;
      await expect(service.amend(lodged!.id!, changed, { reason: 'typo' })).rejects.toThrow();
      failing = false;
      expect(await service.replayAnnouncements()).toBe(1);
      const [amended] = told.at(-1)!;
      expect(amended).toMatchObject({ id: lodged!.id, version: 2 });
      expect(amended!.canonical().items[0]!.description).toBe('Changed description');
      expect(amended!.contentHash).toBe((await service.get(lodged!.id!)).contentHash);
    });

    it('leaves the announcements of a hook still running, of a live process and of a recent other host', async () => {
      let release!: () => void;
      const blocked = new Promise<void>((resolve) => (release = resolve));
      const slow = new DeclarationService(store, { clock, onAccepted: () => blocked });
      const lodging = slow.submit([sampleDeclaration({ functionalReference: 'ANN-SLOW' })]);
      await expect.poll(async () => (await pending()).length).toBe(1);
      expect(await service.replayAnnouncements()).toBe(0); // this process is still announcing it
      release();
      await lodging;
      expect(await pending()).toEqual([]);

      const db = store.typed<DeclarationTables>();
      const [stored] = await service.submit([sampleDeclaration({ functionalReference: 'ANN-OWNED' })]);
      const versions = JSON.stringify([
        {
          id: stored!.id,
          version: 1,
          contentHash: (await service.get(stored!.id!)).contentHash,
          ucr: null,
          type: 'import',
        },
      ]);
      const now = new Date(clock.now()).toISOString();
      const old = new Date(clock.now() - 3_600_000).toISOString();
      const parentStart = Number(processStart(process.ppid));
      await db
        .insertInto('declaration_announcements')
        .values([
          { id: 'live', versions, created_at: now, owner: `${hostname()}:${process.ppid}` },
          { id: 'live-started', versions, created_at: now, owner: `${hostname()}:${process.ppid}+${parentStart}` },
          { id: 'other-host-recent', versions, created_at: now, owner: 'elsewhere.example:42' },
          { id: 'other-host-old', versions, created_at: old, owner: 'elsewhere.example:43' },
          { id: 'dead', versions, created_at: now, owner: `${hostname()}:${deadPid()}` },
          // The parent's pid, but a process that started at another time: the writer is gone, its pid reused.
          { id: 'pid-reused', versions, created_at: now, owner: `${hostname()}:${process.ppid}+${parentStart + 1}` },
        ])
        .execute();
      expect(await service.replayAnnouncements()).toBe(3);
      expect((await pending()).map((row) => row.id).sort()).toEqual(['live', 'live-started', 'other-host-recent']);
    });
  });
}
