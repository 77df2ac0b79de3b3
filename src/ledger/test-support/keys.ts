import { createPrivateKey, type KeyObject } from 'node:crypto';

/** An Ed25519 private key from its 32-byte RFC 8032 seed (PKCS #8 wrapping, RFC 8410). */
export function ed25519FromSeed(seed: Uint8Array): KeyObject {
  const prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  return createPrivateKey({ key: Buffer.concat([prefix, seed]), format: 'der', type: 'pkcs8' });
}

/**
 * A Go `note` signer key, `PRIVATE+KEY+<name>+<hash>+base64(0x01 ‖ seed)`, as a node:crypto key. For published
 * test vectors only.
 */
export function keyFromGoSignerKey(skey: string): { name: string; key: KeyObject } {
  const [prefix1, prefix2, name, hash, ...material] = skey.split('+');
  if (prefix1 !== 'PRIVATE' || prefix2 !== 'KEY' || !name || !hash) throw new Error('not a Go note signer key');
  const bytes = Buffer.from(material.join('+'), 'base64');
  if (bytes[0] !== 0x01 || bytes.length !== 33) throw new Error('not an Ed25519 signer key');
  return { name: name!, key: ed25519FromSeed(bytes.subarray(1)) };
}
