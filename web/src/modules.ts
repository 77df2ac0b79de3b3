import type { Me, Role } from './api/types.js';

/**
 * A module of the console. `requires` is the role the node demands for its API, or the roles any one of which will
 * do (any signed-in user if absent). Customs modules are listed in the navigation's "Customs" section, the exchange
 * with partner administrations (federation) in its "Exchange" section.
 */
export interface LiveModule {
  id:
    | 'node'
    | 'log'
    | 'users'
    | 'tokens'
    | 'audit'
    | 'declarations'
    | 'hs'
    | 'agreements'
    | 'outbox'
    | 'inbox'
    | 'partners'
    | 'arrivals'
    | 'mirror';
  path: string;
  requires?: Role | readonly Role[];
  section?: 'customs' | 'exchange';
  /** The module has pages under its path (`/declarations/{id}`); other paths below it are not found. */
  nested?: boolean;
}

const EXCHANGE_ROLES = ['liaison', 'supervisor', 'admin', 'auditor'] as const satisfies readonly Role[];
const RISK_ROLES = [
  'officer',
  'analyst',
  'liaison',
  'supervisor',
  'admin',
  'auditor',
] as const satisfies readonly Role[];

export const LIVE_MODULES: readonly LiveModule[] = [
  { id: 'node', path: '/node' },
  { id: 'log', path: '/log' },
  { id: 'users', path: '/users', requires: 'admin' },
  { id: 'tokens', path: '/tokens', requires: 'admin' },
  { id: 'audit', path: '/audit', requires: 'auditor' },
  {
    id: 'declarations',
    path: '/declarations',
    requires: ['officer', 'analyst', 'supervisor', 'auditor', 'admin'],
    section: 'customs',
    nested: true,
  },
  { id: 'hs', path: '/hs', section: 'customs', nested: true },
  // Reading agreements and asking the decision point are for any signed-in user; changes are the admin's (the node checks).
  { id: 'agreements', path: '/agreements', section: 'customs', nested: true },
  // The node's access rules for the federation API (src/server/routes/federation.ts): envelopes are for those who run
  // the exchange; pre-arrival data and its mirror analysis also for those who assess risk.
  { id: 'outbox', path: '/exchange/outbox', requires: EXCHANGE_ROLES, section: 'exchange' },
  { id: 'inbox', path: '/exchange/inbox', requires: EXCHANGE_ROLES, section: 'exchange' },
  { id: 'partners', path: '/exchange/partners', requires: EXCHANGE_ROLES, section: 'exchange' },
  { id: 'arrivals', path: '/arrivals', requires: RISK_ROLES, section: 'exchange' },
  { id: 'mirror', path: '/mirror', requires: RISK_ROLES, section: 'exchange' },
];

/** The roles that open `module`, as a list (empty when any signed-in user may). */
export function requiredRoles(module: LiveModule): readonly Role[] {
  if (!module.requires) return [];
  return typeof module.requires === 'string' ? [module.requires] : module.requires;
}

/** True when `me` may open `module`: it needs no role, or `me` holds one of those it accepts. */
export function canOpen(me: Me, module: LiveModule): boolean {
  const roles = requiredRoles(module);
  return roles.length === 0 || roles.some((role) => me.roles.includes(role));
}

/** The module a path belongs to: its own path, or a page under it (`/declarations/…`). */
export function moduleFor(pathname: string): LiveModule | undefined {
  return LIVE_MODULES.find(
    (module) => pathname === module.path || (module.nested === true && pathname.startsWith(`${module.path}/`)),
  );
}

/** Modules on the roadmap (see DESIGN.md), shown disabled so users know what the console will hold. */
export const COMING_MODULES = ['risk', 'clearance', 'intelligence', 'assistance', 'training'] as const;

export type ComingModule = (typeof COMING_MODULES)[number];
