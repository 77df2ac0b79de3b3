import { describe, expect, it } from 'vitest';
import { generateSigningKey, type ConcordError } from '../kernel/index.js';
import { openCheckpoint, signCheckpoint, type SignedCheckpoint } from './checkpoint.js';
import { cosignatureVerifier, ed25519Cosigner, verifyCosignatures } from './cosignature.js';
import { MemoryTree } from './memory-tree.js';
import { ed25519NoteSigner, ed25519NoteVerifier } from './note.js';
import { naiveLeafHash } from './test-support/naive-tree.js';
import { checkpointOrigin, witnessCheckpoint, type AddCheckpointRequest, type WitnessedLog } from './witness.js';

const origin = 'concord.example/NL';
const logKey = ed25519NoteSigner(origin, generateSigningKey());
const log: WitnessedLog = { origin, verifiers: [ed25519NoteVerifier(origin, logKey.publicKey)] };
const cosigner = ed25519Cosigner('concord.example/SG', generateSigningKey());
const now = Date.parse('2026-03-14T09:26:53Z');

const leaves = Array.from({ length: 40 }, (_, i) => naiveLeafHash(new TextEncoder().encode(`entry ${i}`)));
const honest = MemoryTree.fromLeafHashes(leaves);
const forkedLeaves = [...leaves];
forkedLeaves[3] = naiveLeafHash(new TextEncoder().encode('rewritten history'));
const forked = MemoryTree.fromLeafHashes(forkedLeaves);

function signedAt(tree: MemoryTree, size: number, signer = logKey): string {
  return signCheckpoint({ origin, size, rootHash: tree.rootHash(size), extensions: [] }, [signer]);
}

function cosigned(tree: MemoryTree, size: number): SignedCheckpoint {
  return openCheckpoint(signedAt(tree, size), log.verifiers);
}

function refusal(latest: SignedCheckpoint | undefined, request: AddCheckpointRequest): ConcordError {
  try {
    witnessCheckpoint({ log, latest, request, cosigner, now });
  } catch (error) {
    return error as ConcordError;
  }
  throw new Error('the witness cosigned');
}

