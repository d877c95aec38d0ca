// Randomness for the host side: key material and RANDs from node:crypto (drawn from a pooled buffer, one system call per
// few hundred keys, since a fleet of ten thousand cards needs a lot of it), and a seeded generator for the
// scenario's simulated losses, so that a run with faults can be replayed exactly.

import { randomFillSync } from 'node:crypto';
import type { Bytes } from '../card-os/bytes.js';

export type RandomBytes = (n: number) => Bytes;

export function cryptoRandom(poolSize = 16384): RandomBytes {
  const pool = new Uint8Array(poolSize);
  let used = pool.length;
  return (n) => {
    if (n > pool.length) return randomFillSync(new Uint8Array(n));
    if (used + n > pool.length) {
      randomFillSync(pool);
      used = 0;
    }
    const out = pool.slice(used, used + n);
    used += n;
    return out;
  };
}

/** Mulberry32: a small, fast, seeded generator of numbers in [0, 1) (not for keys). */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
