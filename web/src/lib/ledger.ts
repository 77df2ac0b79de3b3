/**
 * The console's one door to the ledger's browser-safe code (`src/ledger/browser.ts`: WebCrypto proof checks and
 * strict base64, document bundles). Nothing else under web/ imports from src/, so what the console trusts of the server's code stays
 * in one short list.
 */
export {
  checkBundle,
  checkConsistencyAsync,
  checkInclusionAsync,
  decodeBase64,
  webCryptoHasher,
  type BundleVerdict,
  type DocumentBundle,
  type ProofVerdict,
} from '../../../src/ledger/browser.js';
