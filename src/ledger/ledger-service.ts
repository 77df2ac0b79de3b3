/**
 * The node's log as the rest of the node sees it: one `append` for every producer, checkpoint publication with
 * cosignatures collected from the witnesses this node asks, the witness this node is for its partners' logs, and
 * documents (anchor, revoke, bundle).
 *
 * Transport is the caller's: witnesses are reached through a {@link WitnessClient} (the node gives an HTTP one).
 * Publication and witnessing are serialized in this process; run one writer per log (docs/decisions/0003).
 */
import { ConcordError, isConcordError, newId, sha256Hex, systemClock, type Clock } from '../kernel/index.js';
import type { SigningKeyPair } from '../kernel/index.js';
import type { Store } from '../storage/index.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { BUNDLE_FORMAT, type DocumentBundle } from './bundle.js';
import { openCheckpoint } from './checkpoint.js';
import {
  COSIGNATURE_V1_TYPE,
  cosignatureVerifierFromKey,
  ed25519Cosigner,
  verifyCosignatures,
  type Cosigner,
} from './cosignature.js';
import { encodeEntry, type LedgerEntry } from './entry.js';
import { LogStore, type AppendedEntry, type PublishedCheckpoint } from './log-store.js';
import type { LedgerTables } from './log-tables.js';
import {
  NOTE_ED25519_TYPE,
  ed25519NoteSigner,
  formatVerifierKey,
  noteVerifierFromKey,
  parseVerifierKey,
  rawEd25519PublicKey,
  privateKeyOf,
  type NoteSigner,
} from './note.js';
import { checkpointOrigin, witnessCheckpoint } from './witness.js';

/** What a log sends a witness: its new signed checkpoint and a consistency proof from `oldSize`. */
export interface WitnessRequest {
  /** The size this log believes the witness last cosigned (0 the first time). */
  readonly oldSize: number;
  /** Consistency proof from `oldSize` to the checkpoint's size, base64 hashes; empty from 0. */
  readonly proof: readonly string[];
  readonly checkpoint: string;
}

/** How this node reaches a witness. Throws a ConcordError with the witness's code when it refuses. */
export interface WitnessClient {
  /** Resolves to the witness's cosignature line (newline included). */
  addCheckpoint(url: string, request: WitnessRequest): Promise<string>;
}

export interface LedgerServiceOptions {
  readonly store: Store;
  /** The administration this node serves, e.g. `NL`; the log's origin is derived from it. */
  readonly administration: string;
  /** The key that signs this log's checkpoints. */
  readonly logKey: SigningKeyPair;
  /** The key that cosigns partners' checkpoints: a separate key, as tlog-cosignature requires. */
  readonly witnessKey: SigningKeyPair;
  readonly clock?: Clock;
  readonly witnessClient?: WitnessClient;
}

export interface CosignedCheckpoint extends PublishedCheckpoint {
  /** The signed note with every stored cosignature line appended. */
  readonly cosigned: string;
  /** The witnesses that cosigned it, by administration where the name follows Concord's convention. */
  readonly witnessedBy: readonly string[];
}

export interface WitnessView {
  readonly name: string;
  readonly url: string;
  readonly key: string;
  readonly cosignedSize: number;
  readonly lastError: string | null;
}

export interface WitnessedLogView {
  readonly origin: string;
  readonly key: string;
  readonly cosignedSize: number;
  readonly updatedAt: string;
}

export interface SplitViewRecord {
  readonly id: number;
  readonly origin: string;
  readonly cosigned: string;
  readonly submitted: string;
  readonly oldSize: number;
  readonly newSize: number;
  readonly proof: readonly string[];
  readonly detectedAt: string;
}

export interface AnchorInput {
  /** SHA-256 (hex) of the document (see documents.ts for which hash). */
  readonly documentHash: string;
  readonly documentType: string;
  readonly documentId?: string | undefined;
  /** The subject's identifier (EORI, AEO number); logged as its SHA-256 only. */
  readonly subject?: string | undefined;
  /** `YYYY-MM-DD` (valid through that UTC day) or an RFC 3339 instant. */
  readonly validUntil?: string | undefined;
}

