import { ConcordError, ERROR_CATALOGUE, type ErrorCode } from '../kernel/index.js';
import { findRunningNode, openNode, type NodeContext } from '../node/index.js';

/**
 * Opens the node of a data directory for one command and closes it afterwards, whatever happens. Direct database
 * access beside a running node is safe for the commands that use it; see docs/decisions/0003.
 */
export async function withNode<T>(dataDir: string, body: (node: NodeContext) => Promise<T>): Promise<T> {
  const node = await openNode(dataDir);
  try {
    return await body(node);
  } finally {
    await node.close();
  }
}

/** A call to the running node's API: method, path, JSON body; resolves to the JSON answer or throws its code. */
export type NodeCall = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<unknown>;

/**
 * For commands whose writes belong to the node's single writer (log appends, directory installs, outbox retries):
 * runs `direct` on the opened node when none serves `dataDir`; otherwise `viaHttp` against the running node, with a
 * one-day API token of `as` (default: the first active admin) made for the call and revoked after it.
 */
export async function onNodeWriter<T>(
  dataDir: string,
  as: string | undefined,
  purpose: string,
  direct: (node: NodeContext) => Promise<T>,
  viaHttp: (call: NodeCall) => Promise<T>,
): Promise<T> {
  const running = await findRunningNode(dataDir);
  if (!running) return withNode(dataDir, direct);
  const host = running.host === '0.0.0.0' || running.host === '::' ? '127.0.0.1' : running.host;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${running.port}`;
  const { secret, tokenId } = await withNode(dataDir, async (node) => {
    const users = await node.identity.listUsers();
    const user = as ?? users.find((u) => !u.disabled && u.roles.includes('admin'))?.username;
    if (!user) throw new ConcordError('IDENTITY_USER_UNKNOWN', 'no active admin; pass --as <username>');
    const created = await node.identity.createToken({ username: user, name: `cli (${purpose})`, expiresInDays: 1 });
    return { secret: created.secret, tokenId: created.token.id };
  });
  const call: NodeCall = async (method, path, body) => {
    const response = await fetch(base + path, {
      method,
      headers: {
        authorization: `Bearer ${secret}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    if (response.ok) return json;
    const code = json?.code;
    if (typeof code === 'string' && Object.hasOwn(ERROR_CATALOGUE, code)) {
      throw new ConcordError(code as ErrorCode, String(json?.detail ?? code));
    }
    throw new ConcordError('INTERNAL', `the node answered ${response.status}`);
  };
  try {
    return await viaHttp(call);
  } finally {
    await withNode(dataDir, (node) => node.identity.revokeToken(tokenId)).catch(() => undefined);
  }
}
