import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ConcordError, ERROR_CATALOGUE, type ErrorCode } from '../kernel/index.js';

/** An RFC 9457 problem details body, with Concord's stable error code as an extension member. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  errors?: { pointer: string; message: string }[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** The problem type URI of a code: a stable URN, documented in docs/errors.md. */
export function problemType(code: ErrorCode): string {
  return `urn:concord:problem:${code}`;
}

export function toProblem(error: ConcordError, instance?: string): Problem {
  const entry = ERROR_CATALOGUE[error.code];
  const { errors, ...rest } = (error.details ?? {}) as { errors?: Problem['errors'] } & Record<string, unknown>;
  return {
    ...rest,
    type: problemType(error.code),
    title: entry.title,
    status: entry.status,
    detail: error.message,
    code: error.code,
    ...(instance ? { instance } : {}),
    ...(errors ? { errors } : {}),
  };
}

/**
 * Maps anything thrown while handling a request to a ConcordError: our own errors pass through; Fastify's body,
 * schema and media-type errors get their stable codes; anything else is an internal error whose detail is hidden.
 */
export function classifyError(error: unknown): ConcordError {
  if (error instanceof ConcordError) return error;
  const e = error as FastifyError & { validation?: { instancePath: string; message?: string; params?: unknown }[] };
  if (e.validation) {
    const errors = e.validation.map((v) => ({
      pointer: v.instancePath || '/',
      message: describeValidation(v),
    }));
    return new ConcordError('REQUEST_INVALID', errors.map((x) => `${x.pointer}: ${x.message}`).join('; '), { errors });
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ConcordError('REQUEST_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ConcordError('REQUEST_UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ConcordError('REQUEST_MALFORMED_JSON', e.message);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ConcordError('REQUEST_INVALID', e.message);
  }
  if (error instanceof SyntaxError && e.statusCode === 400) {
    return new ConcordError('REQUEST_MALFORMED_JSON', e.message);
  }
  if (e.statusCode === 413) return new ConcordError('REQUEST_TOO_LARGE');
  if (e.statusCode === 415) return new ConcordError('REQUEST_UNSUPPORTED_MEDIA_TYPE');
  if (e.statusCode === 404) return new ConcordError('NOT_FOUND');
  return new ConcordError('INTERNAL', 'internal error', undefined, { cause: error });
}

function describeValidation(v: { message?: string; keyword?: string; params?: unknown }): string {
  const params = v.params as { additionalProperty?: string } | undefined;
  if (params?.additionalProperty) return `unknown field "${params.additionalProperty}"`;
  return v.message ?? 'invalid';
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: ConcordError): FastifyReply {
  const problem = toProblem(error, request.url.split('?')[0]);
  if (error.code === 'AUTH_LOGIN_THROTTLED' && typeof problem.retryAfterSeconds === 'number') {
    void reply.header('retry-after', String(problem.retryAfterSeconds));
  }
  return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}
