// Service tables: EF.UST (6F38, TS 31.102 §4.2.8), EF.EST (6F56, §4.2.47) and EF.IST (6F07, TS 31.103
// §4.2.7) share one coding. Service n is bit (n-1) mod 8 (b1 = least significant) of byte (n-1) div 8;
// 1 = available / enabled.

import type { Bytes } from './bytes.js';

export function encodeServiceTable(services: readonly number[], length?: number): Bytes {
  const max = services.reduce((m, n) => Math.max(m, n), 0);
  const size = length ?? Math.max(1, Math.ceil(max / 8));
  const seen = new Set<number>();
  const out = new Uint8Array(size);
  for (const n of services) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${n} is not a service number`);
    if (seen.has(n)) throw new Error(`service ${n} is listed twice`);
    if (n > size * 8)
      throw new Error(`service ${n} does not fit in a ${size}-byte table (services 1..${size * 8})`);
    seen.add(n);
    out[(n - 1) >> 3]! |= 1 << ((n - 1) & 7);
  }
  return out;
}

export function decodeServiceTable(b: Bytes): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length * 8; i++) if (b[i >> 3]! & (1 << (i & 7))) out.push(i + 1);
  return out;
}
