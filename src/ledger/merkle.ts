/**
 * RFC 9162 Merkle tree hashing on `node:crypto`, and proof *generation* from stored complete subtrees.
 *
 * A log that keeps the hash of every complete subtree — the node at `level` L and `index` i covers leaves
 * [i·2^L, (i+1)·2^L), level 0 being the leaf hashes — never rebuilds anything: every root, inclusion proof and
 * consistency proof is a list of O(log n) such nodes, plus a few hashes to join the ones on the right edge of a tree
 * whose size is not a power of two (RFC 9162 §2.1.1 splits at the largest power of two below n, so the hash of any
 * range the recursion visits is the right-to-left fold of the complete subtrees that tile it).
 *
 * Proofs are *planned* first ({@link planInclusionProof}, {@link planConsistencyProof}, {@link planRootHash}): the
 * plan names the nodes to read, so a database can fetch them in one query, and {@link composeProof} then joins them.
 */
import { hash } from 'node:crypto';
import { ConcordError } from '../kernel/index.js';
import { HASH_SIZE, LEAF_PREFIX, NODE_PREFIX, type MerkleHasher } from './hasher.js';
import type { ConsistencyProof } from './consistency-proof.js';
import type { InclusionProof } from './inclusion-proof.js';
import { isTreeIndex, largestPowerOfTwoAtMost, log2Exact, splitPoint } from './tree-math.js';

const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);

/**
 * RFC 9162 hashing with `node:crypto`'s one-shot `hash()`: leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ l ‖ r).
 * Node hashing reuses one buffer, which is safe because `hash()` is synchronous.
 */
export const nodeHasher: MerkleHasher = {
  hashLeaf(data) {
    const input = Buffer.allocUnsafe(1 + data.length);
    input[0] = LEAF_PREFIX;
    input.set(data, 1);
    return hash('sha256', input, 'buffer');
  },
  hashChildren(left, right) {
    if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
      return hash('sha256', Buffer.concat([Buffer.of(NODE_PREFIX), left, right]), 'buffer');
    }
    nodeInput[0] = NODE_PREFIX;
    nodeInput.set(left, 1);
    nodeInput.set(right, 1 + HASH_SIZE);
    return hash('sha256', nodeInput, 'buffer');
  },
};

/** The leaf hash of an entry's bytes, SHA-256(0x00 ‖ data). */
export function hashLeaf(data: Uint8Array): Uint8Array {
  return nodeHasher.hashLeaf(data);
}

/** The hash of an interior node, SHA-256(0x01 ‖ left ‖ right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return nodeHasher.hashChildren(left, right);
}

/** The root hash of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Uint8Array = hash('sha256', Buffer.alloc(0), 'buffer');

/** A complete subtree: leaves [index·2^level, (index+1)·2^level). Level 0 nodes are the leaf hashes. */
export interface NodeRef {
  readonly level: number;
  readonly index: number;
}

/** Where proofs read complete-subtree hashes from: a `tree_nodes(level, index, hash)` table, tiles, or memory. */
export interface HashReader {
  /** The hash of the complete subtree at (`level`, `index`); throws if that subtree is not complete yet. */
  getNodeHash(level: number, index: number): Uint8Array;
}

/**
 * A proof as the nodes to read: one entry per proof hash, each the complete subtrees (largest, leftmost first) whose
 * right-to-left fold is that hash. Most entries hold a single node.
 */
export type ProofPlan = readonly (readonly NodeRef[])[];

/** The complete subtrees that tile [start, end), left to right, each as large as its alignment allows. */
export function subtreeNodes(start: number, end: number): NodeRef[] {
  const nodes: NodeRef[] = [];
  while (start < end) {
    let width = largestPowerOfTwoAtMost(end - start);
    while (start % width !== 0) width /= 2;
    nodes.push({ level: log2Exact(width), index: start / width });
    start += width;
  }
  return nodes;
}

/** The nodes of the frontier (the "compact range") of a tree of `size` leaves: one per set bit of `size`. */
export function frontierNodes(size: number): NodeRef[] {
  requireSize(size);
  return subtreeNodes(0, size);
}

/** The plan of MTH(D[0:size]); empty for the empty tree, whose root is {@link EMPTY_ROOT}. */
export function planRootHash(size: number): ProofPlan {
  requireSize(size);
  return size === 0 ? [] : [subtreeNodes(0, size)];
}

/** The plan of PATH(index, D[0:size]), RFC 9162 §2.1.3.1. */
export function planInclusionProof(index: number, size: number): ProofPlan {
  requireSize(size);
  if (!isTreeIndex(index) || index >= size) {
    throw new ConcordError('LEDGER_INDEX_OUT_OF_RANGE', `leaf index ${index} is not below tree size ${size}`, {
      index,
      size,
    });
  }
  const plan: NodeRef[][] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      plan.push(subtreeNodes(lo + k, hi));
      hi = lo + k;
    } else {
      plan.push(subtreeNodes(lo, lo + k));
      lo += k;
    }
  }
  return plan.reverse();
}

