import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AgreementEvent, AgreementService, JsonObject } from '../agreements/index.js';
import type { AuditInput } from '../identity/index.js';
import {
  type Clock,
  ConcordError,
  type EncryptionKeyPair,
  isConcordError,
  newId,
  type SigningKeyPair,
  systemClock,
} from '../kernel/index.js';
import type { LedgerEntry } from '../ledger/index.js';
import type { Store } from '../storage/index.js';
import { currentKey, Directory, type Governance, type SignedDirectory, verifyDirectory } from './directory.js';
import {
  authenticateEnvelope,
  checkEnvelopeTiming,
  DEFAULT_MAX_SKEW_MS,
  type EnvelopeHeader,
  type JsonValue,
  MAX_ENVELOPE_BYTES,
  parseEnvelope,
  type ParsedEnvelope,
  type Receipt,
  readReceipt,
  sealEnvelope,
  signReceipt,
  unsealPayload,
  verifyReceipt,
} from './envelope.js';
import type { FederationTables, OutboxTable } from './tables.js';

/** How a category of envelope is checked and applied at the receiver. */
export interface CategoryHandler {
  /**
   * `data`: customs data under an agreement, checked by the policy decision point in the inbound direction and kept
   * as a received record; `control`: the network's own messages (checkpoints, agreement proposals), which need a
   * directory member as sender but no agreement.
   */
  kind: 'data' | 'control';
  /** @throws ConcordError `FEDERATION_PAYLOAD_INVALID` */
  check(payload: JsonValue, header: EnvelopeHeader): void;
  /**
   * Applies an accepted envelope; what it returns travels back in the receipt. Must be idempotent for one envelope:
   * after a crash between applying and recording, the sender's retry applies it again.
   */
  apply(input: AppliedEnvelope): Promise<JsonValue>;
  /**
   * For data: the same as `apply`, split so that a batch of envelopes is stored in one transaction — reads now,
   * `write` inside the inbox's transaction (with nothing but `trx`), `after` once it committed.
   */
  prepare?(input: AppliedEnvelope): Promise<{
    result: JsonValue;
    write(trx: Kysely<any>): Promise<void>; // eslint-disable-line @typescript-eslint/no-explicit-any
    after?(): Promise<void>;
  }>;
}

/**
 * The writes of the data envelopes of one POST, stored in one transaction before any receipt is returned: one commit
 * for the batch instead of several per envelope.
 */
interface InboxBatch {
  writes: ((trx: Kysely<any>) => Promise<void>)[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  after: (() => Promise<void>)[];
  log: LedgerEntry[];
  /** Envelopes answered in this batch, by sender and id: a replay inside the batch gets the same receipt. */
  answered: Map<string, { hash: string; outcome: ReceiveOutcome }>;
}

type ReceiveOutcome = { receipt: string; status: 'accepted' | 'refused'; code: string | null };

function newBatch(): InboxBatch {
  return { writes: [], after: [], log: [], answered: new Map() };
}

export interface AppliedEnvelope {
  header: EnvelopeHeader;
  /** The payload as the agreement lets it in (treatments applied) for data; as sent for control messages. */
  payload: JsonValue;
  receivedRecordId: string | null;
  decisionId: string | null;
}

/** Where envelopes are posted; a function so tests and the benchmark can count or interpose. */
export type Transport = (url: string, body: { envelopes: string[] }) => Promise<{ receipts: string[] }>;

export interface FederationOptions {
  administration: string;
  /** This node's Ed25519 keys, current and rotated: it signs with the newest its directory entry lists as valid. */
  signingKeys: readonly SigningKeyPair[];
  encryptionKeys: readonly EncryptionKeyPair[];
  agreements: AgreementService;
  audit: { record(input: AuditInput): Promise<unknown> };
  log: { append(entry: LedgerEntry): Promise<unknown> };
  clock?: Clock;
  transport?: Transport;
  /** How far a partner's clock may run ahead of ours; default 5 minutes. */
  maxSkewMs?: number;
  /** An envelope undelivered this long goes to the dead letters; default 24 hours. */
  deadLetterAfterMs?: number;
  /** First retry delay and cap of the exponential backoff; defaults 500 ms and 60 s. */
  backoff?: { baseMs: number; maxMs: number };
  /** How long an envelope stays valid; default 7 days. */
  envelopeTtlMs?: number;
  /** Envelopes per POST; default 100. */
  batchSize?: number;
  maxEnvelopeBytes?: number;
}

export type OutboxState = 'pending' | 'delivered' | 'refused' | 'dead';

export interface OutboxEntry {
  id: string;
  partner: string;
  seq: number;
  category: string;
  purpose: string;
  agreement: { id: string; version: number } | null;
  decisionId: string | null;
  subject: string | null;
  encrypted: boolean;
  envelopeHash: string;
  createdAt: string;
  expiresAt: string;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastCode: string | null;
  deliveredAt: string | null;
  latencyMs: number | null;
  receipt: Receipt | null;
}

export interface InboxEntry {
  id: string;
  sender: string;
  category: string;
  purpose: string;
  agreement: { id: string; version: number } | null;
  envelopeHash: string;
  createdAt: string;
  receivedAt: string;
  status: 'processing' | 'accepted' | 'refused';
  code: string | null;
  message: string | null;
  decisionId: string | null;
  receivedRecordId: string | null;
  result: JsonValue;
}

export interface PartnerStatus {
  id: string;
  name: string;
  endpoint: string;
  status: string;
  location: { lat: number; lon: number } | null;
  outbox: { pending: number; dead: number; oldestPendingAgeMs: number | null };
  lastDeliveredAt: string | null;
  lastReceivedAt: string | null;
  lastError: string | null;
  /** `up` (delivered recently or nothing to send), `retrying`, `down` (dead letters or no delivery for long). */
  health: 'up' | 'retrying' | 'down';
}

export interface SendInput {
  to: string;
  category: string;
  purpose: string;
  payload: JsonValue;
  subject?: string | undefined;
}

export interface SendResult {
  id: string;
  partner: string;
  seq: number;
  agreement: { id: string; version: number } | null;
  decisionId: string | null;
  encrypted: boolean;
}

export interface Alert {
  id: string;
  kind: string;
  subject: string;
  message: string;
  details: Record<string, unknown>;
  raisedAt: string;
  acknowledgedAt: string | null;
}

const DAY_MS = 86_400_000;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** How long after its `notBefore` a rotated-in signing key waits before this node signs with it. */
export const KEY_ACTIVATION_DELAY_MS = 2 * 60_000;
/** At most one directory refresh triggered by an unknown sender or key in this interval. */
const REFRESH_ON_UNKNOWN_MS = 10_000;

interface Prepared {
  row: Omit<OutboxTable, 'seq'>;
  /** The policy decision to store with the outbox row. */
  events: AgreementEvent[];
  log: LedgerEntry[];
  result: Omit<SendResult, 'seq'>;
}

/**
 * Federation: the directory this node trusts, envelopes out (outbox with store-and-forward delivery) and in (inbox
 * with every check, replay protection and signed receipts). Customs data leaves only as far as the policy decision
 * point allows, and every envelope sent, accepted or refused is written to the log.
 */
export class FederationService {
  readonly administration: string;
  private readonly db: Kysely<FederationTables>;
  private readonly clock: Clock;
  private readonly handlers = new Map<string, CategoryHandler>();
  private directoryCache: Directory | null | undefined;
  private nextSeq: number | null = null;
  private enqueueChain: Promise<unknown> = Promise.resolve();
  private readonly inboxLocks = new Map<string, Promise<unknown>>();
  private readonly transport: Transport;
  private worker: OutboxWorker | null = null;
  private readonly deliveryListeners = new Set<(entry: { partner: string; latencyMs: number }) => void>();

