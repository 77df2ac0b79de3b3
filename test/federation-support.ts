import type { AddressInfo } from 'node:net';
import { newDirectory, signDirectory, type DirectoryDocument, type SignedDirectory } from '../src/federation/index.js';
import { generateSigningKey, type SigningKeyPair } from '../src/kernel/index.js';
import { nodeMember } from '../src/node/index.js';
import { startTestNode, type TestNode } from '../src/server/testing.js';

/** A node of a test network, served on a loopback port so partners reach it over real HTTP. */
export interface NetworkNode extends TestNode {
  administration: string;
  url: string;
}

export interface TestNetwork {
  nodes: Record<string, NetworkNode>;
  governance: SigningKeyPair[];
  document: DirectoryDocument;
  signed: SignedDirectory;
  /** Signs `document` with the first `threshold` governance keys and installs it on every node (or on `only`). */
  publish(document: DirectoryDocument, only?: readonly string[]): Promise<SignedDirectory>;
  close(): Promise<void>;
}

/**
 * Starts nodes, lists them in a directory signed 2-of-3 by governance keys, and installs it everywhere. With `webRoot`
 * each node also serves the built console (browser tests).
 */
export async function startNetwork(
  administrations: readonly string[],
  options: { webRoot?: string | null; members?: readonly string[] } = {},
): Promise<TestNetwork> {
  const nodes: Record<string, NetworkNode> = {};
  for (const administration of administrations) {
    const node = await startTestNode({ administration, webRoot: options.webRoot });
    await node.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = node.app.server.address() as AddressInfo;
    nodes[administration] = Object.assign(node, { administration, url: `http://127.0.0.1:${port}` });
  }
  const governance = [generateSigningKey(), generateSigningKey(), generateSigningKey()];
  const notBefore = new Date(Date.now() - 60_000).toISOString();
  const document = newDirectory({
    network: 'test',
    threshold: 2,
    governance: governance.map((key, i) => ({ name: `governor-${i + 1}`, key })),
    members: (options.members ?? administrations).map((a) => nodeMember(nodes[a]!.node, nodes[a]!.url, { notBefore })),
  });
  const publish = async (doc: DirectoryDocument, only?: readonly string[]) => {
    let signed = await signDirectory(doc, governance[0]!);
    signed = await signDirectory(signed, governance[1]!);
    for (const n of Object.values(nodes)) {
      if (!only || only.includes(n.administration)) await n.node.federation.installDirectory(signed);
    }
    return signed;
  };
  const signed = await publish(document);
  return {
    nodes,
    governance,
    document,
    signed,
    publish,
    async close() {
      for (const n of Object.values(nodes)) await n.close();
    },
  };
}

/** Polls until `check` holds. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
