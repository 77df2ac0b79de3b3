import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConcordError } from '../kernel/index.js';
import { CompactRange } from './compact-range.js';
import { checkConsistency } from './consistency-proof.js';
import { checkInclusion } from './inclusion-proof.js';
import {
  EMPTY_ROOT,
  frontierNodes,
  hashLeaf,
  nodeHasher,
  planConsistencyProof,
  planInclusionProof,
  planNodes,
  planRootHash,
  rootFromLeafHashes,
  subtreeNodes,
} from './merkle.js';
import { MemoryTree } from './memory-tree.js';
import { naiveLeafHash, naivePath, naiveProof, naiveRoot } from './test-support/naive-tree.js';
import { fromHex, hex, referenceTree } from './test-support/vectors.js';

const reference = referenceTree();
const referenceLeaves = reference.leafInputsHex.map((input) => hashLeaf(fromHex(input)));

/** Distinct leaves for a tree of `size` entries. */
function leavesOf(size: number, seed = 0): Uint8Array[] {
  return Array.from({ length: size }, (_, i) => naiveLeafHash(new TextEncoder().encode(`entry ${seed}/${i}`)));
}

describe('RFC 9162 hashing', () => {
  it('hashes the reference leaves to the level-0 node hashes of transparency-dev/merkle', () => {
    expect(referenceLeaves.map(hex)).toEqual(reference.nodeHashesHexByLevel[0]);
  });

  it('gives the empty tree the SHA-256 of the empty string', () => {
    expect(hex(EMPTY_ROOT)).toBe(reference.rootHashesHexByTreeSize[0]);
    expect(hex(rootFromLeafHashes([]))).toBe(reference.rootHashesHexByTreeSize[0]);
  });

  it('computes every reference root, for tree sizes 0 to 8', () => {
    reference.rootHashesHexByTreeSize.forEach((root, size) => {
      expect(hex(rootFromLeafHashes(referenceLeaves.slice(0, size)))).toBe(root);
    });
  });

  it('hashes non-32-byte children too (the slow path)', () => {
    expect(hex(nodeHasher.hashChildren(Uint8Array.of(1), Uint8Array.of(2)))).toBe(
      hex(naiveRoot([Uint8Array.of(1), Uint8Array.of(2)])),
    );
  });
});

describe(MemoryTree.name, () => {
  const tree = MemoryTree.fromLeafHashes(referenceLeaves);

  it('stores exactly the reference node hashes of every complete subtree', () => {
    reference.nodeHashesHexByLevel.forEach((level, l) => {
      level.forEach((node, i) => expect(hex(tree.getNodeHash(l, i))).toBe(node));
    });
  });

  it('answers the root of every past size from stored subtrees', () => {
    reference.rootHashesHexByTreeSize.forEach((root, size) => expect(hex(tree.rootHash(size))).toBe(root));
  });

  it('refuses a subtree that is not complete yet with LEDGER_INDEX_OUT_OF_RANGE', () => {
    expect(() => tree.getNodeHash(3, 1)).toThrowError(expect.objectContaining({ code: 'LEDGER_INDEX_OUT_OF_RANGE' }));
  });

  it('refuses a size beyond the tree with LEDGER_SIZE_INVALID', () => {
    expect(() => tree.rootHash(9)).toThrowError(expect.objectContaining({ code: 'LEDGER_SIZE_INVALID' }));
  });
});

describe('proof generation against the naive RFC 9162 tree', () => {
  const sizes = fc.integer({ min: 1, max: 300 });

  it('computes the root of any size like MTH', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), (size, seed) => {
        const leaves = leavesOf(size, seed);
        const tree = MemoryTree.fromLeafHashes(leaves);
        const past = seed % (size + 1);
        expect(hex(tree.rootHash())).toBe(hex(naiveRoot(leaves)));
        expect(hex(tree.rootHash(past))).toBe(hex(naiveRoot(leaves.slice(0, past))));
      }),
      { numRuns: 150 },
    );
  });

  it('produces PATH(m, D[n]) for any leaf of any past size, and it verifies', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), fc.nat(), (size, a, b) => {
        const leaves = leavesOf(size);
        const tree = MemoryTree.fromLeafHashes(leaves);
        const n = 1 + (a % size);
        const m = b % n;
        const proof = tree.inclusionProof(m, n);
        expect(proof.hashes.map(hex)).toEqual(naivePath(m, leaves.slice(0, n)).map(hex));
        expect(checkInclusion(nodeHasher, proof, leaves[m]!, tree.rootHash(n))).toEqual({ ok: true });
      }),
      { numRuns: 300 },
    );
  });

  it('produces PROOF(m, D[n]) for any two sizes, and it verifies', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), fc.nat(), (size, a, b) => {
        const leaves = leavesOf(size);
        const tree = MemoryTree.fromLeafHashes(leaves);
        const n = 1 + (a % size);
        const m = 1 + (b % n);
        const proof = tree.consistencyProof(m, n);
        expect(proof.hashes.map(hex)).toEqual(naiveProof(m, leaves.slice(0, n)).map(hex));
        expect(checkConsistency(nodeHasher, proof, tree.rootHash(m), tree.rootHash(n))).toEqual({ ok: true });
      }),
      { numRuns: 300 },
    );
  });

  it('gives the empty consistency proof from size 0, as tlog-witness expects', () => {
    expect(planConsistencyProof(0, 5)).toEqual([]);
    expect(planConsistencyProof(5, 5)).toEqual([]);
  });

  it('refuses impossible requests with their codes', () => {
    expect(() => planInclusionProof(5, 5)).toThrowError(expect.objectContaining({ code: 'LEDGER_INDEX_OUT_OF_RANGE' }));
    expect(() => planInclusionProof(-1, 5)).toThrowError(
      expect.objectContaining({ code: 'LEDGER_INDEX_OUT_OF_RANGE' }),
    );
    expect(() => planConsistencyProof(6, 5)).toThrowError(expect.objectContaining({ code: 'LEDGER_SIZE_INVALID' }));
    expect(() => planRootHash(1.5)).toThrowError(expect.objectContaining({ code: 'LEDGER_SIZE_INVALID' }));
    expect(() => planRootHash(2 ** 53)).toThrowError(expect.objectContaining({ code: 'LEDGER_SIZE_INVALID' }));
  });
});

