import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultEnvironment, generateDeclarationBatch } from '../../declarations/index.js';
import { ConcordError, newSecret } from '../../kernel/index.js';
import { initNode, openNode, type NodeContext } from '../../node/index.js';
import { run } from '../output.js';

/** The demo network: three administrations on one machine. */
export const DEMO_ADMINISTRATIONS = [
  { id: 'NL', name: 'Netherlands Customs' },
  { id: 'SG', name: 'Singapore Customs' },
  { id: 'KE', name: 'Kenya Revenue Authority — Customs' },
] as const;

/** Users every demo node gets besides `admin`, so each role's view can be tried. */
const DEMO_USERS = [
  { username: 'officer', displayName: 'Border Officer', roles: ['officer'] },
  { username: 'analyst', displayName: 'Risk Analyst', roles: ['analyst'] },
  { username: 'auditor', displayName: 'Data Protection Officer', roles: ['auditor'] },
] as const;

/** Generated declarations each demo node starts with. */
const DEMO_DECLARATIONS = 2000;

interface Credentials {
  password: string;
}

/** Creates the demo nodes once; later runs reuse them with the same password. */
async function prepare(dir: string): Promise<Credentials> {
  await mkdir(dir, { recursive: true });
  const credentialsFile = join(dir, 'demo-credentials.json');
  let credentials: Credentials;
  if (existsSync(credentialsFile)) {
    credentials = JSON.parse(await readFile(credentialsFile, 'utf8')) as Credentials;
  } else {
    credentials = { password: `demo-${newSecret(9)}` };
    await writeFile(credentialsFile, JSON.stringify(credentials) + '\n', { mode: 0o600 });
  }
  for (const admin of DEMO_ADMINISTRATIONS) {
    const dataDir = join(dir, admin.id);
    if (existsSync(join(dataDir, 'concord.json'))) continue;
    process.stdout.write(`Initializing ${admin.id} in ${dataDir} …\n`);
    await initNode({ dataDir, administration: admin.id, name: admin.name, adminPassword: credentials.password });
    const node = await openNode(dataDir);
    try {
      for (const user of DEMO_USERS) await node.identity.createUser({ ...user, password: credentials.password });
      // Synthetic trade for the demo, different per node and the same on every fresh start.
      const generated = generateDeclarationBatch(defaultEnvironment(), {
        seed: `demo-${admin.id}`,
        count: DEMO_DECLARATIONS,
        country: admin.id,
        irregularRate: 0.05,
      });
      for (let i = 0; i < generated.length; i += 500) {
        const batch = generated.slice(i, i + 500).map((g) => g.declaration);
        await node.declarations.submit(batch, { actor: 'demo' });
      }
    } finally {
      await node.close();
    }
  }
  await agreeDemoAgreements(dir);
  return credentials;
}

/**
 * The demo network's legal frame, as a ministry would set it up: a NL–SG bilateral CMAA (pre-arrival data,
 * seizures), the NL–SG–KE multilateral convention (less: pseudonymized parties, no personal data) and a NL–SG AEO
 * MRA. Each party's node holds the same documents, registers the others' signing keys and signs; the signatures are
 * then exchanged (federation will carry them between nodes; here the demo hands them over), so every agreement is in
 * force at every party. Done once: nodes that already hold the agreements are left as they are.
 */
export const DEMO_AGREEMENTS = [
  { id: 'nl-sg-cmaa', template: 'cmaa', parties: ['NL', 'SG'] },
  { id: 'nl-sg-ke-convention', template: 'convention', parties: ['KE', 'NL', 'SG'] },
  { id: 'nl-sg-aeo-mra', template: 'aeo-mra', parties: ['NL', 'SG'] },
] as const;

