import { ConcordError } from '../kernel/index.js';
import type { ConsistencyProof } from './consistency-proof.js';
import { CompactRange } from './compact-range.js';
import type { InclusionProof } from './inclusion-proof.js';
import {
  EMPTY_ROOT,
  composeProof,
  nodeHasher,
  planConsistencyProof,
  planInclusionProof,
  planRootHash,
  type HashReader,
  type ProofPlan,
} from './merkle.js';

/**
 * A Merkle tree kept whole in memory, every complete subtree hash included: the same layout a store keeps in its
 * `ledger_nodes` table, for tests, tools and small logs. Proofs for any past size are answered from it.
 */
export class MemoryTree implements HashReader {
  readonly #levels: Uint8Array[][] = [];
  readonly #range = new CompactRange(nodeHasher);
  /** Hashes of multi-subtree ranges already composed (they never change). */
  readonly #composed = new Map<string, Uint8Array>();

  /** Builds a tree from leaf hashes. */
  static fromLeafHashes(leafHashes: Iterable<Uint8Array>): MemoryTree {
    const tree = new MemoryTree();
    for (const leaf of leafHashes) tree.append(leaf);
    return tree;
  }

  get size(): number {
    return this.#range.size;
  }

  /** Appends a leaf hash and returns its index. */
  append(leafHash: Uint8Array): number {
    for (const node of this.#range.append(leafHash)) {
      (this.#levels[node.level] ??= [])[node.index] = node.hash;
    }
    return this.#range.size - 1;
  }

  getNodeHash(level: number, index: number): Uint8Array {
    const hash = this.#levels[level]?.[index];
    if (!hash) {
      throw new ConcordError('LEDGER_INDEX_OUT_OF_RANGE', `no complete subtree at level ${level}, index ${index}`, {
        level,
        index,
      });
    }
    return hash;
  }

  /** The root hash at `size` (default: now). */
  rootHash(size: number = this.size): Uint8Array {
    if (size === this.size) return this.#range.root();
    this.#requireAtMostSize(size);
    return this.#compose(planRootHash(size))[0] ?? EMPTY_ROOT;
  }

  inclusionProof(index: number, size: number = this.size): InclusionProof {
    this.#requireAtMostSize(size);
    return { leafIndex: index, treeSize: size, hashes: this.#compose(planInclusionProof(index, size)) };
  }

  consistencyProof(size1: number, size2: number = this.size): ConsistencyProof {
    this.#requireAtMostSize(size2);
    return { size1, size2, hashes: this.#compose(planConsistencyProof(size1, size2)) };
  }

  #compose(plan: ProofPlan): Uint8Array[] {
    return composeProof(plan, (node) => this.getNodeHash(node.level, node.index), nodeHasher, this.#composed);
  }

  #requireAtMostSize(size: number): void {
    if (size > this.size) {
      throw new ConcordError('LEDGER_SIZE_INVALID', `size ${size} is beyond the tree's ${this.size} leaves`);
    }
  }
}
