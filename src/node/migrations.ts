import { agreementsMigrations } from '../agreements/index.js';
import { declarationsMigrations } from '../declarations/index.js';
import { federationMigrations } from '../federation/index.js';
import { identityMigrations } from '../identity/index.js';
import { ledgerMigrations } from '../ledger/index.js';
import type { Migration } from '../storage/index.js';

/** Every module's migrations, in the order they must run. A module's tables reference only its own tables. */
export const ALL_MIGRATIONS: readonly Migration[] = [
  ...identityMigrations,
  ...agreementsMigrations,
  ...ledgerMigrations,
  ...declarationsMigrations,
  ...federationMigrations,
];