export interface AnchoredDocument {
  readonly documentId: string;
  readonly documentHash: string;
  readonly index: number;
  /** Base64 of the leaf hash. */
  readonly leafHash: string;
}

export interface DocumentStatus {
  readonly documentId: string;
  readonly documentHash: string;
  readonly documentType: string;
  readonly anchoredIndex: number;
  readonly revokedIndex: number | null;
}

/** The log origin of an administration: `concord.<administration lowercase>/log` (docs/decisions/0008). */
export function logOrigin(administration: string): string {
  return `concord.${administration.toLowerCase()}/log`;
}

/** The cosigner name of an administration's witness: `concord.<administration lowercase>/witness`. */
export function witnessName(administration: string): string {
  return `concord.${administration.toLowerCase()}/witness`;
}

/** `SG` for `concord.sg/witness`; any other name as it is. */
export function witnessLabel(name: string): string {
  const match = /^concord\.([a-z0-9-]+)\/witness$/.exec(name);
  return match ? match[1]!.toUpperCase() : name;
}

export class LedgerService {
  readonly log: LogStore;
  readonly origin: string;
  readonly administration: string;
  /** This log's note verifier key (`name+hash+key`), what partners and verifiers configure. */
  readonly verifierKey: string;
  /** This node's witness key as a cosignature verifier key (type 0x04). */
  readonly witnessVerifierKey: string;
  readonly #db;
  readonly #clock: Clock;
  readonly #signer: NoteSigner;
  readonly #cosigner: Cosigner;
  readonly #client: WitnessClient | undefined;
  #publishing: Promise<unknown> = Promise.resolve();
  #witnessing: Promise<unknown> = Promise.resolve();
  #documents: Promise<unknown> = Promise.resolve();

