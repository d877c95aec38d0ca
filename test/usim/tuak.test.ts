import { describe, expect, it } from 'vitest';
import { computeTopc, createTuak, keccakF1600, tuakParamsProblem } from '../../applets/aka/tuak.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { KECCAK_VECTORS, KECCAK_ZERO_STATE_LANES, TUAK_VECTORS } from './tuak-vectors.js';

const hex = (b: Uint8Array) => toHex(b).toLowerCase();

/** 25 lanes as 64-bit numbers (hex) from a 200-byte state: lane i is bytes 8i..8i+7, little-endian. */
function lanes(state: Uint8Array): string[] {
  return Array.from({ length: 25 }, (_, i) => hex(state.slice(8 * i, 8 * i + 8).reverse()));
}

describe('Keccak-f[1600]', () => {
  for (const v of KECCAK_VECTORS) {
    it(v.name, () => {
      const s = fromHex(v.input);
      keccakF1600(s);
      expect(hex(s)).toBe(v.output);
    });
  }

  it('Keccak team intermediate values: the zero state after one and two permutations', () => {
    const s = new Uint8Array(200);
    keccakF1600(s);
    expect(lanes(s)).toEqual(KECCAK_ZERO_STATE_LANES.once);
    keccakF1600(s);
    expect(lanes(s)).toEqual(KECCAK_ZERO_STATE_LANES.twice);
    const t = new Uint8Array(200);
    keccakF1600(t, 2);
    expect(lanes(t)).toEqual(KECCAK_ZERO_STATE_LANES.twice);
  });

  it('refuses a state that is not 200 bytes', () => {
    expect(() => keccakF1600(new Uint8Array(199))).toThrow(RangeError);
  });
});

describe('TUAK, TS 35.232 test sets 1-6', () => {
  for (const v of TUAK_VECTORS) {
    const p = v.params;
    describe(`set ${v.set} (K ${v.k.length * 4}, MAC ${p.mac}, RES ${p.res}, CK ${p.ck}, IK ${p.ik}, ${p.iterations} iteration(s))`, () => {
      const k = fromHex(v.k);
      const rand = fromHex(v.rand);
      const sqn = fromHex(v.sqn);
      const amf = fromHex(v.amf);

      it('TOPc from TOP', () => {
        expect(hex(computeTopc(k, fromHex(v.top), p.iterations))).toBe(v.topc);
        expect(hex(createTuak({ k, top: fromHex(v.top) }, p).topc)).toBe(v.topc);
      });

      for (const variant of ['topc', 'top'] as const) {
        it(`f1, f1*, f2, f3, f4, f5, f5* (keyed with ${variant.toUpperCase()})`, () => {
          const t =
            variant === 'topc'
              ? createTuak({ k, topc: fromHex(v.topc) }, p)
              : createTuak({ k, top: fromHex(v.top) }, p);
          expect(hex(t.f1(rand, sqn, amf))).toBe(v.f1);
          expect(hex(t.f1star(rand, sqn, amf))).toBe(v.f1star);
          const o = t.f2345(rand);
          expect(hex(o.res)).toBe(v.f2);
          expect(hex(o.ck)).toBe(v.f3);
          expect(hex(o.ik)).toBe(v.f4);
          expect(hex(o.ak)).toBe(v.f5);
          expect(hex(t.f5star(rand))).toBe(v.f5star);
        });
      }
    });
  }

  it('the iteration count is part of the algorithm: set 5 with two iterations is not set 5', () => {
    const v = TUAK_VECTORS[4]!;
    const t = createTuak({ k: fromHex(v.k), topc: fromHex(v.topc) }, { ...v.params, iterations: 2 });
    expect(hex(t.f1(fromHex(v.rand), fromHex(v.sqn), fromHex(v.amf)))).not.toBe(v.f1);
  });
});

describe('TUAK input checks', () => {
  const k = new Uint8Array(16);
  const topc = new Uint8Array(32);
  it('K must be 128 or 256 bits, TOP/TOPc 256 bits, RAND 128, SQN 48, AMF 16', () => {
    expect(() => createTuak({ k: new Uint8Array(24), topc })).toThrow(/K must be 16 or 32 bytes/);
    expect(() => createTuak({ k, topc: new Uint8Array(16) })).toThrow(/TOPc must be 32 bytes/);
    expect(() => computeTopc(k, new Uint8Array(31))).toThrow(/TOP must be 32 bytes/);
    const t = createTuak({ k, topc });
    expect(() => t.withRand(new Uint8Array(15))).toThrow(/RAND/);
    expect(() => t.f1(new Uint8Array(16), new Uint8Array(5), new Uint8Array(2))).toThrow(/SQN/);
    expect(() => t.f1star(new Uint8Array(16), new Uint8Array(6), new Uint8Array(3))).toThrow(/AMF/);
  });

  it('only the lengths TS 35.231 allows', () => {
    const ok = { mac: 64, res: 64, ck: 128, ik: 128, iterations: 1 } as const;
    expect(tuakParamsProblem(ok)).toBeUndefined();
    expect(tuakParamsProblem({ ...ok, mac: 96 as never })).toMatch(/mac/);
    expect(tuakParamsProblem({ ...ok, res: 16 as never })).toMatch(/res/);
    expect(tuakParamsProblem({ ...ok, ck: 192 as never })).toMatch(/ck/);
    expect(tuakParamsProblem({ ...ok, ik: 64 as never })).toMatch(/ik/);
    expect(tuakParamsProblem({ ...ok, iterations: 0 })).toMatch(/iterations/);
    expect(tuakParamsProblem({ ...ok, iterations: 256 })).toMatch(/iterations/);
    expect(tuakParamsProblem({ ...ok, iterations: 1.5 })).toMatch(/iterations/);
    expect(() => createTuak({ k, topc }, { ...ok, mac: 32 as never })).toThrow(/mac/);
  });
});

describe('Keccak-f[1600] state alignment', () => {
  it('a state at an odd offset in its buffer gives the same permutation', () => {
    const v = KECCAK_VECTORS[0]!;
    const buf = new Uint8Array(201);
    buf.set(fromHex(v.input), 1);
    const s = buf.subarray(1);
    keccakF1600(s);
    expect(hex(s)).toBe(v.output);
  });
});
