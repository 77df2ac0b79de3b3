import { openNode, type NodeContext } from '../node/index.js';

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
