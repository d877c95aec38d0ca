// DES/3DES CBC-MAC for the OTA cryptographic checksum (TS 102 225 §5.1.3, KID algorithms DES-CBC and 3DES
// outer-CBC): ISO/IEC 9797-1 MAC algorithm 1 with padding method 1. IV = 0, the input is zero-padded to a
// multiple of 8 bytes (that padding is never transmitted), the MAC is the last cipher block (8 bytes).

import type { Bytes } from '../bytes.js';
import { DES_BLOCK, desCbcEncrypt } from './des.js';

const ZERO_IV = new Uint8Array(DES_BLOCK);

/** CBC-MAC over `data` with a DES (8), 2-key 3DES (16) or 3-key 3DES (24 byte) key. Returns 8 bytes. */
export function desCbcMac(key: Bytes, data: Bytes): Bytes {
  const padded = new Uint8Array(Math.max(DES_BLOCK, Math.ceil(data.length / DES_BLOCK) * DES_BLOCK));
  padded.set(data);
  const c = desCbcEncrypt(key, ZERO_IV, padded);
  return c.slice(c.length - DES_BLOCK);
}
