import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import { ConcordError } from '../kernel/index.js';
import { type NodeContext, VERSION } from '../node/index.js';
import { registerAccessControl } from './access.js';
import type { ServerContext } from './context.js';
import { registerMetrics } from './metrics.js';
import { classifyError, sendProblem } from './problem.js';
import { registerAgreementRoutes } from './routes/agreements.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerDeclarationRoutes } from './routes/declarations.js';
import { registerDocumentRoutes } from './routes/documents.js';
import { registerFederationRoutes } from './routes/federation.js';
import { registerLogRoutes } from './routes/log.js';
import { registerNodeRoutes } from './routes/node.js';
import { registerReferenceRoutes } from './routes/reference.js';
import { registerUserRoutes } from './routes/users.js';
import { ProblemSchema } from './schemas.js';

export interface ServerOptions {
  logger?: FastifyServerOptions['logger'];
  /** Largest accepted request body, in bytes. */
  bodyLimit?: number;
  /** Folder of the built web console; null serves no console. Defaults to `dist/web` of this package. */
  webRoot?: string | null;
  secureCookies?: boolean;
}

export interface ConcordServer {
  app: FastifyInstance;
  metrics: Registry;
}

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/**
 * Builds the HTTP server of a node: every route with its TypeBox schema and access rule, problem+json errors,
 * OpenAPI 3.1 at /openapi.json and /docs, metrics, security headers and the web console.
 */
export async function buildServer(node: NodeContext, options: ServerOptions = {}): Promise<ConcordServer> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Unknown fields are refused, not silently dropped: Fastify's default Ajv removes them.
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true } },
    return503OnClosing: true,
    forceCloseConnections: true,
  });
  const ctx: ServerContext = { node, startedAt: Date.now(), secureCookies: options.secureCookies ?? false };

  app.setErrorHandler(async (error, request, reply) => {
    const concordError = classifyError(error);
    if (concordError.code === 'INTERNAL') request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, request, concordError);
  });

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    // The node is reached over plain HTTP on loopback in the demo; HSTS belongs to the TLS terminator.
    strictTransportSecurity: false,
  });
  await app.register(fastifyCookie);
  app.addSchema(ProblemSchema);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Concord node API',
        version: VERSION,
        description:
          'The HTTP API of one Concord node. Errors are RFC 9457 problem details with a stable `code` ' +
          '(see docs/errors.md). State-changing requests made with the session cookie carry `x-csrf-token`.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'concord_session' },
          bearer: { type: 'http', scheme: 'bearer', description: 'API token from `concord token create`' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });

  registerAccessControl(app, node.identity);
  const metrics = registerMetrics(app);
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  registerNodeRoutes(app, ctx);
  registerAuthRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerAgreementRoutes(app, ctx);
  registerLogRoutes(app, ctx);
  registerDocumentRoutes(app, ctx);
  registerDeclarationRoutes(app, ctx);
  registerReferenceRoutes(app, ctx);
  registerFederationRoutes(app, ctx, metrics);

  await registerConsole(app, options.webRoot === undefined ? DEFAULT_WEB_ROOT : options.webRoot);
  return { app, metrics };
}

/**
 * Serves the built console; any other GET outside the API answers with index.html so the console's own routes work
 * on reload. API and unknown non-GET requests get a NOT_FOUND problem.
 */
async function registerConsole(app: FastifyInstance, webRoot: string | null): Promise<void> {
  const hasConsole = webRoot !== null && existsSync(`${webRoot}/index.html`);
  if (hasConsole) {
    await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false, index: 'index.html' });
  }
  const indexHtml = hasConsole
    ? await readFile(`${webRoot}/index.html`, 'utf8')
    : '<!doctype html><title>Concord</title><p>The web console is not built. Run <code>npm run build</code>.</p>';
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const isApi = /^\/(api|federation)\//.test(path);
    if (request.method === 'GET' && !isApi && !/\.[a-z0-9]+$/i.test(path)) {
      return reply.type('text/html; charset=utf-8').send(indexHtml);
    }
    return sendProblem(reply, request, new ConcordError('NOT_FOUND', `no route ${request.method} ${path}`));
  });
}
