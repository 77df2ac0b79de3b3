/**
 * The part of the ledger that runs in the browser: proof checking on WebCrypto, base64, and document bundles. Nothing reachable from
 * here imports a `node:` module or the kernel at run time (a test bundles it for the browser to keep it so). The web
 * console imports this file, not index.ts.
 *
 * @example
 * import { checkInclusionAsync, webCryptoHasher, decodeBase64 } from '../src/ledger/browser.js';
 * const verdict = await checkInclusionAsync(webCryptoHasher, proof, leafHash, rootHash);
 */
export { HASH_SIZE, webCryptoHasher, bytesEqual, type AsyncMerkleHasher, type MerkleHasher } from './hasher.js';
export { type ProofVerdict, type ProofFailure, type ProofErrorCode } from './proof-verdict.js';
export { checkInclusion, checkInclusionAsync, type InclusionProof } from './inclusion-proof.js';
export { checkConsistency, checkConsistencyAsync, type ConsistencyProof } from './consistency-proof.js';
export { encodeBase64, decodeBase64 } from './base64.js';
export {
  BUNDLE_FORMAT,
  checkBundle,
  type DocumentBundle,
  type BundleEntry,
  type BundleStatus,
  type BundleVerdict,
  type CheckBundleOptions,
} from './bundle.js';
