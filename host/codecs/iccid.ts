// EF.ICCID (2FE2), TS 102 221 §13.2: the ICC identification number (ITU-T E.118) in swapped BCD, 10 bytes,
// F-padded. Check digit: Luhn over the preceding digits.

import type { Bytes } from '../../card-os/bytes.js';
import { DECIMAL, decodeSwappedBcd, encodeSwappedBcd } from './bcd.js';
import { scalar } from './values.js';

/** Luhn check digit of a digit string (ISO/IEC 7812-1 Annex B). */
export function luhnDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    // Doubling starts with the rightmost digit of the body (it sits next to the check digit).
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function hasValidLuhn(full: string): boolean {
  return luhnDigit(full.slice(0, -1)) === Number(full[full.length - 1]);
}

/**
 * Completes an ICCID the way ITU-T E.118 and TS 102 221 §13.2 describe: 18 digits get their Luhn digit appended;
 * 19 digits are kept when the last one is a valid Luhn digit, otherwise a Luhn digit is appended (making
 * a 20-digit ICCID); 20 digits must end in a valid Luhn digit.
 */
export function completeIccid(digits: string): string {
  if (!/^\d{18,20}$/.test(digits)) throw new Error(`an ICCID has 18 to 20 decimal digits, not "${digits}"`);
  if (digits.length === 18) return digits + luhnDigit(digits);
  if (digits.length === 19) return hasValidLuhn(digits) ? digits : digits + luhnDigit(digits);
  if (!hasValidLuhn(digits)) {
    throw new Error(`Luhn check digit of ${digits} should be ${luhnDigit(digits.slice(0, -1))}`);
  }
  return digits;
}

export const iccidValue = scalar<string>((t) => ({ ok: t }));

export function encodeIccid(digits: string, length = 10): Bytes {
  return encodeSwappedBcd(completeIccid(digits), DECIMAL, length);
}

export function decodeIccid(b: Bytes): string | undefined {
  const d = decodeSwappedBcd(b);
  return d && d.length >= 18 ? d : undefined;
}
