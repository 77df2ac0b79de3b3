import type { Command } from 'commander';
import { ConcordError } from '../../kernel/index.js';
import {
  DEFAULT_CHECKPOINT_INTERVAL_SECONDS,
  findRunningNode,
  initNode,
  openNode,
  removeRunMarker,
  startCheckpointSchedule,
  writeRunMarker,
} from '../../node/index.js';
import { buildServer } from '../../server/index.js';
import { printJson, run } from '../output.js';
import { readPasswordFile } from '../secrets.js';

export function registerNodeCommands(program: Command): void {
  program
    .command('init')
    .description("create a node: keys, database, and a first user 'admin'")
    .requiredOption('--admin <id>', 'administration id, ISO 3166-1 alpha-2 with an optional suffix (NL, US-CBP)')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--name <name>', 'display name of the administration')
    .option('--database-url <url>', 'PostgreSQL URL (default: an SQLite file in the data directory)')
    .option('--database-schema <schema>', 'PostgreSQL schema, when several nodes share a server')
    .option('--admin-password-file <file>', "read the admin's password from this file instead of generating one")
    .option('--json', 'machine-readable output')
    .action((opts: Record<string, string | boolean | undefined>) =>
      run(async () => {
        const password = opts.adminPasswordFile ? await readPasswordFile(String(opts.adminPasswordFile)) : undefined;
        const { config, adminPassword } = await initNode({
          dataDir: String(opts.dataDir),
          administration: String(opts.admin),
          name: opts.name as string | undefined,
          databaseUrl: opts.databaseUrl as string | undefined,
          databaseSchema: opts.databaseSchema as string | undefined,
          adminPassword: password,
        });
        const generated = password === undefined;
        if (opts.json) {
          printJson({
            administration: config.administration,
            dataDir: opts.dataDir,
            ...(generated ? { adminPassword } : {}),
          });
          return;
        }
        process.stdout.write(`Initialized node ${config.administration} in ${String(opts.dataDir)}\n`);
        if (generated) process.stdout.write(`User 'admin' password (shown once): ${adminPassword}\n`);
      }),
    );

  program
    .command('serve')
    .description('run the node: HTTP API, web console, background jobs')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '7700')
    .option('--log-level <level>', 'fatal, error, warn, info, debug', 'info')
    .option(
      '--checkpoint-interval <seconds>',
      'publish a log checkpoint this often when the log grew',
      String(DEFAULT_CHECKPOINT_INTERVAL_SECONDS),
    )
    .action((opts: { dataDir: string; host: string; port: string; logLevel: string; checkpointInterval: string }) =>
      run(async () => {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new ConcordError('REQUEST_INVALID', '--port must be 0–65535');
        }
        const interval = Number(opts.checkpointInterval);
        if (!Number.isFinite(interval) || interval < 0.1 || interval > 86_400) {
          throw new ConcordError('REQUEST_INVALID', '--checkpoint-interval must be 0.1–86400 seconds');
        }
        const other = await findRunningNode(opts.dataDir);
        if (other) {
          throw new ConcordError(
            'NODE_ALREADY_RUNNING',
            `pid ${other.pid} serves ${opts.dataDir} on port ${other.port}`,
          );
        }
        const node = await openNode(opts.dataDir);
        const { app } = await buildServer(node, { logger: { level: opts.logLevel } });
        const address = await app.listen({ host: opts.host, port });
        const actualPort = app.server.address();
        await writeRunMarker(opts.dataDir, {
          pid: process.pid,
          host: opts.host,
          port: typeof actualPort === 'object' && actualPort ? actualPort.port : port,
          startedAt: new Date().toISOString(),
        });
        app.log.info({ administration: node.config.administration, address }, 'node serving');
        const stopCheckpoints = startCheckpointSchedule(node.log, interval * 1000, (error) =>
          app.log.warn({ err: error }, 'checkpoint publication failed'),
        );
        let stopping = false;
        const stop = async (signal: string) => {
          if (stopping) return;
          stopping = true;
          app.log.info({ signal }, 'node stopping');
          await stopCheckpoints();
          await app.close();
          await node.close();
          await removeRunMarker(opts.dataDir);
          process.exit(0);
        };
        process.on('SIGINT', () => void stop('SIGINT'));
        process.on('SIGTERM', () => void stop('SIGTERM'));
      }),
    );
}
