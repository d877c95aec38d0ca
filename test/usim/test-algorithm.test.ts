// The USIM test algorithm of TS 34.108 §8.1.2, against values worked out by hand from its definition:
// XDOUT = K xor RAND; RES = XDOUT bits 0..n-1; CK, IK = XDOUT rotated left by 8 and 16 bits; AK = XDOUT bits
// 24..71; MAC = XDOUT bits 0..63 xor (SQN || AMF); f1* and f5* as f1 and f5 (§8.1.2.2).

import { describe, expect, it } from 'vitest';
import {
  akaFor,
  decodeSubscriberKeys,
  encodeSubscriberKeys,
  replaceKeys,
  subscriberKeysProblem,
} from '../../applets/aka/subscriber-keys.js';
import { createTestAlgorithm } from '../../applets/aka/test-algorithm.js';
import { fromHex, toHex } from '../../card-os/bytes.js';

const K = fromHex('000102030405060708090A0B0C0D0E0F');
const RAND = fromHex('34343434343434343434343434343434');
// XDOUT = 34 35 36 37 30 31 32 33 3C 3D 3E 3F 38 39 3A 3B
const SQN = fromHex('000000000001');
const AMF = fromHex('8000');

describe('TS 34.108 §8.1.2 test algorithm', () => {
  it('f2-f5 from XDOUT', () => {
    const o = createTestAlgorithm(K).withRand(RAND).f2345();
    expect(toHex(o.res)).toBe('3435363730313233');
    expect(toHex(o.ck)).toBe('35363730313233 3C3D3E3F38393A3B34'.replace(' ', ''));
    expect(toHex(o.ik)).toBe('363730313233 3C3D3E3F38393A3B3435'.replace(' ', ''));
    expect(toHex(o.ak)).toBe('37303132333C');
  });

  it('f1, f1* = XDOUT[0..63] xor SQN||AMF; f5* = f5', () => {
    const r = createTestAlgorithm(K).withRand(RAND);
    expect(toHex(r.f1(SQN, AMF))).toBe('343536373030B233');
    expect(toHex(r.f1star(SQN, fromHex('0000')))).toBe('3435363730303233');
    expect(toHex(r.f5star())).toBe('37303132333C');
  });

  it('RES of n bytes (32..128 bits)', () => {
    expect(toHex(createTestAlgorithm(K, 4).withRand(RAND).f2345().res)).toBe('34353637');
    expect(toHex(createTestAlgorithm(K, 16).withRand(RAND).f2345().res)).toBe(
      '34353637303132333C3D3E3F38393A3B',
    );
    expect(() => createTestAlgorithm(K, 3)).toThrow(RangeError);
    expect(() => createTestAlgorithm(K.subarray(0, 15))).toThrow(RangeError);
  });

  it('key record: 03 ‖ RES length ‖ K, round trip, checks, key replacement keeps the algorithm', () => {
    const keys = { algorithm: 'test' as const, k: K, resLength: 8 };
    const rec = encodeSubscriberKeys(keys);
    expect(toHex(rec)).toBe(`0308${toHex(K)}`);
    expect(decodeSubscriberKeys(rec)).toEqual(keys);
    expect(decodeSubscriberKeys(fromHex(`0302${toHex(K)}`))).toBeUndefined();
    expect(decodeSubscriberKeys(rec.subarray(0, 17))).toBeUndefined();
    expect(subscriberKeysProblem({ ...keys, k: K.subarray(0, 8) })).toMatch(/16 bytes/);
    expect(toHex(akaFor(keys)!.withRand(RAND).f2345().res)).toBe('3435363730313233');
    const next = replaceKeys(keys, fromHex('FF'.repeat(16)), { opc: new Uint8Array(16) });
    expect(next).toEqual({ algorithm: 'test', k: fromHex('FF'.repeat(16)), resLength: 8 });
  });
});
