/**
 * ISO 6346 letter values: A = 10 upward, skipping 11, 22 and 33 (multiples of the modulus), so that no letter is
 * worth the same as another modulo 11. Indexed by char code − 65 (A…Z), so that a lookup hashes nothing.
 */
const LETTER_VALUES: readonly number[] = (() => {
  const values: number[] = [];
  let value = 10;
  for (let code = 65; code <= 90; code++) {
    if (value % 11 === 0) value++;
    values.push(value++);
  }
  return values;
})();

/** Owner code (3 letters), equipment category (U freight, J detachable, Z trailer), 6-digit serial, check digit. */
const ISO6346 = /^[A-Z]{3}[UJZ]\d{7}$/;

/** The shape of an ISO 6346 container number, without checking its digit. */
export function isIso6346Format(id: string): boolean {
  return ISO6346.test(id);
}

/**
 * The check digit of the first ten characters of an ISO 6346 container number (ISO 6346:1995 Annex A): each
 * character's value times 2^position, summed, modulo 11; a remainder of 10 gives 0.
 *
 * @example
 * iso6346CheckDigit('CSQU305438'); // 3
 */
export function iso6346CheckDigit(first10: string): number {
  let sum = 0;
  let weight = 1; // 2^i
  for (let i = 0; i < 10; i++, weight *= 2) {
    const code = first10.charCodeAt(i);
    let value: number;
    if (i < 4) value = code >= 65 && code <= 90 ? LETTER_VALUES[code - 65]! : 0;
    // A digit by its char code; anything else (rare) as `Number` reads it, NaN or a missing character's 0 included.
    else value = code >= 48 && code <= 57 ? code - 48 : Number(first10[i] ?? '');
    sum += value * weight;
  }
  return (sum % 11) % 10;
}

/** True for a container number of ISO 6346 form whose check digit verifies. */
export function isValidContainerNumber(id: string): boolean {
  return ISO6346.test(id) && iso6346CheckDigit(id) === Number(id[10]);
}

/**
 * True for a valid IMO ship identification number (IMO resolution A.1078(28)): seven digits, the last being the sum
 * of the first six weighted 7 down to 2, modulo 10. A leading "IMO" and spaces are allowed.
 *
 * @example
 * isValidImoNumber('IMO 9074729'); // true
 */
export function isValidImoNumber(id: string): boolean {
  const digits = normalizeImoNumber(id);
  if (digits.length !== 7 || !isDigits(digits)) return false;
  return imoCheckDigit(digits.slice(0, 6)) === Number(digits[6]);
}

/** The check digit of the first six digits of an IMO number. */
export function imoCheckDigit(first6: string): number {
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += Number(first6[i]) * (7 - i);
  return sum % 10;
}

/** "IMO 9074729" → "9074729". */
export function normalizeImoNumber(id: string): string {
  // Most numbers come as bare digits already, which neither replacement changes.
  if (isDigits(id)) return id;
  return id.replace(/^\s*IMO\s*/i, '').replace(/\s+/g, '');
}

/** True for a non-empty string of ASCII digits; a loop, cheaper than a regular expression on such short strings. */
function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}
