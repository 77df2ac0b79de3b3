import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import {
  Directory,
  newDirectory,
  signDirectory,
  type DirectoryDocument,
  type SignedDirectory,
  type Transport,
} from '../src/federation/index.js';
import { generateSigningKey, type SigningKeyPair } from '../src/kernel/index.js';
import { initNode, KEY_FILES, nodeMember, openNode, type NodeContext } from '../src/node/index.js';
import { freePort, startCli, stop } from './process.js';

/**
 * Nodes of a test network as separate `concord serve` processes on loopback ports: prepared in this process (data
 * directories, users, tokens, directory, an agreement in force), then served, stopped, killed and restarted.
 */

/** One prepared node: where its data lives, where it answers, and the API tokens the tests use. */
export interface PreparedNode {
  administration: string;
  dataDir: string;
  /** The port `concord serve` listens on; `url` reaches it directly. */
  port: number;
  url: string;
  /** The endpoint in the directory: `url`, or a {@link LinkProxy} in front of it for nodes behind a link. */
  endpoint: string;
  /** `keys/signing.jwk`: tests seal envelopes with it to speak as this node. */
  signingKeyFile: string;
  /** An API token of `admin` (lodge, read the outbox and inbox, suspend agreements, install directories). */
  adminToken: string;
  /** An API token of a user with the `auditor` role only (the access audit). */
  auditorToken: string;
}

export interface ProcessNetwork {
  nodes: Record<string, PreparedNode>;
  /** The proxies in front of the nodes listed in `behindLink`, by administration. */
  links: Record<string, LinkProxy>;
  governance: SigningKeyPair[];
  /** Version 1, as installed everywhere. */
  document: DirectoryDocument;
  directory: Directory;
  /** Signs `document` with two of the three governance keys (the threshold). */
  sign(document: DirectoryDocument): Promise<SignedDirectory>;
}

/**
 * Creates one node per administration under `root`, lists them all in a directory signed 2 of 3 (keys valid from a
 * day ago, so tests may date envelopes in the past), installs it, and brings `agreementId` (the CMAA template
 * between the first two administrations) into force at both by the network's own messages. The nodes are opened
 * in this process with a transport that hands envelopes straight to the partner's inbox, and closed again: no
 * server runs when this returns. Partners reach a node of `behindLink` through a proxy the tests can cut.
 */
export async function prepareNetwork(
  root: string,
  administrations: readonly string[],
  agreementId: string,
  options: { behindLink?: readonly string[] } = {},
): Promise<ProcessNetwork> {
  const prepared: Record<string, PreparedNode> = {};
  const links: Record<string, LinkProxy> = {};
  const opened = new Map<string, NodeContext>();
  const byUrl = new Map<string, NodeContext>();
  const transport: Transport = async (url, body) => {
    const target = byUrl.get(url.replace(/\/federation\/v1\/envelopes$/, ''));
    if (!target) throw new Error(`no node at ${url}`);
    return { receipts: await target.federation.receiveBatch(body.envelopes) };
  };
  try {
    for (const administration of administrations) {
      const dataDir = join(root, administration.toLowerCase());
      const port = await freePort();
      await initNode({ dataDir, administration, adminPassword: `${administration} admin password for tests` });
      const node = await openNode(dataDir, { federation: { transport } });
      opened.set(administration, node);
      await node.identity.createUser({
        username: 'auditor',
        password: `${administration} auditor password for tests`,
        roles: ['auditor'],
      });
      const admin = await node.identity.createToken({ username: 'admin', name: 'faults-test' });
      const auditor = await node.identity.createToken({ username: 'auditor', name: 'faults-test' });
      const url = `http://127.0.0.1:${port}`;
      if (options.behindLink?.includes(administration)) links[administration] = await LinkProxy.start(port);
      const endpoint = links[administration] ? `http://127.0.0.1:${links[administration].port}` : url;
      byUrl.set(endpoint, node);
      prepared[administration] = {
        administration,
        dataDir,
        port,
        url,
        endpoint,
        signingKeyFile: join(dataDir, KEY_FILES.signing),
        adminToken: admin.secret,
        auditorToken: auditor.secret,
      };
    }
    const governance = [generateSigningKey(), generateSigningKey(), generateSigningKey()];
    const notBefore = new Date(Date.now() - 86_400_000).toISOString();
    const document = newDirectory({
      network: 'faults',
      threshold: 2,
      governance: governance.map((key, i) => ({ name: `governor-${i + 1}`, key })),
      members: administrations.map((a) => nodeMember(opened.get(a)!, prepared[a]!.endpoint, { notBefore })),
    });
    const sign = async (doc: DirectoryDocument) =>
      signDirectory(await signDirectory(doc, governance[0]!), governance[1]!);
    const signed = await sign(document);
    for (const node of opened.values()) await node.federation.installDirectory(signed);

    const [first, second] = administrations as [string, string];
    const proposer = opened.get(first)!;
    const partner = opened.get(second)!;
    await proposer.agreements.create({ template: 'cmaa', parties: [first, second], id: agreementId }, 'admin');
    await pump(opened);
    await proposer.agreements.sign(agreementId);
    await partner.agreements.sign(agreementId);
    await pump(opened);
    for (const node of [proposer, partner]) {
      const view = await node.agreements.get(agreementId);
      if (view.inForceVersion !== 1) {
        throw new Error(`${agreementId} is not in force at ${node.config.administration}: ${view.status}`);
      }
    }
    return { nodes: prepared, links, governance, document, directory: new Directory(document), sign };
  } catch (error) {
    for (const link of Object.values(links)) await link.close();
    throw error;
  } finally {
    for (const node of opened.values()) await node.close();
  }
}

