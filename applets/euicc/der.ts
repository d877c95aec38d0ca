// The DER the ES10 functions carry (SGP.22 §5.7, ASN.1 module RSPDefinitions), read with the card's own
// BER-TLV codec: every accessor returns undefined on malformed input instead of throwing.

import type { Bytes } from '../../card-os/bytes.js';
import { ber, parseBer, readBer, type Tlv } from '../../card-os/tlv.js';

/** undefinedError(127): the result code every ES10 function of SGP.22 and SGP.32 shares. */
export const UNDEFINED_ERROR = 127;

/** The single TLV that fills `b` exactly, or undefined. */
export function whole(b: Bytes): Tlv | undefined {
  const t = readBer(b, 0);
  return t && t.length === b.length ? t : undefined;
}

/** The children of a constructed value (no padding bytes allowed in DER), or undefined. */
export function children(value: Bytes): Tlv[] | undefined {
  const out: Tlv[] = [];
  let off = 0;
  while (off < value.length) {
    const t = readBer(value, off);
    if (!t) return undefined;
    out.push(t);
    off += t.length;
  }
  return out;
}

export function child(list: Tlv[], tag: number): Tlv | undefined {
  return list.find((t) => t.tag === tag);
}

/** INTEGER content as a non-negative number (at most 4 bytes), or undefined. */
export function uint(b: Bytes | undefined): number | undefined {
  if (!b || b.length === 0 || b.length > 4) return undefined;
  let n = 0;
  for (const x of b) n = n * 256 + x;
  return n;
}

/** DER INTEGER content of a non-negative number. */
export function derUint(n: number): Bytes {
  const out: number[] = [];
  do {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  } while (n > 0);
  if (out[0]! & 0x80) out.unshift(0);
  return Uint8Array.from(out);
}

/** A result SEQUENCE `tag { 80 result }` as most ES10c functions answer. */
export function resultOnly(tag: number, result: number): Bytes {
  return ber(tag, ber(0x80, derUint(result)));
}

export const utf8 = (s: string): Bytes => new TextEncoder().encode(s);

/** A parse of a list of TLVs that tolerates no padding, for stored records (written by us). */
export function records(b: Bytes | undefined): Tlv[] {
  return (b && parseBer(b)) ?? [];
}
