import type { Migration, Store } from '../storage/index.js';

/** The current version of each declaration. JSON columns are text on both engines. */
export interface DeclarationsTable {
  id: string;
  /** `EORI:NL123456789`, or `name:…` when the declarant gives no identifier: half of the idempotency key. */
  declarant_key: string;
  functional_reference: string;
  type: string;
  status: string; // 'accepted' | 'cancelled'
  version: number;
  lodged_on: string; // YYYY-MM-DD
  ucr: string | null;
  /** `,85,84,`: the HS chapters of the items, for the chapter filter. */
  chapters: string;
  /** `,CN,VN,`: the items' countries of origin. */
  origins: string;
  item_count: number;
  content_hash: string; // SHA-256 of the RFC 8785 canonical form
  original: string;
  canonical: string;
  trace: string;
  warnings: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  cancelled_at: string | null;
  cancelled_by: string | null;
  cancel_reason: string | null;
}

/** Versions an amendment replaced, kept whole: a declaration's history is these rows and its current row. */
export interface DeclarationVersionsTable {
  declaration_id: string;
  version: number;
  original: string;
  canonical: string;
  trace: string;
  warnings: string;
  content_hash: string;
  /** When and by whom this version was lodged (or amended into). */
  recorded_at: string;
  recorded_by: string;
  /** Why it was replaced. */
  replaced_reason: string | null;
}

/** An administration's exchange rates for customs valuation (`concord rates import`). */
export interface ExchangeRatesTable {
  base: string;
  currency: string;
  date: string;
  rate: number;
}

/**
 * Declaration versions stored and not yet announced to the acceptance hook (the node's log): written in the
 * transaction that stores them, deleted once the hook has run. What a crash leaves here is replayed when the node
 * opens again (`DeclarationService.replayAnnouncements`).
 */
export interface DeclarationAnnouncementsTable {
  id: string;
  /** JSON: `[{id, version, contentHash, ucr, type}]`. */
  versions: string;
  created_at: string;
  /**
   * `host:pid+start` of the process that stored them (`start`: its start time, where the platform tells it; see
   * `process-identity.ts`): another live process's announcements are its own to make.
   */
  owner: string;
}

export interface DeclarationTables {
  declarations: DeclarationsTable;
  declaration_versions: DeclarationVersionsTable;
  exchange_rates: ExchangeRatesTable;
  declaration_announcements: DeclarationAnnouncementsTable;
}

export const declarationsMigrations: Migration[] = [
  {
    name: 'declarations/0001-declarations',
    async up({ db }: Store) {
      await db.schema
        .createTable('declarations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('declarant_key', 'text', (c) => c.notNull())
        .addColumn('functional_reference', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('lodged_on', 'text', (c) => c.notNull())
        .addColumn('ucr', 'text')
        .addColumn('chapters', 'text', (c) => c.notNull())
        .addColumn('origins', 'text', (c) => c.notNull())
        .addColumn('item_count', 'integer', (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('original', 'text', (c) => c.notNull())
        .addColumn('canonical', 'text', (c) => c.notNull())
        .addColumn('trace', 'text', (c) => c.notNull())
        .addColumn('warnings', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('cancelled_at', 'text')
        .addColumn('cancelled_by', 'text')
        .addColumn('cancel_reason', 'text')
        .addUniqueConstraint('declarations_submission', ['declarant_key', 'functional_reference'])
        .execute();
      await db.schema.createIndex('declarations_lodged').on('declarations').columns(['lodged_on', 'id']).execute();
      await db.schema.createIndex('declarations_ucr').on('declarations').column('ucr').execute();
      await db.schema
        .createTable('declaration_versions')
        .addColumn('declaration_id', 'text', (c) => c.notNull().references('declarations.id'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('original', 'text', (c) => c.notNull())
        .addColumn('canonical', 'text', (c) => c.notNull())
        .addColumn('trace', 'text', (c) => c.notNull())
        .addColumn('warnings', 'text', (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .addColumn('replaced_reason', 'text')
        .addPrimaryKeyConstraint('declaration_versions_pk', ['declaration_id', 'version'])
        .execute();
      await db.schema
        .createTable('exchange_rates')
        .addColumn('base', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('date', 'text', (c) => c.notNull())
        .addColumn('rate', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('exchange_rates_pk', ['base', 'currency', 'date'])
        .execute();
    },
  },
  {
    name: 'declarations/0002-announcements',
    async up({ db }: Store) {
      await db.schema
        .createTable('declaration_announcements')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('versions', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .execute();
    },
  },
  {
    // The list's search by functional reference, whatever the declarant (the unique index leads with the declarant).
    name: 'declarations/0003-reference-index',
    async up({ db }: Store) {
      await db.schema.createIndex('declarations_reference').on('declarations').column('functional_reference').execute();
    },
  },
];