  constructor(
    private readonly store: Store,
    private readonly options: FederationOptions,
  ) {
    this.administration = options.administration;
    this.db = store.typed<FederationTables>();
    this.clock = options.clock ?? systemClock;
    this.transport = options.transport ?? httpTransport();
  }

  private now(): number {
    return this.clock.now();
  }

  /** Registers how envelopes of `category` are checked and applied when received. */
  handle(category: string, handler: CategoryHandler): void {
    this.handlers.set(category, handler);
  }

  // ---- directory

  /** The installed directory, or null before the first install. */
  async directory(): Promise<Directory | null> {
    if (this.directoryCache === undefined) {
      const row = await this.db
        .selectFrom('federation_directory')
        .select(['document'])
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      this.directoryCache = row ? new Directory(JSON.parse(row.document)) : null;
    }
    return this.directoryCache;
  }

  async requireDirectory(): Promise<Directory> {
    const directory = await this.directory();
    if (!directory) {
      throw new ConcordError('FEDERATION_DIRECTORY_MISSING', 'install a directory first (concord directory install)');
    }
    return directory;
  }

  /** The installed directory as distributed (document and signatures), for partners refreshing theirs. */
  async signedDirectory(): Promise<SignedDirectory | null> {
    const row = await this.db
      .selectFrom('federation_directory')
      .select(['document', 'jws'])
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? { document: JSON.parse(row.document), jws: JSON.parse(row.jws) } : null;
  }

  /**
   * Installs a signed directory. The first one is trusted on its own governance (an administrator installs it, as
   * one installs a root certificate); every later one must be newer, of the same network, and signed by at least
   * `threshold` keys of the governance this node already trusts, so a node follows rotations of the governance
   * itself but never accepts a directory its governance did not sign.
   *
   * @throws ConcordError `FEDERATION_DIRECTORY_INVALID`, `FEDERATION_DIRECTORY_UNTRUSTED`, `FEDERATION_DIRECTORY_STALE`.
   */
  async installDirectory(signed: unknown, source = 'install'): Promise<{ version: number; installed: boolean }> {
    const current = await this.directory();
    const trusted: Governance | undefined = current?.document.governance;
    let document;
    if (trusted) {
      ({ document } = await verifyDirectory(signed, trusted));
    } else {
      const claimed = (signed as Partial<SignedDirectory> | null)?.document;
      const governance = (claimed as { governance?: Governance } | undefined)?.governance;
      if (!governance) throw new ConcordError('FEDERATION_DIRECTORY_INVALID', 'a signed directory has a "document"');
      ({ document } = await verifyDirectory(signed, governance));
    }
    if (current) {
      if (document.network !== current.document.network) {
        throw new ConcordError(
          'FEDERATION_DIRECTORY_INVALID',
          `the directory is of network ${document.network}, not ${current.document.network}`,
        );
      }
      if (document.version <= current.version) {
        if (document.version === current.version) return { version: current.version, installed: false };
        throw new ConcordError(
          'FEDERATION_DIRECTORY_STALE',
          `version ${document.version} is older than the installed version ${current.version}`,
          { installed: current.version },
        );
      }
    }
    const jws = (signed as SignedDirectory).jws;
    await this.db
      .insertInto('federation_directory')
      .values({
        version: document.version,
        network: document.network,
        document: JSON.stringify(document),
        jws: JSON.stringify(jws),
        installed_at: new Date(this.now()).toISOString(),
        source,
      })
      .execute();
    this.directoryCache = new Directory(document);
    for (const listener of this.directoryListeners) await listener(this.directoryCache);
    return { version: document.version, installed: true };
  }

  private readonly directoryListeners: ((directory: Directory) => Promise<void>)[] = [];

  /** Called after each install (the node wires the log's witnesses to the directory's members). */
  onDirectory(listener: (directory: Directory) => Promise<void>): void {
    this.directoryListeners.push(listener);
  }

  /**
   * Asks each partner for its directory and installs the newest that verifies. A partner that is down or serves
   * an older or untrusted directory is skipped. Returns the installed version.
   */
  async refreshDirectory(fetchSigned: (url: string) => Promise<unknown> = fetchDirectory): Promise<number | null> {
    const directory = await this.directory();
    if (!directory) return null;
    const partners = directory.members().filter((m) => m.id !== this.administration && m.status === 'active');
    const fetched = await Promise.all(
      partners.map((member) =>
        fetchSigned(`${member.endpoint.replace(/\/+$/, '')}/federation/v1/directory`).then(
          (signed) => ({ signed, source: member.endpoint }),
          () => null,
        ),
      ),
    );
    const newest = fetched
      .filter((f): f is { signed: unknown; source: string } => f !== null)
      .map((f) => ({ ...f, version: (f.signed as { document?: { version?: unknown } } | null)?.document?.version }))
      .filter((f): f is { signed: unknown; source: string; version: number } => typeof f.version === 'number')
      .sort((a, b) => b.version - a.version);
    for (const candidate of newest) {
      if (candidate.version <= ((await this.directory())?.version ?? 0)) break;
      try {
        await this.installDirectory(candidate.signed, candidate.source);
        break;
      } catch {
        // not signed by our governance, or malformed: try the next partner's
      }
    }
    return (await this.directory())?.version ?? null;
  }

  /** When this node installed its first directory (nothing before it was meant to be sent), or null. */
  async firstInstalledAt(): Promise<string | null> {
    const row = await this.db
      .selectFrom('federation_directory')
      .select(['installed_at'])
      .orderBy('version')
      .limit(1)
      .executeTakeFirst();
    return row?.installed_at ?? null;
  }

