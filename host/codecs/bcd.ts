// "Swapped" BCD: two digits per byte, the earlier digit in the low nibble, F as filler.
// Used by EF.ICCID (TS 102 221 §13.2), EF.IMSI (TS 31.102 §4.2.2), dialling numbers (TS 31.102 §4.4.2.3)
// and emergency call codes (TS 31.102 §4.2.21).

import type { Bytes } from '../../card-os/bytes.js';

/** Plain decimal digits. */
export const DECIMAL = '0123456789';
/** Extended BCD of dialling numbers, TS 31.102 §4.4.2.3: A = '*', B = '#', C = DTMF separator, D = wild. */
export const DIALLING = '0123456789*#p?';

/** Packs `digits` into `length` bytes (default: just enough), padding with F nibbles. */
export function encodeSwappedBcd(
  digits: string,
  alphabet = DECIMAL,
  length = Math.ceil(digits.length / 2),
): Bytes {
  const out = new Uint8Array(length).fill(0xff);
  for (let i = 0; i < digits.length; i++) {
    const n = alphabet.indexOf(digits[i]!);
    if (n < 0) throw new Error(`"${digits[i]}" cannot be coded in BCD`);
    const byte = i >> 1;
    out[byte] = i & 1 ? (out[byte]! & 0x0f) | (n << 4) : (out[byte]! & 0xf0) | n;
  }
  return out;
}

/**
 * Unpacks swapped BCD up to the first F nibble. Undefined if a nibble outside `alphabet` appears, or if
 * anything but F follows the first F.
 */
export function decodeSwappedBcd(b: Bytes, alphabet = DECIMAL): string | undefined {
  let out = '';
  let ended = false;
  for (let i = 0; i < b.length * 2; i++) {
    const n = i & 1 ? b[i >> 1]! >> 4 : b[i >> 1]! & 0x0f;
    if (n === 0xf) {
      ended = true;
      continue;
    }
    if (ended || n >= alphabet.length) return undefined;
    out += alphabet[n];
  }
  return out;
}
