import type { Kysely } from 'kysely';
import type {
  AcceptedDeclaration,
  Declaration,
  DeclarationEnvironment,
  DeclarationRecord,
} from '../declarations/index.js';
import { type Clock, ConcordError, newId, systemClock } from '../kernel/index.js';
import type { Store } from '../storage/index.js';
import type { JsonValue } from './envelope.js';
import { matchKeys, mirrorCompare, summarizeDiscrepancies, type MirrorOptions, type MirrorReason } from './mirror.js';
import type { AppliedEnvelope, CategoryHandler, FederationService, SendInput } from './service.js';
import type { FederationTables, MirrorMatchesTable, PrearrivalsTable } from './tables.js';

export const PREARRIVAL_CATEGORY = 'declaration.prearrival';
export const PREARRIVAL_PURPOSE = 'risk-assessment';

export interface PrearrivalView {
  id: string;
  envelopeId: string;
  sender: string;
  agreementId: string;
  receivedRecordId: string | null;
  ucr: string | null;
  containers: string[];
  transport: string | null;
  expectedArrival: string | null;
  hsChapters: string[];
  receivedAt: string;
  state: 'expected' | 'arrived';
  matchedDeclarationId: string | null;
  declaration: Declaration;
}

export interface MirrorMatchView {
  id: string;
  prearrivalId: string;
  declarationId: string;
  partner: string;
  matchedBy: 'ucr' | 'container';
  score: number;
  reasons: MirrorReason[];
  hsChapters: string[];
  trader: string | null;
  matchedAt: string;
}

export interface PrearrivalOptions {
  administration: string;
  federation: FederationService;
  declarations: {
    get(id: string): Promise<DeclarationRecord>;
    environment(): Promise<DeclarationEnvironment>;
    list(query: {
      ucr?: string;
      type?: 'import' | 'export';
      limit?: number;
      cursor?: string;
    }): Promise<{ items: { id: string; createdAt: string }[]; nextCursor: string | null }>;
  };
  clock?: Clock;
  mirror?: MirrorOptions;
  /** Told of each export the decision point did not let out (no agreement with the destination, say). */
  onNotSent?: (declarationId: string, code: string) => void;
}

/**
 * The first flow: an export declaration accepted here goes, as far as the agreement with the destination allows,
 * to the destination's node as `declaration.prearrival`; there it is kept as an expected arrival, and when the
 * import declaration is lodged it is matched (by UCR, else by container and means of transport) and the two are
 * compared (mirror analysis).
 */
export class PrearrivalService {
  private readonly db: Kysely<FederationTables>;
  private readonly clock: Clock;

  constructor(
    store: Store,
    private readonly options: PrearrivalOptions,
  ) {
    this.db = store.typed<FederationTables>();
    this.clock = options.clock ?? systemClock;
  }

  /** The handler of `declaration.prearrival` envelopes at the receiving node. */
  handler(): CategoryHandler {
    return {
      kind: 'data',
      check: (payload) => {
        const p = payload as { type?: unknown; items?: unknown } | null;
        if (typeof p !== 'object' || p === null || Array.isArray(p) || p.type !== 'export' || !Array.isArray(p.items)) {
          throw new ConcordError('FEDERATION_PAYLOAD_INVALID', 'a pre-arrival is an export declaration with items');
        }
      },
      apply: async (input) => {
        const prepared = await this.prepareArrival(input);
        await prepared.write(this.db);
        await prepared.after?.();
        return prepared.result;
      },
      prepare: (input) => this.prepareArrival(input),
    };
  }

