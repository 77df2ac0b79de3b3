import type { Role } from './api/types.js';

/** A module of the console. `requires` is the role the node demands for its API (any signed-in user if absent). */
export interface LiveModule {
  id: 'node' | 'log' | 'users' | 'tokens' | 'audit';
  path: string;
  requires?: Role;
}

export const LIVE_MODULES: readonly LiveModule[] = [
  { id: 'node', path: '/node' },
  { id: 'log', path: '/log' },
  { id: 'users', path: '/users', requires: 'admin' },
  { id: 'tokens', path: '/tokens', requires: 'admin' },
  { id: 'audit', path: '/audit', requires: 'auditor' },
];

/** Modules on the roadmap (see DESIGN.md), shown disabled so users know what the console will hold. */
export const COMING_MODULES = [
  'declarations',
  'risk',
  'clearance',
  'agreements',
  'exchange',
  'intelligence',
  'assistance',
  'training',
] as const;

export type ComingModule = (typeof COMING_MODULES)[number];