/** Delivers every node's outbox until nothing is left to send. */
async function pump(nodes: Map<string, NodeContext>): Promise<void> {
  for (let round = 0; round < 10; round++) {
    let moved = 0;
    for (const node of nodes.values()) {
      for (const partner of nodes.keys()) {
        if (partner !== node.config.administration) moved += await node.federation.deliver(partner);
      }
    }
    if (moved === 0) return;
  }
  throw new Error('the outboxes did not drain');
}

type Child = ReturnType<typeof startCli>;
const children = new Set<Child>();

/** A prepared node run as `concord serve`; started, stopped and killed by the tests. */
export class ServedNode {
  private child: Child | null = null;
  private port: number;
  private past = '';

  constructor(readonly node: PreparedNode) {
    this.port = node.port;
  }

  /** Where the process answers now (the directory's endpoint unless started on another port). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts `concord serve` on `port` (the directory's by default) and waits until it answers. */
  async start(port = this.node.port): Promise<void> {
    if (this.child) throw new Error(`${this.node.administration} is running already`);
    const child = startCli(['serve', '--data-dir', this.node.dataDir, '--port', String(port), '--log-level', 'warn']);
    children.add(child);
    this.child = child;
    this.port = port;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) =>
        reject(new Error(`${this.node.administration} exited (${code ?? signal}) while starting:\n${child.output()}`)),
      ),
    );
    exited.catch(() => undefined);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ready = await Promise.race([
        fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
        exited,
      ]);
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`${this.node.administration} did not answer in 60 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the process (SIGTERM: a clean shutdown; SIGKILL: a crash) and waits until it is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    await stop(child, signal);
    children.delete(child);
    this.past += child.output();
  }

  /** What the node's processes wrote, this one and the stopped ones (pino JSON lines at warn and above). */
  output(): string {
    return this.past + (this.child?.output() ?? '');
  }

  /** Calls the node's HTTP API with a bearer token; answers status and parsed JSON body. */
  async api<T = unknown>(
    method: 'GET' | 'POST',
    path: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.token ?? this.node.adminToken}`,
      'x-concord-purpose': 'testing',
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as T };
  }
}

/** Kills every process still running (afterAll, also after a failure). */
export async function stopAllServed(): Promise<void> {
  await Promise.all([...children].map((child) => stop(child, 'SIGKILL')));
  children.clear();
}

/**
 * A TCP proxy on loopback in front of a node, to break the network between two administrations while both nodes
 * run: `cut` drops every connection, open or new; `dropReplies` lets requests through to the node but loses its
 * answers (the partner applies an envelope; the sender never learns it did).
 */
export class LinkProxy {
  private state: 'up' | 'cut' | 'drop-replies' = 'up';
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  /** Where partners connect (the endpoint the directory lists). */
  port = 0;

  private constructor(private readonly targetPort: number) {
    this.server = createServer((client) => this.forward(client));
  }

  static async start(targetPort: number): Promise<LinkProxy> {
    const proxy = new LinkProxy(targetPort);
    proxy.port = await new Promise<number>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => resolve((proxy.server.address() as { port: number }).port));
    });
    return proxy;
  }

  private forward(client: Socket): void {
    if (this.state === 'cut') {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: this.targetPort });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (this.state === 'up') client.write(chunk);
    });
  }

  /** Drops every connection, now and until {@link heal}. */
  cut(): void {
    this.state = 'cut';
    this.closeAll();
  }

  /** Passes requests on but loses every answer, until {@link heal}. */
  dropReplies(): void {
    this.state = 'drop-replies';
    this.closeAll();
  }

  heal(): void {
    // Connections whose answers were being lost are closed, not resumed halfway through an answer.
    if (this.state === 'drop-replies') this.closeAll();
    this.state = 'up';
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private closeAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}