describe('proof plans', () => {
  it('read O(log n) stored nodes, never a rebuild, even at 10^8 entries and past 2^32', () => {
    for (const size of [1e8, 1e8 + 7, 2 ** 32 + 3, 2 ** 45 + 12345, Number.MAX_SAFE_INTEGER]) {
      const depth = Math.ceil(Math.log2(size));
      for (const index of [0, 1, Math.floor(size / 3), size - 2, size - 1]) {
        const inclusion = planInclusionProof(index, size);
        expect(inclusion.length).toBeLessThanOrEqual(depth);
        expect(planNodes(inclusion).length).toBeLessThanOrEqual(2 * depth);
        const consistency = planConsistencyProof(index + 1, size);
        expect(planNodes(consistency).length).toBeLessThanOrEqual(2 * depth);
      }
    }
  });

  it('agree with the verifier on proof length beyond 32 bits (no bitwise truncation)', () => {
    const zero = new Uint8Array(32);
    const size = 2 ** 45 + 12345;
    for (const index of [0, 2 ** 33 + 1, size - 1]) {
      const hashes = planInclusionProof(index, size).map(() => zero);
      // The hashes are fake, so the root cannot match; the walk itself must accept the length.
      const verdict = checkInclusion(nodeHasher, { leafIndex: index, treeSize: size, hashes }, zero, zero);
      expect(verdict).toMatchObject({ ok: false, reason: 'the proof does not lead to the root hash' });
      const short = checkInclusion(
        nodeHasher,
        { leafIndex: index, treeSize: size, hashes: hashes.slice(1) },
        zero,
        zero,
      );
      expect(short).toMatchObject({ ok: false, reason: 'the proof has fewer hashes than the path' });
    }
  });

  it('tile a range with aligned complete subtrees, largest first', () => {
    expect(subtreeNodes(0, 13)).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(frontierNodes(0)).toEqual([]);
    expect(subtreeNodes(4, 7)).toEqual([
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
  });
});

describe(CompactRange.name, () => {
  it('yields, on each append, exactly the complete subtrees that become complete', () => {
    const range = new CompactRange();
    const leaves = leavesOf(8);
    const created = leaves.map((leaf) => range.append(leaf).map((n) => `${n.level}/${n.index}`));
    expect(created).toEqual([
      ['0/0'],
      ['0/1', '1/0'],
      ['0/2'],
      ['0/3', '1/1', '2/0'],
      ['0/4'],
      ['0/5', '1/2'],
      ['0/6'],
      ['0/7', '1/3', '2/1', '3/0'],
    ]);
  });

  it('hashes one node per append on average', () => {
    let hashes = 0;
    const counting = {
      ...nodeHasher,
      hashChildren: (l: Uint8Array, r: Uint8Array) => (hashes++, nodeHasher.hashChildren(l, r)),
    };
    const range = new CompactRange(counting);
    for (const leaf of leavesOf(1000)) range.append(leaf);
    expect(hashes).toBeLessThan(1000);
  });

  it('tracks the root and resumes from a stored frontier', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 50 }), (size, more) => {
        const leaves = leavesOf(size + more, 7);
        const range = new CompactRange();
        leaves.slice(0, size).forEach((leaf) => range.append(leaf));
        expect(hex(range.root())).toBe(hex(naiveRoot(leaves.slice(0, size))));
        const tree = MemoryTree.fromLeafHashes(leaves.slice(0, size));
        const stored = frontierNodes(size).map((n) => tree.getNodeHash(n.level, n.index));
        const resumed = CompactRange.fromFrontier(size, stored);
        leaves.slice(size).forEach((leaf) => resumed.append(leaf));
        expect(hex(resumed.root())).toBe(hex(naiveRoot(leaves)));
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a frontier that does not fit the size', () => {
    let error: unknown;
    try {
      CompactRange.fromFrontier(3, [new Uint8Array(32)]);
    } catch (e) {
      error = e;
    }
    expect(isConcordError(error, 'LEDGER_SIZE_INVALID')).toBe(true);
  });
});
