import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/index.js';
import { migrate, type Store, storeTargets } from '../storage/index.js';
import {
  DeclarationService,
  declarationsMigrations,
  defaultEnvironment,
  generateDeclarationBatch,
  type SubmissionResult,
} from './index.js';

/** Batches larger than one INSERT and one idempotency lookup: chunking must not change any result. */
for (const target of storeTargets()) {
  describe(`declaration batches on ${target.name}`, () => {
    let store: Store;
    let service: DeclarationService;
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const env = defaultEnvironment({ clock });

    beforeEach(async () => {
      store = await target.open();
      await migrate(store, declarationsMigrations);
      service = new DeclarationService(store, { clock });
    });
    afterEach(async () => {
      await target.dispose(store);
    });

    it('stores a batch of 1,200 in several statements, then finds each again by its key', async () => {
      const declarations = generateDeclarationBatch(env, { seed: 'chunks', count: 1200, country: 'NL' }).map(
        (generated) => generated.declaration,
      );
      const first = await service.submit(declarations.slice(0, 700));
      expect(first.every((result) => result.status === 'created')).toBe(true);

      // 500 new, 700 lodged before, one repeated within the batch, one conflicting with a stored declaration.
      const changed = structuredClone(declarations[3]!);
      changed.items[0]!.description = 'Something else entirely';
      const results = await service.submit([...declarations, declarations[900]!, changed]);
      expect(results).toHaveLength(1202);
      expect(results.slice(0, 700).map((result) => [result.status, result.id])).toEqual(
        first.map((result) => ['existing', result.id]),
      );
      expect(results.slice(700, 1200).every((result) => result.status === 'created')).toBe(true);
      expect(results[1200]).toMatchObject({ status: 'existing', id: results[900]!.id });
      expect(results[1201]!.errors.map((error) => error.code)).toEqual(['DECL_REFERENCE_CONFLICT']);
      expect(new Set(results.map((result) => result.id)).size).toBe(1201);

      const page = await service.list({ limit: 500 });
      expect(page.items).toHaveLength(500);
      const stored = await service.get(results[1199]!.id!);
      expect(stored.functionalReference).toBe(declarations[1199]!.functionalReference);
    });

    // On SQLite the batch goes through prepared statements on the raw connection, unless a transaction is open on
    // it: its statements would then join that transaction, and vanish with it.
    it('keeps a batch lodged while another transaction is open, even when that transaction rolls back', async () => {
      const [declaration] = generateDeclarationBatch(env, { seed: 'meanwhile', count: 1, country: 'NL' }).map(
        (generated) => generated.declaration,
      );
      await service.environment();
      let submitted: Promise<SubmissionResult[]> | undefined;
      await expect(
        store.db.transaction().execute(async (trx) => {
          await sql`select 1`.execute(trx);
          submitted = service.submit([declaration]);
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      const [result] = await submitted!;
      expect(result).toMatchObject({ status: 'created' });
      expect((await service.get(result!.id!)).functionalReference).toBe(declaration!.functionalReference);
    });
  });
}
