// EF.IMSI (6F07), TS 31.102 §4.2.2: byte 1 = number of bytes used; byte 2 = first digit (high nibble) and
// parity + identity type 001 (low nibble: 9 for an odd digit count, 1 for even); then swapped BCD.

import type { Bytes } from '../../card-os/bytes.js';
import { decodeSwappedBcd, encodeSwappedBcd } from './bcd.js';
import { digits } from './values.js';

/** TS 23.003 §2.2: at most 15 digits; MCC (3) + MNC (2..3) + at least one MSIN digit. */
export const imsiValue = digits(6, 15);

export function encodeImsi(imsi: string, length = 9): Bytes {
  if (!/^\d{6,15}$/.test(imsi)) throw new Error(`an IMSI has 6 to 15 decimal digits, not "${imsi}"`);
  const odd = imsi.length % 2 === 1;
  const used = Math.ceil((imsi.length + 1) / 2);
  const out = new Uint8Array(Math.max(length, used + 1)).fill(0xff);
  out[0] = used;
  out[1] = (Number(imsi[0]) << 4) | (odd ? 0x9 : 0x1);
  out.set(encodeSwappedBcd(imsi.slice(1)), 2);
  return out;
}

export function decodeImsi(b: Bytes): string | undefined {
  const used = b[0];
  if (used === undefined || used < 1 || used > 8 || b.length < used + 1) return undefined;
  const first = b[1]!;
  if ((first & 0x07) !== 0x01) return undefined; // identity type must be IMSI
  for (let i = used + 1; i < b.length; i++) if (b[i] !== 0xff) return undefined;
  const rest = decodeSwappedBcd(b.subarray(2, used + 1));
  if (rest === undefined || first >> 4 > 9) return undefined;
  const imsi = String(first >> 4) + rest;
  const odd = (first & 0x08) !== 0;
  if (odd !== (imsi.length % 2 === 1) || Math.ceil((imsi.length + 1) / 2) !== used) return undefined;
  return imsi;
}
