// The SUCI ECIES profiles against TS 33.501 Annex C.4, byte for byte, and the SIDF against the card side.
import { x25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeSuci,
  encodeSuci,
  msinBcd,
  msinFromBcd,
  parseSuciString,
  suciString,
} from '../../applets/usim/suci.js';
import { eciesConceal, eciesDeconceal, eciesKeyPair } from '../../applets/usim/suci-ecies.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { ANNEX_C4, outputA, outputB } from './vectors.js';

const hex = (b: Uint8Array | undefined) => (b ? toHex(b).toLowerCase() : 'undefined');
const plaintext = msinBcd(ANNEX_C4.msin);

describe('TS 33.501 Annex C.4 (module level)', () => {
  it('C.4.2 null scheme: the MSIN in BCD', () => {
    expect(hex(plaintext)).toBe(ANNEX_C4.nullOutput);
    expect(msinFromBcd(plaintext)).toBe(ANNEX_C4.msin);
  });

  for (const [name, v, out] of [
    ['A', ANNEX_C4.a, outputA],
    ['B', ANNEX_C4.b, outputB],
  ] as const) {
    it(`C.4.${name === 'A' ? 3 : 4} Profile ${name}: conceal and de-conceal`, () => {
      const eph = eciesKeyPair(name, fromHex(v.ephPrivate))!;
      expect(hex(eph.pub)).toBe(v.ephPublic);
      expect(hex(eciesKeyPair(name, fromHex(v.hnPrivate))!.pub)).toBe(v.hnPublic);
      expect(hex(eciesConceal(name, fromHex(v.hnPublic), eph, plaintext))).toBe(out);
      expect(hex(eciesDeconceal(name, fromHex(v.hnPrivate), fromHex(out)))).toBe(ANNEX_C4.nullOutput);
    });
  }

  it('Profile B takes the home network key uncompressed too', () => {
    const eph = eciesKeyPair('B', fromHex(ANNEX_C4.b.ephPrivate))!;
    expect(hex(eciesConceal('B', fromHex(ANNEX_C4.b.hnPublicUncompressed), eph, plaintext))).toBe(outputB);
  });
});

describe('node:crypto X25519 and P-256 against @noble/curves, and conceal/de-conceal with random keys', () => {
  it('same public keys, and every concealment opens with the matching private key', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (d, e) => {
          const hn = eciesKeyPair('A', d)!;
          expect(hex(hn.pub)).toBe(hex(x25519.getPublicKey(d)));
          const out = eciesConceal('A', hn.pub, eciesKeyPair('A', e)!, plaintext)!;
          expect(hex(eciesDeconceal('A', d, out))).toBe(ANNEX_C4.nullOutput);
          const hb = eciesKeyPair('B', d);
          if (!hb) return; // not a valid P-256 scalar
          expect(hex(hb.pub)).toBe(hex(p256.getPublicKey(d, true)));
          const eb = eciesKeyPair('B', e);
          if (!eb) return;
          expect(hex(eciesDeconceal('B', d, eciesConceal('B', hb.pub, eb, plaintext)!))).toBe(
            ANNEX_C4.nullOutput,
          );
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('SIDF refuses what it cannot trust, without throwing', () => {
  it('a changed bit anywhere in the output, a short output, a wrong key', () => {
    for (const [p, v, out] of [
      ['A', ANNEX_C4.a, outputA],
      ['B', ANNEX_C4.b, outputB],
    ] as const) {
      const o = fromHex(out);
      for (let i = 0; i < o.length; i++) {
        const bad = o.slice();
        bad[i]! ^= 0x01;
        expect(eciesDeconceal(p, fromHex(v.hnPrivate), bad)).toBeUndefined();
      }
      expect(eciesDeconceal(p, fromHex(v.hnPrivate), o.subarray(0, 20))).toBeUndefined();
      expect(eciesDeconceal(p, new Uint8Array(31), o)).toBeUndefined();
    }
    // The other profile's key, the other profile's output.
    expect(eciesDeconceal('A', fromHex(ANNEX_C4.b.hnPrivate), fromHex(outputA))).toBeUndefined();
    expect(eciesDeconceal('B', fromHex(ANNEX_C4.b.hnPrivate), fromHex(outputA))).toBeUndefined();
    // Invalid P-256 keys: zero scalar, point not on the curve.
    expect(eciesKeyPair('B', new Uint8Array(32))).toBeUndefined();
    const eph = eciesKeyPair('B', fromHex(ANNEX_C4.b.ephPrivate))!;
    const offCurve = fromHex(ANNEX_C4.b.hnPublicUncompressed);
    offCurve[64]! ^= 1;
    expect(eciesConceal('B', offCurve, eph, plaintext)).toBeUndefined();
  });

  it('random bytes never make it throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (b, a) => {
        const p = a ? 'A' : 'B';
        expect(() => eciesDeconceal(p, fromHex(ANNEX_C4.a.hnPrivate), b)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});

describe('SUCI encodings (TS 24.501 §9.11.3.4, TS 29.503 string form)', () => {
  it('binary form and string form round trip', () => {
    const s = {
      mcc: ANNEX_C4.mcc,
      mnc: ANNEX_C4.mnc,
      routingIndicator: '17',
      scheme: 1,
      keyId: 27,
      output: fromHex(outputA),
    };
    const b = encodeSuci(s);
    expect(hex(b.subarray(0, 8))).toBe('01722410' + '71ff' + '011b');
    expect(decodeSuci(b)).toEqual(s);
    expect(suciString(s)).toBe(`suci-0-274-012-17-1-27-${outputA}`);
    expect(parseSuciString(suciString(s))).toEqual(s);
    const n = { ...s, scheme: 0, keyId: 0, output: plaintext };
    expect(suciString(n)).toBe('suci-0-274-012-17-0-0-001002086');
    expect(parseSuciString(suciString(n))).toEqual(n);
  });

  it('malformed binary and string forms are refused', () => {
    expect(decodeSuci(fromHex('02722410f0ff0000'))).toBeUndefined(); // not SUCI/IMSI
    expect(decodeSuci(fromHex('01a22410f0ff0000'))).toBeUndefined(); // MCC digit A
    expect(decodeSuci(fromHex('01722410f1ff00'))).toBeUndefined(); // too short
    expect(decodeSuci(fromHex('017224101fff0000'))).toBeUndefined(); // digit after a filler
    expect(parseSuciString('suci-0-274-012-0-1-1-abc')).toBeUndefined();
    expect(parseSuciString('suci-1-274-012-0-1-1-ab')).toBeUndefined();
  });
});
