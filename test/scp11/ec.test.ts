// The two P-256 implementations agree with each other, and the X9.63 KDF with NIST CAVP.

import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { defaultP256, nobleP256, nodeP256, type P256 } from '../../applets/security-domain/ec.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { x963Kdf } from '../../card-os/crypto/x963-kdf.js';

const impls: [P256, P256][] = [
  [nodeP256, nobleP256],
  [nobleP256, nodeP256],
];
const msg = new TextEncoder().encode('GP certificate body');

describe('P-256: node:crypto and @noble/curves agree', () => {
  it('public keys and ECDH', () => {
    for (const [a, b] of impls) {
      for (let i = 0; i < 4; i++) {
        const k1 = a.generateKeyPair();
        const k2 = b.generateKeyPair();
        expect(k1.d.length).toBe(32);
        expect(toHex(b.publicKeyOf(k1.d)!)).toBe(toHex(k1.q));
        const s1 = a.ecdh(k1.d, k2.q)!;
        expect(s1.length).toBe(32);
        expect(toHex(b.ecdh(k2.d, k1.q)!)).toBe(toHex(s1));
        expect(toHex(b.ecdh(k1.d, k2.q)!)).toBe(toHex(s1));
      }
    }
  });

  it('signatures made by one verify with the other, DER and raw', () => {
    for (const [a, b] of impls) {
      const k = a.generateKeyPair();
      for (const format of ['der', 'raw'] as const) {
        const sig = a.sign(msg, k.d, format);
        if (format === 'raw') expect(sig.length).toBe(64);
        else expect(sig[0]).toBe(0x30);
        expect(b.verify(msg, sig, k.q)).toBe(true);
        expect(a.verify(msg, sig, k.q)).toBe(true);
        const bad = new Uint8Array(msg);
        bad[0]! ^= 1;
        expect(b.verify(bad, sig, k.q)).toBe(false);
        expect(b.verify(msg, sig, a.generateKeyPair().q)).toBe(false);
      }
    }
  });

  it('high-s signatures are valid ECDSA and accepted by both', () => {
    const k = nobleP256.generateKeyPair();
    const sig = p256.Signature.fromBytes(nobleP256.sign(msg, k.d, 'raw'), 'compact');
    const high = new p256.Signature(sig.r, p256.Point.CURVE().n - sig.s).toBytes('compact');
    for (const ec of [nodeP256, nobleP256]) expect(ec.verify(msg, high, k.q)).toBe(true);
  });

  it('invalid inputs give undefined / false, never an exception', () => {
    const k = nodeP256.generateKeyPair();
    const offCurve = new Uint8Array(k.q);
    offCurve[64]! ^= 1;
    const compressed = p256.getPublicKey(k.d, true);
    for (const ec of [nodeP256, nobleP256]) {
      expect(ec.isValidPublicKey(k.q)).toBe(true);
      expect(ec.isValidPublicKey(offCurve)).toBe(false);
      expect(ec.isValidPublicKey(compressed)).toBe(false);
      expect(ec.ecdh(k.d, offCurve)).toBeUndefined();
      expect(ec.ecdh(new Uint8Array(31), k.q)).toBeUndefined();
      expect(ec.ecdh(new Uint8Array(32), k.q)).toBeUndefined();
      expect(ec.publicKeyOf(new Uint8Array(32))).toBeUndefined();
      expect(ec.publicKeyOf(new Uint8Array(32).fill(0xff))).toBeUndefined();
      expect(ec.verify(msg, new Uint8Array(64), k.q)).toBe(false);
      expect(ec.verify(msg, fromHex('3006020101020101'), k.q)).toBe(false);
      expect(ec.verify(msg, new Uint8Array(3), k.q)).toBe(false);
      expect(ec.verify(msg, nodeP256.sign(msg, k.d, 'raw'), offCurve)).toBe(false);
    }
  });

  it('the default is node:crypto (the faster one, see bench/scp11.ts)', () => {
    expect(defaultP256).toBe(nodeP256);
  });
});

describe('X9.63 KDF (SHA-256): NIST CAVP ansx963_2001', () => {
  it.each([
    ['96c05619d56c328ab95fe84b18264b08725b85e33fd34f08', '', '443024c3dae66b95e6f5670601558f71'],
    ['96f600b73ad6ac5629577eced51743dd2c24c21b1ac83ee4', '', 'b6295162a7804f5667ba9070f82fa522'],
    [
      '22518b10e70f2a3f243810ae3254139efbee04aa57c7af7d',
      '75eef81aa3041e33b80971203d2c0c52',
      'c498af77161cc59f2962b9a713e2b215152d139766ce34a776df11866a69bf2e52a13d9c7c6fc878c50c5ea0bc7b00e0da2447cfd874f6cf92f30d0097111485500c90c3af8b487872d04685d14c8d1dc8d7fa08beb0ce0ababc11f0bd496269142d43525a78e5bc79a17f59676a5706dc54d54d4d1f0bd7e386128ec26afc21',
    ],
    [
      '7e335afa4b31d772c0635c7b0e06f26fcd781df947d2990a',
      'd65a4812733f8cdbcdfb4b2f4c191d87',
      'c0bd9e38a8f9de14c2acd35b2f3410c6988cf02400543631e0d6a4c1d030365acbf398115e51aaddebdc9590664210f9aa9fed770d4c57edeafa0b8c14f93300865251218c262d63dadc47dfa0e0284826793985137e0a544ec80abf2fdf5ab90bdaea66204012efe34971dc431d625cd9a329b8217cc8fd0d9f02b13f2f6b0b',
    ],
  ])('Z=%s', (z, info, expected) => {
    expect(toHex(x963Kdf(fromHex(z), fromHex(info), expected.length / 2)).toLowerCase()).toBe(expected);
  });
});