  /** Which of `subjects` already have an envelope of `category` in the outbox. */
  async queuedSubjects(category: string, subjects: readonly string[]): Promise<Set<string>> {
    if (subjects.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('federation_outbox')
      .select(['subject'])
      .where('category', '=', category)
      .where('subject', 'in', subjects)
      .execute();
    return new Set(rows.map((r) => r.subject!));
  }

  /** The signing key this node uses now: the newest of its keys that its directory entry lists as valid. */
  private async signingKey(directory: Directory): Promise<SigningKeyPair> {
    const self = directory.member(this.administration);
    const now = this.now();
    const held = new Map(this.options.signingKeys.map((k) => [k.kid, k]));
    const candidates = (self?.keys ?? [])
      .filter((k) => k.use === 'sig' && held.has(k.kid) && !k.revoked && Date.parse(k.notBefore) <= now)
      .filter((k) => k.notAfter === undefined || now <= Date.parse(k.notAfter))
      .sort((a, b) => Date.parse(b.notBefore) - Date.parse(a.notBefore));
    // A new key is used only once partners have had time to refresh their directory (the rotation overlap keeps
    // the previous key valid meanwhile); a node with a single valid key uses it at once.
    const settled = candidates.find((k) => Date.parse(k.notBefore) <= now - KEY_ACTIVATION_DELAY_MS);
    const chosen = settled ?? candidates[0];
    if (!chosen) {
      throw new ConcordError(
        'FEDERATION_NO_SIGNING_KEY',
        `directory version ${directory.version} lists none of this node's signing keys as valid now`,
      );
    }
    return held.get(chosen.kid)!;
  }

  // ---- sending

  /**
   * Sends data or a network message to a partner. Data (a category with a `data` handler, or any category an
   * agreement names) goes through the policy decision point first: nothing is queued when it denies, and what is
   * queued is the record as the agreement lets it out. The envelope is sealed (encrypted when its clause is
   * confidential), queued durably in the partner's order, and logged; delivery follows.
   *
   * @throws ConcordError the decision's code (SHARING_*), `FEDERATION_PARTNER_UNKNOWN`, `FEDERATION_NO_SIGNING_KEY`,
   *   `FEDERATION_DIRECTORY_MISSING`.
   */
  async send(input: SendInput, options: { control?: boolean } = {}): Promise<SendResult> {
    const [result] = await this.sendMany([input], options);
    if (result instanceof Error) throw result;
    return result!;
  }

  /**
   * Sends several envelopes: decided and sealed concurrently, queued in the given order in one write, logged in one
   * log transaction. Each item's result is its `SendResult`, or the ConcordError that kept it from being queued.
   */
  async sendMany(
    inputs: readonly SendInput[],
    options: { control?: boolean } = {},
  ): Promise<(SendResult | ConcordError)[]> {
    const prepared = await Promise.all(
      inputs.map((input) =>
        this.prepare(input, options).catch((error: unknown) => {
          if (isConcordError(error)) return error;
          throw error;
        }),
      ),
    );
    const ready = prepared.filter((p): p is Prepared => !(p instanceof ConcordError));
    const events = ready.flatMap((p) => p.events);
    const seqs = await this.enqueue(
      ready.map((p) => p.row),
      (trx) => this.options.agreements.storeEvents(trx as never, events),
    );
    await this.options.agreements.announceEvents(events);
    await Promise.all(ready.flatMap((p) => p.log.map((entry) => this.options.log.append(entry))));
    if (ready.length > 0) this.worker?.kick();
    let next = 0;
    return prepared.map((p) => (p instanceof ConcordError ? p : { ...p.result, seq: seqs[next++]! }));
  }

  /** Decides (for data), seals, and makes the outbox row and log entries of one envelope; writes nothing. */
  private async prepare(input: SendInput, options: { control?: boolean }): Promise<Prepared> {
    const directory = await this.requireDirectory();
    const partner = directory.requireMember(input.to);
    if (partner.status !== 'active') {
      throw new ConcordError('FEDERATION_PARTNER_UNKNOWN', `${input.to} is ${partner.status} in the directory`, {
        partner: input.to,
      });
    }
    let payload = input.payload;
    let agreement: { id: string; version: number } | null = null;
    let decisionId: string | null = null;
    let decisionEvent: AgreementEvent | null = null;
    let confidential = false;
    if (!options.control) {
      const prepared = await this.options.agreements.prepareDecision({
        receiver: input.to,
        category: input.category,
        purpose: input.purpose,
        record: input.payload as JsonObject,
      });
      const { decision } = prepared;
      decisionId = prepared.decisionId;
      decisionEvent = prepared.event;
      if (!decision.allowed) {
        // A denial is logged at once: nothing is queued that would carry it.
        await this.options.agreements.storeEvents(this.store.typed(), [prepared.event]);
        await this.options.agreements.announceEvents([prepared.event]);
      }
      if (!decision.allowed || !decision.basis || decision.record === null) {
        throw new ConcordError(decision.code ?? 'SHARING_NO_AGREEMENT', decision.reasons.at(-1)?.message, {
          decisionId,
        });
      }
      payload = decision.record as JsonValue;
      agreement = { id: decision.basis.agreementId, version: decision.basis.version };
      confidential = await this.clauseIsConfidential(agreement, decision.basis.clause);
    }
    const now = this.now();
    const key = await this.signingKey(directory);
    const encryptTo = confidential ? directory.encryptionKey(input.to, now, KEY_ACTIVATION_DELAY_MS) : undefined;
    const id = newId(now);
    const sealed = await sealEnvelope({
      id,
      from: this.administration,
      to: input.to,
      category: input.category,
      purpose: input.purpose,
      agreement,
      created: now,
      expires: now + (this.options.envelopeTtlMs ?? 7 * DAY_MS),
      payload,
      signingKey: key,
      encryptTo,
    });
    const at = sealed.header.created;
    const log: LedgerEntry[] = [
      {
        type: 'envelope.sent',
        at,
        envelopeId: id,
        to: input.to,
        ...(agreement ? { agreementId: agreement.id } : {}),
        purpose: input.purpose,
        category: input.category,
        payloadHash: sealed.hash,
      },
    ];
    if (decisionId && agreement) {
      log.push({
        type: 'decision.shared-data',
        at,
        decisionId,
        envelopeId: id,
        agreementId: agreement.id,
        purpose: input.purpose,
        outcome: 'sent',
      });
    }
    return {
      row: {
        id,
        partner: input.to,
        category: input.category,
        purpose: input.purpose,
        agreement_id: agreement?.id ?? null,
        agreement_version: agreement?.version ?? null,
        decision_id: decisionId,
        subject: input.subject?.slice(0, 200) ?? null,
        encrypted: sealed.encrypted ? 1 : 0,
        envelope: sealed.compact,
        envelope_hash: sealed.hash,
        created_at: sealed.header.created,
        expires_at: sealed.header.expires,
        state: 'pending',
        attempts: 0,
        next_attempt_at: now,
        last_error: null,
        last_code: null,
        delivered_at: null,
        receipt: null,
        latency_ms: null,
      },
      events: decisionEvent ? [decisionEvent] : [],
      log,
      result: { id, partner: input.to, agreement, decisionId, encrypted: sealed.encrypted },
    };
  }

  private readonly confidentialCache = new Map<string, boolean>();

  private async clauseIsConfidential(agreement: { id: string; version: number }, clause: string): Promise<boolean> {
    const key = `${agreement.id}@${agreement.version}#${clause}`;
    let value = this.confidentialCache.get(key);
    if (value === undefined) {
      const version = await this.options.agreements.getVersion(agreement.id, agreement.version);
      value = version.document.clauses.find((c) => c.id === clause)?.confidential === true;
      this.confidentialCache.set(key, value);
    }
    return value;
  }

  /**
   * Inserts outbox rows with the next sequence numbers, in one write; one write at a time so that the sequence is
   * the queueing order.
   */
  private enqueue(
    rows: readonly Omit<OutboxTable, 'seq'>[],
    alsoWrite: (trx: Kysely<FederationTables>) => Promise<void> = async () => undefined,
  ): Promise<number[]> {
    const next = this.enqueueChain.then(async () => {
      if (rows.length === 0) return [];
      if (this.nextSeq === null) {
        const max = await this.db
          .selectFrom('federation_outbox')
          .select((eb) => eb.fn.max('seq').as('max'))
          .executeTakeFirst();
        this.nextSeq = Number(max?.max ?? 0) + 1;
      }
      const first = this.nextSeq;
      const numbered = rows.map((row, i) => ({ ...row, seq: first + i }));
      this.nextSeq += rows.length;
      await this.db.transaction().execute(async (trx) => {
        for (let i = 0; i < numbered.length; i += 100) {
          await trx
            .insertInto('federation_outbox')
            .values(numbered.slice(i, i + 100))
            .execute();
        }
        await alsoWrite(trx);
      });
      return numbered.map((r) => r.seq);
    });
    this.enqueueChain = next.catch(() => {
      this.nextSeq = null;
    });
    return next;
  }

  // ---- delivery

  /** Starts delivering the outbox in the background (the server does; the CLI does not). */
  startDelivery(options: { pollMs?: number; onError?: (error: unknown) => void } = {}): { stop(): Promise<void> } {
    const worker = new OutboxWorker(this, options.pollMs ?? 1000, options.onError);
    this.worker = worker;
    worker.start();
    return {
      stop: async () => {
        await worker.stop();
        if (this.worker === worker) this.worker = null;
      },
    };
  }

  /** Told of every delivery (for the latency histogram). */
  onDelivered(listener: (entry: { partner: string; latencyMs: number }) => void): () => void {
    this.deliveryListeners.add(listener);
    return () => this.deliveryListeners.delete(listener);
  }

  /** Partners with envelopes due now. */
  async duePartners(): Promise<string[]> {
    // One indexed look at the head of each partner's queue (state, partner, seq), not a scan of every pending row.
    const directory = await this.directory();
    if (!directory) return [];
    const now = this.now();
    const due: string[] = [];
    for (const member of directory.members()) {
      if (member.id === this.administration) continue;
      const head = await this.db
        .selectFrom('federation_outbox')
        .select('next_attempt_at')
        .where('state', '=', 'pending')
        .where('partner', '=', member.id)
        .orderBy('seq')
        .limit(1)
        .executeTakeFirst();
      if (head && Number(head.next_attempt_at) <= now) due.push(member.id);
    }
    return due;
  }

  /**
   * Delivers the head of `partner`'s queue: up to a batch of pending envelopes in order, in one POST. Each receipt
   * (accepted or refused) is verified and kept; a transport failure puts the head back with exponential backoff
   * and jitter, and past the dead-letter age moves it to the dead letters. Returns how many got a receipt.
   */
  async deliver(partner: string): Promise<number> {
    const directory = await this.requireDirectory();
    const now = this.now();
    const rows: {
      id: string;
      seq: number;
      envelope: string;
      envelope_hash: string;
      created_at: string;
      attempts: number;
      next_attempt_at: number;
    }[] = await this.db
      .selectFrom('federation_outbox')
      .select(['id', 'seq', 'envelope', 'envelope_hash', 'created_at', 'attempts', 'next_attempt_at'])
      .where('partner', '=', partner)
      .where('state', '=', 'pending')
      .orderBy('seq')
      .limit(this.options.batchSize ?? 100)
      .execute();
    const head = rows[0];
    if (!head || Number(head.next_attempt_at) > now) return 0;
    // A POST carries at most about 4 MiB of envelopes (the receiver's body limit is 16 MiB).
    let bytes = 0;
    const fit = rows.findIndex((r) => (bytes += r.envelope.length) > MAX_BATCH_BYTES);
    if (fit > 0) rows.length = fit;
    const member = directory.member(partner);
    let receipts: string[];
    try {
      if (!member) throw new ConcordError('FEDERATION_PARTNER_UNKNOWN', `${partner} is not in the directory`);
      const url = `${member.endpoint.replace(/\/+$/, '')}/federation/v1/envelopes`;
      ({ receipts } = await this.transport(url, { envelopes: rows.map((r) => r.envelope) }));
      if (!Array.isArray(receipts) || receipts.length !== rows.length) {
        throw new ConcordError('FEDERATION_RECEIPT_INVALID', `${partner} answered ${rows.length} envelopes wrongly`);
      }
    } catch (error) {
      await this.failed(head, error);
      return 0;
    }
    const verified: { row: (typeof rows)[number]; receipt: Receipt; compact: string }[] = [];
    let failure: { row: (typeof rows)[number]; error: unknown } | null = null;
    for (const [i, row] of rows.entries()) {
      try {
        verified.push({
          row,
          receipt: await verifyReceipt(receipts[i]!, directory, partner, row.envelope_hash),
          compact: receipts[i]!,
        });
      } catch (error) {
        failure = { row, error };
        break;
      }
    }
    // Every receipt of the POST is recorded in one transaction (one commit, not one per envelope).
    const at = this.now();
    await this.db.transaction().execute(async (trx) => {
      for (const { row, receipt, compact } of verified) {
        await trx
          .updateTable('federation_outbox')
          .set({
            state: receipt.status === 'accepted' ? 'delivered' : 'refused',
            delivered_at: new Date(at).toISOString(),
            receipt: compact,
            last_code: receipt.code,
            last_error: receipt.status === 'refused' ? receipt.message : null,
            attempts: row.attempts + 1,
            latency_ms: at - Date.parse(row.created_at),
          })
          .where('id', '=', row.id)
          .where('state', '=', 'pending')
          .execute();
      }
    });
    if (failure) await this.failed(failure.row, failure.error);
    for (const { row, receipt } of verified) {
      for (const listener of this.deliveryListeners) listener({ partner, latencyMs: at - Date.parse(row.created_at) });
      for (const listener of this.receiptListeners) await listener(receipt, partner);
    }
    return verified.length;
  }

  private readonly receiptListeners: ((receipt: Receipt, partner: string) => Promise<void>)[] = [];

  /** Called with every verified receipt (the node raises an alert when a partner refused for a split view). */
  onReceipt(listener: (receipt: Receipt, partner: string) => Promise<void>): void {
    this.receiptListeners.push(listener);
  }

  private async failed(row: { id: string; created_at: string; attempts: number }, error: unknown): Promise<void> {
    const now = this.now();
    const attempts = row.attempts + 1;
    const { baseMs, maxMs } = this.options.backoff ?? { baseMs: 500, maxMs: 60_000 };
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempts - 1, 30));
    // "Full jitter": a random delay up to the exponential ceiling, so partners coming back are not stampeded.
    const delay = Math.max(baseMs / 2, Math.random() * ceiling);
    const dead = now - Date.parse(row.created_at) >= (this.options.deadLetterAfterMs ?? DAY_MS);
    await this.db
      .updateTable('federation_outbox')
      .set({
        attempts,
        state: dead ? 'dead' : 'pending',
        next_attempt_at: Math.round(now + delay),
        last_error: (error instanceof Error ? error.message : String(error)).slice(0, 500),
        last_code: isConcordError(error) ? error.code : 'FEDERATION_PARTNER_UNREACHABLE',
      })
      .where('id', '=', row.id)
      .execute();
  }

