// The USIM test algorithm of TS 34.108 §8.1.2 (XOR based, for conformance testing; the GSMA TS.48
// generic test profiles use it): XDOUT = K ⊕ RAND, and every function is a slice or rotation of it.
//   f2 (RES)  = XDOUT bits 0..n-1 (n from 32 to 128, here a whole number of bytes)
//   f3 (CK)   = XDOUT rotated left by 8 bits;  f4 (IK) = XDOUT rotated left by 16 bits
//   f5 (AK)   = XDOUT bits 24..71 (bytes 3..8)
//   f1 (MAC)  = XDOUT bits 0..63 ⊕ CDOUT, CDOUT = SQN ‖ AMF (64 bits)
// §8.1.2.2 (re-synchronisation): f1* and f5* are computed like f1 and f5.
//
// Inputs of the wrong length throw a RangeError, as in milenage.ts: callers have checked lengths.

import type { Bytes } from '../../card-os/bytes.js';
import type { MilenageOutputs, MilenageRound } from './milenage.js';

/** RES length in bytes when a record does not say: 64 bits, the length the other algorithms give. */
export const TEST_ALGORITHM_RES_LENGTH = 8;

function need(b: Bytes, len: number, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== len) throw new RangeError(`${what} must be ${len} bytes`);
}

function rotateBytes(x: Bytes, n: number): Bytes {
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[(i + n) % x.length]!;
  return out;
}

/** The test algorithm for one key; `resLength` in bytes (4..16). */
export function createTestAlgorithm(
  k: Bytes,
  resLength = TEST_ALGORITHM_RES_LENGTH,
): { withRand(rand: Bytes): MilenageRound } {
  need(k, 16, 'K');
  if (!Number.isInteger(resLength) || resLength < 4 || resLength > 16)
    throw new RangeError('RES length must be 4 to 16 bytes');
  const key = Uint8Array.from(k);
  return {
    withRand(rand: Bytes): MilenageRound {
      need(rand, 16, 'RAND');
      const xdout = new Uint8Array(16);
      for (let i = 0; i < 16; i++) xdout[i] = key[i]! ^ rand[i]!;
      const mac = (sqn: Bytes, amf: Bytes): Bytes => {
        need(sqn, 6, 'SQN');
        need(amf, 2, 'AMF');
        const out = xdout.slice(0, 8);
        for (let i = 0; i < 6; i++) out[i]! ^= sqn[i]!;
        out[6]! ^= amf[0]!;
        out[7]! ^= amf[1]!;
        return out;
      };
      const ak = () => xdout.slice(3, 9);
      return {
        f1: mac,
        f1star: mac,
        f2345: (): MilenageOutputs => ({
          res: xdout.slice(0, resLength),
          ck: rotateBytes(xdout, 1),
          ik: rotateBytes(xdout, 2),
          ak: ak(),
        }),
        f5star: ak,
      };
    },
  };
}