  /** The pre-arrival row of an accepted envelope (nothing when it was stored already), to be written by the caller. */
  private async prepareArrival({ header, payload, receivedRecordId }: AppliedEnvelope) {
    const declaration = payload as unknown as Declaration;
    const keys = matchKeys(declaration);
    const existing = await this.db
      .selectFrom('prearrivals')
      .select('id')
      .where('sender', '=', header.from)
      .where('envelope_id', '=', header.id)
      .executeTakeFirst();
    if (existing) {
      return { result: { prearrival: existing.id } as JsonValue, write: async () => undefined };
    }
    const row: PrearrivalsTable = {
      id: newId(this.clock.now()),
      envelope_id: header.id,
      sender: header.from,
      agreement_id: header.agreement?.id ?? '',
      received_record_id: receivedRecordId,
      declaration: JSON.stringify(declaration),
      source_declaration_id: null,
      ucr: keys.ucr,
      containers: keys.containers.length > 0 ? `,${keys.containers.join(',')},` : '',
      transport: keys.transport,
      expected_arrival: declaration.dates?.expectedArrival ?? null,
      destination: declaration.destinationCountry ?? null,
      hs_chapters: chaptersOf(declaration).join(','),
      received_at: new Date(this.clock.now()).toISOString(),
      state: 'expected',
      matched_declaration_id: null,
    };
    return {
      result: { prearrival: row.id } as JsonValue,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      write: async (db: Kysely<any>) => {
        await db.insertInto('prearrivals').values(row).execute();
      },
      after: () => this.matchLodgedImport(declaration.ucr?.trim() ?? null),
    };
  }

  /** An import lodged before its pre-arrival came: matched now, when the pre-arrival is stored. */
  private async matchLodgedImport(ucr: string | null): Promise<void> {
    if (!ucr) return;
    const { items } = await this.options.declarations.list({ ucr, type: 'import', limit: 5 });
    for (const item of items) {
      const matched = await this.db
        .selectFrom('mirror_matches')
        .select('id')
        .where('declaration_id', '=', item.id)
        .executeTakeFirst();
      if (matched) continue;
      const record = await this.options.declarations.get(item.id);
      if (await this.match(item.id, record.canonical)) return;
    }
  }

  /**
   * The declarations module's acceptance hook: exports to a directory member are sent as pre-arrival data; imports
   * are matched against the pre-arrivals held here. Runs before the lodging is answered, so an acknowledged export
   * is in the outbox.
   */
  async onAccepted(accepted: readonly AcceptedDeclaration[]): Promise<void> {
    const directory = await this.options.federation.directory();
    if (!directory) return;
    const exports: { id: string; declaration: Declaration }[] = [];
    for (const item of accepted) {
      if (item.version !== 1 || (item.type !== 'export' && item.type !== 'import')) continue;
      const declaration = item.canonical();
      if (declaration.type === 'export') exports.push({ id: item.id, declaration });
      else await this.match(item.id, declaration);
    }
    await this.sendExports(exports);
  }

  /**
   * The acceptance hook again, for versions a stopped process stored and may not have told it of (replayed when the
   * node opens; see `DeclarationService.replayAnnouncements`). Unlike {@link onAccepted} it may hear of a declaration
   * twice: an export whose pre-arrival is queued already and an import matched already are left as they are.
   */
  async replay(accepted: readonly AcceptedDeclaration[]): Promise<void> {
    const directory = await this.options.federation.directory();
    if (!directory) return;
    const first = accepted.filter((item) => item.version === 1);
    const exports = new Map(first.filter((item) => item.type === 'export').map((item) => [item.id, item]));
    const importIds = first.filter((item) => item.type === 'import').map((item) => item.id);
    const matched = new Set(
      importIds.length === 0
        ? []
        : (
            await this.db
              .selectFrom('prearrivals')
              .select('matched_declaration_id')
              .where('matched_declaration_id', 'in', importIds)
              .execute()
          ).map((row) => row.matched_declaration_id),
    );
    for (const item of first) {
      if (item.type === 'import' && !matched.has(item.id)) await this.match(item.id, item.canonical());
    }
    await this.sendUnqueued([...exports.keys()], (id) => exports.get(id)!.canonical());
  }

  /** Sends the pre-arrival of each export among `ids` that has none queued yet; returns how many were queued. */
  private async sendUnqueued(
    ids: readonly string[],
    declaration: (id: string) => Declaration | Promise<Declaration>,
  ): Promise<number> {
    const queued = await this.options.federation.queuedSubjects(PREARRIVAL_CATEGORY, ids);
    const missing = ids.filter((id) => !queued.has(id));
    if (missing.length === 0) return 0;
    return this.sendExports(await Promise.all(missing.map(async (id) => ({ id, declaration: await declaration(id) }))));
  }

