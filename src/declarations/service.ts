import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Kysely, sql } from 'kysely';
import { type Clock, ConcordError, crashPoint, systemClock } from '../kernel/index.js';
import { ExchangeRates, loadReferenceData, parseExchangeRatesCsv, type ReferenceData } from '../reference/index.js';
import { isUniqueViolation, type Store } from '../storage/index.js';
import { CheckPool, type CheckWorkerData, releaseChecked } from './check-pool.js';
import {
  type CheckedDeclaration,
  checkDeclaration,
  type CheckedItem,
  checkItem,
  LARGE_COLUMNS,
  type RowToStore,
  type SubmissionItem,
  textOf,
  toRow,
  withTexts,
} from './checking.js';
import { dayOf, type DeclarationEnvironment, normalizeText } from './environment.js';
import { currentOwner, parseOwner, processAlive } from './process-identity.js';
import type { HarmonizationStep } from './harmonize.js';
import type { Declaration, DeclarationType, GoodsItem } from './model.js';
import type { DeclarationRequest, ImportRecord } from './input.js';
import type { DeclarationAnnouncementsTable, DeclarationsTable, DeclarationTables } from './tables.js';
import type { DeclarationProblem } from './validate.js';

export { checkDeclaration, declarantKey, type CheckedDeclaration } from './checking.js';

export type DeclarationStatus = 'accepted' | 'cancelled';

/** A stored declaration as listed: who, what, when, and its state. */
export interface DeclarationSummary {
  id: string;
  functionalReference: string;
  declarantKey: string;
  type: DeclarationType;
  status: DeclarationStatus;
  version: number;
  lodgedOn: string;
  ucr: string | null;
  itemCount: number;
  hsChapters: string[];
  origins: string[];
  createdAt: string;
  updatedAt: string;
}

/** A stored declaration with its original, canonical form, harmonization trace and warnings. */
export interface DeclarationRecord extends DeclarationSummary {
  original: unknown;
  canonical: Declaration;
  trace: HarmonizationStep[];
  warnings: DeclarationProblem[];
  contentHash: string;
  cancellation: { at: string; by: string; reason: string } | null;
}

export interface DeclarationVersion {
  version: number;
  recordedAt: string;
  recordedBy: string;
  /** Why the next version replaced it; null for the current version. */
  replacedReason: string | null;
  original: unknown;
  canonical: Declaration;
  trace: HarmonizationStep[];
  warnings: DeclarationProblem[];
  contentHash: string;
}

/** The result of one item of a submission. */
export interface SubmissionResult {
  /** 1-based position in the batch. */
  record: number;
  /** `created`: stored now; `existing`: the same declaration was lodged before (idempotent); `rejected`: not
   * stored, see `errors`; `skipped`: valid, but not stored because another item of an atomic batch was rejected;
   * `amended`, `cancelled`: the record was a request about a lodged declaration (an HMRC CDS amendment or
   * invalidation), applied to the declaration `id`. */
  status: 'created' | 'existing' | 'rejected' | 'skipped' | 'amended' | 'cancelled';
  id?: string;
  functionalReference?: string;
  errors: DeclarationProblem[];
  warnings: DeclarationProblem[];
  /** What the importer translated or defaulted on the way in (WCO DM XML), for a person to check. */
  notes?: ImportRecord['notes'];
}

export interface SubmitOptions {
  /** All or nothing: one rejected item stores none. */
  atomic?: boolean;
  /** Who lodges: a user name, `token:…`, `cli:…`. */
  actor?: string;
  /** Check and report, store nothing: would-be `created` items are `skipped`. */
  dryRun?: boolean;
}

export interface DeclarationQuery {
  /** Functional reference or UCR, exactly or in capitals (what a person types into a search box). */
  reference?: string;
  from?: string;
  to?: string;
  type?: DeclarationType;
  status?: DeclarationStatus;
  /** Two-digit HS chapter of any item (HS 2022). */
  hsChapter?: string;
  /** ISO 3166-1 alpha-2 origin of any item. */
  origin?: string;
  /** Declarant key (`EORI:NL…`) or identifier value. */
  declarant?: string;
  /** Unique Consignment Reference, exactly as stored. */
  ucr?: string;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  limit?: number;
}

/** A declaration version this node has just stored: what its log records (RFC 8785 canonical hash, never content). */
export interface AcceptedDeclaration {
  id: string;
  version: number;
  /** SHA-256 (hex) of the canonical form's RFC 8785 encoding. */
  contentHash: string;
  ucr: string | null;
  at: string;
  type: DeclarationType;
  /** The stored canonical form, parsed on demand (most hooks need only the id); callable until the hook returns. */
  canonical(): Declaration;
}

export interface DeclarationServiceOptions {
  clock?: Clock;
  /**
   * Told of every declaration version stored, after its transaction committed and before the caller is answered, so
   * an acknowledged declaration is also in the node's log (the node wires this to `log.append`).
   */
  onAccepted?: (accepted: readonly AcceptedDeclaration[]) => Promise<void>;
  reference?: ReferenceData;
  /** Currency amounts are harmonized into; the rates' base (EUR) by default. */
  currency?: string;
  /**
   * Worker threads that check large submissions (from {@link CHECK_POOL_MIN_ITEMS} items) in parallel with the
   * thread that stores them; 0 (the default) checks every item on the calling thread.
   */
  checkWorkers?: number;
}

/** An input the submission can check: the parsed value, or the reason it could not be read. */
export type SubmissionInput = unknown;

