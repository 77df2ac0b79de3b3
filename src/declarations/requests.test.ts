import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/index.js';
import { migrate, openStore, type Store } from '../storage/index.js';
import {
  DeclarationService,
  declarationsMigrations,
  type ImportRecord,
  importWcoDeclaration,
  wcoImportRecords,
} from './index.js';

const SAMPLES = new URL('../../../shared/data/customs-declarations/hmrc-cds/samples/', import.meta.url);
const sample = (name: string): ImportRecord[] =>
  wcoImportRecords(importWcoDeclaration(readFileSync(new URL(name, SAMPLES))));

describe('HMRC CDS amendments and invalidations applied to lodged declarations', () => {
  let store: Store;
  let service: DeclarationService;
  beforeEach(async () => {
    store = await openStore({ sqlitePath: ':memory:' });
    await migrate(store, declarationsMigrations);
    service = new DeclarationService(store, { clock: new ManualClock(Date.parse('2026-11-28T12:00:00Z')) });
  });
  afterEach(async () => {
    await store.close();
  });

  it('amends the goods item the amendment names, keeping the version it replaces, then cancels', async () => {
    const [lodged] = await service.submitRecords(sample('IM011a_import_declaration.xml'), { actor: 'trader' });
    expect(lodged).toMatchObject({ status: 'created' });
    const id = lodged!.id!;
    expect((await service.get(id)).canonical.items[0]!.netMass).toEqual({ value: 59, unit: 'KGM' });

    const amendment = sample('IM011a_import_amendment.xml');
    expect(amendment[0]!.request).toMatchObject({ kind: 'amendment', functionalReference: '7849431M0ZUP' });
    const [amended] = await service.submitRecords(amendment, { actor: 'trader' });
    expect(amended).toMatchObject({ status: 'amended', id, functionalReference: '7849431M0ZUP', errors: [] });
    const record = await service.get(id);
    expect(record.version).toBe(2);
    expect(record.canonical.items[0]!.netMass).toEqual({ value: 62, unit: 'KGM' });
    expect(record.canonical.items[0]!.grossMass).toEqual({ value: 65, unit: 'KGM' }); // untouched
    const history = await service.history(id);
    expect(history.map((version) => version.version)).toEqual([1, 2]);
    expect(history[0]!.replacedReason).toContain('MRN 24GBA4ZYBWXU1BSA00');

    // The same amendment again changes nothing.
    expect((await service.submitRecords(amendment))[0]).toMatchObject({ status: 'amended', id });
    expect((await service.get(id)).version).toBe(2);

    const [cancelled] = await service.submitRecords(sample('IM011a_import_cancellation.xml'), { actor: 'trader' });
    expect(cancelled).toMatchObject({ status: 'cancelled', id });
    expect((await service.get(id)).cancellation).toMatchObject({
      by: 'trader',
      reason: 'This is a duplicate declaration, please cancel',
    });
    const [again] = await service.submitRecords(sample('IM011a_import_cancellation.xml'));
    expect(again).toMatchObject({ status: 'rejected', errors: [expect.objectContaining({ code: 'DECL_CANCELLED' })] });
  });

  it('refuses a request it cannot place, and an amendment of an item the declaration lacks, changing nothing', async () => {
    // IM002b amends a declaration whose functional reference was never lodged here.
    const [unknown] = await service.submitRecords(sample('IM002b_import_amendment.xml'));
    expect(unknown).toMatchObject({ status: 'rejected', errors: [expect.objectContaining({ code: 'DECL_UNKNOWN' })] });

    const declaration = sample('IM011a_import_declaration.xml');
    const [first] = await service.submitRecords(declaration);
    const other = structuredClone(declaration[0]!.value) as { declarant: { identifiers: { value: string }[] } };
    other.declarant.identifiers[0]!.value = 'GB999999999999';
    await service.submit([other]);
    // The amendment names no submitter: two declarants used this functional reference.
    const [ambiguous] = await service.submitRecords(sample('IM011a_import_amendment.xml'));
    expect(ambiguous).toMatchObject({
      status: 'rejected',
      errors: [expect.objectContaining({ code: 'DECL_REFERENCE_AMBIGUOUS' })],
    });
    // The cancellation names its submitter, which picks the declaration.
    expect((await service.submitRecords(sample('IM011a_import_cancellation.xml')))[0]).toMatchObject({
      status: 'cancelled',
      id: first!.id,
    });

    const records = sample('EX010a_export_declaration.xml');
    const [lodged] = await service.submitRecords(records);
    const amendment: ImportRecord = {
      record: 1,
      request: {
        kind: 'amendment',
        mrn: 'X',
        functionalReference: 'U.7867523JNCOL',
        reasons: [],
        items: [{ sequence: 9 }],
      },
    };
    const [missing] = await service.submitRecords([amendment]);
    expect(missing).toMatchObject({
      status: 'rejected',
      errors: [expect.objectContaining({ code: 'DECL_AMENDMENT_INVALID', message: expect.stringContaining('item 9') })],
    });
    expect((await service.get(lodged!.id!)).version).toBe(1);
    // A dry run applies nothing.
    const [dry] = await service.submitRecords(sample('EX010a_export_cancellation.xml'), { dryRun: true });
    expect(dry).toMatchObject({ status: 'skipped' });
    expect((await service.get(lodged!.id!)).status).toBe('accepted');
  });
});