async function agreeDemoAgreements(dir: string): Promise<void> {
  const nodes = new Map<string, NodeContext>();
  try {
    for (const admin of DEMO_ADMINISTRATIONS) nodes.set(admin.id, await openNode(join(dir, admin.id)));
    const first = nodes.get('NL')!;
    if ((await first.agreements.list()).length > 0) return;
    process.stdout.write('Signing the demo agreements …\n');
    for (const [id, node] of nodes) {
      for (const [other, partner] of nodes) {
        if (other !== id) await node.agreements.addPartyKey(other, partner.keys.signing.publicJwk);
      }
    }
    const validity = { from: '2024-01-01', until: null };
    for (const agreement of DEMO_AGREEMENTS) {
      const parties = agreement.parties.map((party) => nodes.get(party)!);
      for (const node of parties) {
        await node.agreements.create({ ...agreement, parties: [...agreement.parties], validity }, 'demo');
      }
      const signatures = [];
      for (const node of parties) {
        const view = await node.agreements.sign(agreement.id);
        const own = view.versions.at(-1)!.signatures.find((s) => s.party === node.config.administration)!;
        signatures.push(own);
      }
      for (const node of parties) {
        for (const signature of signatures) {
          if (signature.party === node.config.administration) continue;
          await node.agreements.addSignature(agreement.id, {
            version: 1,
            party: signature.party,
            signature: signature.signature,
            kid: signature.kid,
          });
        }
      }
    }
  } finally {
    for (const node of nodes.values()) await node.close();
  }
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new ConcordError('INTERNAL', `the node at ${url} exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new ConcordError('INTERNAL', `the node at ${url} did not answer within ${timeoutMs} ms`);
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start a demo network of three nodes (NL, SG, KE) as separate processes, each with its console')
    .option('--dir <dir>', 'where the demo nodes keep their data', '.concord-demo')
    .option('--base-port <port>', 'port of the first node; the others follow', '7701')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action((opts: { dir: string; basePort: string; host: string }) =>
      run(async () => {
        const dir = resolve(opts.dir);
        const basePort = Number(opts.basePort);
        if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65533) {
          throw new ConcordError('REQUEST_INVALID', '--base-port must be 1–65533');
        }
        const credentials = await prepare(dir);
        // Children run the same entry point as this process (compiled or through a loader alike).
        const entry = process.argv[1]!;
        const children = DEMO_ADMINISTRATIONS.map((admin, i) => {
          const dataDir = join(dir, admin.id);
          const port = basePort + i;
          const log = createWriteStream(join(dataDir, 'node.log'), { flags: 'a' });
          const child = spawn(
            process.execPath,
            [...process.execArgv, entry, 'serve', '--data-dir', dataDir, '--host', opts.host, '--port', String(port)],
            { stdio: ['ignore', 'pipe', 'pipe'] },
          );
          child.stdout.pipe(log);
          child.stderr.pipe(log);
          return {
            admin,
            port,
            child,
            url: `http://${opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host}:${port}`,
            log: join(dataDir, 'node.log'),
          };
        });

        let stopping = false;
        const stop = async (code: number) => {
          if (stopping) return;
          stopping = true;
          process.stdout.write('\nStopping the demo network …\n');
          await Promise.all(
            children.map(
              ({ child }) =>
                new Promise<void>((done) => {
                  if (child.exitCode !== null) return done();
                  child.once('exit', () => done());
                  child.kill('SIGTERM');
                  setTimeout(() => child.kill('SIGKILL'), 5000).unref();
                }),
            ),
          );
          process.exit(code);
        };
        process.on('SIGINT', () => void stop(0));
        process.on('SIGTERM', () => void stop(0));
        for (const c of children) {
          c.child.once('exit', (code, signal) => {
            if (!stopping) {
              process.stderr.write(`${c.admin.id} node exited (${signal ?? code}); see ${c.log}\n`);
              void stop(1);
            }
          });
        }

        await Promise.all(children.map((c) => waitHealthy(c.url, c.child, 60_000)));
        process.stdout.write('\nConcord demo network is running:\n\n');
        for (const c of children) {
          process.stdout.write(`  ${c.admin.id}  ${c.admin.name.padEnd(36)} ${c.url}\n`);
        }
        process.stdout.write(
          `\nLog in as admin, officer, analyst or auditor with the password ${credentials.password}\n` +
            `API description: ${children[0]!.url}/docs   Logs: ${dir}/<ID>/node.log\n` +
            'Press Ctrl-C to stop.\n',
        );
        await new Promise(() => undefined);
      }),
    );
}