/** Bound parameters per statement: SQLite allows 32,766, PostgreSQL 65,535. */
const MAX_PARAMETERS = 32_766;
/**
 * Rows per multi-row INSERT. Measured on SQLite with rows of ~9 KB: 100–400 rows per statement store about twice
 * as fast as 25 and a third faster than 1,000 or more (the statement text and its parameters grow costly to build).
 */
const INSERT_ROWS = 250;
/** Keys per idempotency lookup: two parameters each. */
const LOOKUP_CHUNK = 1000;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
/**
 * Submissions this large are checked on the worker threads when the service has them; smaller ones (a lodging, an
 * API call of a few dozen) are checked where they arrive, which is quicker than a round trip to a worker.
 */
export const CHECK_POOL_MIN_ITEMS = 200;

/**
 * Declarations of one node: validation, harmonization and storage with their original, canonical form and
 * outcome. A submission is idempotent on (declarant, functional reference): the same declaration lodged twice is
 * one record; a different one under the same reference is refused, and must be an amendment. Amendments keep every
 * replaced version; cancellation keeps the record.
 */
export class DeclarationService {
  private readonly db: Kysely<DeclarationTables>;
  private readonly clock: Clock;
  private readonly reference: ReferenceData;
  private env: DeclarationEnvironment | undefined;
  /** The node's imported rates as stored (null: the sample rates), for the checking workers. */
  private importedRates: CheckWorkerData['rates'] = null;
  private pool: CheckPool | undefined;
  private statements: SqliteSubmission | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: DeclarationServiceOptions = {},
  ) {
    this.db = store.typed<DeclarationTables>();
    this.clock = options.clock ?? systemClock;
    this.reference = options.reference ?? loadReferenceData();
  }

  /** The environment validation runs in: the node's imported rates, or the sample rates when it has none. */
  async environment(): Promise<DeclarationEnvironment> {
    if (this.env === undefined) {
      const rows = await this.db.selectFrom('exchange_rates').selectAll().execute();
      this.importedRates =
        rows.length === 0
          ? null
          : {
              base: rows[0]!.base,
              rows: rows.map((row) => ({ currency: row.currency, date: row.date, rate: Number(row.rate) })),
            };
      const rates =
        rows.length === 0
          ? this.reference.sampleExchangeRates
          : new ExchangeRates(
              rows.map((row) => ({ currency: row.currency, date: row.date, rate: Number(row.rate) })),
              rows[0]!.base,
            );
      this.env = {
        reference: this.reference,
        rates,
        currency: this.options.currency ?? rates.base,
        clock: this.clock,
      };
    }
    return this.env;
  }

  /** Validates and harmonizes without storing. */
  async check(input: unknown): Promise<CheckedDeclaration> {
    return checkDeclaration(input, await this.environment());
  }

  /**
   * Lodges a batch. Every item gets a result; the valid ones are stored in one transaction (none when `atomic` and
   * any item is rejected). An item repeating a stored declaration is `existing`, with its id.
   */
  async submit(inputs: readonly SubmissionInput[], options: SubmitOptions = {}): Promise<SubmissionResult[]> {
    return this.submitItems(
      inputs.map((value) => ({ value })),
      options,
    );
  }

  private async submitItems(items: readonly SubmissionItem[], options: SubmitOptions): Promise<SubmissionResult[]> {
    try {
      return await this.submitOnce(items, options);
    } catch (error) {
      // Another writer stored the same submission between our read and our insert: read again, once.
      if (isUniqueViolation(error)) return this.submitOnce(items, options);
      throw error;
    }
  }

  private async submitOnce(items: readonly SubmissionItem[], options: SubmitOptions): Promise<SubmissionResult[]> {
    const env = await this.environment();
    const now = new Date(this.clock.now()).toISOString();
    const actor = options.actor ?? 'system';
    const pool = items.length >= CHECK_POOL_MIN_ITEMS ? this.checkPool(env) : undefined;
    const checked =
      pool === undefined ? items.map((item) => checkItem(item, env, now, actor)) : await pool.check(items, now, actor);
    const submission = new Submission(options);
    const rows: RowToStore[] = [];
    for (const item of checked) {
      const row = submission.admit(item);
      if (row !== undefined) rows.push(row);
    }
    const sqlite = this.sqlite();
    const announcement = this.options.onAccepted === undefined ? undefined : newAnnouncement(now);
    try {
      await this.announcing(announcement, async () => {
        const created =
          sqlite === undefined
            ? await this.storeThroughKysely(rows, submission, announcement)
            : sqlite.store(rows, submission, announcement);
        if (created.length > 0) crashPoint('declarations.stored');
        await this.announce(
          created.map((row) => ({ row, version: 1 })),
          announcement,
        );
      });
    } finally {
      releaseChecked(checked);
    }
    return submission.results;
  }

  /** Settles and stores checked rows in one transaction: PostgreSQL, or SQLite while another transaction is open. */
  private storeThroughKysely(
    rows: readonly RowToStore[],
    submission: Submission,
    announcement: Announcement | undefined,
  ) {
    return this.db.transaction().execute(async (trx) => {
      // One indexed lookup per chunk of keys: (declarant_key, functional_reference) is the unique index.
      const stored = new Map<string, StoredKey>();
      for (let start = 0; start < rows.length; start += LOOKUP_CHUNK) {
        const pairs = rows
          .slice(start, start + LOOKUP_CHUNK)
          .map((row) => sql`(${row.declarant_key}, ${row.functional_reference})`);
        const found = await trx
          .selectFrom('declarations')
          .select(['id', 'content_hash', 'declarant_key', 'functional_reference'])
          .where(sql<boolean>`(declarant_key, functional_reference) in (values ${sql.join(pairs)})`)
          .execute();
        for (const row of found) stored.set(submissionKey(row), row);
      }
      const fresh = rows.filter((row) => submission.settle(row, stored.get(submissionKey(row))));
      if (!submission.finish()) return [];
      const rowsPerInsert = Math.min(INSERT_ROWS, Math.floor(MAX_PARAMETERS / Object.keys(fresh[0] ?? {}).length));
      for (let start = 0; start < fresh.length; start += rowsPerInsert) {
        await trx
          .insertInto('declarations')
          .values(fresh.slice(start, start + rowsPerInsert).map(withTexts))
          .execute();
      }
      if (announcement !== undefined && fresh.length > 0) {
        await trx
          .insertInto('declaration_announcements')
          .values(announcementRow(announcement, fresh, 1))
          .execute();
      }
      return fresh;
    });
  }

  /** The checking workers, started on first use; none when the service has no workers. */
  private checkPool(env: DeclarationEnvironment): CheckPool | undefined {
    const size = this.options.checkWorkers ?? 0;
    if (size <= 0) return undefined;
    this.pool ??= new CheckPool(size, {
      dataDir: this.reference.dataDir,
      rates: this.importedRates,
      currency: env.currency,
    });
    return this.pool;
  }

  /** Stops the checking workers, if any started. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }

  /**
   * The prepared SQLite statements, on SQLite when no transaction is open on the connection: one opened by Kysely
   * (an amendment, the log) must be waited for through Kysely, or our statements would join it.
   */
  private sqlite(): SqliteSubmission | undefined {
    const raw = this.store.sqlite;
    if (raw === undefined || raw.inTransaction) return undefined;
    this.statements ??= new SqliteSubmission(raw);
    return this.statements;
  }

  /**
   * Tells the acceptance hook of versions just stored, then deletes their announcement: what a crash (or a failing
   * hook) leaves behind is replayed by {@link replayAnnouncements}.
   */
  private async announce(versions: readonly { row: AcceptedRow; version: number }[], announcement?: Announcement) {
    if (versions.length === 0 || this.options.onAccepted === undefined) return;
    const at = new Date(this.clock.now()).toISOString();
    await this.options.onAccepted(
      versions.map(({ row, version }) => ({
        id: row.id,
        version,
        contentHash: row.content_hash,
        ucr: row.ucr,
        at,
        type: row.type as DeclarationType,
        canonical: () => JSON.parse(textOf(row.canonical)) as Declaration,
      })),
    );
    if (announcement !== undefined) {
      await this.db.deleteFrom('declaration_announcements').where('id', '=', announcement.id).execute();
    }
  }

  /** Runs `store` with `announcement` marked as this process's, in flight, until its hook has run (or failed). */
  private async announcing<T>(announcement: Announcement | undefined, store: () => Promise<T>): Promise<T> {
    if (announcement === undefined) return store();
    IN_FLIGHT.add(announcement.id);
    try {
      return await store();
    } finally {
      IN_FLIGHT.delete(announcement.id);
    }
  }

  /**
   * Gives `handler` (the acceptance hook by default) the declaration versions whose announcement a stopped process
   * left behind: stored, but killed (or failed) before its hook ran to the end. Each announcement is deleted once
   * its handler returns, oldest first; the handler must tolerate versions it was already told of, since the crash
   * may have come after it ran. Announcements of a live process are its own: those this process is still making, those
   * of another running process on this host, and those of another host younger than
   * {@link FOREIGN_ANNOUNCEMENT_AGE_MS}, stay.
   *
   * @returns how many versions were replayed.
   */
  async replayAnnouncements(
    handler: ((accepted: readonly AcceptedDeclaration[]) => Promise<void>) | undefined = this.options.onAccepted,
  ): Promise<number> {
    if (handler === undefined) return 0;
    const rows = await this.db.selectFrom('declaration_announcements').selectAll().orderBy('created_at').execute();
    let replayed = 0;
    for (const row of rows) {
      if (!ownerGone(row, this.clock.now())) continue;
      const versions = JSON.parse(row.versions) as AnnouncedVersion[];
      const canonical = await this.canonicalTexts(versions);
      await handler(
        versions.map((v) => ({
          id: v.id,
          version: v.version,
          contentHash: v.contentHash,
          ucr: v.ucr,
          at: row.created_at,
          type: v.type,
          canonical: () => JSON.parse(canonical.get(`${v.id}@${v.version}`) ?? 'null') as Declaration,
        })),
      );
      await this.db.deleteFrom('declaration_announcements').where('id', '=', row.id).execute();
      replayed += versions.length;
    }
    return replayed;
  }

  /** The stored canonical text of each version, current or replaced since, by `id@version`. */
  private async canonicalTexts(versions: readonly AnnouncedVersion[]): Promise<Map<string, string>> {
    const texts = new Map<string, string>();
    const ids = [...new Set(versions.map((v) => v.id))];
    for (let start = 0; start < ids.length; start += LOOKUP_CHUNK) {
      const chunk = ids.slice(start, start + LOOKUP_CHUNK);
      const current = await this.db
        .selectFrom('declarations')
        .select(['id', 'version', 'canonical'])
        .where('id', 'in', chunk)
        .execute();
      for (const row of current) texts.set(`${row.id}@${row.version}`, row.canonical);
      const replaced = await this.db
        .selectFrom('declaration_versions')
        .select(['declaration_id', 'version', 'canonical'])
        .where('declaration_id', 'in', chunk)
        .execute();
      for (const row of replaced) texts.set(`${row.declaration_id}@${row.version}`, row.canonical);
    }
    return texts;
  }

  /**
   * Lodges the records of an input file or request body: records that could not be read are rejected with their
   * reading error, the others go through {@link submit}. Results are in record order.
   */
  async submitRecords(records: readonly ImportRecord[], options: SubmitOptions = {}): Promise<SubmissionResult[]> {
    const readable = records.filter((record) => record.error === undefined && record.request === undefined);
    const unreadable = records.some((record) => record.error !== undefined);
    const applied = new Map<number, SubmissionResult>();
    for (const record of records) {
      if (record.request === undefined || record.error !== undefined) continue;
      applied.set(record.record, await this.applyRequest(record.record, record.request, options));
    }
    const submitted = await this.submitItems(
      readable.map((record) => (record.text !== undefined ? { text: record.text } : { value: record.value })),
      { ...options, dryRun: options.dryRun === true || (options.atomic === true && unreadable) },
    );
    const byRecord = new Map(readable.map((record, i) => [record.record, submitted[i]!]));
    return records.map((record) => {
      const result = byRecord.get(record.record) ?? applied.get(record.record);
      const notes = record.notes === undefined ? {} : { notes: record.notes };
      if (result !== undefined) return { ...result, record: record.record, ...notes };
      return {
        record: record.record,
        status: 'rejected',
        errors: [{ code: record.error!.code, severity: 'error', pointer: '', message: record.error!.message }],
        warnings: [],
      };
    });
  }

  /**
   * Applies a request about a lodged declaration, found by its functional reference (and declarant, when the request
   * names one): an amendment changes the goods items it names, field by field, in the declaration as lodged, and is
   * stored as a new version; a cancellation cancels it. A refusal is a `rejected` result with its reason.
   */
  private async applyRequest(
    record: number,
    request: DeclarationRequest,
    options: SubmitOptions,
  ): Promise<SubmissionResult> {
    if (options.dryRun === true) return { record, status: 'skipped', errors: [], warnings: [] };
    const actor = options.actor ?? 'system';
    try {
      const id = await this.findRequested(request);
      if (request.kind === 'cancellation') {
        const reason = request.statement ?? `HMRC CDS invalidation, MRN ${request.mrn}`;
        const cancelled = await this.cancel(id, { reason, actor });
        const reference = cancelled.functionalReference;
        return { record, status: 'cancelled', id, functionalReference: reference, errors: [], warnings: [] };
      }
      const current = await this.get(id);
      const reasons = request.reasons.length > 0 ? `, reason ${request.reasons.join(', ')}` : '';
      const amended = await this.amend(id, changeItems(current.original, request.items ?? []), {
        reason: `HMRC CDS amendment, MRN ${request.mrn}${reasons}`,
        actor,
      });
      const reference = amended.functionalReference;
      return { record, status: 'amended', id, functionalReference: reference, errors: [], warnings: amended.warnings };
    } catch (error) {
      if (!(error instanceof ConcordError) || !error.code.startsWith('DECL_')) throw error;
      const listed = (error.details as { errors?: DeclarationProblem[] } | undefined)?.errors;
      const errors: DeclarationProblem[] = listed?.map((problem) => ({ ...problem, severity: 'error' as const })) ?? [
        { code: error.code as DeclarationProblem['code'], severity: 'error', pointer: '', message: error.message },
      ];
      return { record, status: 'rejected', errors, warnings: [] };
    }
  }

  /** @throws ConcordError `DECL_UNKNOWN`, `DECL_REFERENCE_AMBIGUOUS`. */
  private async findRequested(request: DeclarationRequest): Promise<string> {
    const reference = request.functionalReference;
    if (reference === undefined) {
      throw new ConcordError(
        'DECL_UNKNOWN',
        `the ${request.kind} (MRN ${request.mrn}) names no functional reference, and Concord keeps no MRN`,
      );
    }
    let query = this.db.selectFrom('declarations').select('id').where('functional_reference', '=', reference);
    if (request.declarant !== undefined) query = query.where('declarant_key', '=', request.declarant);
    const rows = await query.limit(2).execute();
    const from = request.declarant === undefined ? '' : ` from ${request.declarant}`;
    if (rows.length === 0) {
      throw new ConcordError('DECL_UNKNOWN', `no declaration with functional reference ${reference}${from}`);
    }
    if (rows.length > 1) {
      throw new ConcordError(
        'DECL_REFERENCE_AMBIGUOUS',
        `several declarations have functional reference ${reference}; the ${request.kind} names no declarant`,
      );
    }
    return rows[0]!.id;
  }

  /**
   * Lodges one declaration.
   *
   * @throws ConcordError `DECL_INVALID` with `details.errors` (each with code and pointer), `DECL_REFERENCE_CONFLICT`.
   */
  async lodge(input: unknown, options: SubmitOptions = {}): Promise<DeclarationRecord> {
    const [result] = await this.submit([input], options);
    if (result!.status === 'rejected') throw rejection(result!);
    return this.get(result!.id!);
  }

  /** @throws ConcordError `DECL_UNKNOWN`. */
  async get(id: string): Promise<DeclarationRecord> {
    const row = await this.db.selectFrom('declarations').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw new ConcordError('DECL_UNKNOWN', `no declaration ${id}`, { id });
    return toRecord(row);
  }

  /** Declarations, newest first, with a cursor to the next page. */
  async list(query: DeclarationQuery = {}): Promise<{ items: DeclarationSummary[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
    let q = this.db
      .selectFrom('declarations')
      .select([
        'id',
        'declarant_key',
        'functional_reference',
        'type',
        'status',
        'version',
        'lodged_on',
        'ucr',
        'chapters',
        'origins',
        'item_count',
        'created_at',
        'updated_at',
      ]);
    if (query.from !== undefined) q = q.where('lodged_on', '>=', dayOf(query.from));
    if (query.to !== undefined) q = q.where('lodged_on', '<=', dayOf(query.to));
    if (query.type !== undefined) q = q.where('type', '=', query.type);
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    if (query.hsChapter !== undefined) q = q.where('chapters', 'like', `%,${query.hsChapter.padStart(2, '0')},%`);
    if (query.origin !== undefined) {
      const origin = this.reference.countries.find(query.origin)?.alpha2 ?? query.origin.toUpperCase();
      q = q.where('origins', 'like', `%,${origin},%`);
    }
    if (query.declarant !== undefined) {
      const wanted = query.declarant.replace(/\s+/g, '').toUpperCase();
      q = q.where((eb) =>
        eb.or([eb('declarant_key', '=', query.declarant!), eb('declarant_key', 'like', `%:${wanted}`)]),
      );
    }
    if (query.ucr !== undefined) q = q.where('ucr', '=', query.ucr);
    if (query.reference !== undefined && query.reference.trim() !== '') {
      const typed = query.reference.trim();
      const candidates = [...new Set([typed, typed.toUpperCase()])];
      q = q.where((eb) => eb.or([eb('functional_reference', 'in', candidates), eb('ucr', 'in', candidates)]));
    }
    if (query.cursor !== undefined) q = q.where('id', '<', query.cursor);
    const rows = await q
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    return {
      items: page.map((row) => toSummary(row)),
      nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
    };
  }

  /** Every version, oldest first; the last is the current one. */
  async history(id: string): Promise<DeclarationVersion[]> {
    const current = await this.get(id);
    const rows = await this.db
      .selectFrom('declaration_versions')
      .selectAll()
      .where('declaration_id', '=', id)
      .orderBy('version')
      .execute();
    return [
      ...rows.map((row) => ({
        version: row.version,
        recordedAt: row.recorded_at,
        recordedBy: row.recorded_by,
        replacedReason: row.replaced_reason,
        original: JSON.parse(row.original) as unknown,
        canonical: JSON.parse(row.canonical) as Declaration,
        trace: JSON.parse(row.trace) as HarmonizationStep[],
        warnings: JSON.parse(row.warnings) as DeclarationProblem[],
        contentHash: row.content_hash,
      })),
      {
        version: current.version,
        recordedAt: current.updatedAt,
        recordedBy: '',
        replacedReason: null,
        original: current.original,
        canonical: current.canonical,
        trace: current.trace,
        warnings: current.warnings,
        contentHash: current.contentHash,
      },
    ];
  }

  /**
   * Replaces a declaration by a corrected one, keeping the replaced version. An amendment identical to the current
   * version changes nothing.
   *
   * @throws ConcordError `DECL_UNKNOWN`, `DECL_CANCELLED`, `DECL_INVALID`, `DECL_AMENDMENT_INVALID` (another declarant
   *   or functional reference), `STORAGE_CONFLICT` (amended concurrently; retry).
   */
  async amend(id: string, input: unknown, options: { reason: string; actor?: string }): Promise<DeclarationRecord> {
    const env = await this.environment();
    const checked = checkDeclaration(input, env);
    if (checked.canonical === undefined) {
      throw rejection({ record: 1, status: 'rejected', errors: checked.outcome.errors, warnings: [] });
    }
    const actor = options.actor ?? 'system';
    const now = new Date(this.clock.now()).toISOString();
    const announcement = this.options.onAccepted === undefined ? undefined : newAnnouncement(now);
    const original = JSON.stringify(input);
    await this.announcing(announcement, () =>
      this.amendStored(id, checked, options, { original, now, actor, announcement }),
    );
    return this.get(id);
  }

  /** The transaction of {@link amend}, then its announcement. */
  private async amendStored(
    id: string,
    checked: CheckedDeclaration,
    options: { reason: string },
    {
      original,
      now,
      actor,
      announcement,
    }: { original: string; now: string; actor: string; announcement: Announcement | undefined },
  ): Promise<void> {
    const amended = await this.db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('declarations').selectAll().where('id', '=', id).executeTakeFirst();
      if (current === undefined) throw new ConcordError('DECL_UNKNOWN', `no declaration ${id}`, { id });
      if (current.status === 'cancelled') throw new ConcordError('DECL_CANCELLED', `declaration ${id} is cancelled`);
      const row = toRow(original, checked, now, actor);
      if (row.declarant_key !== current.declarant_key || row.functional_reference !== current.functional_reference) {
        throw new ConcordError('DECL_AMENDMENT_INVALID', 'the amendment names another declarant or reference', {
          declarant: row.declarant_key,
          functionalReference: row.functional_reference,
        });
      }
      if (row.content_hash === current.content_hash) return undefined;
      await trx
        .insertInto('declaration_versions')
        .values({
          declaration_id: id,
          version: current.version,
          original: current.original,
          canonical: current.canonical,
          trace: current.trace,
          warnings: current.warnings,
          content_hash: current.content_hash,
          recorded_at: current.updated_at,
          recorded_by: current.version === 1 ? current.created_by : (current.cancelled_by ?? current.created_by),
          replaced_reason: normalizeText(options.reason) || 'amended',
        })
        .execute();
      const updated = await trx
        .updateTable('declarations')
        .set({
          version: current.version + 1,
          type: row.type,
          lodged_on: row.lodged_on,
          ucr: row.ucr,
          chapters: row.chapters,
          origins: row.origins,
          item_count: row.item_count,
          content_hash: row.content_hash,
          original: row.original,
          canonical: row.canonical,
          trace: row.trace,
          warnings: row.warnings,
          updated_at: now,
        })
        .where('id', '=', id)
        .where('version', '=', current.version)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) {
        throw new ConcordError('STORAGE_CONFLICT', `declaration ${id} was amended concurrently; retry`);
      }
      if (announcement !== undefined) {
        await trx
          .insertInto('declaration_announcements')
          .values(announcementRow(announcement, [{ ...row, id }], current.version + 1))
          .execute();
      }
      return {
        row: { id, content_hash: row.content_hash, ucr: row.ucr, type: row.type, canonical: row.canonical },
        version: current.version + 1,
      };
    });
    if (amended) await this.announce([amended], announcement);
  }

  /**
   * Cancels (invalidates) a declaration; the record and its history stay.
   *
   * @throws ConcordError `DECL_UNKNOWN`, `DECL_CANCELLED` (already).
   */
  async cancel(id: string, options: { reason: string; actor?: string }): Promise<DeclarationRecord> {
    const now = new Date(this.clock.now()).toISOString();
    const updated = await this.db
      .updateTable('declarations')
      .set({
        status: 'cancelled',
        cancelled_at: now,
        cancelled_by: options.actor ?? 'system',
        cancel_reason: normalizeText(options.reason) || 'cancelled',
        updated_at: now,
      })
      .where('id', '=', id)
      .where('status', '!=', 'cancelled')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) {
      const record = await this.get(id);
      throw new ConcordError('DECL_CANCELLED', `declaration ${record.id} is already cancelled`);
    }
    return this.get(id);
  }

  /**
   * Replaces or adds the node's exchange rates from a rates CSV (`currency,date,rate`; see
   * `parseExchangeRatesCsv`). The whole file is checked before anything is written.
   *
   * @throws ConcordError `REF_RATES_FILE_INVALID` with the faulty lines.
   */
  async importRates(text: string, options: { base?: string } = {}): Promise<{ rates: number; currencies: number }> {
    const base = options.base ?? 'EUR';
    const rates = parseExchangeRatesCsv(text, {
      base,
      isKnownCurrency: (code) => this.reference.currencies.find(code) !== undefined,
    });
    // The file is valid (the parser refused it otherwise): its lines are `currency,date,rate`.
    const rows = text
      .split(/\r?\n/)
      .slice(1)
      .map((line) =>
        line
          .replace(/"/g, '')
          .split(',')
          .map((cell) => cell.trim()),
      )
      .filter((cells) => cells.length === 3 && cells[0] !== '')
      .map(([currency = '', date = '', rate = '']) => ({ base, currency, date, rate: Number(rate) }));
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('exchange_rates').where('base', '!=', base).execute();
      for (let start = 0; start < rows.length; start += 500) {
        await trx
          .insertInto('exchange_rates')
          .values(rows.slice(start, start + 500))
          .onConflict((oc) =>
            oc.columns(['base', 'currency', 'date']).doUpdateSet((eb) => ({ rate: eb.ref('excluded.rate') })),
          )
          .execute();
      }
    });
    this.env = undefined;
    // The workers hold the old rates: submissions already checking finish with them, the next start new workers.
    const pool = this.pool;
    this.pool = undefined;
    await pool?.retire();
    return { rates: rows.length, currencies: rates.currencies().length };
  }
}

