// AES (FIPS 197) in CBC mode without padding (SP 800-38A), as used for OTA ciphering with KIc algorithm
// AES (TS 102 225 §5.1.2), plus the block function the CMAC (aes-cmac.ts) is built on.
//
// The block cipher is noble's. Its high-level cbc()/cmac() expand the key on every call, which was most of
// the cost of an OTA packet (four AES operations with the same two keys), so the expanded key schedules are
// cached per key buffer here and the modes drive noble's block function directly. A cached schedule is
// checked against a copy of the key on every use: a key changed or wiped in place is never used stale.
// The modes are tested against SP 800-38A / RFC 4493 vectors and against noble's own cbc()/cmac().

import { unsafe } from '@noble/ciphers/aes.js';
import { type Bytes, equal } from '../bytes.js';

export const AES_BLOCK = 16;

export function isAesKeyLength(n: number): boolean {
  return n === 16 || n === 24 || n === 32;
}

export interface AesSchedule {
  /** Copy of the key the schedule was expanded from. */
  readonly key: Bytes;
  readonly enc: Uint32Array;
  dec?: Uint32Array;
  /** CMAC subkeys K1, K2 (SP 800-38B §6.1), filled by aes-cmac.ts. */
  cmac?: { k1: Bytes; k2: Bytes };
}

const schedules = new WeakMap<Bytes, AesSchedule>();

/** The expanded key for `key` (16, 24 or 32 bytes), from the cache when the key is unchanged. */
export function aesSchedule(key: Bytes): AesSchedule {
  if (!isAesKeyLength(key.length)) throw new RangeError('AES key must be 16, 24 or 32 bytes');
  const s = schedules.get(key);
  if (s && equal(s.key, key)) return s;
  if (s) wipeSchedule(s);
  const fresh: AesSchedule = { key: key.slice(), enc: unsafe.expandKeyLE(key) };
  schedules.set(key, fresh);
  return fresh;
}

function wipeSchedule(s: AesSchedule): void {
  s.key.fill(0);
  s.enc.fill(0);
  s.dec?.fill(0);
  s.cmac?.k1.fill(0);
  s.cmac?.k2.fill(0);
}

/** Little-endian 32-bit word at `o`: noble's block function works on LE words. */
export function word(b: Bytes, o: number): number {
  return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
}

export function putWords(out: Bytes, o: number, s0: number, s1: number, s2: number, s3: number): void {
  putWord(out, o, s0);
  putWord(out, o + 4, s1);
  putWord(out, o + 8, s2);
  putWord(out, o + 12, s3);
}

function putWord(out: Bytes, o: number, w: number): void {
  out[o] = w & 0xff;
  out[o + 1] = (w >>> 8) & 0xff;
  out[o + 2] = (w >>> 16) & 0xff;
  out[o + 3] = w >>> 24;
}

/** One AES block encryption on LE words. */
export function encryptWords(
  s: AesSchedule,
  s0: number,
  s1: number,
  s2: number,
  s3: number,
): { s0: number; s1: number; s2: number; s3: number } {
  return unsafe.encrypt(s.enc, s0, s1, s2, s3);
}

function check(iv: Bytes, data: Bytes): void {
  if (iv.length !== AES_BLOCK) throw new RangeError('AES-CBC IV must be 16 bytes');
  if (data.length % AES_BLOCK !== 0) throw new RangeError('AES-CBC data must be a whole number of blocks');
}

/** AES-CBC encryption without padding; `data` must be a multiple of 16 bytes. */
export function aesCbcEncrypt(key: Bytes, iv: Bytes, data: Bytes): Bytes {
  const s = aesSchedule(key);
  check(iv, data);
  const out = new Uint8Array(data.length);
  let c0 = word(iv, 0);
  let c1 = word(iv, 4);
  let c2 = word(iv, 8);
  let c3 = word(iv, 12);
  for (let o = 0; o < data.length; o += AES_BLOCK) {
    const r = unsafe.encrypt(
      s.enc,
      c0 ^ word(data, o),
      c1 ^ word(data, o + 4),
      c2 ^ word(data, o + 8),
      c3 ^ word(data, o + 12),
    );
    c0 = r.s0;
    c1 = r.s1;
    c2 = r.s2;
    c3 = r.s3;
    putWords(out, o, c0, c1, c2, c3);
  }
  return out;
}

/** AES-CBC decryption without padding; `data` must be a multiple of 16 bytes. */
export function aesCbcDecrypt(key: Bytes, iv: Bytes, data: Bytes): Bytes {
  const s = aesSchedule(key);
  check(iv, data);
  s.dec ??= unsafe.expandKeyDecLE(s.key);
  const out = new Uint8Array(data.length);
  let p0 = word(iv, 0);
  let p1 = word(iv, 4);
  let p2 = word(iv, 8);
  let p3 = word(iv, 12);
  for (let o = 0; o < data.length; o += AES_BLOCK) {
    const c0 = word(data, o);
    const c1 = word(data, o + 4);
    const c2 = word(data, o + 8);
    const c3 = word(data, o + 12);
    const r = unsafe.decrypt(s.dec, c0, c1, c2, c3);
    putWords(out, o, r.s0 ^ p0, r.s1 ^ p1, r.s2 ^ p2, r.s3 ^ p3);
    p0 = c0;
    p1 = c1;
    p2 = c2;
    p3 = c3;
  }
  return out;
}
