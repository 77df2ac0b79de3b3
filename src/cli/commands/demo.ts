import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultEnvironment, generateDeclarationBatch } from '../../declarations/index.js';
import {
  newDirectory,
  nextDirectory,
  signDirectory,
  simulateTrade,
  type DirectoryDocument,
  type Shipment,
} from '../../federation/index.js';
import {
  ConcordError,
  generateSigningKey,
  loadSigningKey,
  newSecret,
  saveKeyPair,
  type SigningKeyPair,
} from '../../kernel/index.js';
import { initNode, nodeMember, openNode, readConfig, writeConfig, type NodeContext } from '../../node/index.js';
import { run } from '../output.js';

/** The demo network: three administrations on one machine. */
export const DEMO_ADMINISTRATIONS = [
  { id: 'NL', name: 'Netherlands Customs', location: { lat: 51.95, lon: 4.14 } },
  { id: 'SG', name: 'Singapore Customs', location: { lat: 1.26, lon: 103.84 } },
  { id: 'KE', name: 'Kenya Revenue Authority — Customs', location: { lat: -4.04, lon: 39.67 } },
] as const;

/** Users every demo node gets besides `admin`, so each role's view can be tried. */
const DEMO_USERS = [
  { username: 'officer', displayName: 'Border Officer', roles: ['officer'] },
  { username: 'analyst', displayName: 'Risk Analyst', roles: ['analyst'] },
  { username: 'liaison', displayName: 'Liaison Officer', roles: ['liaison'] },
  { username: 'auditor', displayName: 'Data Protection Officer', roles: ['auditor'] },
] as const;

/** Generated declarations each demo node starts with. */
const DEMO_DECLARATIONS = 3000;

interface Credentials {
  password: string;
  /** API tokens (officer role) the trade simulator lodges declarations with, per administration. */
  tokens?: Record<string, string>;
}

/** Creates the demo nodes once; later runs reuse them with the same password. */
async function prepare(dir: string, endpoints: Record<string, string>): Promise<Credentials> {
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
    if (existsSync(join(dataDir, 'concord.json'))) {
      await allowSyntheticLodging(dataDir);
      continue;
    }
    process.stdout.write(`Initializing ${admin.id} in ${dataDir} …\n`);
    await initNode({
      dataDir,
      administration: admin.id,
      name: admin.name,
      adminPassword: credentials.password,
      // Demo nodes hold only synthetic trade: the console may lodge more of it.
      declarations: { syntheticLodging: true },
    });
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
  await publishDemoDirectory(dir, endpoints);
  if (!credentials.tokens) {
    credentials.tokens = {};
    for (const admin of DEMO_ADMINISTRATIONS) {
      const node = await openNode(join(dir, admin.id));
      try {
        if (!(await node.identity.listUsers()).some((u) => u.username === 'liaison')) {
          await node.identity.createUser({
            ...DEMO_USERS[2],
            roles: [...DEMO_USERS[2].roles],
            password: credentials.password,
          });
        }
        const { secret } = await node.identity.createToken({ username: 'officer', name: 'demo trade simulator' });
        credentials.tokens[admin.id] = secret;
      } finally {
        await node.close();
      }
    }
    await writeFile(credentialsFile, JSON.stringify(credentials) + '\n', { mode: 0o600 });
  }
  return credentials;
}

/** A demo node made by an earlier version gets the setting its console's generator needs. */
async function allowSyntheticLodging(dataDir: string): Promise<void> {
  const config = await readConfig(dataDir);
  if (config.declarations?.syntheticLodging === true) return;
  await writeConfig(dataDir, { ...config, declarations: { ...config.declarations, syntheticLodging: true } });
}

/**
 * The demo network's directory, governed by three keys (one per administration's ministry, kept in
 * `DIR/governance/`) of which two must sign. Published again, as the next version, when the nodes' endpoints
 * changed (another --base-port); installed on every node.
 */
async function publishDemoDirectory(dir: string, endpoints: Record<string, string>): Promise<void> {
  const governanceDir = join(dir, 'governance');
  await mkdir(governanceDir, { recursive: true, mode: 0o700 });
  const governance: { name: string; key: SigningKeyPair }[] = [];
  for (const admin of DEMO_ADMINISTRATIONS) {
    const file = join(governanceDir, `${admin.id}.jwk`);
    if (!existsSync(file)) await saveKeyPair(file, generateSigningKey());
    governance.push({ name: `${admin.name} (governance)`, key: await loadSigningKey(file) });
  }
  const nodes = new Map<string, NodeContext>();
  try {
    for (const admin of DEMO_ADMINISTRATIONS) nodes.set(admin.id, await openNode(join(dir, admin.id)));
    const members = DEMO_ADMINISTRATIONS.map((admin) =>
      nodeMember(nodes.get(admin.id)!, endpoints[admin.id]!, {
        location: admin.location,
        notBefore: '2024-01-01T00:00:00.000Z',
      }),
    );
    const current = (await nodes.get('NL')!.federation.signedDirectory())?.document;
    let document: DirectoryDocument;
    if (!current) {
      document = newDirectory({ network: 'concord-demo', threshold: 2, governance, members });
    } else if (JSON.stringify(current.members) !== JSON.stringify(members)) {
      document = nextDirectory(current, (draft) => {
        draft.members = members;
      });
    } else {
      return;
    }
    process.stdout.write(`Publishing directory version ${document.version} …\n`);
    const signed = await signDirectory(await signDirectory(document, governance[0]!.key), governance[1]!.key);
    for (const node of nodes.values()) await node.federation.installDirectory(signed, 'demo');
  } finally {
    for (const node of nodes.values()) await node.close();
  }
}