type StoredKey = Pick<DeclarationsTable, 'id' | 'content_hash'>;

/** What the acceptance hook is told of a stored declaration version. */
type AcceptedRow = Pick<RowToStore, 'id' | 'content_hash' | 'ucr' | 'type' | 'canonical'>;

/**
 * One submitted batch on its way to storage, driven the same way on every path: {@link admit} each checked item in
 * order, {@link settle} each row it returns against the stored row with its key, then {@link finish}.
 */
class Submission {
  readonly results: SubmissionResult[] = [];
  /** The first valid item of each submission key in the batch; later items with that key repeat it. */
  readonly #firsts = new Map<string, { index: number; hash: string }>();
  readonly #repeats: { index: number; key: string }[] = [];

  constructor(readonly options: SubmitOptions) {}

  /**
   * Takes the next checked item. Returns its row when it is valid and the first of its key in the batch; a later
   * item with that key repeats it, or is rejected when its content differs.
   */
  admit(checked: CheckedItem): RowToStore | undefined {
    const index = this.results.length;
    const result: SubmissionResult = {
      record: index + 1,
      status: 'rejected',
      errors: checked.errors,
      warnings: checked.warnings,
    };
    this.results.push(result);
    const row = checked.row;
    if (row === undefined) {
      if (checked.reference !== undefined) result.functionalReference = checked.reference;
      return undefined;
    }
    result.functionalReference = row.functional_reference;
    const key = submissionKey(row);
    const first = this.#firsts.get(key);
    if (first === undefined) {
      this.#firsts.set(key, { index, hash: row.content_hash });
      return row;
    }
    if (first.hash === row.content_hash) this.#repeats.push({ index, key });
    else Object.assign(result, conflict(row));
    return undefined;
  }

