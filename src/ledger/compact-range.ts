import { ConcordError } from '../kernel/index.js';
import type { MerkleHasher } from './hasher.js';
import { EMPTY_ROOT, frontierNodes, nodeHasher } from './merkle.js';
import { isTreeIndex, trailingOnes } from './tree-math.js';

/** A complete subtree that an append has just completed, with its hash: a row for `tree_nodes`. */
export interface NewNode {
  readonly level: number;
  readonly index: number;
  readonly hash: Uint8Array;
}

/**
 * The right edge of a Merkle tree — the hashes of the complete subtrees that tile [0, size), largest first — which
 * is all an appender needs (the "compact range" of transparency-dev/merkle, the frontier of a Merkle mountain range).
 *
 * Appending a leaf completes the subtrees that the trailing one bits of the old size describe, so it costs one node
 * hash on average and log2(n) at worst, and returns exactly the new complete subtrees a store must persist. The root
 * is computed on demand, in at most log2(n) hashes, and cached until the next append.
 *
 * @example
 * const range = new CompactRange();
 * const nodes = range.append(hashLeaf(bytes)); // persist nodes, then:
 * const root = range.root();
 */
export class CompactRange {
  #size = 0;
  readonly #frontier: Uint8Array[] = [];
  #root: Uint8Array | undefined;

  constructor(private readonly hasher: MerkleHasher = nodeHasher) {}

  /**
   * Resumes from a stored tree: `frontier` holds the hashes of {@link frontierNodes}(size), largest first.
   */
  static fromFrontier(size: number, frontier: readonly Uint8Array[], hasher: MerkleHasher = nodeHasher): CompactRange {
    if (!isTreeIndex(size) || frontierNodes(size).length !== frontier.length) {
      throw new ConcordError('LEDGER_SIZE_INVALID', `a frontier of ${frontier.length} hashes cannot be size ${size}`);
    }
    const range = new CompactRange(hasher);
    range.#size = size;
    range.#frontier.push(...frontier);
    return range;
  }

  /** An independent copy: append to it inside a transaction, and keep it only if the transaction commits. */
  clone(): CompactRange {
    return CompactRange.fromFrontier(this.#size, this.#frontier, this.hasher);
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /** Hashes of the complete subtrees tiling the tree, largest first. */
  get frontier(): readonly Uint8Array[] {
    return this.#frontier;
  }

  /** Appends a leaf hash; returns the leaf (level 0) and every complete subtree it completes, lowest first. */
  append(leafHash: Uint8Array): NewNode[] {
    const leafIndex = this.#size;
    const nodes: NewNode[] = [{ level: 0, index: leafIndex, hash: leafHash }];
    let acc = leafHash;
    let index = leafIndex;
    const merges = trailingOnes(leafIndex);
    for (let level = 1; level <= merges; level++) {
      acc = this.hasher.hashChildren(this.#frontier.pop()!, acc);
      index = (index - 1) / 2;
      nodes.push({ level, index, hash: acc });
    }
    this.#frontier.push(acc);
    this.#size = leafIndex + 1;
    this.#root = undefined;
    return nodes;
  }

  /** MTH of the leaves appended so far (RFC 9162 §2.1.1). */
  root(): Uint8Array {
    if (this.#root) return this.#root;
    const frontier = this.#frontier;
    let root = frontier.length === 0 ? EMPTY_ROOT : frontier[frontier.length - 1]!;
    for (let i = frontier.length - 2; i >= 0; i--) root = this.hasher.hashChildren(frontier[i]!, root);
    this.#root = root;
    return root;
  }
}
