// EID (SGP.29 §2): 32 decimal digits, the last two a check number such that the whole number mod 97 = 1
// (ISO 7064 MOD 97-10, as for IBANs). Coded on the card as 16 bytes, two digits a byte, in reading order.

import type { Bytes } from '../../card-os/bytes.js';

/** The two check digits for the first 30 digits of an EID. */
export function eidCheckDigits(first30: string): string {
  const n = BigInt(`${first30}00`);
  return (98n - (n % 97n)).toString().padStart(2, '0');
}

/** Whether a 32-digit EID carries valid check digits. */
export function eidValid(eid: string): boolean {
  return /^[0-9]{32}$/.test(eid) && BigInt(eid) % 97n === 1n;
}

/** The 16 bytes of an EID (digit pairs as BCD, first digit high nibble). */
export function encodeEid(eid: string): Bytes {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = Number.parseInt(eid.slice(2 * i, 2 * i + 2), 16);
  return out;
}
