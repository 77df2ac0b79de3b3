import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { type DeclarationSettings, initNode, openNode, type NodeContext } from '../node/index.js';
import { buildServer } from './app.js';
import { CSRF_HEADER, SESSION_COOKIE } from './access.js';

export const TEST_PASSWORD = 'test-password-123';

/** A real node in a temporary directory with its server, for in-process HTTP tests (no sockets). */
export interface TestNode {
  node: NodeContext;
  app: FastifyInstance;
  dataDir: string;
  /** Logs in and returns the cookie header value and CSRF token. */
  login(username?: string, password?: string): Promise<{ cookie: string; csrf: string }>;
  close(): Promise<void>;
}

export async function startTestNode(
  options: {
    administration?: string;
    databaseUrl?: string;
    schema?: string;
    /** The built console to serve (browser tests); none by default. */
    webRoot?: string | null;
    declarations?: DeclarationSettings;
  } = {},
): Promise<TestNode> {
  const dataDir = await mkdtemp(join(tmpdir(), 'concord-test-'));
  await initNode({
    dataDir,
    administration: options.administration ?? 'NL',
    adminPassword: TEST_PASSWORD,
    databaseUrl: options.databaseUrl,
    databaseSchema: options.schema,
    declarations: options.declarations,
  });
  const node = await openNode(dataDir);
  const { app } = await buildServer(node, { webRoot: options.webRoot ?? null });
  await app.ready();
  return {
    node,
    app,
    dataDir,
    async login(username = 'admin', password = TEST_PASSWORD) {
      const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
      if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
      return { cookie: sessionCookie(response), csrf: (response.json() as { csrfToken: string }).csrfToken };
    },
    async close() {
      await app.close();
      await node.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function sessionCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === SESSION_COOKIE);
  if (!cookie) throw new Error('no session cookie');
  return `${SESSION_COOKIE}=${cookie.value}`;
}

/** Headers of a cookie-authenticated, CSRF-protected request. */
export function sessionHeaders(session: { cookie: string; csrf: string }): Record<string, string> {
  return { cookie: session.cookie, [CSRF_HEADER]: session.csrf };
}
