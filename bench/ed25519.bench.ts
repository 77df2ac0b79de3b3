import { sign, verify } from 'node:crypto';
import { generateSigningKey, signBytes, verifyBytes } from '../src/kernel/keys.js';
import { compare, type BenchResult } from './harness.js';

export const name = 'ed25519';

/** About the size of a canonical declaration, the typical signed message. */
const MESSAGE_BYTES = 1024;

export async function run(): Promise<BenchResult[]> {
  const pair = generateSigningKey();
  const message = Buffer.alloc(MESSAGE_BYTES, 0x5a);
  const signature = signBytes(message, pair);
  if (!signature.equals(sign(null, message, pair.privateKey))) throw new Error('ed25519: signatures differ');
  if (!verifyBytes(message, signature, pair.publicKey)) throw new Error('ed25519: our verify refused');

  const peer = 'node:crypto';
  return [
    await compare(name, `sign ${MESSAGE_BYTES} B`, () => signBytes(message, pair), {
      name: peer,
      fn: () => sign(null, message, pair.privateKey),
    }),
    await compare(name, `verify ${MESSAGE_BYTES} B`, () => verifyBytes(message, signature, pair.publicKey), {
      name: peer,
      fn: () => verify(null, message, pair.publicKey, signature),
    }),
  ];
}
