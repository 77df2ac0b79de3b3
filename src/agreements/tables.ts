import type { Generated } from 'kysely';
import { makeAppendOnly, type Migration, type Store } from '../storage/index.js';

export interface AgreementsTable {
  id: string;
  kind: string;
  title: string;
  parties: string; // JSON array, of the latest version
  latest_version: number;
  lifecycle: string; // active | suspended | terminated
  lifecycle_by: string | null;
  lifecycle_at: string | null;
  lifecycle_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface AgreementVersionsTable {
  agreement_id: string;
  version: number;
  document: string; // RFC 8785 canonical JSON: exactly the bytes the parties sign
  document_hash: string; // SHA-256 hex of `document`
  created_at: string;
  created_by: string;
}

export interface AgreementSignaturesTable {
  agreement_id: string;
  version: number;
  party: string;
  kid: string;
  signature: string; // Ed25519, base64url
  document_hash: string;
  signed_at: string;
}

export interface AgreementPartyKeysTable {
  party: string;
  kid: string;
  jwk: string;
  added_at: string;
}

export interface AgreementEventsTable {
  seq: Generated<number>;
  id: string;
  at: string;
  type: string;
  agreement_id: string | null;
  payload: string;
}

/** One row (id 1) whose generation moves on every change that can alter a decision; caches compare it. */
export interface AgreementGenerationTable {
  id: number;
  generation: number;
}

export interface AgreementSecretsTable {
  name: string;
  value: string; // base64url
  created_at: string;
}

export interface NationalRulesTable {
  id: string;
  rule: string; // JSON of NationalRuleInput
  created_at: string;
  updated_at: string;
}

export interface ReceivedRecordsTable {
  id: string;
  originator: string;
  sender: string;
  agreement_id: string;
  agreement_version: number;
  clause_id: string;
  category: string;
  purpose: string;
  allowed_purposes: string; // JSON array: what the clause lets this node use it for
  handling_code: string | null;
  decision_id: string;
  received_at: string;
  retain_until: string;
  on_expiry: string; // delete | anonymize
  state: string; // held | anonymized | deleted
  record: string | null; // JSON; null once deleted
  record_hash: string;
}

export interface AgreementTables {
  agreements: AgreementsTable;
  agreement_versions: AgreementVersionsTable;
  agreement_signatures: AgreementSignaturesTable;
  agreement_party_keys: AgreementPartyKeysTable;
  agreement_events: AgreementEventsTable;
  agreement_generation: AgreementGenerationTable;
  agreement_secrets: AgreementSecretsTable;
  national_rules: NationalRulesTable;
  received_records: ReceivedRecordsTable;
}

export const agreementsMigrations: Migration[] = [
  {
    name: 'agreements/0001-agreements-signatures-parties',
    async up({ db, dialect, bigintType }: Store) {
      await db.schema
        .createTable('agreements')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('parties', 'text', (c) => c.notNull())
        .addColumn('latest_version', 'integer', (c) => c.notNull())
        .addColumn('lifecycle', 'text', (c) => c.notNull())
        .addColumn('lifecycle_by', 'text')
        .addColumn('lifecycle_at', 'text')
        .addColumn('lifecycle_reason', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('agreement_versions')
        .addColumn('agreement_id', 'text', (c) => c.notNull().references('agreements.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('document_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('agreement_versions_pk', ['agreement_id', 'version'])
        .execute();
      await db.schema
        .createTable('agreement_signatures')
        .addColumn('agreement_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('party', 'text', (c) => c.notNull())
        .addColumn('kid', 'text', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('document_hash', 'text', (c) => c.notNull())
        .addColumn('signed_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('agreement_signatures_pk', ['agreement_id', 'version', 'party'])
        .addForeignKeyConstraint(
          'agreement_signatures_version_fk',
          ['agreement_id', 'version'],
          'agreement_versions',
          ['agreement_id', 'version'],
          (c) => c.onDelete('cascade'),
        )
        .execute();
      await db.schema
        .createTable('agreement_party_keys')
        .addColumn('party', 'text', (c) => c.notNull())
        .addColumn('kid', 'text', (c) => c.notNull())
        .addColumn('jwk', 'text', (c) => c.notNull())
        .addColumn('added_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('agreement_party_keys_pk', ['party', 'kid'])
        .execute();
      await db.schema
        .createTable('agreement_events')
        .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('agreement_id', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('agreement_events_agreement')
        .on('agreement_events')
        .columns(['agreement_id', 'seq'])
        .execute();
      await db.schema
        .createTable('agreement_generation')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('generation', bigintType, (c) => c.notNull())
        .execute();
      await db.insertInto('agreement_generation').values({ id: 1, generation: 0 }).execute();
      await db.schema
        .createTable('agreement_secrets')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  {
    name: 'agreements/0002-national-rules',
    async up({ db }: Store) {
      await db.schema
        .createTable('national_rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  {
    name: 'agreements/0003-received-records',
    async up({ db }: Store) {
      await db.schema
        .createTable('received_records')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('originator', 'text', (c) => c.notNull())
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('agreement_id', 'text', (c) => c.notNull())
        .addColumn('agreement_version', 'integer', (c) => c.notNull())
        .addColumn('clause_id', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('allowed_purposes', 'text', (c) => c.notNull())
        .addColumn('handling_code', 'text')
        .addColumn('decision_id', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('retain_until', 'text', (c) => c.notNull())
        .addColumn('on_expiry', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('record', 'text')
        .addColumn('record_hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('received_records_retention')
        .on('received_records')
        .columns(['state', 'retain_until'])
        .execute();
    },
  },
  {
    // Agreement events are the node's record of what it decided and why; like the access audit, they are never
    // edited or deleted.
    name: 'agreements/0004-events-append-only',
    async up(store: Store) {
      await makeAppendOnly(store, 'agreement_events', 'AGREEMENT_EVENTS_APPEND_ONLY');
    },
  },
];
