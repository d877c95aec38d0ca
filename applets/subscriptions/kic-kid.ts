// Coding of the KIc and KID bytes, TS 102 225 §5.1.2 / §5.1.3 (and TS 31.115 §6): b8..b5 the key version
// (keyset) number, b4..b1 the algorithm.
//   KIc, and KID when SPI asks for a cryptographic checksum:
//     b2b1 = 00 algorithm known implicitly, 01 DES, 10 AES, 11 proprietary;
//     with DES, b4b3 = 00 DES-CBC, 01 3DES outer-CBC 2 keys, 10 3DES outer-CBC 3 keys, 11 DES-ECB (KIc);
//     with AES, b4b3 = 00 AES-CBC (KIc) / AES-CMAC (KID); the key length gives AES-128/192/256.
//   KID when SPI asks for a redundancy check: b2b1 = 01 CRC, b4b3 = 00 CRC16, 01 CRC32.

/** The block cipher a key is for; the mode (CBC, CBC-MAC, CMAC) follows from its use. */
export type BlockAlg = 'des' | '3des2' | '3des3' | 'aes';
export type CrcAlg = 'crc16' | 'crc32';

const BLOCK_CODE: Record<BlockAlg, number> = { des: 0x1, '3des2': 0x5, '3des3': 0x9, aes: 0x2 };
const CRC_CODE: Record<CrcAlg, number> = { crc16: 0x1, crc32: 0x5 };
/** Algorithm nibble -> algorithm (the inverse tables, indexed by b4..b1). */
const BLOCK_BY_CODE: (BlockAlg | undefined)[] = [];
const CRC_BY_CODE: (CrcAlg | undefined)[] = [];
for (const [alg, code] of Object.entries(BLOCK_CODE)) BLOCK_BY_CODE[code] = alg as BlockAlg;
for (const [alg, code] of Object.entries(CRC_CODE)) CRC_BY_CODE[code] = alg as CrcAlg;

export function kvnOf(b: number): number {
  return (b >> 4) & 0x0f;
}

/**
 * The block algorithm coded in a KIc, or in a KID used for a cryptographic checksum. 'implicit' for b4..b1 = 0
 * (the keyset says); undefined for codings we do not implement (DES-ECB, proprietary, reserved).
 */
export function blockAlgOf(b: number): BlockAlg | 'implicit' | undefined {
  const low = b & 0x0f;
  return low === 0 ? 'implicit' : BLOCK_BY_CODE[low];
}

/** The CRC coded in a KID used for a redundancy check; undefined for anything else. */
export function crcAlgOf(kid: number): CrcAlg | undefined {
  return CRC_BY_CODE[kid & 0x0f];
}

/** KIc, or KID for a cryptographic checksum: key version and explicit algorithm. */
export function blockKeyByte(kvn: number, alg: BlockAlg): number {
  return ((kvn & 0x0f) << 4) | BLOCK_CODE[alg];
}

/** KID for a redundancy check. The key version nibble is unused by CRCs and is usually 0. */
export function crcKeyByte(alg: CrcAlg, kvn = 0): number {
  return ((kvn & 0x0f) << 4) | CRC_CODE[alg];
}
