import { request, toQuery } from './client.js';
import type { AuditEntry, CreatedToken, LoginResult, Me, NodeInfo, Page, Role, Token, User } from './types.js';

/** One function per API operation the console uses. */
export const api = {
  login: (username: string, password: string) =>
    request<LoginResult>('/api/v1/auth/login', {
      method: 'POST',
      body: { username, password },
      quietUnauthorized: true,
    }),
  logout: () => request<void>('/api/v1/auth/logout', { method: 'POST', quietUnauthorized: true }),
  me: (signal?: AbortSignal) => request<Me>('/api/v1/me', { signal, quietUnauthorized: true }),
  health: (signal?: AbortSignal) =>
    request<{ status: string; administration?: string }>('/healthz', { signal, quietUnauthorized: true }),
  node: (signal?: AbortSignal) => request<NodeInfo>('/api/v1/node', { signal }),

  users: (signal?: AbortSignal) => request<Page<User>>('/api/v1/users', { signal }),
  createUser: (body: { username: string; displayName?: string; password: string; roles: Role[] }) =>
    request<User>('/api/v1/users', { method: 'POST', body }),
  updateUser: (
    id: string,
    body: Partial<{ displayName: string; roles: Role[]; disabled: boolean; password: string }>,
  ) => request<User>(`/api/v1/users/${encodeURIComponent(id)}`, { method: 'PATCH', body }),

  tokens: (signal?: AbortSignal) => request<Page<Token>>('/api/v1/tokens', { signal }),
  createToken: (body: { username: string; name: string; roles?: Role[]; expiresInDays?: number }) =>
    request<CreatedToken>('/api/v1/tokens', { method: 'POST', body }),
  revokeToken: (id: string) => request<Token>(`/api/v1/tokens/${encodeURIComponent(id)}/revoke`, { method: 'POST' }),

  audit: (filter: { actor?: string; action?: string; cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    request<Page<AuditEntry>>(
      `/api/v1/audit${toQuery({ limit: filter.limit ?? 50, cursor: filter.cursor, actor: filter.actor, action: filter.action })}`,
      { signal },
    ),
};
