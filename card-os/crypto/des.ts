// DES and Triple-DES (FIPS 46-3 / SP 800-67) in CBC mode, as used for OTA ciphering (TS 102 225 §5.1.2,
// KIc algorithms DES-CBC, 3DES outer-CBC with 2 or 3 keys) and for the DES CBC-MAC (cbc-mac.ts).
//
// The key length selects the variant: 8 bytes single DES, 16 bytes 2-key 3DES (K1 K2 K1), 24 bytes 3-key 3DES.
// OpenSSL 3 moved single DES ('des-cbc') into the legacy provider, which Node 20 does not load. Single DES is
// run as EDE with three equal keys instead: E_K(D_K(E_K(x))) = E_K(x), so the result is exactly DES.
// "Outer CBC" 3DES (TS 102 225) is the ordinary 3DES-CBC: EDE on each block, one CBC chain around it.

import { createCipheriv, createDecipheriv } from 'node:crypto';
import { type Bytes, concat } from '../bytes.js';

export const DES_BLOCK = 8;

function openSslCipher(key: Bytes): { name: string; key: Bytes } {
  if (key.length === 8) return { name: 'des-ede3-cbc', key: concat(key, key, key) };
  if (key.length === 16) return { name: 'des-ede-cbc', key };
  if (key.length === 24) return { name: 'des-ede3-cbc', key };
  throw new RangeError('DES key must be 8, 16 or 24 bytes');
}

function run(encrypt: boolean, key: Bytes, iv: Bytes, data: Bytes): Bytes {
  if (data.length % DES_BLOCK !== 0) throw new RangeError('DES-CBC data must be a whole number of blocks');
  if (iv.length !== DES_BLOCK) throw new RangeError('DES-CBC IV must be 8 bytes');
  const c = openSslCipher(key);
  const cipher = encrypt ? createCipheriv(c.name, c.key, iv) : createDecipheriv(c.name, c.key, iv);
  cipher.setAutoPadding(false);
  const a = cipher.update(data);
  const b = cipher.final();
  if (c.key !== key) c.key.fill(0);
  // Copy out of node's Buffer pool so callers own plain, unshared bytes.
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** DES/3DES-CBC encryption without padding; `data` must be a multiple of 8 bytes. */
export function desCbcEncrypt(key: Bytes, iv: Bytes, data: Bytes): Bytes {
  return run(true, key, iv, data);
}

/** DES/3DES-CBC decryption without padding; `data` must be a multiple of 8 bytes. */
export function desCbcDecrypt(key: Bytes, iv: Bytes, data: Bytes): Bytes {
  return run(false, key, iv, data);
}
