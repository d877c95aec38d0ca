import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  computeOpc,
  createMilenage,
  gsmFromUmts,
  type MilenageConstants,
  STANDARD_CONSTANTS,
} from '../../applets/aka/milenage.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { MILENAGE_VECTORS } from './milenage-vectors.js';

const hex = (b: Uint8Array) => toHex(b).toLowerCase();

describe('Milenage, TS 35.207/35.208 test sets 1-7', () => {
  for (const v of MILENAGE_VECTORS) {
    describe(`set ${v.set}`, () => {
      const rand = fromHex(v.rand);
      const sqn = fromHex(v.sqn);
      const amf = fromHex(v.amf);

      it('OPc from OP', () => {
        expect(hex(computeOpc(fromHex(v.k), fromHex(v.op)))).toBe(v.opc);
        expect(hex(createMilenage({ k: fromHex(v.k), op: fromHex(v.op) }).opc)).toBe(v.opc);
      });

      for (const variant of ['opc', 'op'] as const) {
        it(`f1, f1*, f2, f3, f4, f5, f5* (keyed with ${variant})`, () => {
          const m =
            variant === 'opc'
              ? createMilenage({ k: fromHex(v.k), opc: fromHex(v.opc) })
              : createMilenage({ k: fromHex(v.k), op: fromHex(v.op) });
          expect(hex(m.f1(rand, sqn, amf))).toBe(v.f1);
          expect(hex(m.f1star(rand, sqn, amf))).toBe(v.f1star);
          const o = m.f2345(rand);
          expect(hex(o.res)).toBe(v.f2);
          expect(hex(o.ck)).toBe(v.f3);
          expect(hex(o.ik)).toBe(v.f4);
          expect(hex(o.ak)).toBe(v.f5);
          expect(hex(m.f5star(rand))).toBe(v.f5star);
        });
      }

      it('one round per RAND gives the same outputs', () => {
        const round = createMilenage({ k: fromHex(v.k), opc: fromHex(v.opc) }).withRand(rand);
        expect(hex(round.f1(sqn, amf))).toBe(v.f1);
        expect(hex(round.f2345().res)).toBe(v.f2);
        expect(hex(round.f1star(sqn, amf))).toBe(v.f1star);
        expect(hex(round.f5star())).toBe(v.f5star);
      });
    });
  }
});

describe('GSM conversion c2/c3 (TS 33.102 §6.8.1.2)', () => {
  it('matches TS 55.205 set 1 (SRES 46f8416a, Kc eae4be823af9a08b)', () => {
    const v = MILENAGE_VECTORS[0]!;
    const { sres, kc } = gsmFromUmts(fromHex(v.f2), fromHex(v.f3), fromHex(v.f4));
    expect(hex(sres)).toBe('46f8416a');
    expect(hex(kc)).toBe('eae4be823af9a08b');
  });

  it('c2 zero-pads a RES shorter than 128 bits and XORs its 32-bit words', () => {
    const ck = new Uint8Array(16);
    expect(hex(gsmFromUmts(fromHex('01020304'), ck, ck).sres)).toBe('01020304');
    expect(hex(gsmFromUmts(fromHex('0102030411'), ck, ck).sres)).toBe('10020304');
    expect(hex(gsmFromUmts(fromHex('00000001000000020000000400000008'), ck, ck).sres)).toBe('0000000f');
  });

  it('rejects RES outside 4..16 bytes and keys that are not 16 bytes', () => {
    const ck = new Uint8Array(16);
    expect(() => gsmFromUmts(new Uint8Array(3), ck, ck)).toThrow(RangeError);
    expect(() => gsmFromUmts(new Uint8Array(17), ck, ck)).toThrow(RangeError);
    expect(() => gsmFromUmts(new Uint8Array(8), new Uint8Array(15), ck)).toThrow(RangeError);
  });
});

// An independent, deliberately naive model of TS 35.206 §4.1 (BigInt rotation, node:crypto AES) to
// check the word-level code with constants other than the standard ones.
function aes(k: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-ecb', k, null);
  c.setAutoPadding(false);
  return new Uint8Array(c.update(block));
}
const big = (b: Uint8Array) => BigInt(`0x${toHex(b) || '0'}`);
const bytes16 = (n: bigint) => fromHex(n.toString(16).padStart(32, '0'));
const MASK = (1n << 128n) - 1n;
const rot = (x: bigint, r: number) => (r === 0 ? x : ((x << BigInt(r)) | (x >> BigInt(128 - r))) & MASK);

