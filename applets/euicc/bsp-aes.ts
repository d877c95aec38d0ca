// AES-128-CBC (SP 800-38A, no padding) and AES-CMAC (SP 800-38B) for the BSP through node:crypto (OpenSSL):
// a Bound Profile Package runs tens of kilobytes through both on each end, where OpenSSL's AES is many
// times faster than the pure-JS block function of card-os/crypto/aes.ts (bench/bsp.ts, bench/download.ts).
// The CMAC is the last block of a CBC encryption of the message whose last block is masked with K1/K2
// (SP 800-38B §6.2), so it costs one OpenSSL call. The BSP vectors (test/euicc/bsp.test.ts) cover both.

import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { Bytes } from '../../card-os/bytes.js';

const BLOCK = 16;
const ZERO = new Uint8Array(BLOCK);

function algorithm(key: Bytes): string {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32)
    throw new RangeError('AES key must be 16, 24 or 32 bytes');
  return `aes-${key.length * 8}-cbc`;
}

export function cbcEncrypt(key: Bytes, iv: Bytes, data: Bytes): Bytes {
  if (data.length % BLOCK !== 0) throw new RangeError('AES-CBC data must be a whole number of blocks');
  const c = createCipheriv(algorithm(key), key, iv).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

export function cbcDecrypt(key: Bytes, iv: Bytes, data: Bytes): Bytes {
  if (data.length % BLOCK !== 0) throw new RangeError('AES-CBC data must be a whole number of blocks');
  const c = createDecipheriv(algorithm(key), key, iv).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/** Doubling in GF(2^128) (SP 800-38B §6.1). */
function dbl(b: Bytes): Bytes {
  const out = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) out[i] = ((b[i]! << 1) | (i + 1 < BLOCK ? b[i + 1]! >> 7 : 0)) & 0xff;
  if (b[0]! & 0x80) out[BLOCK - 1]! ^= 0x87;
  return out;
}

// The subkeys of the last few MAC keys (a BSP session uses one S-MAC for all its segments).
const subkeyCache = new Map<string, { k1: Bytes; k2: Bytes }>();

function subkeys(key: Bytes): { k1: Bytes; k2: Bytes } {
  const id = Buffer.from(key).toString('hex');
  let k = subkeyCache.get(id);
  if (!k) {
    const l = cbcEncrypt(key, ZERO, ZERO);
    const k1 = dbl(l);
    k = { k1, k2: dbl(k1) };
    if (subkeyCache.size >= 16) subkeyCache.delete(subkeyCache.keys().next().value!);
    subkeyCache.set(id, k);
  }
  return k;
}

/** The full 16-byte AES-CMAC of `data`. */
export function cmac(key: Bytes, data: Bytes): Bytes {
  const { k1, k2 } = subkeys(key);
  const complete = data.length > 0 && data.length % BLOCK === 0;
  const n = Math.max(1, Math.ceil(data.length / BLOCK));
  const m = new Uint8Array(n * BLOCK);
  m.set(data);
  if (!complete) m[data.length] = 0x80;
  const k = complete ? k1 : k2;
  for (let i = 0; i < BLOCK; i++) m[(n - 1) * BLOCK + i]! ^= k[i]!;
  return cbcEncrypt(key, ZERO, m).slice((n - 1) * BLOCK);
}