  /** Settles a row from {@link admit} against the stored row with its key: true when it is new, to be inserted. */
  settle(row: RowToStore, stored: StoredKey | undefined): boolean {
    const result = this.results[this.#firsts.get(submissionKey(row))!.index]!;
    if (stored === undefined) {
      Object.assign(result, { status: 'created', id: row.id });
      return true;
    }
    if (stored.content_hash === row.content_hash) Object.assign(result, { status: 'existing', id: stored.id });
    else Object.assign(result, conflict(row));
    return false;
  }

  /**
   * Gives repeats their first item's outcome. Returns false when nothing may be stored — a dry run, or an atomic batch
   * with a rejected item — after marking the would-be `created` items (and their repeats) `skipped`.
   */
  finish(): boolean {
    const results = this.results;
    for (const { index, key } of this.#repeats) {
      const first = results[this.#firsts.get(key)!.index]!;
      Object.assign(results[index]!, first.status === 'rejected' ? { errors: first.errors } : { id: first.id });
      results[index]!.status = first.status === 'rejected' ? 'rejected' : 'existing';
    }
    if (!this.options.dryRun && !(this.options.atomic && results.some((result) => result.status === 'rejected'))) {
      return true;
    }
    const skip = (result: SubmissionResult): void => {
      result.status = 'skipped';
      delete result.id;
    };
    for (const result of results) if (result.status === 'created') skip(result);
    for (const { index, key } of this.#repeats) {
      if (results[this.#firsts.get(key)!.index]!.status === 'skipped') skip(results[index]!);
    }
    return false;
  }
}

type SqliteDatabase = NonNullable<Store['sqlite']>;

/**
 * A row as the positional parameters of an INSERT of {@link COLUMNS}, in that order. better-sqlite3 binds positional
 * parameters about a sixth faster than named ones it reads from an object (22 columns, ~13 KB a row).
 */
function rowParameters(row: RowToStore): unknown[] {
  const parameters = new Array<unknown>(COLUMNS.length);
  for (let i = 0; i < COLUMNS.length; i++) parameters[i] = row[COLUMNS[i]!];
  return parameters;
}

/** The columns of the INSERT, in the order of {@link rowParameters}: every column of the table. */
const COLUMNS = [
  'id',
  'declarant_key',
  'functional_reference',
  'type',
  'status',
  'version',
  'lodged_on',
  'ucr',
  'chapters',
  'origins',
  'item_count',
  'content_hash',
  'original',
  'canonical',
  'trace',
  'warnings',
  'created_at',
  'created_by',
  'updated_at',
  'cancelled_at',
  'cancelled_by',
  'cancel_reason',
] as const satisfies readonly (keyof DeclarationsTable)[];

/**
 * A column's parameter in the INSERT. A large text may be bound as its UTF-8 bytes ({@link RowToStore}): SQLite casts
 * a blob to text by taking its bytes as the database's encoding, UTF-8, so the stored value is the text that binding
 * the string would store; a string passes through the cast unchanged.
 */
function parameterOf(column: (typeof COLUMNS)[number]): string {
  return (LARGE_COLUMNS as readonly string[]).includes(column) ? 'cast(? as text)' : '?';
}

// Every column, once: a column added to the table and not here fails to compile.
type MissingColumn = Exclude<keyof DeclarationsTable, (typeof COLUMNS)[number]>;
const NO_MISSING_COLUMN: [MissingColumn] extends [never] ? true : MissingColumn = true;
void NO_MISSING_COLUMN;

/**
 * A submission's statements on the raw better-sqlite3 connection, prepared once: the lookup of each key and the
 * single-row inserts run synchronously in one `BEGIN IMMEDIATE … COMMIT`, so nothing interleaves with them and no
 * transaction stays open across an await. Through Kysely, each batch built and prepared multi-row INSERTs of 5,000+
 * parameters and an IN list of 2,000; this saves about a twentieth of the time a stored declaration takes (the rest
 * is validation, serialization and SQLite's own work; see bench/declarations.bench.ts).
 */
class SqliteSubmission {
  readonly #find;
  readonly #insert;
  readonly #announce;
  readonly #store;

  constructor(db: SqliteDatabase) {
    this.#find = db.prepare<[string, string], StoredKey>(
      'select id, content_hash from declarations where declarant_key = ? and functional_reference = ?',
    );
    this.#insert = db.prepare<unknown[]>(
      `insert into declarations (${COLUMNS.join(', ')}) values (${COLUMNS.map(parameterOf).join(', ')})`,
    );
    this.#announce = db.prepare<[DeclarationAnnouncementsTable]>(
      'insert into declaration_announcements (id, versions, created_at, owner) values (@id, @versions, @created_at, @owner)',
    );
    this.#store = db.transaction(
      (rows: readonly RowToStore[], submission: Submission, announcement: Announcement | undefined) => {
        const fresh = rows.filter((row) =>
          submission.settle(row, this.#find.get(row.declarant_key, row.functional_reference)),
        );
        if (!submission.finish()) return [];
        for (const row of fresh) this.#insert.run(...rowParameters(row));
        if (announcement !== undefined && fresh.length > 0) {
          this.#announce.run(announcementRow(announcement, fresh, 1));
        }
        return fresh;
      },
    );
  }

  /**
   * Settles and stores checked rows in one `BEGIN IMMEDIATE … COMMIT`, with their announcement when there is one;
   * returns the rows inserted.
   */
  store(rows: readonly RowToStore[], submission: Submission, announcement: Announcement | undefined): RowToStore[] {
    return this.#store.immediate(rows, submission, announcement);
  }
}

/** An announcement about to be written: its id, time and owner; the versions come from the rows stored. */
interface Announcement {
  readonly id: string;
  readonly createdAt: string;
}

/** One version in an announcement's `versions` JSON. */
interface AnnouncedVersion {
  id: string;
  version: number;
  contentHash: string;
  ucr: string | null;
  type: DeclarationType;
}

/** How old an announcement of another host must be before this one replays it: its owner is surely gone. */
const FOREIGN_ANNOUNCEMENT_AGE_MS = 10 * 60_000;

function newAnnouncement(now: string): Announcement {
  return { id: randomUUID(), createdAt: now };
}

function announcementRow(
  announcement: Announcement,
  rows: readonly Pick<DeclarationsTable, 'id' | 'content_hash' | 'ucr' | 'type'>[],
  version: number,
): DeclarationAnnouncementsTable {
  const versions: AnnouncedVersion[] = rows.map((row) => ({
    id: row.id,
    version,
    contentHash: row.content_hash,
    ucr: row.ucr,
    type: row.type as DeclarationType,
  }));
  return {
    id: announcement.id,
    versions: JSON.stringify(versions),
    created_at: announcement.createdAt,
    owner: currentOwner(),
  };
}

/** The announcements this process is making (any service instance): stored, their hook not yet run to the end. */
const IN_FLIGHT = new Set<string>();

/** Whether the process that wrote an announcement is gone, so that it is for another to replay. */
function ownerGone(row: Pick<DeclarationAnnouncementsTable, 'id' | 'owner' | 'created_at'>, now: number): boolean {
  const owner = parseOwner(row.owner);
  if (owner.host !== hostname()) return now - Date.parse(row.created_at) > FOREIGN_ANNOUNCEMENT_AGE_MS;
  // This process's own (or, written before owners had a start time, one of its pid's): gone unless being made.
  const own = row.owner === currentOwner() || (owner.start === undefined && owner.pid === process.pid);
  if (own) return !IN_FLIGHT.has(row.id);
  // Another process of this host; one that has the pid now but started at another time is not the writer.
  return !processAlive(owner);
}

function submissionKey(row: Pick<DeclarationsTable, 'declarant_key' | 'functional_reference'>): string {
  return `${row.declarant_key}\u0000${row.functional_reference}`;
}

function conflict(row: Pick<RowToStore, 'declarant_key' | 'functional_reference'>): Partial<SubmissionResult> {
  return {
    status: 'rejected',
    errors: [
      {
        code: 'DECL_REFERENCE_CONFLICT',
        severity: 'error',
        pointer: '/functionalReference',
        message: `${row.declarant_key} already lodged a different declaration ${row.functional_reference}; amend it`,
      },
    ],
  };
}

/** Refusals of an item that are not validation problems, each with its own HTTP status. */
const OWN_REFUSALS = new Set<DeclarationProblem['code']>([
  'DECL_REFERENCE_CONFLICT',
  'DECL_UNKNOWN',
  'DECL_CANCELLED',
  'DECL_REFERENCE_AMBIGUOUS',
  'DECL_AMENDMENT_INVALID',
]);

/**
 * A rejected item's refusal as an error of its own — a reference conflict, a request about a lodged declaration that
 * cannot be applied — or undefined when the item was rejected for validation problems.
 */
export function ownRefusal(result: Pick<SubmissionResult, 'errors'>): ConcordError | undefined {
  const own = result.errors.find((error) => OWN_REFUSALS.has(error.code));
  return own === undefined ? undefined : new ConcordError(own.code, own.message);
}

function rejection(result: SubmissionResult): ConcordError {
  const own = ownRefusal(result);
  if (own !== undefined) return own;
  return new ConcordError(
    'DECL_INVALID',
    result.errors.map((error) => `${error.pointer}: ${error.code} ${error.message}`).join('; '),
    { errors: result.errors.map((error) => ({ pointer: error.pointer, message: error.message, code: error.code })) },
  );
}

type SummaryRow = Pick<
  DeclarationsTable,
  | 'id'
  | 'declarant_key'
  | 'functional_reference'
  | 'type'
  | 'status'
  | 'version'
  | 'lodged_on'
  | 'ucr'
  | 'chapters'
  | 'origins'
  | 'item_count'
  | 'created_at'
  | 'updated_at'
>;

function toSummary(row: SummaryRow): DeclarationSummary {
  return {
    id: row.id,
    functionalReference: row.functional_reference,
    declarantKey: row.declarant_key,
    type: row.type as DeclarationType,
    status: row.status as DeclarationStatus,
    version: Number(row.version),
    lodgedOn: row.lodged_on,
    ucr: row.ucr,
    itemCount: Number(row.item_count),
    hsChapters: row.chapters.split(',').filter(Boolean),
    origins: row.origins.split(',').filter(Boolean),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRecord(row: DeclarationsTable): DeclarationRecord {
  return {
    ...toSummary(row),
    original: JSON.parse(row.original) as unknown,
    canonical: JSON.parse(row.canonical) as Declaration,
    trace: JSON.parse(row.trace) as HarmonizationStep[],
    warnings: JSON.parse(row.warnings) as DeclarationProblem[],
    contentHash: row.content_hash,
    cancellation:
      row.cancelled_at === null
        ? null
        : { at: row.cancelled_at, by: row.cancelled_by ?? '', reason: row.cancel_reason ?? '' },
  };
}

/**
 * The declaration as lodged with an amendment's item changes: each change names its goods item by sequence and
 * replaces the fields it gives.
 *
 * @throws ConcordError `DECL_AMENDMENT_INVALID` for a goods item the declaration does not have.
 */
function changeItems(original: unknown, changes: readonly Partial<GoodsItem>[]): unknown {
  const changed = structuredClone(original) as { items?: Partial<GoodsItem>[] };
  for (const { sequence, ...fields } of changes) {
    const item = changed.items?.find((candidate) => candidate.sequence === sequence);
    if (item === undefined) {
      throw new ConcordError(
        'DECL_AMENDMENT_INVALID',
        `the amendment changes goods item ${sequence}, which the declaration does not have`,
      );
    }
    Object.assign(item, fields);
  }
  return changed;
}