describe(witnessCheckpoint.name, () => {
  it('cosigns the first checkpoint it sees, with an empty proof from size 0', () => {
    const signed = signedAt(honest, 10);
    const result = witnessCheckpoint({
      log,
      latest: undefined,
      request: { oldSize: 0, proof: [], signedCheckpoint: signed },
      cosigner,
      now,
    });
    expect(result.latest.checkpoint.size).toBe(10);
    const found = verifyCosignatures(signed + result.cosignatureLine, [
      cosignatureVerifier(cosigner.name, cosigner.publicKey),
    ]);
    expect(found).toMatchObject([{ timestamp: Math.floor(now / 1000) }]);
  });

  it('cosigns a larger checkpoint with a valid consistency proof', () => {
    const proof = honest.consistencyProof(10, 25).hashes;
    const result = witnessCheckpoint({
      log,
      latest: cosigned(honest, 10),
      request: { oldSize: 10, proof, signedCheckpoint: signedAt(honest, 25) },
      cosigner,
      now,
    });
    expect(result.latest.checkpoint.size).toBe(25);
  });

  it('cosigns the same checkpoint again', () => {
    const result = witnessCheckpoint({
      log,
      latest: cosigned(honest, 10),
      request: { proof: [], signedCheckpoint: signedAt(honest, 10) },
      cosigner,
      now,
    });
    expect(result.latest.checkpoint.size).toBe(10);
  });

  it('returns the origin of a checkpoint for routing', () => {
    expect(checkpointOrigin(signedAt(honest, 3))).toBe(origin);
  });

  describe('when the checkpoint goes backwards', () => {
    it('refuses it with LEDGER_CHECKPOINT_ROLLBACK and both checkpoints as evidence', () => {
      const latest = cosigned(honest, 25);
      const error = refusal(latest, { proof: [], signedCheckpoint: signedAt(honest, 10) });
      expect(error.code).toBe('LEDGER_CHECKPOINT_ROLLBACK');
      expect(error.details).toMatchObject({ latestSize: 25, cosigned: latest.note, submitted: signedAt(honest, 10) });
    });
  });

  describe('when the log shows another root for the same size', () => {
    it('refuses it with LEDGER_SPLIT_VIEW carrying both signed checkpoints', () => {
      const latest = cosigned(honest, 10);
      const error = refusal(latest, { proof: [], signedCheckpoint: signedAt(forked, 10) });
      expect(error.code).toBe('LEDGER_SPLIT_VIEW');
      expect(error.status).toBe(409);
      expect(error.details).toMatchObject({
        cosigned: latest.note,
        submitted: signedAt(forked, 10),
        oldSize: 10,
        newSize: 10,
      });
    });
  });

  describe('when the new checkpoint does not extend the cosigned one', () => {
    it('refuses it with LEDGER_SPLIT_VIEW, even with the forked tree’s own proof', () => {
      const latest = cosigned(honest, 10);
      const proof = forked.consistencyProof(10, 25).hashes;
      const error = refusal(latest, { oldSize: 10, proof, signedCheckpoint: signedAt(forked, 25) });
      expect(error.code).toBe('LEDGER_SPLIT_VIEW');
      expect((error.details as { proof: string[] }).proof).toHaveLength(proof.length);
    });
  });

  it('refuses a proof of the wrong shape with LEDGER_PROOF_INVALID', () => {
    const proof = honest.consistencyProof(10, 25).hashes.slice(1);
    expect(refusal(cosigned(honest, 10), { proof, signedCheckpoint: signedAt(honest, 25) }).code).toBe(
      'LEDGER_PROOF_INVALID',
    );
  });

  it('refuses a non-empty proof from size 0 with LEDGER_PROOF_INVALID', () => {
    const proof = [new Uint8Array(32)];
    expect(refusal(undefined, { proof, signedCheckpoint: signedAt(honest, 5) }).code).toBe('LEDGER_PROOF_INVALID');
  });

  it('refuses an old size that is not the latest cosigned one with LEDGER_WITNESS_SIZE_MISMATCH', () => {
    const error = refusal(cosigned(honest, 10), { oldSize: 8, proof: [], signedCheckpoint: signedAt(honest, 25) });
    expect(error.code).toBe('LEDGER_WITNESS_SIZE_MISMATCH');
    expect(error.details).toEqual({ latestSize: 10 });
  });

  it('refuses an old size above the checkpoint size with LEDGER_SIZE_INVALID', () => {
    expect(refusal(undefined, { oldSize: 9, proof: [], signedCheckpoint: signedAt(honest, 5) }).code).toBe(
      'LEDGER_SIZE_INVALID',
    );
  });

  it('refuses an empty tree with a root other than SHA-256("") with LEDGER_CHECKPOINT_MALFORMED', () => {
    const signed = signCheckpoint({ origin, size: 0, rootHash: leaves[0]!, extensions: [] }, [logKey]);
    expect(refusal(undefined, { proof: [], signedCheckpoint: signed }).code).toBe('LEDGER_CHECKPOINT_MALFORMED');
  });

  it('refuses a checkpoint of another log with LEDGER_WITNESS_ORIGIN_UNKNOWN', () => {
    const other = ed25519NoteSigner('concord.example/KE', generateSigningKey());
    const signed = signCheckpoint({ origin: other.name, size: 1, rootHash: leaves[0]!, extensions: [] }, [other]);
    expect(refusal(undefined, { proof: [], signedCheckpoint: signed }).code).toBe('LEDGER_WITNESS_ORIGIN_UNKNOWN');
  });

  it('refuses a checkpoint not signed by the log key with LEDGER_NOTE_UNKNOWN_KEY', () => {
    const impostor = ed25519NoteSigner(origin, generateSigningKey());
    expect(refusal(undefined, { proof: [], signedCheckpoint: signedAt(honest, 5, impostor) }).code).toBe(
      'LEDGER_NOTE_UNKNOWN_KEY',
    );
  });
});
