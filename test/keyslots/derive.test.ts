// The slot-key derivation (seed 004): the documented KDF, checked against node:crypto's HKDF as an
// independent implementation, and the properties the escrow relies on.
import { hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  deriveSlotKeys,
  KEYS_LABEL,
  keysFromSeed,
  SEED_LABEL,
  slotSeed,
} from '../../applets/keyslots/derive.js';
import { concat, fromHex, toHex } from '../../card-os/bytes.js';
import { encodeIccid } from '../../host/codecs/iccid.js';

const MASTER = fromHex('755FD6F4944088DFB8CE566B181F9E4FF38547CF6B090080E25DCA795F0FF1C1');
const ICCID = encodeIccid('898821100000000000'); // 18 digits + Luhn, as EF.ICCID holds it

function nodeHkdf(ikm: Uint8Array, info: Uint8Array, len: number): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', ikm, new Uint8Array(0), info, len));
}

describe('slot key derivation (HKDF-SHA256, RFC 5869)', () => {
  it('seed_i and keys_i are the documented HKDF outputs (node:crypto agrees)', () => {
    const info = concat(new TextEncoder().encode(SEED_LABEL), Uint8Array.of(0), ICCID, Uint8Array.of(2));
    const seed = slotSeed(MASTER, ICCID, 2);
    expect(toHex(seed)).toBe(toHex(nodeHkdf(MASTER, info, 32)));
    const okm = nodeHkdf(seed, new TextEncoder().encode(KEYS_LABEL), 80);
    const keys = keysFromSeed(seed, 1);
    expect(toHex(keys.subscriber.k)).toBe(toHex(okm.subarray(0, 16)));
    expect(toHex(keys.subscriber.opc!)).toBe(toHex(okm.subarray(16, 32)));
    expect(toHex(keys.ota[0]!.kic!.key)).toBe(toHex(okm.subarray(32, 48)));
    expect(toHex(keys.ota[0]!.kid!.key)).toBe(toHex(okm.subarray(48, 64)));
    expect(toHex(keys.kik!)).toBe(toHex(okm.subarray(64, 80)));
    expect(keys.ota[0]).toMatchObject({ kvn: 1, kic: { alg: 'aes' }, kid: { alg: 'aes' } });
  });

  it('is bound to the master secret, the slot index and the card identity', () => {
    const k = (m: Uint8Array, iccid: Uint8Array, i: number) =>
      toHex(deriveSlotKeys(m, iccid, i, 1).subscriber.k);
    const base = k(MASTER, ICCID, 1);
    expect(k(MASTER, ICCID, 1)).toBe(base);
    expect(k(MASTER, ICCID, 2)).not.toBe(base);
    expect(k(MASTER, encodeIccid('898821100000000001'), 1)).not.toBe(base);
    const other = MASTER.slice();
    other[0]! ^= 1;
    expect(k(other, ICCID, 1)).not.toBe(base);
  });

  it('every key of a slot differs from every other (no two 16-byte parts equal)', () => {
    const d = deriveSlotKeys(MASTER, ICCID, 0, 1);
    const parts = [d.subscriber.k, d.subscriber.opc!, d.ota[0]!.kic!.key, d.ota[0]!.kid!.key, d.kik!].map(
      (p) => toHex(p),
    );
    expect(new Set(parts).size).toBe(5);
  });
});