  /** Sends each export whose destination is a directory member as pre-arrival data, in one outbox write. */
  private async sendExports(exports: readonly { id: string; declaration: Declaration }[]): Promise<number> {
    const directory = await this.options.federation.directory();
    if (!directory) return 0;
    const inputs: SendInput[] = [];
    for (const { id, declaration } of exports) {
      const to = declaration.destinationCountry;
      if (!to || to === this.options.administration || !directory.member(to)) continue;
      inputs.push({
        to,
        category: PREARRIVAL_CATEGORY,
        purpose: PREARRIVAL_PURPOSE,
        payload: declaration as unknown as JsonValue,
        subject: id,
      });
    }
    if (inputs.length === 0) return 0;
    const results = await this.options.federation.sendMany(inputs);
    results.forEach((result, i) => {
      if (result instanceof Error) this.options.onNotSent?.(inputs[i]!.subject!, result.code);
    });
    return results.filter((r) => !(r instanceof Error)).length;
  }

  /**
   * Queues the pre-arrival of every export accepted since the directory was installed that has none: the acceptance
   * hook runs after the declaration's transaction commits, so a node killed in between stored the export without its
   * envelope. Run at start. Returns how many were queued.
   */
  async catchUp(): Promise<number> {
    const since = await this.options.federation.firstInstalledAt();
    if (!since) return 0;
    let queued = 0;
    let cursor: string | undefined;
    for (;;) {
      const page = await this.options.declarations.list({ type: 'export', limit: 500, ...(cursor ? { cursor } : {}) });
      const recent = page.items.filter((d) => d.createdAt >= since);
      queued += await this.sendUnqueued(
        recent.map((d) => d.id),
        async (id) => (await this.options.declarations.get(id)).canonical,
      );
      if (recent.length < page.items.length || !page.nextCursor) return queued;
      cursor = page.nextCursor;
    }
  }

  /** Matches an import declaration with an expected pre-arrival and records the mirror analysis. */
  async match(declarationId: string, declaration: Declaration): Promise<MirrorMatchView | null> {
    const keys = matchKeys(declaration);
    let matchedBy: 'ucr' | 'container' = 'ucr';
    let row: PrearrivalsTable | undefined;
    if (keys.ucr) {
      row = await this.db
        .selectFrom('prearrivals')
        .selectAll()
        .where('ucr', '=', keys.ucr)
        .where('state', '=', 'expected')
        .orderBy('received_at')
        .limit(1)
        .executeTakeFirst();
    }
    if (!row && keys.transport && keys.containers.length > 0) {
      matchedBy = 'container';
      const candidates = await this.db
        .selectFrom('prearrivals')
        .selectAll()
        .where('transport', '=', keys.transport)
        .where('state', '=', 'expected')
        .orderBy('received_at')
        .limit(50)
        .execute();
      row = candidates.find((c) => keys.containers.some((container) => c.containers.includes(`,${container},`)));
    }
    if (!row) return null;
    const exported = JSON.parse(row.declaration) as Declaration;
    const result = mirrorCompare(
      exported,
      declaration,
      await this.options.declarations.environment(),
      this.options.mirror,
    );
    const match: MirrorMatchesTable = {
      id: newId(this.clock.now()),
      prearrival_id: row.id,
      declaration_id: declarationId,
      partner: row.sender,
      matched_by: matchedBy,
      score: result.score,
      reasons: JSON.stringify(result.reasons),
      hs_chapters: result.hsChapters.join(','),
      trader: traderOf(declaration),
      matched_at: new Date(this.clock.now()).toISOString(),
    };
    const updated = await this.db
      .updateTable('prearrivals')
      .set({ state: 'arrived', matched_declaration_id: declarationId })
      .where('id', '=', row.id)
      .where('state', '=', 'expected')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return null;
    await this.db.insertInto('mirror_matches').values(match).execute();
    return matchView(match);
  }

