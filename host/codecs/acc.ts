// EF.ACC (6F78), TS 31.102 §4.2.15: access control classes 0..15 as a 16-bit big-endian bitmap,
// class n = bit n (class 0 = byte 2 b1, class 15 = byte 1 b8).

import type { Bytes } from '../../card-os/bytes.js';
import { decimal, list } from './values.js';

export const accValue = list(decimal(0, 15));

export function encodeAcc(classes: readonly number[]): Bytes {
  let v = 0;
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0 || c > 15) throw new Error(`${c} is not an access class (0..15)`);
    v |= 1 << c;
  }
  return Uint8Array.of(v >> 8, v & 0xff);
}

export function decodeAcc(b: Bytes): number[] | undefined {
  if (b.length !== 2) return undefined;
  const v = (b[0]! << 8) | b[1]!;
  const out: number[] = [];
  for (let c = 0; c < 16; c++) if (v & (1 << c)) out.push(c);
  return out;
}