/**
 * The plan of PROOF(size1, D[0:size2]), RFC 9162 §2.1.4.1. Empty when the sizes are equal, and when `size1` is 0
 * (every tree extends the empty one; tlog-witness wants the empty proof then).
 */
export function planConsistencyProof(size1: number, size2: number): ProofPlan {
  requireSize(size1);
  requireSize(size2);
  if (size1 > size2) {
    throw new ConcordError('LEDGER_SIZE_INVALID', `size1 ${size1} is larger than size2 ${size2}`, { size1, size2 });
  }
  const plan: NodeRef[][] = [];
  if (size1 === 0) return plan;
  // SUBPROOF(m, D[lo:hi], b), unrolled; m is kept as the absolute boundary size1.
  let lo = 0;
  let hi = size2;
  let complete = true;
  while (size1 !== hi) {
    const k = splitPoint(hi - lo);
    if (size1 - lo <= k) {
      plan.push(subtreeNodes(lo + k, hi));
      hi = lo + k;
    } else {
      plan.push(subtreeNodes(lo, lo + k));
      lo += k;
      complete = false;
    }
  }
  if (!complete) plan.push(subtreeNodes(lo, hi));
  return plan.reverse();
}

/** Every node a plan reads, once each, in plan order: what to fetch from storage in one query. */
export function planNodes(plan: ProofPlan): NodeRef[] {
  const seen = new Set<string>();
  const nodes: NodeRef[] = [];
  for (const element of plan) {
    for (const node of element) {
      const key = `${node.level}/${node.index}`;
      if (!seen.has(key)) {
        seen.add(key);
        nodes.push(node);
      }
    }
  }
  return nodes;
}

/**
 * Joins the hashes of a plan into the proof hashes (or the root, for {@link planRootHash}). Hashes of ranges that
 * take several subtrees (the right edge of a tree whose size is not a power of two) are kept in `cache` when given:
 * they never change, since the subtrees under them are complete.
 */
export function composeProof(
  plan: ProofPlan,
  lookup: (node: NodeRef) => Uint8Array,
  hasher: MerkleHasher = nodeHasher,
  cache?: Map<string, Uint8Array>,
): Uint8Array[] {
  return plan.map((nodes) => {
    let i = nodes.length - 1;
    if (i === 0) return lookup(nodes[0]!);
    const key = cache && `${nodes[0]!.level}/${nodes[0]!.index}-${nodes[i]!.level}/${nodes[i]!.index}`;
    const cached = key === undefined ? undefined : cache!.get(key);
    if (cached) return cached;
    let acc = lookup(nodes[i]!);
    while (--i >= 0) acc = hasher.hashChildren(lookup(nodes[i]!), acc);
    if (key !== undefined) {
      if (cache!.size >= 4096) cache!.clear();
      cache!.set(key, acc);
    }
    return acc;
  });
}

/** The root hash of the first `size` leaves of the tree behind `reader`. */
export function computeRootHash(reader: HashReader, size: number): Uint8Array {
  const [root] = composeProof(planRootHash(size), readFrom(reader));
  return root ?? EMPTY_ROOT;
}

/**
 * The inclusion proof of leaf `index` in the tree of `size` leaves.
 *
 * @example
 * const proof = buildInclusionProof(tree, 5, 8);
 * verifyInclusion(proof, leafHash, computeRootHash(tree, 8));
 */
export function buildInclusionProof(reader: HashReader, index: number, size: number): InclusionProof {
  return { leafIndex: index, treeSize: size, hashes: composeProof(planInclusionProof(index, size), readFrom(reader)) };
}

/** The consistency proof from the tree of `size1` leaves to the tree of `size2` leaves. */
export function buildConsistencyProof(reader: HashReader, size1: number, size2: number): ConsistencyProof {
  return { size1, size2, hashes: composeProof(planConsistencyProof(size1, size2), readFrom(reader)) };
}

/** MTH over a list of leaf hashes, in one pass (for tests, audits and small trees). */
export function rootFromLeafHashes(leafHashes: Iterable<Uint8Array>, hasher: MerkleHasher = nodeHasher): Uint8Array {
  // The frontier: hashes of the complete subtrees of the tree so far, largest first.
  const frontier: Uint8Array[] = [];
  let size = 0;
  for (const leaf of leafHashes) {
    let acc = leaf;
    for (let s = size; s % 2 === 1; s = (s - 1) / 2) acc = hasher.hashChildren(frontier.pop()!, acc);
    frontier.push(acc);
    size++;
  }
  if (frontier.length === 0) return EMPTY_ROOT;
  let root = frontier[frontier.length - 1]!;
  for (let i = frontier.length - 2; i >= 0; i--) root = hasher.hashChildren(frontier[i]!, root);
  return root;
}

function readFrom(reader: HashReader): (node: NodeRef) => Uint8Array {
  return (node) => reader.getNodeHash(node.level, node.index);
}

function requireSize(size: number): void {
  if (!isTreeIndex(size)) {
    throw new ConcordError('LEDGER_SIZE_INVALID', `tree size ${String(size)} is not a non-negative safe integer`);
  }
}