  async list(
    query: { state?: 'expected' | 'arrived'; sender?: string; limit?: number } = {},
  ): Promise<PrearrivalView[]> {
    let q = this.db.selectFrom('prearrivals').selectAll();
    if (query.state) q = q.where('state', '=', query.state);
    if (query.sender) q = q.where('sender', '=', query.sender);
    const rows = await q
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.min(query.limit ?? 100, 1000))
      .execute();
    return rows.map(prearrivalView);
  }

  async get(id: string): Promise<PrearrivalView> {
    const row = await this.db.selectFrom('prearrivals').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new ConcordError('PREARRIVAL_UNKNOWN', `no pre-arrival ${id}`, { id });
    return prearrivalView(row);
  }

  async counts(): Promise<{ expected: number; arrived: number }> {
    const rows = await this.db
      .selectFrom('prearrivals')
      .select(['state'])
      .select((eb) => eb.fn.countAll().as('n'))
      .groupBy('state')
      .execute();
    const get = (state: string) => Number(rows.find((r) => r.state === state)?.n ?? 0);
    return { expected: get('expected'), arrived: get('arrived') };
  }

  /** Matched pairs, most suspicious first, with filters. */
  async discrepancies(
    query: { partner?: string; minScore?: number; chapter?: string; trader?: string; limit?: number } = {},
  ): Promise<MirrorMatchView[]> {
    let q = this.db.selectFrom('mirror_matches').selectAll();
    if (query.partner) q = q.where('partner', '=', query.partner);
    if (query.minScore !== undefined) q = q.where('score', '>=', query.minScore);
    if (query.trader) q = q.where('trader', '=', query.trader);
    const rows = await q
      .orderBy('score', 'desc')
      .orderBy('matched_at', 'desc')
      .limit(Math.min(query.limit ?? 100, 1000))
      .execute();
    const views = rows.map(matchView);
    return query.chapter ? views.filter((v) => v.hsChapters.includes(query.chapter!)) : views;
  }

  /** Matches and discrepancies grouped by partner, HS chapter, trader and reason (the charts). */
  async summary(options: { threshold?: number } = {}) {
    const rows = await this.db
      .selectFrom('mirror_matches')
      .select(['partner', 'hs_chapters', 'trader', 'score', 'reasons'])
      .orderBy('matched_at', 'desc')
      .limit(100_000)
      .execute();
    return summarizeDiscrepancies(
      rows.map((r) => ({
        partner: r.partner,
        hsChapters: r.hs_chapters ? r.hs_chapters.split(',') : [],
        trader: r.trader,
        score: Number(r.score),
        reasons: JSON.parse(r.reasons) as { code: string }[],
      })),
      options,
    );
  }
}

function chaptersOf(declaration: Declaration): string[] {
  return [...new Set(declaration.items.map((i) => i.hs?.code.slice(0, 2)).filter((c): c is string => !!c))].sort();
}

/** The importer's (or else the declarant's) first identifier, as the trader the discrepancies are grouped by. */
function traderOf(declaration: Declaration): string | null {
  const party = declaration.importer ?? declaration.declarant;
  const identifier = party.identifiers?.[0];
  if (identifier) return `${identifier.scheme}:${identifier.value}`;
  return party.name ?? null;
}

function prearrivalView(row: PrearrivalsTable): PrearrivalView {
  return {
    id: row.id,
    envelopeId: row.envelope_id,
    sender: row.sender,
    agreementId: row.agreement_id,
    receivedRecordId: row.received_record_id,
    ucr: row.ucr,
    containers: row.containers.split(',').filter(Boolean),
    transport: row.transport,
    expectedArrival: row.expected_arrival,
    hsChapters: row.hs_chapters ? row.hs_chapters.split(',') : [],
    receivedAt: row.received_at,
    state: row.state as PrearrivalView['state'],
    matchedDeclarationId: row.matched_declaration_id,
    declaration: JSON.parse(row.declaration) as Declaration,
  };
}

function matchView(row: MirrorMatchesTable): MirrorMatchView {
  return {
    id: row.id,
    prearrivalId: row.prearrival_id,
    declarationId: row.declaration_id,
    partner: row.partner,
    matchedBy: row.matched_by as MirrorMatchView['matchedBy'],
    score: Number(row.score),
    reasons: JSON.parse(row.reasons) as MirrorReason[],
    hsChapters: row.hs_chapters ? row.hs_chapters.split(',') : [],
    trader: row.trader,
    matchedAt: row.matched_at,
  };
}
