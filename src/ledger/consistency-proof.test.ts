import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConcordError } from '../kernel/index.js';
import { checkConsistency, checkConsistencyAsync, type ConsistencyProof } from './consistency-proof.js';
import { webCryptoHasher } from './hasher.js';
import { nodeHasher } from './merkle.js';
import { MemoryTree } from './memory-tree.js';
import { naiveLeafHash } from './test-support/naive-tree.js';
import { consistencyVectors } from './test-support/vectors.js';
import { verifyConsistency } from './verify-proof.js';

const vectors = consistencyVectors();

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(isConcordError(error)).toBe(true);
    return (error as { code: string }).code;
  }
  return undefined;
}

describe(verifyConsistency.name, () => {
  it('finds all the transparency-dev/merkle consistency vectors', () => {
    expect(vectors).toHaveLength(98);
  });

  describe.each(vectors)('vector $file ($desc)', (v) => {
    const proof: ConsistencyProof = { size1: v.size1, size2: v.size2, hashes: v.proof };

    if (v.wantErr) {
      it('refuses it with a LEDGER_ code, on node:crypto and on WebCrypto', async () => {
        const code = codeOf(() => verifyConsistency(proof, v.root1, v.root2));
        expect(code).toMatch(/^LEDGER_(PROOF_INVALID|SIZE_INVALID)$/);
        expect(await checkConsistencyAsync(webCryptoHasher, proof, v.root1, v.root2)).toMatchObject({
          ok: false,
          code,
        });
      });
    } else {
      it('accepts it, on node:crypto and on WebCrypto', async () => {
        expect(codeOf(() => verifyConsistency(proof, v.root1, v.root2))).toBeUndefined();
        expect(await checkConsistencyAsync(webCryptoHasher, proof, v.root1, v.root2)).toEqual({ ok: true });
      });
    }
  });

  describe('named attacks', () => {
    const code = (file: string): string | undefined => {
      const v = vectors.find((x) => x.file === file)!;
      return codeOf(() => verifyConsistency({ size1: v.size1, size2: v.size2, hashes: v.proof }, v.root1, v.root2));
    };

    it('refuses swapped roots, wrong roots and altered proofs with LEDGER_PROOF_INVALID', () => {
      for (const name of [
        'swapped-roots',
        'wrong-root1',
        'wrong-root2',
        'trailing-garbage',
        'preceding-garbage',
        'truncated-proof',
        'empty-proof',
        'modified-proof@0-bit-@4',
      ]) {
        expect(code(`consistency/2/${name}.json`), name).toBe('LEDGER_PROOF_INVALID');
      }
    });

    it('refuses a first size above the second, or zero, with LEDGER_SIZE_INVALID', () => {
      expect(code('consistency/additional/size1-is-greater-than-size2.json')).toBe('LEDGER_SIZE_INVALID');
      expect(code('consistency/additional/size1-is-zero-and-size2-is-not-zero.json')).toBe('LEDGER_SIZE_INVALID');
    });

    it('refuses equal sizes with different roots or a non-empty proof', () => {
      expect(code('consistency/additional/sizes-are-equal-one-but-roots-are-not.json')).toBe('LEDGER_PROOF_INVALID');
      expect(code('consistency/additional/sizes-match-but-proof-is-not-empty-and-sizes-are-one.json')).toBe(
        'LEDGER_PROOF_INVALID',
      );
    });
  });
});

describe('consistency proofs of random trees', () => {
  const tree = MemoryTree.fromLeafHashes(
    Array.from({ length: 300 }, (_, i) => naiveLeafHash(new TextEncoder().encode(`leaf ${i}`))),
  );
  const sizes = fc
    .tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }))
    .map(([a, b]) => ({ size1: Math.min(a, b), size2: Math.max(a, b) }));

  it('verify between every pair of sizes', () => {
    fc.assert(
      fc.property(sizes, ({ size1, size2 }) => {
        const proof = tree.consistencyProof(size1, size2);
        expect(checkConsistency(nodeHasher, proof, tree.rootHash(size1), tree.rootHash(size2))).toEqual({ ok: true });
      }),
    );
  });

  describe('when the proof is one bit off', () => {
    it('refuses it with LEDGER_PROOF_INVALID', () => {
      fc.assert(
        fc.property(sizes, fc.nat(), fc.nat(255), ({ size1, size2 }, which, bit) => {
          const proof = tree.consistencyProof(size1, size2);
          fc.pre(proof.hashes.length > 0);
          const hashes = proof.hashes.map((h) => Uint8Array.from(h));
          hashes[which % hashes.length]![bit >> 3]! ^= 1 << (bit & 7);
          const verdict = checkConsistency(
            nodeHasher,
            { ...proof, hashes },
            tree.rootHash(size1),
            tree.rootHash(size2),
          );
          expect(verdict).toMatchObject({ ok: false, code: 'LEDGER_PROOF_INVALID' });
        }),
      );
    });
  });

  describe('when the second tree forks from the first', () => {
    it('refuses the proof of the honest tree against the forked root', () => {
      fc.assert(
        fc.property(sizes, fc.nat(), ({ size1, size2 }, at) => {
          fc.pre(size1 < size2);
          const leaves = Array.from({ length: size2 }, (_, i) => tree.getNodeHash(0, i));
          leaves[at % size1] = naiveLeafHash(new TextEncoder().encode('rewritten'));
          const forked = MemoryTree.fromLeafHashes(leaves);
          const proof = forked.consistencyProof(size1, size2);
          const verdict = checkConsistency(nodeHasher, proof, tree.rootHash(size1), forked.rootHash(size2));
          expect(verdict.ok).toBe(false);
        }),
      );
    });
  });
});
