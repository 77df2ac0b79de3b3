export { openStore, type Store, type StoreOptions, type Dialect } from './database.js';
export { migrate, appliedMigrations, type Migration } from './migrations.js';
export { isUniqueViolation } from './errors.js';
export { makeAppendOnly } from './append-only.js';
export { storeTargets, type StoreTarget } from './testing.js';
