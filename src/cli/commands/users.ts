import type { Command } from 'commander';
import { ConcordError, newSecret } from '../../kernel/index.js';
import type { NodeContext } from '../../node/index.js';
import { printJson, printTable, run } from '../output.js';
import { readPasswordFile } from '../secrets.js';
import { withNode } from '../with-node.js';

function audit(
  node: NodeContext,
  action: string,
  targetType: string,
  targetId: string,
  details?: Record<string, unknown>,
) {
  return node.identity.audit.record({
    actor: `cli:${process.env.USER ?? 'unknown'}`,
    actorKind: 'system',
    action,
    targetType,
    targetId,
    outcome: 'success',
    details: { via: 'cli', ...details },
  });
}

const splitRoles = (value: string) =>
  value
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('manage the people who use a node');

  user
    .command('add <username>')
    .description('add a user; prints a generated password once unless --password-file is given')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .requiredOption('--roles <roles>', 'comma-separated: officer,analyst,liaison,supervisor,admin,auditor')
    .option('--display-name <name>', 'full name shown in the console')
    .option('--password-file <file>', 'read the password from this file (trailing newline ignored)')
    .option('--json', 'machine-readable output')
    .action(
      (
        username: string,
        opts: { dataDir: string; roles: string; displayName?: string; passwordFile?: string; json?: boolean },
      ) =>
        run(() =>
          withNode(opts.dataDir, async (node) => {
            const password = opts.passwordFile ? await readPasswordFile(opts.passwordFile) : newSecret(18);
            const created = await node.identity.createUser({
              username,
              displayName: opts.displayName,
              password,
              roles: splitRoles(opts.roles),
            });
            await audit(node, 'user.create', 'user', created.id, { username: created.username, roles: created.roles });
            const shown = opts.passwordFile ? {} : { password };
            if (opts.json) return printJson({ ...created, ...shown });
            process.stdout.write(`Added ${created.username} (${created.roles.join(', ')})\n`);
            if (!opts.passwordFile) process.stdout.write(`Password (shown once): ${password}\n`);
          }),
        ),
    );

  user
    .command('list')
    .description('list users')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--json', 'machine-readable output')
    .action((opts: { dataDir: string; json?: boolean }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          const users = await node.identity.listUsers();
          printTable(
            users.map((u) => ({ ...u, status: u.disabled ? 'disabled' : 'active' })),
            opts.json
              ? ['id', 'username', 'displayName', 'roles', 'disabled', 'createdAt']
              : ['username', 'displayName', 'roles', 'status', 'createdAt'],
            opts.json ?? false,
          );
        }),
      ),
    );

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    user
      .command(`${name} <username>`)
      .description(disabled ? 'disable a user and end their sessions' : 'enable a disabled user')
      .requiredOption('--data-dir <dir>', 'data directory of the node')
      .action((username: string, opts: { dataDir: string }) =>
        run(() =>
          withNode(opts.dataDir, async (node) => {
            const found = await node.identity.getUserByName(username);
            await node.identity.updateUser(found.id, { disabled });
            await audit(node, 'user.update', 'user', found.id, { disabled });
            process.stdout.write(`${disabled ? 'Disabled' : 'Enabled'} ${found.username}\n`);
          }),
        ),
      );
  }

  const token = program.command('token').description('manage API tokens for systems');
  token
    .command('create')
    .description('create an API token acting as a user; prints the secret once')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .requiredOption('--user <username>', 'the user the token acts as')
    .option('--role <role...>', "roles the token carries (default: all the user's roles)")
    .option('--name <name>', 'what the token is for', 'cli')
    .option('--expires-in-days <days>', 'days until the token expires')
    .option('--json', 'machine-readable output')
    .action(
      (opts: {
        dataDir: string;
        user: string;
        role?: string[];
        name: string;
        expiresInDays?: string;
        json?: boolean;
      }) =>
        run(() =>
          withNode(opts.dataDir, async (node) => {
            const days = opts.expiresInDays === undefined ? undefined : Number(opts.expiresInDays);
            if (days !== undefined && !Number.isInteger(days)) {
              throw new ConcordError('REQUEST_INVALID', '--expires-in-days must be a whole number');
            }
            const created = await node.identity.createToken({
              username: opts.user,
              name: opts.name,
              roles: opts.role?.flatMap(splitRoles),
              expiresInDays: days,
            });
            await audit(node, 'token.create', 'token', created.token.id, { username: created.token.username });
            if (opts.json) return printJson(created);
            process.stdout.write(created.secret + '\n');
          }),
        ),
    );

  token
    .command('list')
    .description('list API tokens (never their secrets)')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--json', 'machine-readable output')
    .action((opts: { dataDir: string; json?: boolean }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          printTable(
            (await node.identity.listTokens()) as unknown as Record<string, unknown>[],
            ['id', 'username', 'name', 'roles', 'createdAt', 'expiresAt', 'revokedAt'],
            opts.json ?? false,
          );
        }),
      ),
    );

  token
    .command('revoke <id>')
    .description('revoke an API token at once')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .action((id: string, opts: { dataDir: string }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          const revoked = await node.identity.revokeToken(id);
          await audit(node, 'token.revoke', 'token', revoked.id);
          process.stdout.write(`Revoked ${revoked.id}\n`);
        }),
      ),
    );
}
