// Symmetric primitives of card-os/crypto against published vectors: FIPS 81 (DES), SP 800-67 (3DES),
// SP 800-38A (AES-CBC), RFC 4493 (AES-CMAC), CRC check values, and the TS 102 225 CC of a real OTA packet.

import { cbc, cmac } from '@noble/ciphers/aes.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex } from '../../card-os/bytes.js';
import { aesCbcDecrypt, aesCbcEncrypt } from '../../card-os/crypto/aes.js';
import { aesCmac } from '../../card-os/crypto/aes-cmac.js';
import { desCbcMac } from '../../card-os/crypto/cbc-mac.js';
import { crc16, crc16Bytes, crc32, crc32Bytes } from '../../card-os/crypto/crc.js';
import { desCbcDecrypt, desCbcEncrypt } from '../../card-os/crypto/des.js';

const ascii = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => toHex(b).toLowerCase();
const Z8 = new Uint8Array(8);
const Z16 = new Uint8Array(16);

describe('DES / 3DES', () => {
  it('single DES, FIPS 81 Appendix B (ECB block, CBC)', () => {
    const key = fromHex('0123456789abcdef');
    expect(hex(desCbcEncrypt(key, Z8, ascii('Now is t')))).toBe('3fa40e8a984d4815');
    const iv = fromHex('1234567890abcdef');
    const ct = desCbcEncrypt(key, iv, ascii('Now is the time for all '));
    expect(hex(ct)).toBe('e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6');
    expect(desCbcDecrypt(key, iv, ct)).toEqual(ascii('Now is the time for all '));
  });

  it('3-key 3DES, SP 800-67 example (block by block)', () => {
    const key = fromHex('0123456789abcdef23456789abcdef01456789abcdef0123');
    const pt = ascii('The qufck brown fox jump');
    const ct = concat(...[0, 8, 16].map((o) => desCbcEncrypt(key, Z8, pt.subarray(o, o + 8))));
    expect(hex(ct)).toBe('a826fd8ce53b855fcce21c8112256fe668d5c05dd9b6b900');
  });

  it('2-key 3DES is 3-key 3DES with K3 = K1; equal keys give single DES', () => {
    const k1 = fromHex('0123456789abcdef');
    const k2 = fromHex('fedcba9876543210');
    const data = ascii('sixteen bytes!!!');
    expect(desCbcEncrypt(concat(k1, k2), Z8, data)).toEqual(desCbcEncrypt(concat(k1, k2, k1), Z8, data));
    expect(desCbcEncrypt(concat(k1, k1), Z8, data)).toEqual(desCbcEncrypt(k1, Z8, data));
  });

  it('rejects bad key, IV and data lengths', () => {
    expect(() => desCbcEncrypt(new Uint8Array(7), Z8, Z8)).toThrow(RangeError);
    expect(() => desCbcEncrypt(new Uint8Array(8), Z16, Z8)).toThrow(RangeError);
    expect(() => desCbcEncrypt(new Uint8Array(8), Z8, new Uint8Array(9))).toThrow(RangeError);
  });
});

describe('AES-CBC, SP 800-38A F.2.1/F.2.2', () => {
  const key = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
  const iv = fromHex('000102030405060708090a0b0c0d0e0f');
  const pt = fromHex(
    '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710',
  );
  const ct =
    '7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7';
  it('encrypts and decrypts', () => {
    expect(hex(aesCbcEncrypt(key, iv, pt))).toBe(ct);
    expect(aesCbcDecrypt(key, iv, fromHex(ct))).toEqual(pt);
  });
  it('rejects partial blocks and bad keys', () => {
    expect(() => aesCbcEncrypt(key, iv, new Uint8Array(15))).toThrow(RangeError);
    expect(() => aesCbcEncrypt(new Uint8Array(15), iv, Z16)).toThrow(RangeError);
  });
});

describe('AES-CMAC, RFC 4493 §4', () => {
  const key = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
  const m = fromHex(
    '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710',
  );
  const cases: [number, string][] = [
    [0, 'bb1d6929e95937287fa37d129b756746'],
    [16, '070a16b46b4d4144f79bdd9dd04a287c'],
    [40, 'dfa66747de9ae63030ca32611497c827'],
    [64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ];
  for (const [len, mac] of cases)
    it(`length ${len}`, () => expect(hex(aesCmac(key, m.subarray(0, len)))).toBe(mac));
});

describe('AES modes on cached key schedules agree with noble cbc()/cmac()', () => {
  const key = fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
  it('CBC, any key size, any offset of the input buffer', () => {
    fc.assert(
      fc.property(
        key,
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 0, max: 6 }),
        fc.nat(3),
        (k, iv, blocks, off) => {
          const buf = new Uint8Array(off + blocks * 16).map((_, i) => (i * 31 + k[0]!) & 0xff);
          const data = buf.subarray(off);
          const ct = aesCbcEncrypt(k, iv, data);
          expect(ct).toEqual(cbc(k, iv, { disablePadding: true }).encrypt(data));
          expect(aesCbcDecrypt(k, iv, ct)).toEqual(data);
        },
      ),
      { numRuns: 200 },
    );
  });
  it('CMAC, any key size and length', () => {
    fc.assert(
      fc.property(key, fc.uint8Array({ maxLength: 70 }), (k, m) => {
        expect(aesCmac(k, m)).toEqual(cmac(m, k));
      }),
      { numRuns: 300 },
    );
  });
  it('a key changed in place is never used with its old schedule', () => {
    const k = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
    const before = aesCmac(k, Z16);
    k[0]! ^= 1;
    expect(aesCmac(k, Z16)).toEqual(cmac(Z16, k));
    expect(aesCmac(k, Z16)).not.toEqual(before);
    expect(aesCbcEncrypt(k, Z16, Z16)).toEqual(cbc(k, Z16, { disablePadding: true }).encrypt(Z16));
  });
});

describe('CRC (TS 102 225 RC)', () => {
  it('CRC32 check values', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(hex(crc32Bytes(fromHex('0102030405')))).toBe('470b99f4');
  });
  it('CRC16 (X.25) check value', () => {
    expect(crc16(ascii('123456789'))).toBe(0x906e);
    expect(hex(crc16Bytes(ascii('123456789')))).toBe('906e');
  });
});

describe('CBC-MAC (TS 102 225 CC with DES/3DES)', () => {
  it('reproduces the CC of the sysmoISIM 3DES command packet', () => {
    // Deciphered packet of pySim's test_ota.py AES vector: CC 04ceaed74c102a01 over CPL..PCNTR, the data and 3 padding bytes.
    const covered = fromHex('00201506193535b00011 0000000000 03 00a40004023f00 000000');
    expect(hex(desCbcMac(fromHex('301102030405060708090a0b0c0d0e0f'), covered))).toBe('04ceaed74c102a01');
  });
  it('zero-pads a partial last block, and an empty input to one block', () => {
    const key = fromHex('0123456789abcdef');
    expect(desCbcMac(key, fromHex('01'))).toEqual(desCbcEncrypt(key, Z8, fromHex('0100000000000000')));
    expect(desCbcMac(key, new Uint8Array(0))).toEqual(desCbcEncrypt(key, Z8, Z8));
  });
});
