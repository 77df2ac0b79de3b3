import type { NodeContext } from '../node/index.js';

/** What every route module receives. */
export interface ServerContext {
  readonly node: NodeContext;
  readonly startedAt: number;
  /** Whether session cookies carry the Secure attribute (on when the node is served over HTTPS). */
  readonly secureCookies: boolean;
}
