import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConcordError } from '../kernel/index.js';
import { webCryptoHasher } from './hasher.js';
import { checkInclusion, checkInclusionAsync, type InclusionProof } from './inclusion-proof.js';
import { nodeHasher } from './merkle.js';
import { MemoryTree } from './memory-tree.js';
import { naiveLeafHash } from './test-support/naive-tree.js';
import { inclusionVectors } from './test-support/vectors.js';
import { verifyInclusion } from './verify-proof.js';

const vectors = inclusionVectors();

function errorOf(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe(verifyInclusion.name, () => {
  it('finds all the transparency-dev/merkle inclusion vectors', () => {
    expect(vectors).toHaveLength(98);
  });

  describe.each(vectors)('vector $file ($desc)', (v) => {
    const proof: InclusionProof = { leafIndex: v.leafIdx, treeSize: v.treeSize, hashes: v.proof };

    if (v.wantErr) {
      it('refuses it with a LEDGER_ code, on node:crypto and on WebCrypto', async () => {
        const error = errorOf(() => verifyInclusion(proof, v.leafHash, v.root));
        expect(isConcordError(error)).toBe(true);
        expect((error as { code: string }).code).toMatch(/^LEDGER_(PROOF_INVALID|INDEX_OUT_OF_RANGE|SIZE_INVALID)$/);
        const verdict = await checkInclusionAsync(webCryptoHasher, proof, v.leafHash, v.root);
        expect(verdict).toMatchObject({ ok: false, code: (error as { code: string }).code });
      });
    } else {
      it('accepts it, on node:crypto and on WebCrypto', async () => {
        expect(() => verifyInclusion(proof, v.leafHash, v.root)).not.toThrow();
        expect(await checkInclusionAsync(webCryptoHasher, proof, v.leafHash, v.root)).toEqual({ ok: true });
      });
    }
  });

  describe('named attacks', () => {
    const codeOf = (file: string): string | undefined => {
      const v = vectors.find((x) => x.file === file)!;
      const error = errorOf(() =>
        verifyInclusion({ leafIndex: v.leafIdx, treeSize: v.treeSize, hashes: v.proof }, v.leafHash, v.root),
      );
      return (error as { code?: string } | undefined)?.code;
    };

    it('refuses a proof one bit off with LEDGER_PROOF_INVALID', () => {
      expect(codeOf('inclusion/1/modified-proof[0]-bit-@3.json')).toBe('LEDGER_PROOF_INVALID');
      expect(codeOf('inclusion/4/modified-proof[2]-bit-@3.json')).toBe('LEDGER_PROOF_INVALID');
    });

    it('refuses extra, missing or reordered components with LEDGER_PROOF_INVALID', () => {
      for (const name of ['trailing-garbage', 'preceding-garbage', 'inserted-component', 'removed-component']) {
        expect(codeOf(`inclusion/2/${name}.json`), name).toBe('LEDGER_PROOF_INVALID');
      }
    });

    it('refuses a leaf index past the tree with LEDGER_INDEX_OUT_OF_RANGE', () => {
      expect(codeOf('inclusion/additional/0/random-leaf.json')).toBe('LEDGER_INDEX_OUT_OF_RANGE');
    });

    it('refuses an empty leaf hash or root with LEDGER_PROOF_INVALID', () => {
      expect(codeOf('inclusion/single-entry/empty-leaf.json')).toBe('LEDGER_PROOF_INVALID');
      expect(codeOf('inclusion/single-entry/empty-root.json')).toBe('LEDGER_PROOF_INVALID');
    });
  });

  it('puts the reason and position in the error details', () => {
    const error = errorOf(() =>
      verifyInclusion({ leafIndex: 3, treeSize: 2, hashes: [] }, new Uint8Array(32), new Uint8Array(32)),
    );
    expect(error).toMatchObject({ code: 'LEDGER_INDEX_OUT_OF_RANGE', details: { leafIndex: 3, treeSize: 2 } });
  });

  it('refuses sizes that are not safe integers with LEDGER_SIZE_INVALID', () => {
    const zero = new Uint8Array(32);
    for (const treeSize of [-1, 1.5, 2 ** 53, Number.NaN]) {
      expect(checkInclusion(nodeHasher, { leafIndex: 0, treeSize, hashes: [] }, zero, zero)).toMatchObject({
        ok: false,
        code: 'LEDGER_SIZE_INVALID',
      });
    }
  });
});

describe('inclusion proofs of random trees', () => {
  const tree = MemoryTree.fromLeafHashes(
    Array.from({ length: 300 }, (_, i) => naiveLeafHash(new TextEncoder().encode(`leaf ${i}`))),
  );
  const position = fc.tuple(fc.integer({ min: 1, max: 300 }), fc.nat()).map(([size, i]) => ({ size, index: i % size }));

  it('verify for every leaf and size', () => {
    fc.assert(
      fc.property(position, ({ size, index }) => {
        const proof = tree.inclusionProof(index, size);
        expect(checkInclusion(nodeHasher, proof, tree.getNodeHash(0, index), tree.rootHash(size)).ok).toBe(true);
      }),
    );
  });

  describe('when the proof is one bit off', () => {
    it('refuses it with LEDGER_PROOF_INVALID', () => {
      fc.assert(
        fc.property(position, fc.nat(), fc.nat(255), ({ size, index }, which, bit) => {
          const proof = tree.inclusionProof(index, size);
          fc.pre(proof.hashes.length > 0);
          const hashes = proof.hashes.map((h) => Uint8Array.from(h));
          const target = hashes[which % hashes.length]!;
          target[bit >> 3]! ^= 1 << (bit & 7);
          const verdict = checkInclusion(
            nodeHasher,
            { ...proof, hashes },
            tree.getNodeHash(0, index),
            tree.rootHash(size),
          );
          expect(verdict).toMatchObject({ ok: false, code: 'LEDGER_PROOF_INVALID' });
        }),
      );
    });
  });

  describe('when the proof is presented for another leaf', () => {
    it('refuses it', () => {
      fc.assert(
        fc.property(position, fc.integer({ min: -3, max: 3 }), ({ size, index }, delta) => {
          fc.pre(delta !== 0);
          const proof = { ...tree.inclusionProof(index, size), leafIndex: index + delta };
          const verdict = checkInclusion(nodeHasher, proof, tree.getNodeHash(0, index), tree.rootHash(size));
          expect(verdict.ok).toBe(false);
        }),
      );
    });
  });

  // The tree size is bound by the root, not by the path: PATH(0, D[3]) is also a valid PATH(0, D[4]) computation,
  // so a proof is only meaningful against the root of a checkpoint that names the size.
});
