import { describe, expect, it } from 'vitest';
import { type MilenageConstants, STANDARD_CONSTANTS } from '../../applets/aka/milenage.js';
import {
  akaFor,
  decodeSubscriberKeys,
  encodeSubscriberKeys,
  type SubscriberKeys,
  subscriberKeysProblem,
} from '../../applets/aka/subscriber-keys.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { MILENAGE_VECTORS } from './milenage-vectors.js';

const v = MILENAGE_VECTORS[0]!;
const custom: MilenageConstants = {
  r: [1, 2, 3, 4, 127],
  c: [0, 1, 2, 3, 4].map((i) => new Uint8Array(16).fill(i + 0x10)) as unknown as MilenageConstants['c'],
};

describe('SubscriberKeys NVM record', () => {
  it('encodes OPc records as 01 00 K OPc', () => {
    const keys: SubscriberKeys = { algorithm: 'milenage', k: fromHex(v.k), opc: fromHex(v.opc) };
    const bytes = encodeSubscriberKeys(keys);
    expect(toHex(bytes).toLowerCase()).toBe(`0100${v.k}${v.opc}`);
    expect(decodeSubscriberKeys(bytes)).toEqual({ ...keys, constants: undefined });
  });

  it('round-trips OP records and own constants', () => {
    const keys: SubscriberKeys = {
      algorithm: 'milenage',
      k: fromHex(v.k),
      op: fromHex(v.op),
      constants: custom,
    };
    const bytes = encodeSubscriberKeys(keys);
    expect(bytes).toHaveLength(34 + 85);
    expect(bytes[1]).toBe(0x03);
    expect(decodeSubscriberKeys(bytes)).toEqual(keys);
  });

  it('returns undefined for malformed bytes', () => {
    const good = encodeSubscriberKeys({
      algorithm: 'milenage',
      k: fromHex(v.k),
      opc: fromHex(v.opc),
      constants: custom,
    });
    const bad = (f: (b: Uint8Array) => void) => {
      const b = good.slice();
      f(b);
      return decodeSubscriberKeys(b);
    };
    expect(decodeSubscriberKeys(good.subarray(0, 33))).toBeUndefined();
    expect(decodeSubscriberKeys(good.subarray(0, 34))).toBeUndefined(); // constants flag set, constants missing
    expect(bad((b) => (b[0] = 9))).toBeUndefined(); // unknown algorithm
    expect(bad((b) => (b[1] = 0x06))).toBeUndefined(); // unknown flag
    expect(bad((b) => (b[34] = 128))).toBeUndefined(); // r1 > 127
    expect(decodeSubscriberKeys(new Uint8Array(0))).toBeUndefined();
  });

  it('names what is wrong with a record, without key values', () => {
    const k = fromHex(v.k);
    expect(subscriberKeysProblem({ algorithm: 'milenage', k, opc: k })).toBeUndefined();
    expect(subscriberKeysProblem({ algorithm: 'xor', k, opc: k } as unknown as SubscriberKeys)).toMatch(
      /algorithm/,
    );
    expect(subscriberKeysProblem({ algorithm: 'milenage', k: k.subarray(1), opc: k })).toMatch(
      /K must be 16/,
    );
    expect(
      subscriberKeysProblem({ algorithm: 'milenage', k, opc: k, op: k } as unknown as SubscriberKeys),
    ).toMatch(/exactly one/);
    expect(subscriberKeysProblem({ algorithm: 'milenage', k } as unknown as SubscriberKeys)).toMatch(
      /exactly one/,
    );
    expect(subscriberKeysProblem({ algorithm: 'milenage', k, op: k.subarray(2) })).toMatch(/OP must be 16/);
    const badConstants = { r: STANDARD_CONSTANTS.r, c: [] } as unknown as MilenageConstants;
    expect(subscriberKeysProblem({ algorithm: 'milenage', k, opc: k, constants: badConstants })).toMatch(
      /c must hold/,
    );
  });

  it('prepares Milenage once per record and refuses unusable ones', () => {
    const keys: SubscriberKeys = { algorithm: 'milenage', k: fromHex(v.k), op: fromHex(v.op) };
    const m = akaFor(keys);
    expect(m).toBeDefined();
    expect(akaFor(keys)).toBe(m);
    // OPc derived from OP: the prepared round gives the set's RES.
    expect(toHex(m!.withRand(fromHex(v.rand)).f2345().res).toLowerCase()).toBe(v.f2);
    expect(m!.macLength).toBe(8);
    expect(akaFor({ ...keys })).not.toBe(m);
    expect(akaFor({ algorithm: 'milenage', k: new Uint8Array(3), opc: fromHex(v.opc) })).toBeUndefined();
    expect(akaFor(null as unknown as SubscriberKeys)).toBeUndefined();
  });
});
