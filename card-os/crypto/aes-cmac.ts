// AES-CMAC (NIST SP 800-38B, RFC 4493), the OTA cryptographic checksum for KID algorithm AES
// (TS 102 225 §5.1.3; the OTA layer truncates the tag to its first 8 bytes). Built on the cached key
// schedule of aes.ts; the subkeys K1/K2 are cached with it.

import type { Bytes } from '../bytes.js';
import { AES_BLOCK, type AesSchedule, aesSchedule, encryptWords, putWords, word } from './aes.js';

/** Doubling in GF(2^128), SP 800-38B §6.1: shift left one bit, xor 0x87 if the top bit fell off. */
function dbl(b: Bytes): Bytes {
  const out = new Uint8Array(AES_BLOCK);
  for (let i = 0; i < AES_BLOCK; i++)
    out[i] = ((b[i]! << 1) | (i + 1 < AES_BLOCK ? b[i + 1]! >> 7 : 0)) & 0xff;
  if (b[0]! & 0x80) out[AES_BLOCK - 1]! ^= 0x87;
  return out;
}

function subkeys(s: AesSchedule): { k1: Bytes; k2: Bytes } {
  if (!s.cmac) {
    const l = new Uint8Array(AES_BLOCK);
    const r = encryptWords(s, 0, 0, 0, 0);
    putWords(l, 0, r.s0, r.s1, r.s2, r.s3);
    const k1 = dbl(l);
    s.cmac = { k1, k2: dbl(k1) };
    l.fill(0);
  }
  return s.cmac;
}

/** The full 16-byte AES-CMAC of `data`. */
export function aesCmac(key: Bytes, data: Bytes): Bytes {
  const s = aesSchedule(key);
  const { k1, k2 } = subkeys(s);
  const n = Math.max(1, Math.ceil(data.length / AES_BLOCK));
  const complete = data.length > 0 && data.length % AES_BLOCK === 0;
  let x0 = 0;
  let x1 = 0;
  let x2 = 0;
  let x3 = 0;
  for (let i = 0, o = 0; i < n - 1; i++, o += AES_BLOCK) {
    const r = encryptWords(
      s,
      x0 ^ word(data, o),
      x1 ^ word(data, o + 4),
      x2 ^ word(data, o + 8),
      x3 ^ word(data, o + 12),
    );
    x0 = r.s0;
    x1 = r.s1;
    x2 = r.s2;
    x3 = r.s3;
  }
  // Last block: xor K1 if complete, else pad with 10* and xor K2.
  const last = new Uint8Array(AES_BLOCK);
  const tail = data.subarray((n - 1) * AES_BLOCK);
  last.set(tail);
  if (!complete) last[tail.length] = 0x80;
  const k = complete ? k1 : k2;
  for (let i = 0; i < AES_BLOCK; i++) last[i]! ^= k[i]!;
  const r = encryptWords(s, x0 ^ word(last, 0), x1 ^ word(last, 4), x2 ^ word(last, 8), x3 ^ word(last, 12));
  putWords(last, 0, r.s0, r.s1, r.s2, r.s3);
  return last;
}
