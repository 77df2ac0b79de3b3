import type { ProblemDetails } from './types.js';

/**
 * An error response of the node (RFC 9457 problem details), or a network failure turned into the same shape so the
 * UI has one thing to show: `detail` (or `title`) and the stable `code`.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly problem: ProblemDetails;

  constructor(problem: ProblemDetails) {
    super(problem.detail || problem.title);
    this.status = problem.status;
    this.code = problem.code;
    this.problem = problem;
  }
}

/** True when `error` is an ApiError, optionally with the given code. */
export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The CSRF token of the current cookie session. Kept in memory only (never in storage): a reload recovers it from
 * `GET /api/v1/me`.
 */
let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request of a signed-in user comes back 401 (the session expired or was revoked). */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, with its content type (a file the user chose: NDJSON, CSV, XML), instead of `body`. */
  raw?: { body: Blob | string; contentType: string };
  signal?: AbortSignal;
  /** Do not report a 401 to the unauthorized handler (used by the session probe and the login itself). */
  quietUnauthorized?: boolean;
}

/** Calls the node's API on the same origin and returns the parsed JSON body (undefined for 204). */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options, 'application/json, application/problem+json');
  if (response.status === 204) return undefined as T;
  return (await readBody(response)) as T;
}

/** Like {@link request}, for the plain-text answers of the node: signed notes (checkpoints) and verifier keys. */
export async function requestText(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<string> {
  const response = await send(path, options, 'text/plain, application/problem+json');
  return response.text();
}

/** Sends the request; returns the response when it is a success, else throws its problem as an ApiError. */
async function send(path: string, options: RequestOptions, accept: string): Promise<Response> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept };
  if (options.raw !== undefined) headers['content-type'] = options.raw.contentType;
  else if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (UNSAFE_METHODS.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.raw?.body ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError({
      type: 'about:blank',
      title: 'The node cannot be reached',
      status: 0,
      code: 'NETWORK_UNREACHABLE',
    });
  }
  if (response.ok) return response;

  const problem = toProblem(response, await readBody(response));
  if (problem.status === 401 && !options.quietUnauthorized) onUnauthorized?.();
  throw new ApiError(problem);
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function toProblem(response: Response, body: unknown): ProblemDetails {
  if (body && typeof body === 'object' && 'status' in body && 'title' in body) {
    const problem = body as Partial<ProblemDetails>;
    return {
      type: problem.type ?? 'about:blank',
      title: problem.title ?? response.statusText,
      status: problem.status ?? response.status,
      detail: problem.detail,
      code: problem.code ?? `HTTP_${response.status}`,
      instance: problem.instance,
      errors: problem.errors,
      results: problem.results,
    };
  }
  return {
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    code: `HTTP_${response.status}`,
  };
}

/** Builds a query string from the defined, non-empty values of `params`. */
export function toQuery(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
