// Redundancy checks for the OTA RC field (TS 102 225 §5.1.2, KID with SPI "RC"):
// - CRC16: ISO/IEC 13239 (polynomial x^16+x^12+x^5+1, reflected 0x8408), initial value FFFF, result
//   one's-complemented (the "X.25" CRC; check value of "123456789" is 906E).
// - CRC32: ISO/IEC 13239 / ITU-T V.42 (polynomial 04C11DB7, reflected EDB88320), initial value FFFFFFFF,
//   result one's-complemented (the zlib CRC-32; check value CBF43926).
// Both are transmitted most significant byte first.

import type { Bytes } from '../bytes.js';

function table(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
}

const T16 = table(0x8408);
const T32 = table(0xedb88320);

export function crc16(data: Bytes): number {
  let c = 0xffff;
  for (let i = 0; i < data.length; i++) c = (c >>> 8) ^ T16[(c ^ data[i]!) & 0xff]!;
  return (c ^ 0xffff) & 0xffff;
}

export function crc32(data: Bytes): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = (c >>> 8) ^ T32[(c ^ data[i]!) & 0xff]!;
  return (c ^ 0xffffffff) >>> 0;
}

/** CRC16 as the 2-byte RC field (big-endian). */
export function crc16Bytes(data: Bytes): Bytes {
  const c = crc16(data);
  return Uint8Array.of(c >>> 8, c & 0xff);
}

/** CRC32 as the 4-byte RC field (big-endian). */
export function crc32Bytes(data: Bytes): Bytes {
  const c = crc32(data);
  return Uint8Array.of(c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff);
}
