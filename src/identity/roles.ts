import { ConcordError } from '../kernel/index.js';

/**
 * The people who use a node, by what they may do. A user holds one or more roles; an API token carries a subset of
 * its user's roles.
 * - officer: border officer — declarations, lanes, inspections, seizures
 * - analyst: risk analyst — profiles, backtests, partner intelligence
 * - liaison: liaison officer — mutual-assistance requests, joint operations
 * - supervisor: approves what needs four eyes (outgoing replies, profile changes)
 * - admin: users, keys, partners, agreements, node health
 * - auditor: data-protection officer or auditor — the access audit, retention, log verification
 */
export const ROLES = ['officer', 'analyst', 'liaison', 'supervisor', 'admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Parses a list of role names, refusing unknown ones with IDENTITY_ROLE_UNKNOWN; duplicates are dropped. */
export function parseRoles(values: readonly string[]): Role[] {
  const roles = new Set<Role>();
  for (const value of values) {
    if (!isRole(value))
      throw new ConcordError('IDENTITY_ROLE_UNKNOWN', `unknown role ${value}`, { role: value, known: ROLES });
    roles.add(value);
  }
  return ROLES.filter((r) => roles.has(r));
}