  /**
   * Puts a dead-lettered envelope back in its partner's queue, to be delivered now (same envelope, same id: the
   * partner applies it at most once).
   *
   * @throws ConcordError `FEDERATION_OUTBOX_UNKNOWN`, `FEDERATION_OUTBOX_NOT_RETRIABLE`.
   */
  async retry(id: string): Promise<OutboxEntry> {
    const row = await this.db.selectFrom('federation_outbox').select(['state']).where('id', '=', id).executeTakeFirst();
    if (!row) throw new ConcordError('FEDERATION_OUTBOX_UNKNOWN', `no envelope ${id} in the outbox`, { id });
    if (row.state !== 'dead') {
      throw new ConcordError('FEDERATION_OUTBOX_NOT_RETRIABLE', `envelope ${id} is ${row.state}, not dead`, {
        state: row.state,
      });
    }
    // The dead-letter clock restarts: the retried envelope gets a new delivery window, not its old one.
    await this.db
      .updateTable('federation_outbox')
      .set({
        state: 'pending',
        attempts: 0,
        next_attempt_at: this.now(),
        created_at: new Date(this.now()).toISOString(),
      })
      .where('id', '=', id)
      .execute();
    this.worker?.kick();
    return this.outboxEntry(id);
  }

  async outboxEntry(id: string): Promise<OutboxEntry> {
    const row = await this.db.selectFrom('federation_outbox').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new ConcordError('FEDERATION_OUTBOX_UNKNOWN', `no envelope ${id} in the outbox`, { id });
    return outboxView(row);
  }

  async listOutbox(
    query: { partner?: string; state?: OutboxState; category?: string; limit?: number; before?: number } = {},
  ): Promise<OutboxEntry[]> {
    let q = this.db.selectFrom('federation_outbox').selectAll();
    if (query.partner) q = q.where('partner', '=', query.partner);
    if (query.state) q = q.where('state', '=', query.state);
    if (query.category) q = q.where('category', '=', query.category);
    if (query.before !== undefined) q = q.where('seq', '<', query.before);
    const rows = await q
      .orderBy('seq', 'desc')
      .limit(Math.min(query.limit ?? 100, 1000))
      .execute();
    return rows.map(outboxView);
  }

