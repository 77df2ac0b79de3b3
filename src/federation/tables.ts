import type { Migration, Store } from '../storage/index.js';

/** Every directory version this node installed, the current one being the highest. */
export interface DirectoryTable {
  version: number;
  network: string;
  /** The document's RFC 8785 form. */
  document: string;
  /** The General JSON JWS with the governance signatures. */
  jws: string;
  installed_at: string;
  /** `install` (by an administrator) or the URL it was refreshed from. */
  source: string;
}

/** Envelopes to send, per partner, in order (`seq`), until a receipt or the dead-letter state. */
export interface OutboxTable {
  id: string;
  partner: string;
  seq: number;
  category: string;
  purpose: string;
  agreement_id: string | null;
  agreement_version: number | null;
  decision_id: string | null;
  /** What the envelope is about, for people: a declaration id, a checkpoint size. */
  subject: string | null;
  encrypted: number;
  envelope: string;
  envelope_hash: string;
  created_at: string;
  expires_at: string;
  /** `pending` | `delivered` | `refused` | `dead`. */
  state: string;
  attempts: number;
  /** Unix ms. */
  next_attempt_at: number;
  last_error: string | null;
  /** The refusal code, or the transport error code. */
  last_code: string | null;
  delivered_at: string | null;
  /** The partner's signed receipt (or refusal), verified. */
  receipt: string | null;
  /** Milliseconds from queueing to the receipt. */
  latency_ms: number | null;
}

/** Envelopes received from partners whose signature checked out: the record that makes replays harmless. */
export interface InboxTable {
  sender: string;
  id: string;
  category: string;
  purpose: string;
  agreement_id: string | null;
  agreement_version: number | null;
  envelope_hash: string;
  created_at: string;
  received_at: string;
  /** `processing` (claimed, being applied) | `accepted` | `refused`. */
  status: string;
  code: string | null;
  message: string | null;
  decision_id: string | null;
  received_record_id: string | null;
  receipt: string | null;
  /** The receipt's result, as JSON. */
  result: string | null;
}

/** Export declarations received as pre-arrival data, awaiting (or matched with) their import declaration. */
export interface PrearrivalsTable {
  id: string;
  envelope_id: string;
  sender: string;
  agreement_id: string;
  received_record_id: string | null;
  declaration: string;
  /** The exporting administration's declaration id. */
  source_declaration_id: string | null;
  ucr: string | null;
  /** `,MSCU1234565,TGHU…,` for the container match. */
  containers: string;
  transport: string | null;
  expected_arrival: string | null;
  destination: string | null;
  hs_chapters: string;
  received_at: string;
  /** `expected` | `arrived`. */
  state: string;
  matched_declaration_id: string | null;
}

/** A pre-arrival matched with the import declaration lodged here, and their mirror analysis. */
export interface MirrorMatchesTable {
  id: string;
  prearrival_id: string;
  declaration_id: string;
  partner: string;
  matched_by: string;
  score: number;
  reasons: string;
  hs_chapters: string;
  trader: string | null;
  matched_at: string;
}

/** Things people must see: a split view of a partner's log, a partner unreachable for long. */
export interface FederationAlertsTable {
  id: string;
  kind: string;
  subject: string;
  message: string;
  details: string;
  raised_at: string;
  acknowledged_at: string | null;
}

export interface FederationTables {
  federation_directory: DirectoryTable;
  federation_outbox: OutboxTable;
  federation_inbox: InboxTable;
  prearrivals: PrearrivalsTable;
  mirror_matches: MirrorMatchesTable;
  federation_alerts: FederationAlertsTable;
}

export const federationMigrations: Migration[] = [
  {
    name: 'federation/0001-directory-outbox-inbox',
    async up(store: Store) {
      const { db } = store;
      await db.schema
        .createTable('federation_directory')
        .addColumn('version', 'integer', (c) => c.primaryKey())
        .addColumn('network', 'text', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('jws', 'text', (c) => c.notNull())
        .addColumn('installed_at', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('federation_outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('partner', 'text', (c) => c.notNull())
        .addColumn('seq', store.bigintType, (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('agreement_id', 'text')
        .addColumn('agreement_version', 'integer')
        .addColumn('decision_id', 'text')
        .addColumn('subject', 'text')
        .addColumn('encrypted', 'integer', (c) => c.notNull())
        .addColumn('envelope', 'text', (c) => c.notNull())
        .addColumn('envelope_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', store.bigintType, (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('last_code', 'text')
        .addColumn('delivered_at', 'text')
        .addColumn('receipt', 'text')
        .addColumn('latency_ms', 'integer')
        .execute();
      await db.schema
        .createIndex('federation_outbox_partner_seq')
        .on('federation_outbox')
        .columns(['partner', 'seq'])
        .unique()
        .execute();
      await db.schema
        .createIndex('federation_outbox_state')
        .on('federation_outbox')
        .columns(['state', 'partner', 'seq'])
        .execute();
      await db.schema
        .createTable('federation_inbox')
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('agreement_id', 'text')
        .addColumn('agreement_version', 'integer')
        .addColumn('envelope_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('code', 'text')
        .addColumn('message', 'text')
        .addColumn('decision_id', 'text')
        .addColumn('received_record_id', 'text')
        .addColumn('receipt', 'text')
        .addColumn('result', 'text')
        .addPrimaryKeyConstraint('federation_inbox_pk', ['sender', 'id'])
        .execute();
      await db.schema
        .createIndex('federation_inbox_received')
        .on('federation_inbox')
        .columns(['received_at'])
        .execute();
      await db.schema
        .createTable('prearrivals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('envelope_id', 'text', (c) => c.notNull())
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('agreement_id', 'text', (c) => c.notNull())
        .addColumn('received_record_id', 'text')
        .addColumn('declaration', 'text', (c) => c.notNull())
        .addColumn('source_declaration_id', 'text')
        .addColumn('ucr', 'text')
        .addColumn('containers', 'text', (c) => c.notNull())
        .addColumn('transport', 'text')
        .addColumn('expected_arrival', 'text')
        .addColumn('destination', 'text')
        .addColumn('hs_chapters', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('matched_declaration_id', 'text')
        .execute();
      await db.schema
        .createIndex('prearrivals_envelope')
        .on('prearrivals')
        .columns(['sender', 'envelope_id'])
        .unique()
        .execute();
      await db.schema.createIndex('prearrivals_ucr').on('prearrivals').columns(['ucr']).execute();
      await db.schema.createIndex('prearrivals_transport').on('prearrivals').columns(['transport']).execute();
      await db.schema
        .createTable('mirror_matches')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('prearrival_id', 'text', (c) => c.notNull())
        .addColumn('declaration_id', 'text', (c) => c.notNull())
        .addColumn('partner', 'text', (c) => c.notNull())
        .addColumn('matched_by', 'text', (c) => c.notNull())
        .addColumn('score', 'real', (c) => c.notNull())
        .addColumn('reasons', 'text', (c) => c.notNull())
        .addColumn('hs_chapters', 'text', (c) => c.notNull())
        .addColumn('trader', 'text')
        .addColumn('matched_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('mirror_matches_prearrival')
        .on('mirror_matches')
        .columns(['prearrival_id'])
        .unique()
        .execute();
      await db.schema
        .createTable('federation_alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('raised_at', 'text', (c) => c.notNull())
        .addColumn('acknowledged_at', 'text')
        .execute();
    },
  },
];