  private constructor(options: LedgerServiceOptions, log: LogStore) {
    this.log = log;
    this.origin = log.origin;
    this.administration = options.administration;
    this.#db = options.store.typed<LedgerTables>();
    this.#clock = options.clock ?? systemClock;
    this.#client = options.witnessClient;
    this.#signer = ed25519NoteSigner(this.origin, options.logKey);
    this.verifierKey = formatVerifierKey(
      this.origin,
      NOTE_ED25519_TYPE,
      rawEd25519PublicKey(privateKeyOf(options.logKey)),
    );
    this.#cosigner = ed25519Cosigner(witnessName(options.administration), options.witnessKey);
    this.witnessVerifierKey = formatVerifierKey(this.#cosigner.name, COSIGNATURE_V1_TYPE, this.#cosigner.publicKey);
  }

  /**
   * Opens the node's log (the store must carry `ledgerMigrations`).
   *
   * @example
   * const ledger = await LedgerService.open({ store, administration: 'NL', logKey, witnessKey });
   * await ledger.append({ type: 'declaration.accepted', at, declarationId, declarationHash });
   */
  static async open(options: LedgerServiceOptions): Promise<LedgerService> {
    const log = await LogStore.open({
      store: options.store,
      origin: logOrigin(options.administration),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    return new LedgerService(options, log);
  }

  /** Appends one entry; resolves once it is durable. Every producer of the node writes through here. */
  append(entry: LedgerEntry): Promise<AppendedEntry> {
    return this.log.append(entry);
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }

  // ---- checkpoints

  /**
   * Publishes a checkpoint of the committed tree (idempotent per size), then asks every configured witness to
   * cosign it and stores the cosignatures it gets. A witness that fails does not fail the publication; its error
   * is kept (`listWitnesses`) and it is asked again at the next publication.
   */
  publishCheckpoint(): Promise<CosignedCheckpoint> {
    const next = this.#publishing.then(async () => {
      const published = await this.log.publishCheckpoint([this.#signer]);
      await this.#collectCosignatures(published);
      return this.#withCosignatures(published);
    });
    this.#publishing = next.catch(() => undefined);
    return next;
  }

  /** Publishes when the log grew since the latest checkpoint, or retries witnesses behind it; the schedule's tick. */
  async publishIfDue(): Promise<CosignedCheckpoint | undefined> {
    const latest = await this.log.latestCheckpoint();
    if (!latest || (await this.log.size()) > latest.checkpoint.size) return this.publishCheckpoint();
    const behind = await this.#db
      .selectFrom('ledger_witnesses')
      .select('name')
      .where('size', '<', latest.checkpoint.size)
      .executeTakeFirst();
    return behind ? this.publishCheckpoint() : undefined;
  }

  /** The latest checkpoint with its cosignatures; publishes the first one if the log has none yet. */
  async latestCheckpoint(): Promise<CosignedCheckpoint> {
    const latest = await this.log.latestCheckpoint();
    return latest ? this.#withCosignatures(latest) : this.publishCheckpoint();
  }

  /** The checkpoint of `size` with its cosignatures, if one was published. */
  async checkpointAt(size: number): Promise<CosignedCheckpoint | undefined> {
    const published = await this.log.checkpointAt(size);
    return published ? this.#withCosignatures(published) : undefined;
  }

  async #withCosignatures(published: PublishedCheckpoint): Promise<CosignedCheckpoint> {
    const rows = await this.#db
      .selectFrom('ledger_cosignatures')
      .select(['witness', 'line'])
      .where('size', '=', published.checkpoint.size)
      .orderBy('witness')
      .execute();
    return {
      ...published,
      cosigned: published.note + rows.map((r) => r.line).join(''),
      witnessedBy: rows.map((r) => witnessLabel(r.witness)),
    };
  }

  async #collectCosignatures(published: PublishedCheckpoint): Promise<void> {
    if (!this.#client) return;
    const size = published.checkpoint.size;
    const witnesses = await this.#db.selectFrom('ledger_witnesses').selectAll().execute();
    await Promise.all(
      witnesses.map(async (witness) => {
        const have = await this.#db
          .selectFrom('ledger_cosignatures')
          .select('line')
          .where('size', '=', size)
          .where('witness', '=', witness.name)
          .executeTakeFirst();
        if (have) return;
        try {
          const line = await this.#askWitness(witness.url, witness.verifier_key, Number(witness.size), published);
          await this.#db
            .insertInto('ledger_cosignatures')
            .values({ size, witness: witness.name, line, received_at: this.#now() })
            .execute();
          await this.#db
            .updateTable('ledger_witnesses')
            .set({ size, last_error: null })
            .where('name', '=', witness.name)
            .execute();
        } catch (error) {
          const message = isConcordError(error) ? `${error.code}: ${error.message}` : String(error);
          await this.#db
            .updateTable('ledger_witnesses')
            .set({ last_error: message.slice(0, 500) })
            .where('name', '=', witness.name)
            .execute();
        }
      }),
    );
  }

  async #askWitness(url: string, key: string, knownSize: number, published: PublishedCheckpoint): Promise<string> {
    const client = this.#client!;
    const size = published.checkpoint.size;
    let oldSize = knownSize <= size ? knownSize : 0;
    for (let attempt = 0; ; attempt++) {
      const proof = oldSize > 0 && oldSize < size ? (await this.log.consistencyProof(oldSize, size)).hashes : [];
      try {
        const line = await client.addCheckpoint(url, {
          oldSize,
          proof: proof.map(encodeBase64),
          checkpoint: published.note,
        });
        const [cosignature] = verifyCosignatures(published.note + line, [cosignatureVerifierFromKey(key)]);
        if (!cosignature || !/^\u2014 \S+ \S+\n$/.test(line)) {
          throw new ConcordError('LEDGER_NOTE_UNKNOWN_KEY', 'the witness answered without its cosignature');
        }
        return line;
      } catch (error) {
        // The witness cosigned another size last (tlog-witness 409 with its latest size): prove from there, once.
        const latestSize = isConcordError(error, 'LEDGER_WITNESS_SIZE_MISMATCH') ? error.details?.latestSize : null;
        if (attempt > 0 || typeof latestSize !== 'number' || latestSize > size || latestSize === oldSize) throw error;
        oldSize = latestSize;
      }
    }
  }

  // ---- witnesses this node asks

  /**
   * Adds (or updates) a witness this node asks to cosign its checkpoints.
   *
   * @throws ConcordError `KEY_INVALID` unless `key` is a cosignature/v1 verifier key; `REQUEST_INVALID` for the URL.
   */
  async addWitness(url: string, key: string): Promise<WitnessView> {
    cosignatureVerifierFromKey(key);
    const { name } = parseVerifierKey(key);
    // `federation:SG` reaches SG's witness over the federation (signed envelopes); anything else is an HTTP URL.
    if (!/^(https?:\/\/[^\s]+|federation:[A-Z]{2}(-[A-Z0-9]{1,8})?)$/.test(url)) {
      throw new ConcordError('REQUEST_INVALID', `${url} is not an http(s) URL or federation:<administration>`);
    }
    const existing = await this.#db.selectFrom('ledger_witnesses').select('name').where('name', '=', name).execute();
    if (existing.length > 0) {
      await this.#db.updateTable('ledger_witnesses').set({ url, verifier_key: key }).where('name', '=', name).execute();
    } else {
      await this.#db
        .insertInto('ledger_witnesses')
        .values({ name, url, verifier_key: key, size: 0, last_error: null, added_at: this.#now() })
        .execute();
    }
    return (await this.listWitnesses()).find((w) => w.name === name)!;
  }

  async listWitnesses(): Promise<WitnessView[]> {
    const rows = await this.#db.selectFrom('ledger_witnesses').selectAll().orderBy('name').execute();
    return rows.map((r) => ({
      name: r.name,
      url: r.url,
      key: r.verifier_key,
      cosignedSize: Number(r.size),
      lastError: r.last_error,
    }));
  }

  // ---- the witness this node is

  /**
   * Trusts a partner's log: from now on this node cosigns its checkpoints when they are consistent.
   *
   * @throws ConcordError `KEY_INVALID` unless `key` is an Ed25519 note verifier key named `origin`.
   */
  async trustLog(origin: string, key: string): Promise<WitnessedLogView> {
    const parsed = parseVerifierKey(key);
    noteVerifierFromKey(key);
    if (parsed.name !== origin) {
      throw new ConcordError('KEY_INVALID', `the key is named ${parsed.name}, not the origin ${origin}`);
    }
    const updated = await this.#db
      .updateTable('ledger_witnessed')
      .set({ verifier_key: key, updated_at: this.#now() })
      .where('origin', '=', origin)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      await this.#db
        .insertInto('ledger_witnessed')
        .values({ origin, verifier_key: key, size: 0, note: null, updated_at: this.#now() })
        .execute();
    }
    return (await this.listWitnessedLogs()).find((l) => l.origin === origin)!;
  }

  async listWitnessedLogs(): Promise<WitnessedLogView[]> {
    const rows = await this.#db.selectFrom('ledger_witnessed').selectAll().orderBy('origin').execute();
    return rows.map((r) => ({
      origin: r.origin,
      key: r.verifier_key,
      cosignedSize: Number(r.size),
      updatedAt: r.updated_at,
    }));
  }

  /**
   * Acts as a witness for a trusted log (C2SP tlog-witness `add-checkpoint`): verifies the checkpoint's signature
   * and its consistency with the last one cosigned, stores it, and returns the cosignature line. A split view is
   * refused and its evidence (both signed checkpoints and the proof) kept in `ledger_split_views`.
   *
   * @throws ConcordError as {@link witnessCheckpoint}, and `LEDGER_PROOF_INVALID` for a proof that is not base64.
   */
  witness(request: WitnessRequest): Promise<string> {
    const next = this.#witnessing.then(() => this.#witness(request));
    this.#witnessing = next.catch(() => undefined);
    return next;
  }

  async #witness(request: WitnessRequest): Promise<string> {
    const origin = checkpointOrigin(request.checkpoint);
    const row = await this.#db
      .selectFrom('ledger_witnessed')
      .selectAll()
      .where('origin', '=', origin)
      .executeTakeFirst();
    if (!row) {
      throw new ConcordError('LEDGER_WITNESS_ORIGIN_UNKNOWN', `this node does not witness ${origin}`, { origin });
    }
    const verifiers = [noteVerifierFromKey(row.verifier_key)];
    const latest = row.note === null ? undefined : openCheckpoint(row.note, verifiers, { origin });
    const proof = request.proof.map((h) => decodeBase64(h));
    if (proof.some((h) => h === undefined)) {
      throw new ConcordError('LEDGER_PROOF_INVALID', 'the proof hashes must be canonical base64');
    }
    let result;
    try {
      result = witnessCheckpoint({
        log: { origin, verifiers },
        latest,
        request: { oldSize: request.oldSize, proof: proof as Uint8Array[], signedCheckpoint: request.checkpoint },
        cosigner: this.#cosigner,
        now: this.#clock.now(),
      });
    } catch (error) {
      if (isConcordError(error, 'LEDGER_SPLIT_VIEW')) await this.#keepSplitView(error.details ?? {});
      throw error;
    }
    const latestSize = latest?.checkpoint.size ?? 0;
    const saved = await this.#db
      .updateTable('ledger_witnessed')
      .set({ size: result.latest.checkpoint.size, note: result.latest.note, updated_at: this.#now() })
      .where('origin', '=', origin)
      .where('size', '=', latestSize)
      .executeTakeFirst();
    if (Number(saved.numUpdatedRows) !== 1) {
      throw new ConcordError('LEDGER_WITNESS_SIZE_MISMATCH', 'another checkpoint was cosigned meanwhile', {
        latestSize,
      });
    }
    return result.cosignatureLine;
  }

  async #keepSplitView(details: Record<string, unknown>): Promise<void> {
    await this.#db
      .insertInto('ledger_split_views')
      .values({
        origin: String(details.origin),
        cosigned: String(details.cosigned),
        submitted: String(details.submitted),
        old_size: Number(details.oldSize),
        new_size: Number(details.newSize),
        proof: JSON.stringify(details.proof ?? []),
        detected_at: this.#now(),
      })
      .execute();
  }

  /** Evidence of split views this node caught as a witness, oldest first. */
  async listSplitViews(): Promise<SplitViewRecord[]> {
    const rows = await this.#db.selectFrom('ledger_split_views').selectAll().orderBy('id').execute();
    return rows.map((r) => ({
      id: Number(r.id),
      origin: r.origin,
      cosigned: r.cosigned,
      submitted: r.submitted,
      oldSize: Number(r.old_size),
      newSize: Number(r.new_size),
      proof: JSON.parse(r.proof) as string[],
      detectedAt: r.detected_at,
    }));
  }

  // ---- documents

  /**
   * Anchors a document by its hash: appends `document.anchored`.
   *
   * @throws ConcordError `LEDGER_DOCUMENT_EXISTS`, `LEDGER_ENTRY_MALFORMED` (a bad hash, type, id or date).
   */
  anchorDocument(input: AnchorInput): Promise<AnchoredDocument> {
    return this.#serialDocuments(async () => {
      const existing = await this.#documentRow(input.documentHash);
      if (existing) {
        throw new ConcordError('LEDGER_DOCUMENT_EXISTS', 'this document is anchored already', {
          documentId: existing.document_id,
          index: Number(existing.anchored_index),
        });
      }
      const documentId = input.documentId ?? newId(this.#clock.now());
      const entry: LedgerEntry = {
        type: 'document.anchored',
        at: this.#now(),
        documentId,
        documentType: input.documentType,
        documentHash: input.documentHash,
        issuer: this.administration,
        ...(input.validUntil === undefined ? {} : { validUntil: normalizeValidUntil(input.validUntil) }),
        ...(input.subject === undefined ? {} : { subjectHash: sha256Hex(input.subject) }),
      };
      const appended = await this.append(entry);
      await this.#db
        .insertInto('ledger_documents')
        .values({
          document_hash: input.documentHash,
          document_id: documentId,
          document_type: input.documentType,
          anchored_index: appended.index,
          revoked_index: null,
        })
        .execute();
      return {
        documentId,
        documentHash: input.documentHash,
        index: appended.index,
        leafHash: encodeBase64(appended.leafHash),
      };
    });
  }

  /**
   * Revokes an anchored document: appends `document.revoked`.
   *
   * @throws ConcordError `LEDGER_DOCUMENT_UNKNOWN`, `LEDGER_DOCUMENT_REVOKED`, `LEDGER_ENTRY_MALFORMED` (reason).
   */
  revokeDocument(documentHash: string, reason: string): Promise<AnchoredDocument> {
    return this.#serialDocuments(async () => {
      const row = await this.#requireDocument(documentHash);
      if (row.revoked_index !== null) {
        throw new ConcordError('LEDGER_DOCUMENT_REVOKED', 'this document is revoked already', {
          index: Number(row.revoked_index),
        });
      }
      const appended = await this.append({
        type: 'document.revoked',
        at: this.#now(),
        documentId: row.document_id,
        documentHash,
        reason,
      });
      await this.#db
        .updateTable('ledger_documents')
        .set({ revoked_index: appended.index })
        .where('document_hash', '=', documentHash)
        .execute();
      return {
        documentId: row.document_id,
        documentHash,
        index: appended.index,
        leafHash: encodeBase64(appended.leafHash),
      };
    });
  }

  async documentStatus(documentHash: string): Promise<DocumentStatus> {
    const row = await this.#requireDocument(documentHash);
    return {
      documentId: row.document_id,
      documentHash,
      documentType: row.document_type,
      anchoredIndex: Number(row.anchored_index),
      revokedIndex: row.revoked_index === null ? null : Number(row.revoked_index),
    };
  }

  /**
   * The verification bundle of a document at the latest checkpoint, publishing one first if the latest does not
   * cover its entries yet.
   *
   * @throws ConcordError `LEDGER_DOCUMENT_UNKNOWN`.
   */
  async documentBundle(documentHash: string): Promise<DocumentBundle> {
    const status = await this.documentStatus(documentHash);
    const needed = Math.max(status.anchoredIndex, status.revokedIndex ?? -1) + 1;
    let checkpoint = await this.latestCheckpoint();
    if (checkpoint.checkpoint.size < needed) checkpoint = await this.publishCheckpoint();
    const size = checkpoint.checkpoint.size;
    const part = async (index: number) => {
      const [stored] = await this.log.entries(index, index + 1);
      const proof = await this.log.inclusionProof(index, size);
      return { index, entry: encodeBase64(encodeEntry(stored!.entry)), proof: proof.hashes.map(encodeBase64) };
    };
    return {
      format: BUNDLE_FORMAT,
      documentHash,
      anchor: await part(status.anchoredIndex),
      revocation: status.revokedIndex === null ? null : await part(status.revokedIndex),
      checkpoint: checkpoint.cosigned,
    };
  }

  async #documentRow(documentHash: string) {
    return this.#db
      .selectFrom('ledger_documents')
      .selectAll()
      .where('document_hash', '=', documentHash)
      .executeTakeFirst();
  }

  async #requireDocument(documentHash: string) {
    const row = await this.#documentRow(documentHash);
    if (!row) throw new ConcordError('LEDGER_DOCUMENT_UNKNOWN', `no document anchored with hash ${documentHash}`);
    return row;
  }

  #serialDocuments<T>(body: () => Promise<T>): Promise<T> {
    const next = this.#documents.then(body);
    this.#documents = next.catch(() => undefined);
    return next;
  }
}

/** `YYYY-MM-DD` → the last millisecond of that UTC day; an RFC 3339 instant → its ISO form. */
function normalizeValidUntil(value: string): string {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T23:59:59.999Z` : value;
  const ms = Date.parse(text);
  // Date.parse rolls 30 February over to March: the calendar date must survive the round trip.
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}(T|$)/.test(value) || !sameDay(ms, value)) {
    throw new ConcordError('LEDGER_ENTRY_MALFORMED', `validUntil ${value} is not a date or RFC 3339 instant`, {
      pointer: '/validUntil',
    });
  }
  return new Date(ms).toISOString();
}

function sameDay(ms: number, value: string): boolean {
  return !/^\d{4}-\d{2}-\d{2}$/.test(value) || new Date(ms).toISOString().slice(0, 10) === value;
}