  async listInbox(
    query: { sender?: string; status?: string; category?: string; limit?: number } = {},
  ): Promise<InboxEntry[]> {
    let q = this.db.selectFrom('federation_inbox').selectAll();
    if (query.sender) q = q.where('sender', '=', query.sender);
    if (query.status) q = q.where('status', '=', query.status);
    if (query.category) q = q.where('category', '=', query.category);
    const rows = await q
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.min(query.limit ?? 100, 1000))
      .execute();
    return rows.map((r) => ({
      id: r.id,
      sender: r.sender,
      category: r.category,
      purpose: r.purpose,
      agreement: r.agreement_id === null ? null : { id: r.agreement_id, version: Number(r.agreement_version) },
      envelopeHash: r.envelope_hash,
      createdAt: r.created_at,
      receivedAt: r.received_at,
      status: r.status as InboxEntry['status'],
      code: r.code,
      message: r.message,
      decisionId: r.decision_id,
      receivedRecordId: r.received_record_id,
      result: r.result === null ? null : (JSON.parse(r.result) as JsonValue),
    }));
  }

  /** Outbox depth, oldest pending age and dead letters per partner (the /metrics gauges and the partner page). */
  async queueStats(): Promise<{ partner: string; pending: number; dead: number; oldestPendingAt: string | null }[]> {
    const rows = await this.db
      .selectFrom('federation_outbox')
      .select(['partner', 'state'])
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('created_at').as('oldest')])
      .where('state', 'in', ['pending', 'dead'])
      .groupBy(['partner', 'state'])
      .execute();
    const byPartner = new Map<
      string,
      { partner: string; pending: number; dead: number; oldestPendingAt: string | null }
    >();
    for (const row of rows) {
      const entry = byPartner.get(row.partner) ?? { partner: row.partner, pending: 0, dead: 0, oldestPendingAt: null };
      if (row.state === 'pending') {
        entry.pending = Number(row.n);
        entry.oldestPendingAt = (row.oldest as string | null) ?? null;
      } else entry.dead = Number(row.n);
      byPartner.set(row.partner, entry);
    }
    return [...byPartner.values()];
  }

  /** Each partner of the directory with its queue, last exchanges and health. */
  async partners(): Promise<PartnerStatus[]> {
    const directory = await this.requireDirectory();
    const stats = new Map((await this.queueStats()).map((s) => [s.partner, s]));
    const now = this.now();
    const result: PartnerStatus[] = [];
    for (const member of directory.members()) {
      if (member.id === this.administration) continue;
      const last = await this.db
        .selectFrom('federation_outbox')
        .select(['delivered_at'])
        .where('partner', '=', member.id)
        .where('state', 'in', ['delivered', 'refused'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      const lastError = await this.db
        .selectFrom('federation_outbox')
        .select(['last_error'])
        .where('partner', '=', member.id)
        .where('state', 'in', ['pending', 'dead'])
        .where('last_error', 'is not', null)
        .orderBy('seq')
        .limit(1)
        .executeTakeFirst();
      const received = await this.db
        .selectFrom('federation_inbox')
        .select((eb) => eb.fn.max('received_at').as('at'))
        .where('sender', '=', member.id)
        .executeTakeFirst();
      const stat = stats.get(member.id);
      const oldestAge = stat?.oldestPendingAt ? now - Date.parse(stat.oldestPendingAt) : null;
      const health: PartnerStatus['health'] =
        (stat?.dead ?? 0) > 0 || (oldestAge !== null && oldestAge > 5 * 60_000)
          ? 'down'
          : lastError?.last_error
            ? 'retrying'
            : 'up';
      result.push({
        id: member.id,
        name: member.name,
        endpoint: member.endpoint,
        status: member.status,
        location: member.location ?? null,
        outbox: { pending: stat?.pending ?? 0, dead: stat?.dead ?? 0, oldestPendingAgeMs: oldestAge },
        lastDeliveredAt: last?.delivered_at ?? null,
        lastReceivedAt: (received?.at as string | null | undefined) ?? null,
        lastError: lastError?.last_error ?? null,
        health,
      });
    }
    return result;
  }

  // ---- receiving

  /**
   * Receives envelopes from a partner's POST, in order, and answers each with a signed receipt: accepted (applied
   * exactly once; a replay gets the original receipt) or refused with its code (audited and logged; nothing
   * applied).
   */
  async receiveBatch(envelopes: readonly unknown[]): Promise<string[]> {
    return (await this.receiveAll(envelopes)).map((outcome) => outcome.receipt);
  }

  async receive(compact: unknown): Promise<ReceiveOutcome> {
    return (await this.receiveAll([compact]))[0]!;
  }

  private receiving: Promise<unknown> = Promise.resolve();

  /**
   * Receives the envelopes of one POST in order. Log entries of the whole batch are appended together (one log
   * transaction) and the data envelopes' writes go in one database transaction; both are durable before any receipt
   * is returned. One POST is received at a time, so two copies of an envelope in flight cannot both be applied.
   */
  private receiveAll(envelopes: readonly unknown[]): Promise<ReceiveOutcome[]> {
    const run = async () => {
      const outcomes: ReceiveOutcome[] = [];
      const pending: Promise<unknown>[] = [];
      const batch = newBatch();
      for (const envelope of envelopes) outcomes.push(await this.receiveOne(envelope, pending, batch));
      await this.flush(batch, pending);
      await Promise.all(pending);
      return outcomes;
    };
    const next = this.receiving.then(run, run);
    this.receiving = next.catch(() => undefined);
    return next;
  }

  /** Stores a batch's data writes in one transaction, then runs what follows a commit and appends the log entries. */
  private async flush(batch: InboxBatch, pending: Promise<unknown>[]): Promise<void> {
    if (batch.writes.length > 0) {
      const writes = batch.writes.splice(0);
      await this.db.transaction().execute(async (trx) => {
        for (const write of writes) await write(trx);
      });
    }
    for (const after of batch.after.splice(0)) await after();
    for (const entry of batch.log.splice(0)) defer(pending, this.options.log.append(entry));
  }

  private async receiveOne(compact: unknown, pending: Promise<unknown>[], batch: InboxBatch): Promise<ReceiveOutcome> {
    const receivedAt = this.now();
    let parsed: ParsedEnvelope | null = null;
    let authenticated = false;
    try {
      parsed = parseEnvelope(compact as string, this.options.maxEnvelopeBytes ?? MAX_ENVELOPE_BYTES);
      await this.authenticate(parsed);
      authenticated = true;
      checkEnvelopeTiming(
        parsed.header,
        this.administration,
        receivedAt,
        this.options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS,
      );
      const handler = this.handlers.get(parsed.header.category);
      const prepare = handler?.kind === 'data' ? handler.prepare : undefined;
      if (handler && prepare) {
        const outcome = await this.acceptData(parsed, handler, prepare.bind(handler), receivedAt, batch);
        if (outcome) return outcome;
      }
      // Network messages (and a data envelope left half-applied by a crash) are applied one by one, in order.
      await this.flush(batch, pending);
      return await this.accept(parsed, receivedAt, pending);
    } catch (error) {
      await this.flush(batch, pending);
      return this.refuse(compact, parsed, authenticated, error, receivedAt, pending);
    }
  }

  /**
   * Accepts (or refuses under its agreement) a data envelope into `batch`: everything is read and decided now, the
   * receipt signed; the writes wait for the batch's transaction. Returns null for an envelope to be applied on its
   * own (one whose earlier application was cut by a crash).
   */
  private async acceptData(
    parsed: ParsedEnvelope,
    handler: CategoryHandler,
    prepare: NonNullable<CategoryHandler['prepare']>,
    receivedAt: number,
    batch: InboxBatch,
  ): Promise<ReceiveOutcome | null> {
    const { header } = parsed;
    const key = `${header.from}/${header.id}`;
    const inBatch = batch.answered.get(key);
    if (inBatch) {
      if (inBatch.hash !== parsed.hash) throw idReused(header.id);
      return inBatch.outcome;
    }
    const seen = await this.db
      .selectFrom('federation_inbox')
      .select(['envelope_hash', 'status', 'receipt', 'code'])
      .where('sender', '=', header.from)
      .where('id', '=', header.id)
      .executeTakeFirst();
    if (seen && seen.envelope_hash !== parsed.hash) throw idReused(header.id);
    if (seen?.receipt && seen.status !== 'processing') {
      return { receipt: seen.receipt, status: seen.status as 'accepted' | 'refused', code: seen.code };
    }
    if (seen) return null;
    const payload = await unsealPayload(parsed, this.options.encryptionKeys);
    handler.check(payload, header);
    if (header.agreement === null) {
      throw new ConcordError('FEDERATION_PAYLOAD_INVALID', `${header.category} travels under an agreement`);
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new ConcordError('FEDERATION_PAYLOAD_INVALID', 'the payload of a data envelope is a JSON object');
    }
    const agreements = this.options.agreements;
    const received = await agreements.prepareReceive({
      sender: header.from,
      category: header.category,
      purpose: header.purpose,
      record: payload as JsonObject,
      agreementId: header.agreement.id,
    });
    const at = new Date(receivedAt).toISOString();
    const row = {
      sender: header.from,
      id: header.id,
      category: header.category,
      purpose: header.purpose,
      agreement_id: header.agreement.id,
      agreement_version: header.agreement.version,
      envelope_hash: parsed.hash,
      created_at: header.created,
      received_at: at,
      decision_id: received.result.decisionId,
    };
    const decided = {
      type: 'decision.shared-data' as const,
      at,
      decisionId: received.result.decisionId,
      envelopeId: header.id,
      agreementId: header.agreement.id,
      purpose: header.purpose,
    };
    let outcome: ReceiveOutcome;
    if (!received.result.accepted) {
      const code = received.result.decision.code ?? 'SHARING_NO_AGREEMENT';
      const message = received.result.decision.reasons.at(-1)?.message ?? code;
      const receipt = await this.signReceipt({
        envelopeId: header.id,
        envelopeHash: parsed.hash,
        sender: header.from,
        status: 'refused',
        code,
        message,
        result: null,
      });
      batch.writes.push(async (trx) => {
        await agreements.storeReceived(trx, received);
        await trx
          .insertInto('federation_inbox')
          .values({
            ...row,
            status: 'refused',
            code,
            message: message.slice(0, 1000),
            received_record_id: null,
            receipt,
            result: 'null',
          })
          .execute();
      });
      batch.after.push(
        () => agreements.announceReceived(received),
        () => this.auditRefusal(header.from, header.id, code, parsed.hash, message),
      );
      batch.log.push(refusedEntry(header.from, header.id, code, parsed.hash, at), { ...decided, outcome: 'refused' });
      outcome = { receipt, status: 'refused', code };
    } else {
      const applied: AppliedEnvelope = {
        header,
        payload: received.result.decision.record as JsonValue,
        receivedRecordId: received.result.id,
        decisionId: received.result.decisionId,
      };
      const prepared = await prepare(applied);
      const receipt = await this.signReceipt({
        envelopeId: header.id,
        envelopeHash: parsed.hash,
        sender: header.from,
        status: 'accepted',
        code: null,
        message: null,
        result: prepared.result,
      });
      batch.writes.push(async (trx) => {
        await agreements.storeReceived(trx, received);
        await prepared.write(trx);
        await trx
          .insertInto('federation_inbox')
          .values({
            ...row,
            status: 'accepted',
            code: null,
            message: null,
            received_record_id: received.result.accepted ? received.result.id : null,
            receipt,
            result: JSON.stringify(prepared.result),
          })
          .execute();
      });
      batch.after.push(() => agreements.announceReceived(received));
      if (prepared.after) batch.after.push(prepared.after);
      batch.log.push(
        {
          type: 'envelope.accepted',
          at,
          envelopeId: header.id,
          from: header.from,
          agreementId: header.agreement.id,
          purpose: header.purpose,
          category: header.category,
          payloadHash: parsed.hash,
        },
        { ...decided, outcome: 'accepted' },
      );
      outcome = { receipt, status: 'accepted', code: null };
    }
    batch.answered.set(key, { hash: parsed.hash, outcome });
    return outcome;
  }

  private lastUnknownRefresh = 0;

  /**
   * Authenticates against the installed directory; a sender or key it does not know yet (a new member, a rotated
   * key) makes the node refresh its directory from its partners, at most every few seconds, and try once more.
   */
  private async authenticate(parsed: ParsedEnvelope): Promise<void> {
    try {
      await authenticateEnvelope(parsed, await this.requireDirectory());
    } catch (error) {
      const unknown =
        isConcordError(error, 'FEDERATION_KEY_UNKNOWN') || isConcordError(error, 'FEDERATION_SENDER_UNKNOWN');
      if (!unknown || this.now() - this.lastUnknownRefresh < REFRESH_ON_UNKNOWN_MS) throw error;
      this.lastUnknownRefresh = this.now();
      const before = (await this.directory())?.version;
      await this.refreshDirectory();
      if ((await this.directory())?.version === before) throw error;
      await authenticateEnvelope(parsed, await this.requireDirectory());
    }
  }

  private withInboxLock<T>(sender: string, work: () => Promise<T>): Promise<T> {
    const previous = this.inboxLocks.get(sender) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.inboxLocks.set(sender, settled);
    void settled.then(() => {
      if (this.inboxLocks.get(sender) === settled) this.inboxLocks.delete(sender);
    });
    return next;
  }

  private async accept(
    parsed: ParsedEnvelope,
    receivedAt: number,
    pending: Promise<unknown>[],
  ): Promise<{ receipt: string; status: 'accepted' | 'refused'; code: string | null }> {
    const { header } = parsed;
    const seen = await this.db
      .selectFrom('federation_inbox')
      .selectAll()
      .where('sender', '=', header.from)
      .where('id', '=', header.id)
      .executeTakeFirst();
    if (seen && seen.envelope_hash !== parsed.hash) {
      throw new ConcordError('FEDERATION_ENVELOPE_ID_REUSED', `envelope ${header.id} was received with other content`, {
        envelopeId: header.id,
      });
    }
    if (seen && seen.status !== 'processing' && seen.receipt) {
      return { receipt: seen.receipt, status: seen.status as 'accepted' | 'refused', code: seen.code };
    }
    const handler = this.handlers.get(header.category);
    if (!handler) {
      throw new ConcordError('FEDERATION_CATEGORY_UNSUPPORTED', `this node does not handle ${header.category}`, {
        category: header.category,
      });
    }
    const payload = await unsealPayload(parsed, this.options.encryptionKeys);
    handler.check(payload, header);
    if (handler.kind === 'data' && header.agreement === null) {
      throw new ConcordError('FEDERATION_PAYLOAD_INVALID', `${header.category} travels under an agreement`);
    }
    if (!seen) {
      await this.db
        .insertInto('federation_inbox')
        .values({
          sender: header.from,
          id: header.id,
          category: header.category,
          purpose: header.purpose,
          agreement_id: header.agreement?.id ?? null,
          agreement_version: header.agreement?.version ?? null,
          envelope_hash: parsed.hash,
          created_at: header.created,
          received_at: new Date(receivedAt).toISOString(),
          status: 'processing',
          code: null,
          message: null,
          decision_id: null,
          received_record_id: null,
          receipt: null,
          result: null,
        })
        .execute();
    }
    let applied: AppliedEnvelope = { header, payload, receivedRecordId: null, decisionId: null };
    if (handler.kind === 'data') {
      if (seen?.received_record_id) {
        const record = await this.options.agreements.readReceived(seen.received_record_id, {
          actor: 'federation',
          actorKind: 'system',
          purpose: header.purpose,
        });
        applied = {
          header,
          payload: record.record as JsonValue,
          receivedRecordId: record.id,
          decisionId: seen.decision_id,
        };
      } else {
        if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
          throw new ConcordError('FEDERATION_PAYLOAD_INVALID', 'the payload of a data envelope is a JSON object');
        }
        const received = await this.options.agreements.receive({
          sender: header.from,
          category: header.category,
          purpose: header.purpose,
          record: payload as JsonObject,
          agreementId: header.agreement!.id,
        });
        if (!received.accepted) {
          const code = received.decision.code ?? 'SHARING_NO_AGREEMENT';
          return this.finish(parsed, receivedAt, pending, {
            status: 'refused',
            code,
            message: received.decision.reasons.at(-1)?.message ?? code,
            decisionId: received.decisionId,
            receivedRecordId: null,
            result: null,
          });
        }
        await this.db
          .updateTable('federation_inbox')
          .set({ received_record_id: received.id, decision_id: received.decisionId })
          .where('sender', '=', header.from)
          .where('id', '=', header.id)
          .execute();
        applied = {
          header,
          payload: received.decision.record as JsonValue,
          receivedRecordId: received.id,
          decisionId: received.decisionId,
        };
      }
    }
    let result: JsonValue;
    try {
      result = await handler.apply(applied);
    } catch (error) {
      if (!isConcordError(error)) throw error;
      return this.finish(parsed, receivedAt, pending, {
        status: 'refused',
        code: error.code,
        message: error.message,
        decisionId: applied.decisionId,
        receivedRecordId: applied.receivedRecordId,
        result: (error.details as JsonValue | undefined) ?? null,
      });
    }
    return this.finish(parsed, receivedAt, pending, {
      status: 'accepted',
      code: null,
      message: null,
      decisionId: applied.decisionId,
      receivedRecordId: applied.receivedRecordId,
      result,
    });
  }

  /** Records the outcome of an authenticated envelope, signs its receipt, and logs it. */
  private async finish(
    parsed: ParsedEnvelope,
    receivedAt: number,
    pending: Promise<unknown>[],
    outcome: {
      status: 'accepted' | 'refused';
      code: string | null;
      message: string | null;
      decisionId: string | null;
      receivedRecordId: string | null;
      result: JsonValue;
    },
  ): Promise<{ receipt: string; status: 'accepted' | 'refused'; code: string | null }> {
    const { header } = parsed;
    const receipt = await this.signReceipt({
      envelopeId: header.id,
      envelopeHash: parsed.hash,
      sender: header.from,
      status: outcome.status,
      code: outcome.code,
      message: outcome.message,
      result: outcome.result,
    });
    await this.db
      .updateTable('federation_inbox')
      .set({
        status: outcome.status,
        code: outcome.code,
        message: outcome.message?.slice(0, 1000) ?? null,
        decision_id: outcome.decisionId,
        received_record_id: outcome.receivedRecordId,
        receipt,
        result: JSON.stringify(outcome.result),
      })
      .where('sender', '=', header.from)
      .where('id', '=', header.id)
      .execute();
    const at = new Date(receivedAt).toISOString();
    if (outcome.status === 'accepted') {
      defer(
        pending,
        this.options.log.append({
          type: 'envelope.accepted',
          at,
          envelopeId: header.id,
          from: header.from,
          ...(header.agreement ? { agreementId: header.agreement.id } : {}),
          purpose: header.purpose,
          category: header.category,
          payloadHash: parsed.hash,
        }),
      );
    } else {
      defer(
        pending,
        this.recordRefusal(header.from, header.id, outcome.code ?? 'REFUSED', parsed.hash, at, outcome.message),
      );
    }
    if (outcome.decisionId && header.agreement) {
      defer(
        pending,
        this.options.log.append({
          type: 'decision.shared-data',
          at,
          decisionId: outcome.decisionId,
          envelopeId: header.id,
          agreementId: header.agreement.id,
          purpose: header.purpose,
          outcome: outcome.status,
        }),
      );
    }
    return { receipt, status: outcome.status, code: outcome.code };
  }

  /**
   * Refuses an envelope: a signed refusal with the code, an access-audit entry and a log entry. An envelope whose
   * sender was authenticated is remembered (a replay gets the same refusal); one that was not is not, so a forger
   * cannot pre-empt a real envelope's id.
   */
  private async refuse(
    compact: unknown,
    parsed: ParsedEnvelope | null,
    authenticated: boolean,
    error: unknown,
    receivedAt: number,
    pending: Promise<unknown>[],
  ): Promise<{ receipt: string; status: 'refused'; code: string }> {
    const code = isConcordError(error) ? error.code : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    if (!isConcordError(error)) throw error;
    const envelopeHash = parsed?.hash ?? sha256OfUnknown(compact);
    const receiptInput = {
      envelopeId: parsed?.header.id ?? null,
      envelopeHash,
      sender: parsed?.header.from ?? null,
      status: 'refused' as const,
      code,
      message,
      result: null,
    };
    const receipt = await this.signReceipt(receiptInput);
    const at = new Date(receivedAt).toISOString();
    if (authenticated && parsed && code !== 'FEDERATION_ENVELOPE_ID_REUSED') {
      const { header } = parsed;
      const values = {
        sender: header.from,
        id: header.id,
        category: header.category,
        purpose: header.purpose,
        agreement_id: header.agreement?.id ?? null,
        agreement_version: header.agreement?.version ?? null,
        envelope_hash: parsed.hash,
        created_at: header.created,
        received_at: at,
        status: 'refused',
        code,
        message: message.slice(0, 1000),
        decision_id: null,
        received_record_id: null,
        receipt,
        result: null,
      };
      const updated = await this.db
        .updateTable('federation_inbox')
        .set({ status: 'refused', code, message: values.message, receipt })
        .where('sender', '=', header.from)
        .where('id', '=', header.id)
        .where('status', '=', 'processing')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        await this.db
          .insertInto('federation_inbox')
          .values(values)
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
    }
    defer(
      pending,
      this.recordRefusal(parsed?.header.from ?? null, parsed?.header.id ?? null, code, envelopeHash, at, message),
    );
    return { receipt, status: 'refused', code };
  }

  private async recordRefusal(
    from: string | null,
    envelopeId: string | null,
    code: string,
    envelopeHash: string,
    at: string,
    message: string | null,
  ): Promise<void> {
    await this.auditRefusal(from, envelopeId, code, envelopeHash, message);
    await this.options.log.append(refusedEntry(from, envelopeId, code, envelopeHash, at));
  }

  private async auditRefusal(
    from: string | null,
    envelopeId: string | null,
    code: string,
    envelopeHash: string,
    message: string | null,
  ): Promise<void> {
    await this.options.audit.record({
      actor: from ? `node:${from}` : 'node:unknown',
      actorKind: 'anonymous',
      action: 'envelope.refused',
      targetType: 'envelope',
      targetId: envelopeId ?? envelopeHash,
      outcome: 'denied',
      details: { code, message, envelopeHash },
    });
  }

  private async signReceipt(input: Omit<Receipt, 'type' | 'by' | 'at'>): Promise<string> {
    const directory = await this.directory();
    const key = directory
      ? await this.signingKey(directory).catch(() => this.options.signingKeys[0]!)
      : this.options.signingKeys[0]!;
    return signReceipt(
      { type: 'concord-receipt/1', by: this.administration, at: new Date(this.now()).toISOString(), ...input },
      key,
    );
  }

  /** The receipt this node gave for a partner's envelope. */
  async receiptFor(sender: string, id: string): Promise<string> {
    const row = await this.db
      .selectFrom('federation_inbox')
      .select(['receipt'])
      .where('sender', '=', sender)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row?.receipt) throw new ConcordError('FEDERATION_RECEIPT_UNKNOWN', `no receipt for ${sender}/${id}`);
    return row.receipt;
  }

  /** The receipt this node gave for envelope `id` from whichever sender (ids are UUIDv7, unique in practice). */
  async receiptById(id: string): Promise<string> {
    const row = await this.db
      .selectFrom('federation_inbox')
      .select(['receipt'])
      .where('id', '=', id)
      .where('receipt', 'is not', null)
      .executeTakeFirst();
    if (!row?.receipt) throw new ConcordError('FEDERATION_RECEIPT_UNKNOWN', `no receipt for envelope ${id}`);
    return row.receipt;
  }

  // ---- alerts

  async raiseAlert(alert: {
    kind: string;
    subject: string;
    message: string;
    details?: Record<string, unknown>;
  }): Promise<Alert> {
    const existing = await this.db
      .selectFrom('federation_alerts')
      .selectAll()
      .where('kind', '=', alert.kind)
      .where('subject', '=', alert.subject)
      .where('acknowledged_at', 'is', null)
      .executeTakeFirst();
    if (existing) return alertView(existing);
    const row = {
      id: newId(this.now()),
      kind: alert.kind,
      subject: alert.subject,
      message: alert.message,
      details: JSON.stringify(alert.details ?? {}),
      raised_at: new Date(this.now()).toISOString(),
      acknowledged_at: null,
    };
    await this.db.insertInto('federation_alerts').values(row).execute();
    return alertView(row);
  }

  async listAlerts(options: { open?: boolean } = {}): Promise<Alert[]> {
    let q = this.db.selectFrom('federation_alerts').selectAll();
    if (options.open) q = q.where('acknowledged_at', 'is', null);
    return (await q.orderBy('raised_at', 'desc').limit(200).execute()).map(alertView);
  }

  async acknowledgeAlert(id: string): Promise<void> {
    await this.db
      .updateTable('federation_alerts')
      .set({ acknowledged_at: new Date(this.now()).toISOString() })
      .where('id', '=', id)
      .execute();
  }

  /** Sends a network message straight away (not through the outbox) and returns the verified receipt. */
  async call(to: string, category: string, payload: JsonValue): Promise<Receipt> {
    const directory = await this.requireDirectory();
    const member = directory.requireMember(to);
    const now = this.now();
    const sealed = await sealEnvelope({
      id: newId(now),
      from: this.administration,
      to,
      category,
      purpose: 'network',
      agreement: null,
      created: now,
      expires: now + 60_000,
      payload,
      signingKey: await this.signingKey(directory),
    });
    const { receipts } = await this.transport(`${member.endpoint.replace(/\/+$/, '')}/federation/v1/envelopes`, {
      envelopes: [sealed.compact],
    });
    if (!Array.isArray(receipts) || typeof receipts[0] !== 'string') {
      throw new ConcordError('FEDERATION_RECEIPT_INVALID', `${to} answered without a receipt`);
    }
    return verifyReceipt(receipts[0], directory, to, sealed.hash);
  }

  /** The current signing key, for tools that seal envelopes themselves (tests, the benchmark). */
  async currentSigningKey(): Promise<SigningKeyPair> {
    return this.signingKey(await this.requireDirectory());
  }

  /** This node's public keys as directory entries would list them. */
  publicKeys(): { signing: SigningKeyPair['publicJwk'][]; encryption: EncryptionKeyPair['publicJwk'][] } {
    return {
      signing: this.options.signingKeys.map((k) => k.publicJwk),
      encryption: this.options.encryptionKeys.map((k) => k.publicJwk),
    };
  }

  /** Ids of the currently valid keys of a member, for the directory view. */
  static currentKid(directory: Directory, member: string, use: 'sig' | 'enc', at: number): string | null {
    const m = directory.member(member);
    return m ? (currentKey(m, use, at)?.kid ?? null) : null;
  }
}

