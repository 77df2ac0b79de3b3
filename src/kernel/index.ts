export { ERROR_CATALOGUE, ConcordError, isConcordError, type ErrorCode } from './errors.js';
export { systemClock, ManualClock, type Clock } from './clock.js';
export { newId, newSecret } from './ids.js';
export { canonicalize, canonicalBytes } from './canonical-json.js';
export { sha256, sha256Hex } from './hash.js';
export { crashPoint, type CrashPoint } from './crash-point.js';
export {
  generateSigningKey,
  generateEncryptionKey,
  saveKeyPair,
  loadSigningKey,
  loadEncryptionKey,
  publicKeyFromJwk,
  jwkThumbprint,
  signBytes,
  verifyBytes,
  type SigningKeyPair,
  type EncryptionKeyPair,
  type PublicJwk,
} from './keys.js';
export { signJws, verifyJws, encryptJwe, decryptJwe, type VerifiedJws, type DecryptedJwe } from './jose.js';
