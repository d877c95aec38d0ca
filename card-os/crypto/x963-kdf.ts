// ANSI X9.63 key derivation with SHA-256 (SEC 1 v2 §3.6.1): the KDF of SCP11 (GPC v2.3 Amd F) and of the
// SUCI ECIES profiles (TS 33.501 Annex C.3.2).
// K_i = SHA-256(Z || counter_i (32-bit big-endian, from 1) || SharedInfo); output = K_1 || K_2 || ..., cut.

import { sha256 } from '@noble/hashes/sha2.js';
import type { Bytes } from '../bytes.js';

const HASH_LEN = 32;

export function x963Kdf(z: Bytes, sharedInfo: Bytes, length: number): Bytes {
  const out = new Uint8Array(length);
  const counter = new Uint8Array(4);
  for (let i = 1, off = 0; off < length; i++, off += HASH_LEN) {
    new DataView(counter.buffer).setUint32(0, i);
    const block = sha256.create().update(z).update(counter).update(sharedInfo).digest();
    out.set(block.subarray(0, Math.min(HASH_LEN, length - off)), off);
  }
  return out;
}