/**
 * Adds work whose failure must fail the batch later (at its `Promise.all`), and marks it handled now so that a
 * rejection before then is not an unhandled rejection.
 */
function defer(pending: Promise<unknown>[], work: Promise<unknown>): void {
  work.catch(() => undefined);
  pending.push(work);
}

function refusedEntry(
  from: string | null,
  envelopeId: string | null,
  code: string,
  envelopeHash: string,
  at: string,
): LedgerEntry {
  return {
    type: 'envelope.refused',
    at,
    ...(envelopeId && LOGGABLE_ID.test(envelopeId) ? { envelopeId } : {}),
    ...(from ? { from } : {}),
    code,
    envelopeHash,
  };
}

function idReused(envelopeId: string): ConcordError {
  return new ConcordError('FEDERATION_ENVELOPE_ID_REUSED', `envelope ${envelopeId} was received with other content`, {
    envelopeId,
  });
}

const LOGGABLE_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

function sha256OfUnknown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  return createHash('sha256')
    .update(text ?? '')
    .digest('hex');
}

function outboxView(row: OutboxTable): OutboxEntry {
  return {
    id: row.id,
    partner: row.partner,
    seq: Number(row.seq),
    category: row.category,
    purpose: row.purpose,
    agreement: row.agreement_id === null ? null : { id: row.agreement_id, version: Number(row.agreement_version) },
    decisionId: row.decision_id,
    subject: row.subject,
    encrypted: Number(row.encrypted) === 1,
    envelopeHash: row.envelope_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    state: row.state as OutboxState,
    attempts: Number(row.attempts),
    nextAttemptAt: row.state === 'pending' ? new Date(Number(row.next_attempt_at)).toISOString() : null,
    lastError: row.last_error,
    lastCode: row.last_code,
    deliveredAt: row.delivered_at,
    latencyMs: row.latency_ms === null ? null : Number(row.latency_ms),
    receipt: row.receipt === null ? null : readReceipt(row.receipt),
  };
}

