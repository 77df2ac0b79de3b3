import type { Kysely } from 'kysely';
import { type Clock, ConcordError, newId } from '../kernel/index.js';
import type { Store } from '../storage/index.js';
import type { IdentityTables } from './tables.js';

export type ActorKind = 'user' | 'token' | 'system' | 'anonymous';
export type AuditOutcome = 'success' | 'denied' | 'failure';

/** What one access-audit entry says: who did what to which record, when, from where, for what purpose, and how it ended. */
export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  actorKind: ActorKind;
  action: string;
  targetType: string | null;
  targetId: string | null;
  purpose: string | null;
  ip: string | null;
  outcome: AuditOutcome;
  details: Record<string, unknown> | null;
}

export type AuditInput = Omit<AuditEntry, 'id' | 'at' | 'targetType' | 'targetId' | 'purpose' | 'ip' | 'details'> &
  Partial<Pick<AuditEntry, 'targetType' | 'targetId' | 'purpose' | 'ip' | 'details'>>;

export interface AuditQuery {
  limit?: number | undefined;
  /** Opaque cursor from a previous page: entries older than it. */
  cursor?: string | undefined;
  actor?: string | undefined;
  action?: string | undefined;
}

/**
 * The access audit: append-only (database triggers refuse UPDATE and DELETE), newest first when read. Reading it is
 * for the auditor role; that rule lives at the API boundary.
 */
export class AccessAudit {
  private readonly db: Kysely<IdentityTables>;

  constructor(
    store: Store,
    private readonly clock: Clock,
  ) {
    this.db = store.typed<IdentityTables>();
  }

  async record(input: AuditInput): Promise<AuditEntry> {
    const entry: AuditEntry = {
      id: newId(this.clock.now()),
      at: new Date(this.clock.now()).toISOString(),
      targetType: null,
      targetId: null,
      purpose: null,
      ip: null,
      details: null,
      ...input,
    };
    await this.db
      .insertInto('access_audit')
      .values({
        id: entry.id,
        at: entry.at,
        actor: entry.actor,
        actor_kind: entry.actorKind,
        action: entry.action,
        target_type: entry.targetType,
        target_id: entry.targetId,
        purpose: entry.purpose,
        ip: entry.ip,
        outcome: entry.outcome,
        details: entry.details ? JSON.stringify(entry.details) : null,
      })
      .execute();
    return entry;
  }

  async list(query: AuditQuery = {}): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    let q = this.db
      .selectFrom('access_audit')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(limit + 1);
    if (query.cursor !== undefined) {
      const seq = Number(query.cursor);
      if (!Number.isSafeInteger(seq) || seq < 0) throw new ConcordError('REQUEST_INVALID', 'invalid cursor');
      q = q.where('seq', '<', seq);
    }
    if (query.actor) q = q.where('actor', '=', query.actor);
    if (query.action) q = q.where('action', '=', query.action);
    const rows = await q.execute();
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        at: r.at,
        actor: r.actor,
        actorKind: r.actor_kind as ActorKind,
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        purpose: r.purpose,
        ip: r.ip,
        outcome: r.outcome as AuditOutcome,
        details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
      })),
      nextCursor: rows.length > limit ? String(page[page.length - 1]!.seq) : null,
    };
  }
}