/** Trade lanes of the demo: every pair of administrations, both ways. */
const DEMO_LANES = DEMO_ADMINISTRATIONS.flatMap((a) =>
  DEMO_ADMINISTRATIONS.filter((b) => b.id !== a.id).map((b) => ({ from: a.id, to: b.id })),
);

/**
 * Keeps trade flowing between the demo nodes: every `intervalMs` a shipment's export declaration is lodged at its
 * origin (which sends it on as pre-arrival data), and a few seconds later its import declaration at the destination
 * (where it is matched and compared). A share of shipments carries the generator's irregularities.
 */
function startTradeSimulator(
  urls: Record<string, string>,
  tokens: Record<string, string>,
  options: { intervalMs: number; importDelayMs: number },
): { stop(): void; stats: { shipments: number; failures: number } } {
  const shipments = simulateTrade(defaultEnvironment(), {
    seed: `demo-trade-${Date.now()}`,
    lanes: DEMO_LANES,
    irregularRate: 0.2,
  });
  const stats = { shipments: 0, failures: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const lodge = async (administration: string, declaration: unknown) => {
    try {
      const response = await fetch(`${urls[administration]}/api/v1/declarations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[administration]}`, 'content-type': 'application/json' },
        body: JSON.stringify(declaration),
      });
      if (!response.ok) stats.failures++;
    } catch {
      stats.failures++;
    }
  };
  const tick = () => {
    const next = shipments.next();
    if (next.done) return;
    const shipment: Shipment = next.value;
    const today = new Date().toISOString().slice(0, 10);
    const arrival = new Date(Date.now() + shipment.transitDays * 86_400_000).toISOString().slice(0, 10);
    shipment.export.dates = { lodged: today, expectedArrival: arrival };
    shipment.import.dates = { lodged: today, expectedArrival: today };
    stats.shipments++;
    void lodge(shipment.from, shipment.export);
    const timer = setTimeout(() => {
      timers.delete(timer);
      void lodge(shipment.to, shipment.import);
    }, options.importDelayMs);
    timers.add(timer);
  };
  const interval = setInterval(tick, options.intervalMs);
  tick();
  return {
    stats,
    stop() {
      clearInterval(interval);
      for (const timer of timers) clearTimeout(timer);
    },
  };
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
    .option(
      '--trade-interval <ms>',
      'a new shipment between two administrations every this many ms (0: no trade)',
      '2000',
    )
    .action((opts: { dir: string; basePort: string; host: string; tradeInterval: string }) =>
      run(async () => {
        const dir = resolve(opts.dir);
        const basePort = Number(opts.basePort);
        if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65533) {
          throw new ConcordError('REQUEST_INVALID', '--base-port must be 1–65533');
        }
        const tradeInterval = Number(opts.tradeInterval);
        if (!Number.isInteger(tradeInterval) || tradeInterval < 0) {
          throw new ConcordError('REQUEST_INVALID', '--trade-interval must be a whole number of milliseconds');
        }
        const reachable = opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
        const endpoints = Object.fromEntries(
          DEMO_ADMINISTRATIONS.map((admin, i) => [admin.id, `http://${reachable}:${basePort + i}`]),
        );
        const credentials = await prepare(dir, endpoints);
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
            url: endpoints[admin.id]!,
            log: join(dataDir, 'node.log'),
          };
        });

        let stopping = false;
        let trade: ReturnType<typeof startTradeSimulator> | undefined;
        const stop = async (code: number) => {
          if (stopping) return;
          stopping = true;
          trade?.stop();
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
        if (tradeInterval > 0) {
          trade = startTradeSimulator(endpoints, credentials.tokens ?? {}, {
            intervalMs: tradeInterval,
            importDelayMs: Math.max(5_000, tradeInterval * 4),
          });
        }
        process.stdout.write('\nConcord demo network is running:\n\n');
        for (const c of children) {
          process.stdout.write(`  ${c.admin.id}  ${c.admin.name.padEnd(36)} ${c.url}\n`);
        }
        process.stdout.write(
          `\nLog in as admin, officer, analyst, liaison or auditor with the password ${credentials.password}\n` +
            (tradeInterval > 0
              ? `Trade simulator: a shipment every ${tradeInterval} ms between NL, SG and KE (exports become pre-arrivals; imports are matched and compared)\n`
              : '') +
            `API description: ${children[0]!.url}/docs   Logs: ${dir}/<ID>/node.log\n` +
            'Press Ctrl-C to stop.\n',
        );
        await new Promise(() => undefined);
      }),
    );
}