function alertView(row: {
  id: string;
  kind: string;
  subject: string;
  message: string;
  details: string;
  raised_at: string;
  acknowledged_at: string | null;
}): Alert {
  return {
    id: row.id,
    kind: row.kind,
    subject: row.subject,
    message: row.message,
    details: JSON.parse(row.details) as Record<string, unknown>,
    raisedAt: row.raised_at,
    acknowledgedAt: row.acknowledged_at,
  };
}

/** Posts envelopes as JSON; any answer but 200 with receipts is a transport failure (retried). */
export function httpTransport(options: { timeoutMs?: number } = {}): Transport {
  return async (url, body) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
    } catch (cause) {
      throw new ConcordError('FEDERATION_PARTNER_UNREACHABLE', `${url}: ${(cause as Error).message}`, undefined, {
        cause,
      });
    }
    const answer = (await response.json().catch(() => null)) as { receipts?: unknown } | null;
    if (!response.ok || !Array.isArray(answer?.receipts)) {
      throw new ConcordError('FEDERATION_PARTNER_UNREACHABLE', `${url} answered ${response.status}`);
    }
    return { receipts: answer.receipts as string[] };
  };
}

async function fetchDirectory(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new ConcordError('FEDERATION_PARTNER_UNREACHABLE', `${url} answered ${response.status}`);
  return response.json();
}

