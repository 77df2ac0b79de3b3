/**
 * Strict standard base64 (RFC 4648 §4, padded), as signed notes and checkpoints use it.
 *
 * Strict because these strings are signed or compared: `Buffer.from(s, 'base64')` and `atob` accept missing padding,
 * whitespace, the URL-safe alphabet and non-zero trailing bits, so two different strings could decode to the same
 * bytes. Here only the one canonical encoding of a byte string decodes. Browser-safe.
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The bytes `text` encodes, or undefined unless `text` is their canonical padded base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // Non-zero padding bits ("QR==" for "QQ==") decode, but are not the canonical encoding.
  return encodeBase64(bytes) === text ? bytes : undefined;
}
