// The AES primitives GP secure channels use (GPC v2.3 Amd D §4.1 / Annex B): CMAC, CBC without library
// padding, one-block ECB, ISO/IEC 9797-1 method 2 padding, and the key check value.

// CBC and CMAC are the card's shared ones (card-os/crypto: key schedules cached per key).

import type { Bytes } from '../../card-os/bytes.js';
import {
  AES_BLOCK,
  aesCbcDecrypt as cbcDecrypt,
  aesCbcEncrypt as cbcEncrypt,
} from '../../card-os/crypto/aes.js';
import { aesCmac as cmac } from '../../card-os/crypto/aes-cmac.js';

export const BLOCK = AES_BLOCK;
const ZERO_IV = new Uint8Array(BLOCK);

export function aesCmac(key: Bytes, msg: Bytes): Bytes {
  return cmac(key, msg);
}

/** AES-CBC over whole blocks (the caller pads). */
export function aesCbcEncrypt(key: Bytes, iv: Bytes, data: Bytes): Bytes {
  return cbcEncrypt(key, iv, data);
}

/** AES-CBC decryption of whole blocks; undefined when the length is not a block multiple. */
export function aesCbcDecrypt(key: Bytes, iv: Bytes, data: Bytes): Bytes | undefined {
  if (data.length % BLOCK !== 0) return undefined;
  return cbcDecrypt(key, iv, data);
}

/** One-block AES (ECB), as CBC with a zero IV over one block. */
export function aesBlock(key: Bytes, block: Bytes): Bytes {
  return cbcEncrypt(key, ZERO_IV, block);
}

/** ISO/IEC 9797-1 padding method 2 (GPC Annex B.2.3): 80 then 00s to a block multiple; always adds. */
export function pad80(data: Bytes): Bytes {
  const out = new Uint8Array((Math.floor(data.length / BLOCK) + 1) * BLOCK);
  out.set(data, 0);
  out[data.length] = 0x80;
  return out;
}

/** Strips method-2 padding; undefined when the last non-zero byte is not 80. */
export function unpad80(data: Bytes): Bytes | undefined {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0x00) i--;
  if (i < 0 || data[i] !== 0x80) return undefined;
  return data.subarray(0, i);
}

const KCV_INPUT = new Uint8Array(BLOCK).fill(0x01);

/**
 * Key check value of an AES key: the first 3 bytes of AES(key, 16 x '01'), as PUT KEY carries it for AES keys
 * (GPC v2.3 Amd D, DEK use for PUT KEY). Works for 16-, 24- and 32-byte keys.
 */
export function kcv(key: Bytes): Bytes {
  return aesBlock(key, KCV_INPUT).subarray(0, 3);
}
