// The security functions applied to command and response packets, TS 102 225 §5.1.2 (ciphering:
// CBC with a zero IV), §5.1.3 (cryptographic checksum: DES/3DES CBC-MAC, AES-CMAC truncated to 8 bytes) and
// the redundancy check (CRC16/CRC32). Also resolves which key and algorithm a KIc/KID byte selects.

import type { Bytes } from '../../card-os/bytes.js';
import { AES_BLOCK, aesCbcDecrypt, aesCbcEncrypt } from '../../card-os/crypto/aes.js';
import { aesCmac } from '../../card-os/crypto/aes-cmac.js';
import { desCbcMac } from '../../card-os/crypto/cbc-mac.js';
import { crc16Bytes, crc32Bytes } from '../../card-os/crypto/crc.js';
import { DES_BLOCK, desCbcDecrypt, desCbcEncrypt } from '../../card-os/crypto/des.js';
import { type BlockAlg, blockAlgOf, type CrcAlg, crcAlgOf } from '../subscriptions/kic-kid.js';
import { keyFits, type OtaKey } from '../subscriptions/ota-records.js';

export { keyFits, type OtaKey };

export type CipherSuite = OtaKey;
export type IntegritySuite = { kind: 'rc'; crc: CrcAlg } | ({ kind: 'cc' } & OtaKey);

/** TS 102 225 §5.1.3: the CC is 8 bytes for DES/3DES (one block) and for AES (CMAC truncated to 8). */
export const CC_LENGTH = 8;

export function blockSize(alg: BlockAlg): number {
  return alg === 'aes' ? AES_BLOCK : DES_BLOCK;
}

/**
 * The key and algorithm a KIc byte (or a KID byte for a CC) selects from `key`, the matching key of the keyset
 * its key version names. An explicit algorithm must agree with the key's; 0 means "as the keyset says".
 */
export function resolveBlockKey(b: number, key: OtaKey | undefined): OtaKey | undefined {
  if (!key || !keyFits(key)) return undefined;
  const alg = blockAlgOf(b);
  if (alg === undefined || (alg !== 'implicit' && alg !== key.alg)) return undefined;
  return key;
}

export function resolveIntegrity(
  kind: 'rc' | 'cc',
  kid: number,
  key: OtaKey | undefined,
): IntegritySuite | undefined {
  if (kind === 'rc') {
    const crc = crcAlgOf(kid);
    return crc ? { kind, crc } : undefined;
  }
  const k = resolveBlockKey(kid, key);
  return k ? { kind, alg: k.alg, key: k.key } : undefined;
}

export function integrityLength(s: IntegritySuite): number {
  if (s.kind === 'cc') return CC_LENGTH;
  return s.crc === 'crc16' ? 2 : 4;
}

/** The RC or CC over `data` (the caller assembles the covered fields). */
export function integrityValue(s: IntegritySuite, data: Bytes): Bytes {
  if (s.kind === 'rc') return s.crc === 'crc16' ? crc16Bytes(data) : crc32Bytes(data);
  if (s.alg === 'aes') return aesCmac(s.key, data).subarray(0, CC_LENGTH);
  return desCbcMac(s.key, data);
}

/** Number of padding bytes that make `n` a whole number of cipher blocks. */
export function padLength(alg: BlockAlg, n: number): number {
  const bs = blockSize(alg);
  return (bs - (n % bs)) % bs;
}

/** CBC with IV = 0 over whole blocks (TS 102 225 §5.1.2). */
export function encipher(s: CipherSuite, data: Bytes): Bytes {
  return s.alg === 'aes' ? aesCbcEncrypt(s.key, ZERO_IV16, data) : desCbcEncrypt(s.key, ZERO_IV8, data);
}

export function decipher(s: CipherSuite, data: Bytes): Bytes {
  return s.alg === 'aes' ? aesCbcDecrypt(s.key, ZERO_IV16, data) : desCbcDecrypt(s.key, ZERO_IV8, data);
}

const ZERO_IV8 = new Uint8Array(DES_BLOCK);
const ZERO_IV16 = new Uint8Array(AES_BLOCK);
