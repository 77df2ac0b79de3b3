import { request, requestText, toQuery } from './client.js';
import type {
  Agreement,
  AgreementDocument,
  AgreementPartyKey,
  AgreementSummary,
  AuditEntry,
  ConsistencyProofBody,
  CreatedToken,
  DeclarationFilter,
  DeclarationRecord,
  Generated,
  GenerateRequest,
  DeclarationSummary,
  DeclarationVersion,
  SubmissionResult,
  FederationAlert,
  FederationDirectory,
  HsEdition,
  HsEntryWithChildren,
  HsSearchHit,
  HsTranslation,
  InboxEntry,
  InboxFilter,
  InclusionProofBody,
  LogEntries,
  LoggedDecision,
  LoginResult,
  Me,
  MirrorFilter,
  MirrorMatch,
  MirrorSummary,
  NewAgreement,
  NodeInfo,
  OutboxEntry,
  OutboxFilter,
  Page,
  Partners,
  Prearrival,
  Prearrivals,
  ReferenceCountry,
  ReferenceLocation,
  Role,
  SharingDecision,
  SharingRequest,
  Token,
  User,
} from './types.js';

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

  declarations: (filter: DeclarationFilter, signal?: AbortSignal) =>
    request<Page<DeclarationSummary>>(`/api/v1/declarations${toQuery({ ...filter, limit: filter.limit ?? 50 })}`, {
      signal,
    }),
  /** Lodges a file as it is: JSON, NDJSON (`application/x-ndjson`), CSV (`text/csv`) or WCO DM XML. */
  lodgeDeclarations: (file: Blob, contentType: string, options: { atomic?: boolean; xsd?: boolean } = {}) =>
    request<{ results: SubmissionResult[] }>(
      `/api/v1/declarations${toQuery({ atomic: options.atomic ? 'true' : undefined, xsd: options.xsd ? 'true' : undefined })}`,
      { method: 'POST', raw: { body: file, contentType } },
    ),
  /** Synthetic declarations, labelled; lodged on the node only with `lodge` (where the node allows it). */
  generateDeclarations: (body: GenerateRequest) =>
    request<Generated>('/api/v1/declarations/generate', { method: 'POST', body }),
  declaration: (id: string, signal?: AbortSignal) =>
    request<DeclarationRecord>(`/api/v1/declarations/${encodeURIComponent(id)}`, { signal }),
  declarationVersions: (id: string, signal?: AbortSignal) =>
    request<{ items: DeclarationVersion[] }>(`/api/v1/declarations/${encodeURIComponent(id)}/versions`, { signal }),

  hsSearch: (q: string, edition: HsEdition, signal?: AbortSignal) =>
    request<{ items: HsSearchHit[] }>(`/api/v1/reference/hs/search${toQuery({ q, edition, limit: 25 })}`, { signal }),
  hsEntry: (edition: HsEdition, code: string, signal?: AbortSignal) =>
    request<HsEntryWithChildren>(`/api/v1/reference/hs/${edition}/${encodeURIComponent(code)}`, { signal }),
  hsTranslate: (from: HsEdition, to: HsEdition, code: string, signal?: AbortSignal) =>
    request<HsTranslation>(`/api/v1/reference/hs/translate${toQuery({ from, to, code })}`, { signal }),
  location: (code: string, signal?: AbortSignal) =>
    request<ReferenceLocation>(`/api/v1/reference/locations/${encodeURIComponent(code)}`, { signal }),
  country: (code: string, signal?: AbortSignal) =>
    request<ReferenceCountry>(`/api/v1/reference/countries/${encodeURIComponent(code)}`, { signal }),

  agreements: (signal?: AbortSignal) => request<{ items: AgreementSummary[] }>('/api/v1/agreements', { signal }),
  agreement: (id: string, signal?: AbortSignal) =>
    request<Agreement>(`/api/v1/agreements/${encodeURIComponent(id)}`, { signal }),
  createAgreement: (body: NewAgreement) => request<Agreement>('/api/v1/agreements', { method: 'POST', body }),
  /** The draft a template gives the node, to edit before creating it; nothing is stored. */
  draftAgreement: (body: { template: string; parties: string[]; validity: { from: string; until: string | null } }) =>
    request<AgreementDocument>('/api/v1/agreements/drafts', { method: 'POST', body }),
  /** Signs the latest version (or `version`) as this node's administration. */
  signAgreement: (id: string, version?: number) =>
    request<Agreement>(`/api/v1/agreements/${encodeURIComponent(id)}/signatures`, {
      method: 'POST',
      body: version === undefined ? {} : { version },
    }),
  agreementNotice: (id: string, action: 'suspend' | 'resume' | 'terminate', reason: string) =>
    request<Agreement>(`/api/v1/agreements/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: { reason } }),
  agreementParties: (signal?: AbortSignal) =>
    request<{ items: AgreementPartyKey[] }>('/api/v1/agreement-parties', { signal }),
  /** A dry run of the policy decision point: nothing is sent or logged. */
  decideSharing: (body: SharingRequest) => request<SharingDecision>('/api/v1/sharing/decide', { method: 'POST', body }),

  // Federation: envelopes out and in, partners, the directory, alerts; pre-arrival data and its mirror analysis.
  outbox: (filter: OutboxFilter, signal?: AbortSignal) =>
    request<{ items: OutboxEntry[] }>(`/api/v1/federation/outbox${toQuery({ ...filter })}`, { signal }),
  /** Puts a dead-lettered envelope back in its partner's queue. */
  retryEnvelope: (id: string) =>
    request<OutboxEntry>(`/api/v1/federation/outbox/${encodeURIComponent(id)}/retry`, { method: 'POST' }),
  inbox: (filter: InboxFilter, signal?: AbortSignal) =>
    request<{ items: InboxEntry[] }>(`/api/v1/federation/inbox${toQuery({ ...filter })}`, { signal }),
  partners: (signal?: AbortSignal) => request<Partners>('/api/v1/federation/partners', { signal }),
  federationDirectory: (signal?: AbortSignal) =>
    request<FederationDirectory>('/api/v1/federation/directory', { signal }),
  openAlerts: (signal?: AbortSignal) =>
    request<{ items: FederationAlert[] }>('/api/v1/federation/alerts?open=true', { signal }),
  acknowledgeAlert: (id: string) =>
    request<void>(`/api/v1/federation/alerts/${encodeURIComponent(id)}/acknowledge`, { method: 'POST' }),
  prearrivals: (filter: { state?: string; sender?: string; limit?: number }, signal?: AbortSignal) =>
    request<Prearrivals>(`/api/v1/prearrivals${toQuery({ ...filter })}`, { signal }),
  prearrival: (id: string, signal?: AbortSignal) =>
    request<Prearrival>(`/api/v1/prearrivals/${encodeURIComponent(id)}`, { signal }),
  mirrorDiscrepancies: (filter: MirrorFilter, signal?: AbortSignal) =>
    request<{ items: MirrorMatch[] }>(`/api/v1/mirror/discrepancies${toQuery({ ...filter })}`, { signal }),
  mirrorSummary: (signal?: AbortSignal) => request<MirrorSummary>('/api/v1/mirror/summary', { signal }),
  /** The logged decision behind an envelope sent or received. */
  decision: (id: string, signal?: AbortSignal) =>
    request<LoggedDecision>(`/api/v1/decisions/${encodeURIComponent(id)}`, { signal }),

  // The log is public: anyone may read it and check its proofs.
  checkpoint: (signal?: AbortSignal) => requestText('/api/v1/log/checkpoint', { signal }),
  logKey: (signal?: AbortSignal) => requestText('/api/v1/log/key', { signal }),
  logEntries: (start: number, end: number, signal?: AbortSignal) =>
    request<LogEntries>(`/api/v1/log/entries${toQuery({ start, end })}`, { signal }),
  inclusionProof: (index: number, size: number, signal?: AbortSignal) =>
    request<InclusionProofBody>(`/api/v1/log/proof/inclusion${toQuery({ index, size })}`, { signal }),
  consistencyProof: (from: number, to: number, signal?: AbortSignal) =>
    request<ConsistencyProofBody>(`/api/v1/log/proof/consistency${toQuery({ from, to })}`, { signal }),
  /** A document's verification bundle; unknown until checked in the browser. */
  documentBundle: (hash: string, signal?: AbortSignal) =>
    request<unknown>(`/api/v1/documents/${encodeURIComponent(hash)}/bundle`, { signal }),
};
