import { createHmac, hkdfSync } from 'node:crypto';
import { canonicalize } from '../kernel/index.js';

/** HKDF salt (RFC 5869 §3.1): names the purpose and version of the derivation, so no other key collides with it. */
export const PSEUDONYM_HKDF_SALT = 'concord/agreements/pseudonym/v1';
/** Every pseudonym starts with this, so a reader (and a test) can tell a pseudonym from a value. */
export const PSEUDONYM_PREFIX = 'ps_';

/**
 * The HMAC key for pseudonyms sent to `partner` under `agreementId`:
 * `HKDF-SHA-256(ikm = node secret, salt = "concord/agreements/pseudonym/v1", info = agreementId 0x00 partner, L = 32)`.
 * One key per agreement and partner: the partner can link records about the same person under that agreement, but
 * two partners cannot link theirs, and nobody without the node secret can recompute a pseudonym from a name.
 */
export function derivePseudonymKey(secret: Uint8Array, agreementId: string, partner: string): Buffer {
  if (secret.length < 32) throw new RangeError('the pseudonym secret must have at least 32 bytes');
  return Buffer.from(hkdfSync('sha256', secret, PSEUDONYM_HKDF_SALT, `${agreementId}\u0000${partner}`, 32));
}

/**
 * Keyed pseudonyms: `ps_` + the first 132 bits of HMAC-SHA-256(key, value), base64url. Strings are normalized
 * first (Unicode NFKC, case folded, whitespace collapsed) so that "ACME  Trading" and "acme trading" link; other
 * values use their RFC 8785 form with a type prefix, so the string "1" and the number 1 differ.
 *
 * Pseudonyms are memoized: they are a pure function of key and value, and the same traders recur in thousands of
 * declarations, so the HMAC (about 3 µs) is paid once per distinct value until the memo fills and is cleared.
 */
export class Pseudonymizer {
  private readonly memo = new Map<string, string>();

  constructor(
    private readonly key: Buffer,
    private readonly memoSize = 8192,
  ) {}

  pseudonym(value: unknown): string {
    const memoKey = typeof value === 'string' ? value : `\u0000${typeof value}:${String(value)}`;
    const known = this.memo.get(memoKey);
    if (known !== undefined) return known;
    const input = typeof value === 'string' ? `s:${normalizeName(value)}` : `j:${canonicalize(value)}`;
    const pseudonym =
      PSEUDONYM_PREFIX + createHmac('sha256', this.key).update(input, 'utf8').digest('base64url').slice(0, 22);
    if (this.memo.size >= this.memoSize) this.memo.clear();
    this.memo.set(memoKey, pseudonym);
    return pseudonym;
  }
}

/** NFKC, lower case, trimmed, inner whitespace collapsed to one space. */
export function normalizeName(value: string): string {
  return value.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');
}
