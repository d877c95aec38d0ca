// OBJECT IDENTIFIER contents (ITU-T X.690 §8.19) <-> dotted strings, for the template IDs of profile
// packages (2.23.143.1.2.x). Decoding returns undefined on malformed input.

import type { Bytes } from '../../../card-os/bytes.js';

export function decodeOid(b: Bytes): string | undefined {
  if (b.length === 0 || b[b.length - 1]! & 0x80) return undefined;
  const arcs: number[] = [];
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    if (n === 0 && b[i] === 0x80) return undefined; // X.690 §8.19.2: no leading 0x80 padding
    n = n * 128 + (b[i]! & 0x7f);
    if (n > Number.MAX_SAFE_INTEGER / 128) return undefined;
    if (!(b[i]! & 0x80)) {
      arcs.push(n);
      n = 0;
    }
  }
  const first = arcs.shift()!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

export function encodeOid(dotted: string): Bytes {
  const arcs = dotted.split('.').map(Number);
  const values = [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)];
  const out: number[] = [];
  for (const v of values) {
    const groups = [v & 0x7f];
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) groups.unshift((x & 0x7f) | 0x80);
    out.push(...groups);
  }
  return Uint8Array.from(out);
}
