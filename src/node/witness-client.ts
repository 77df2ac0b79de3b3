import { ConcordError, ERROR_CATALOGUE, type ErrorCode } from '../kernel/index.js';
import type { WitnessClient, WitnessRequest } from '../ledger/index.js';

/** The path of the witness endpoint on a node, under the URL configured with `concord log witness add`. */
export const WITNESS_PATH = '/api/v1/log/witness';

/**
 * Reaches another node's witness over plain HTTP (`POST {url}/api/v1/log/witness`). A refusal comes back as the
 * witness's problem+json and is rethrown as a ConcordError with the same code and details (the log needs
 * `latestSize` of LEDGER_WITNESS_SIZE_MISMATCH to retry); anything else is LEDGER_WITNESS_UNREACHABLE.
 */
export function httpWitnessClient(options: { timeoutMs?: number } = {}): WitnessClient {
  return {
    async addCheckpoint(url: string, request: WitnessRequest): Promise<string> {
      const target = url.replace(/\/+$/, '') + WITNESS_PATH;
      let response: Response;
      try {
        response = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(request),
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (cause) {
        throw new ConcordError('LEDGER_WITNESS_UNREACHABLE', `${target}: ${(cause as Error).message}`, undefined, {
          cause,
        });
      }
      const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
      if (response.ok && typeof body?.cosignature === 'string') return body.cosignature;
      const code = body?.code;
      if (typeof code === 'string' && Object.hasOwn(ERROR_CATALOGUE, code)) {
        const { detail, ...details } = body!;
        throw new ConcordError(code as ErrorCode, String(detail ?? code), details);
      }
      throw new ConcordError('LEDGER_WITNESS_UNREACHABLE', `${target} answered ${response.status}`);
    },
  };
}