function reference(
  k: Uint8Array,
  opc: Uint8Array,
  c: MilenageConstants,
  rand: Uint8Array,
  sqn: Uint8Array,
  amf: Uint8Array,
) {
  const O = big(opc);
  const temp = big(aes(k, bytes16(big(rand) ^ O)));
  const in1 = big(Uint8Array.from([...sqn, ...amf, ...sqn, ...amf]));
  const out1 = big(aes(k, bytes16(temp ^ rot(in1 ^ O, c.r[0]) ^ big(c.c[0])))) ^ O;
  const outs = [1, 2, 3, 4].map((i) => big(aes(k, bytes16(rot(temp ^ O, c.r[i]!) ^ big(c.c[i]!)))) ^ O);
  return { out1: bytes16(out1), out: outs.map(bytes16) };
}

describe('configurable constants', () => {
  it('standard constants are r = 64,0,32,64,96 and c = 0,1,2,4,8', () => {
    expect(STANDARD_CONSTANTS.r).toEqual([64, 0, 32, 64, 96]);
    expect(STANDARD_CONSTANTS.c.map((c) => c[15])).toEqual([0, 1, 2, 4, 8]);
  });

  it('the reference model agrees with test set 1 (sanity of the model)', () => {
    const v = MILENAGE_VECTORS[0]!;
    const r = reference(
      fromHex(v.k),
      fromHex(v.opc),
      STANDARD_CONSTANTS,
      fromHex(v.rand),
      fromHex(v.sqn),
      fromHex(v.amf),
    );
    expect(hex(r.out1.subarray(0, 8))).toBe(v.f1);
    expect(hex(r.out[1]!)).toBe(v.f3);
  });

  it('arbitrary rotations (not multiples of 32) and constants match the reference model', () => {
    for (let t = 0; t < 40; t++) {
      const k = new Uint8Array(randomBytes(16));
      const opc = new Uint8Array(randomBytes(16));
      const rand = new Uint8Array(randomBytes(16));
      const sqn = new Uint8Array(randomBytes(6));
      const amf = new Uint8Array(randomBytes(2));
      const rs = Array.from({ length: 5 }, () => randomBytes(1)[0]! & 0x7f) as [
        number,
        number,
        number,
        number,
        number,
      ];
      if (t === 0) rs.splice(0, 5, 1, 31, 33, 127, 95);
      const constants: MilenageConstants = {
        r: rs,
        c: [0, 1, 2, 3, 4].map(() => new Uint8Array(randomBytes(16))) as unknown as MilenageConstants['c'],
      };
      const m = createMilenage({ k, opc }, constants);
      const ref = reference(k, opc, constants, rand, sqn, amf);
      expect(hex(m.f1(rand, sqn, amf))).toBe(hex(ref.out1.subarray(0, 8)));
      expect(hex(m.f1star(rand, sqn, amf))).toBe(hex(ref.out1.subarray(8, 16)));
      const o = m.f2345(rand);
      expect(hex(o.ak)).toBe(hex(ref.out[0]!.subarray(0, 6)));
      expect(hex(o.res)).toBe(hex(ref.out[0]!.subarray(8, 16)));
      expect(hex(o.ck)).toBe(hex(ref.out[1]!));
      expect(hex(o.ik)).toBe(hex(ref.out[2]!));
      expect(hex(m.f5star(rand))).toBe(hex(ref.out[3]!.subarray(0, 6)));
    }
  });

  it('rejects bad constants and wrong-length inputs with a RangeError', () => {
    const k = new Uint8Array(16);
    const bad = { r: [64, 0, 32, 64, 128], c: STANDARD_CONSTANTS.c } as unknown as MilenageConstants;
    expect(() => createMilenage({ k, opc: k }, bad)).toThrow(/r5/);
    const badC = { r: STANDARD_CONSTANTS.r, c: [...STANDARD_CONSTANTS.c.slice(0, 4), new Uint8Array(15)] };
    expect(() => createMilenage({ k, opc: k }, badC as unknown as MilenageConstants)).toThrow(/c5/);
    expect(() => createMilenage({ k: new Uint8Array(15), opc: k })).toThrow(RangeError);
    expect(() => createMilenage({ k, opc: new Uint8Array(17) })).toThrow(RangeError);
    const m = createMilenage({ k, opc: k });
    expect(() => m.f2345(new Uint8Array(15))).toThrow(RangeError);
    expect(() => m.f1(new Uint8Array(16), new Uint8Array(5), new Uint8Array(2))).toThrow(RangeError);
    expect(() => m.f1(new Uint8Array(16), new Uint8Array(6), new Uint8Array(3))).toThrow(RangeError);
  });

  it('opc is a copy', () => {
    const v = MILENAGE_VECTORS[0]!;
    const m = createMilenage({ k: fromHex(v.k), opc: fromHex(v.opc) });
    m.opc.fill(0);
    expect(hex(m.opc)).toBe(v.opc);
  });
});