/**
 * Delivers the outbox: one delivery at a time per partner (so each partner's queue stays in order), partners in
 * parallel, woken by new envelopes and by a poll for retries that came due.
 */
class OutboxWorker {
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly busy = new Map<string, Promise<void>>();
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly service: FederationService,
    private readonly pollMs: number,
    private readonly onError: ((error: unknown) => void) | undefined,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  kick(): void {
    // Many sends in one tick wake the loop once.
    if (this.kicked) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      this.wake?.();
    });
  }

  private kicked = false;

  async stop(): Promise<void> {
    this.running = false;
    this.kick();
    await this.loop;
    await Promise.all(this.busy.values());
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        for (const partner of await this.service.duePartners()) {
          if (this.busy.has(partner)) continue;
          const work = this.drain(partner).finally(() => this.busy.delete(partner));
          this.busy.set(partner, work);
        }
      } catch (error) {
        this.onError?.(error);
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, this.pollMs);
      });
      if (this.timer) clearTimeout(this.timer);
      this.wake = null;
    }
  }

  private async drain(partner: string): Promise<void> {
    try {
      while (this.running && (await this.service.deliver(partner)) > 0) {
        // a full batch went through: the next one at once
      }
    } catch (error) {
      this.onError?.(error);
    }
  }
}
