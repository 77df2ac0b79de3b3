import { identityMigrations } from '../identity/index.js';
import type { Migration } from '../storage/index.js';

/** Every module's migrations, in the order they must run. A module's tables reference only its own tables. */
export const ALL_MIGRATIONS: readonly Migration[] = [...identityMigrations];
