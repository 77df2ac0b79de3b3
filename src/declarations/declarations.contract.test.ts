import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/index.js';
import { migrate, type Store, storeTargets } from '../storage/index.js';
import {
  type Declaration,
  DeclarationService,
  declarationsMigrations,
  defaultEnvironment,
  generateDeclarationBatch,
  sampleDeclaration,
} from './index.js';

for (const target of storeTargets()) {
  describe(`declarations on ${target.name}`, () => {
    let store: Store;
    let service: DeclarationService;
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));

    beforeEach(async () => {
      store = await target.open();
      await migrate(store, declarationsMigrations);
      service = new DeclarationService(store, { clock });
    });
    afterEach(async () => {
      await target.dispose(store);
    });

    it('stores a declaration with its original, canonical form, trace and warnings', async () => {
      const input = sampleDeclaration();
      input.containers = ['AD12345'];
      const record = await service.lodge(input, { actor: 'ada' });
      expect(record).toMatchObject({
        functionalReference: 'LRN-2024-000042',
        declarantKey: 'EORI:NL987654321',
        status: 'accepted',
        version: 1,
        lodgedOn: '2024-03-14',
        hsChapters: ['85', '84'],
        origins: ['CN'],
        original: input,
      });
      expect(record.canonical.items[0]!.customsValue!.currency).toBe('EUR');
      expect(record.trace.length).toBeGreaterThan(0);
      expect(record.warnings.map((w) => w.code)).toEqual(['DECL_CONTAINER_NOT_ISO6346']);
    });

    it('is idempotent: the same functional reference and declarant give the same record', async () => {
      const [first] = await service.submit([sampleDeclaration()]);
      // The same declaration, written differently (spacing, alpha-3), is the same canonical declaration.
      const again = sampleDeclaration();
      again.items[0]!.origin = 'CHN';
      again.importer!.name = ' Müller & Söhne Logistik B.V. ';
      const [second] = await service.submit([again]);
      expect(first).toMatchObject({ status: 'created' });
      expect(second).toMatchObject({ status: 'existing', id: first!.id });
      expect((await service.list()).items).toHaveLength(1);
    });

    it('refuses a different declaration under the same reference with DECL_REFERENCE_CONFLICT', async () => {
      await service.lodge(sampleDeclaration());
      const changed = sampleDeclaration();
      changed.items[0]!.customsValue!.amount = 1;
      await expect(service.lodge(changed)).rejects.toMatchObject({ code: 'DECL_REFERENCE_CONFLICT' });
    });

    it('stores the good items of a non-atomic batch and reports each bad one', async () => {
      const bad = sampleDeclaration({ functionalReference: 'BAD-1' });
      bad.items[0]!.hs = { code: '999999' };
      const results = await service.submit([
        sampleDeclaration({ functionalReference: 'GOOD-1' }),
        bad,
        { not: 'a declaration' },
        sampleDeclaration({ functionalReference: 'GOOD-2' }),
        sampleDeclaration({ functionalReference: 'GOOD-1' }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['created', 'rejected', 'rejected', 'created', 'existing']);
      expect(results[4]!.id).toBe(results[0]!.id);
      expect(results[1]!.errors).toContainEqual(
        expect.objectContaining({ code: 'DECL_HS_CODE_UNKNOWN', pointer: '/items/0/hs/code' }),
      );
      expect(results[2]!.errors[0]).toMatchObject({ code: 'DECL_SCHEMA_INVALID' });
      // A rejected item is named by the reference it gave, when it gave one.
      expect(results.map((r) => r.functionalReference)).toEqual(['GOOD-1', 'BAD-1', undefined, 'GOOD-2', 'GOOD-1']);
      expect((await service.list()).items.map((i) => i.functionalReference).sort()).toEqual(['GOOD-1', 'GOOD-2']);
    });

    it('refuses a declaration with a lone surrogate in a text as that item only (DECL_TEXT_INVALID)', async () => {
      // Valid JSON ("\udc00" is a legal escape) that is not Unicode text and has no RFC 8785 form to hash.
      const text = JSON.stringify(sampleDeclaration({ functionalReference: 'SURR-1' })).replace(
        '"name":"',
        '"name":"\\udc00',
      );
      const results = await service.submitRecords([
        { record: 1, text },
        { record: 2, value: sampleDeclaration({ functionalReference: 'SURR-2' }) },
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'created']);
      expect(results[0]!.errors).toEqual([
        expect.objectContaining({ code: 'DECL_TEXT_INVALID', pointer: expect.stringMatching(/\/name$/) }),
      ]);
      expect((await service.list()).items.map((i) => i.functionalReference)).toEqual(['SURR-2']);
    });

    it('stores nothing of an atomic batch with a bad item', async () => {
      const results = await service.submit([sampleDeclaration({ functionalReference: 'A-1' }), { type: 'import' }], {
        atomic: true,
      });
      expect(results.map((r) => r.status)).toEqual(['skipped', 'rejected']);
      expect((await service.list()).items).toEqual([]);
    });

    it('keeps the replaced version on amendment, and refuses another declarant with DECL_AMENDMENT_INVALID', async () => {
      const record = await service.lodge(sampleDeclaration());
      const corrected = sampleDeclaration();
      corrected.items[0]!.customsValue!.amount = 260000;
      const amended = await service.amend(record.id, corrected, { reason: 'invoice corrected', actor: 'ada' });
      expect(amended.version).toBe(2);
      const history = await service.history(record.id);
      expect(history.map((v) => v.version)).toEqual([1, 2]);
      expect(history[0]).toMatchObject({ replacedReason: 'invoice corrected', original: sampleDeclaration() });
      const other = sampleDeclaration({ functionalReference: 'OTHER' });
      await expect(service.amend(record.id, other, { reason: 'x' })).rejects.toMatchObject({
        code: 'DECL_AMENDMENT_INVALID',
      });
      const invalid = sampleDeclaration();
      invalid.containers = ['CONU1234567'];
      await expect(service.amend(record.id, invalid, { reason: 'x' })).rejects.toMatchObject({
        code: 'DECL_INVALID',
      });
    });

    it('keeps a cancelled declaration, refuses to amend or cancel it again', async () => {
      const record = await service.lodge(sampleDeclaration());
      const cancelled = await service.cancel(record.id, { reason: 'goods not shipped', actor: 'ada' });
      expect(cancelled).toMatchObject({
        status: 'cancelled',
        cancellation: { by: 'ada', reason: 'goods not shipped' },
      });
      await expect(service.cancel(record.id, { reason: 'again' })).rejects.toMatchObject({ code: 'DECL_CANCELLED' });
      await expect(service.amend(record.id, sampleDeclaration(), { reason: 'x' })).rejects.toMatchObject({
        code: 'DECL_CANCELLED',
      });
      await expect(service.get('nope')).rejects.toMatchObject({ code: 'DECL_UNKNOWN' });
    });

    it('filters by date, type, HS chapter, origin, declarant and status, page by page', async () => {
      const env = defaultEnvironment({ clock });
      const batch = generateDeclarationBatch(env, { seed: 42, count: 120, country: 'NL' });
      const results = await service.submit(batch.map((g) => g.declaration));
      expect(results.every((r) => r.status === 'created')).toBe(true);
      const seen = new Set<string>();
      let cursor: string | undefined;
      do {
        const page = await service.list({ limit: 50, ...(cursor ? { cursor } : {}) });
        for (const item of page.items) seen.add(item.id);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen.size).toBe(120);

      const all = batch.map((g) => g.declaration);
      const count = (f: (d: Declaration) => boolean) => all.filter(f).length;
      const first = all[0]!;
      const chapter = first.items[0]!.hs!.code.slice(0, 2);
      const origin = first.items[0]!.origin!;
      const list = (q: Parameters<DeclarationService['list']>[0]) =>
        service.list({ limit: 500, ...q }).then((p) => p.items.length);
      expect(await list({ type: 'export' })).toBe(count((d) => d.type === 'export'));
      expect(await list({ hsChapter: chapter })).toBe(
        count((d) => d.items.some((i) => i.hs!.code.startsWith(chapter))),
      );
      expect(await list({ origin })).toBe(count((d) => d.items.some((i) => i.origin === origin)));
      expect(await list({ from: '2025-01-01', to: '2025-06-30' })).toBe(
        count((d) => d.dates.lodged >= '2025-01-01' && d.dates.lodged <= '2025-06-30'),
      );
      const declarant = first.declarant.identifiers![0]!.value;
      expect(await list({ declarant })).toBe(count((d) => d.declarant.identifiers![0]!.value === declarant));
      expect(await list({ status: 'cancelled' })).toBe(0);

      // A reference as a person types it: the functional reference or the UCR, in any case, spaces around.
      const byReference = (reference: string) =>
        service.list({ reference }).then((p) => p.items.map((i) => i.functionalReference));
      expect(await byReference(` ${first.functionalReference.toLowerCase()} `)).toEqual([first.functionalReference]);
      const shared = all.filter((d) => d.ucr === first.ucr).map((d) => d.functionalReference);
      expect((await byReference(first.ucr!)).sort()).toEqual(shared.sort());
      expect(await byReference('NO-SUCH-REFERENCE')).toEqual([]);
    });

    it('imports exchange rates that then value declarations', async () => {
      const imported = await service.importRates('currency,date,rate\nUSD,2024-01-01,2\nUSD,2024-03-01,4\n');
      expect(imported).toEqual({ rates: 2, currencies: 1 });
      const record = await service.lodge(sampleDeclaration());
      expect(record.canonical.items[0]!.customsValue).toEqual({ amount: 62500, currency: 'EUR' });
      await expect(service.importRates('currency,date,rate\nUSD,yesterday,1\n')).rejects.toMatchObject({
        code: 'REF_RATES_FILE_INVALID',
      });
    });
  });
}
