// TUAK, the second 3GPP example algorithm set for f1, f1*, f2, f3, f4, f5 and f5* (TS 35.231), built on the
// Keccak-f[1600] permutation (TS 35.231 §5.2 and Annex C; the same permutation as FIPS 202).
//
// Every function is one call of the same shape (TS 35.231 §6): a 1600-bit IN is assembled from TOPc,
// INSTANCE, ALGONAME, RAND, AMF, SQN and K plus fixed padding, the permutation is applied KeccakIterations
// times, and the result is read from the front of OUT. TS 35.231 numbers bits from the most significant end
// of each value and places IN[0] at the least significant bit of Keccak's first byte; in bytes this means
// every multi-byte field is written last byte first, and every output is read the same way (reversed).
// INSTANCE is the one field whose bits are given directly as a byte value (TS 35.231 §6.2-6.6).
//
// Byte layout of IN (200 bytes):
//   0..31    TOPc (for the TOPc derivation itself: TOP)
//   32       INSTANCE
//   33..39   ALGONAME "TUAK1.0"
//   40..55   RAND (zero for TOPc)
//   56..57   AMF, 58..63 SQN (f1 and f1* only; zero otherwise)
//   64..95   K (a 128-bit K fills 64..79, the rest stays zero)
//   96 = 1F, 135 = 80 (the sponge padding of a 1088-bit rate), the rest zero
//
// The permutation is @noble/hashes' keccakP (the one its SHA-3 uses) on 50 32-bit little-endian lane halves:
// a view of the bytes on a little-endian platform, a converted copy elsewhere.
//
// Inputs of the wrong length throw a RangeError: these functions are the algorithm, called by code that has
// already checked lengths (the card's key record decoder, the AuC record checks).

import { keccakP } from '@noble/hashes/sha3.js';
import type { Bytes } from '../../card-os/bytes.js';

/**
 * Output lengths in bits and the iteration count, the operator's choices of TS 35.231 §4: MAC-A/MAC-S 64,
 * 128 or 256; RES 32, 64, 128 or 256; CK and IK 128 or 256; KeccakIterations ≥ 1 (1 is the usual value).
 */
export interface TuakParams {
  readonly mac: 64 | 128 | 256;
  readonly res: 32 | 64 | 128 | 256;
  readonly ck: 128 | 256;
  readonly ik: 128 | 256;
  readonly iterations: number;
}

/** The lengths Milenage has (MAC 64, RES 64, CK/IK 128) and one iteration: a drop-in TUAK subscriber. */
export const DEFAULT_TUAK_PARAMS: TuakParams = { mac: 64, res: 64, ck: 128, ik: 128, iterations: 1 };

/** Key records store the iteration count in one byte. */
export const MAX_TUAK_ITERATIONS = 255;

/** Returns why a parameter set is unusable, or undefined. */
export function tuakParamsProblem(p: TuakParams): string | undefined {
  if (p === null || typeof p !== 'object') return 'TUAK parameters missing';
  if (![64, 128, 256].includes(p.mac)) return 'mac must be 64, 128 or 256 bits';
  if (![32, 64, 128, 256].includes(p.res)) return 'res must be 32, 64, 128 or 256 bits';
  if (![128, 256].includes(p.ck)) return 'ck must be 128 or 256 bits';
  if (![128, 256].includes(p.ik)) return 'ik must be 128 or 256 bits';
  if (!Number.isInteger(p.iterations) || p.iterations < 1 || p.iterations > MAX_TUAK_ITERATIONS)
    return `iterations must be an integer 1..${MAX_TUAK_ITERATIONS}`;
  return undefined;
}

/** K with either TOPc or the operator variant TOP (from which TOPc is derived, TS 35.231 §6.1). */
export type TuakKeys =
  | { k: Bytes; topc: Bytes; top?: undefined }
  | { k: Bytes; top: Bytes; topc?: undefined };

export interface TuakOutputs {
  /** f2: RES / XRES, res/8 bytes. */
  res: Bytes;
  /** f3: CK, ck/8 bytes. */
  ck: Bytes;
  /** f4: IK, ik/8 bytes. */
  ik: Bytes;
  /** f5: AK, 6 bytes. */
  ak: Bytes;
}

/** The functions for one RAND (the same shape as Milenage's, so AUTHENTICATE and the AuC use either). */
export interface TuakRound {
  /** f1: MAC-A (mac/8 bytes) over SQN (6 bytes) and AMF (2 bytes). */
  f1(sqn: Bytes, amf: Bytes): Bytes;
  /** f1*: MAC-S (mac/8 bytes), used in AUTS. */
  f1star(sqn: Bytes, amf: Bytes): Bytes;
  /** f2, f3, f4, f5: one permutation gives them all (TS 35.231 §6.4). */
  f2345(): TuakOutputs;
  /** f5*: AK* (6 bytes). */
  f5star(): Bytes;
}

export interface Tuak {
  /** TOPc in use (a copy): given, or computed once from TOP. */
  readonly topc: Bytes;
  readonly params: TuakParams;
  f1(rand: Bytes, sqn: Bytes, amf: Bytes): Bytes;
  f1star(rand: Bytes, sqn: Bytes, amf: Bytes): Bytes;
  f2345(rand: Bytes): TuakOutputs;
  f5star(rand: Bytes): Bytes;
  withRand(rand: Bytes): TuakRound;
}

function need(b: Bytes, len: number, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== len) throw new RangeError(`${what} must be ${len} bytes`);
}

function needKey(k: Bytes): void {
  if (!(k instanceof Uint8Array) || (k.length !== 16 && k.length !== 32))
    throw new RangeError('K must be 16 or 32 bytes');
}

// ---- Keccak-f[1600] on a 200-byte state ---------------------------------------------------------

const STATE_BYTES = 200;
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * Keccak-f[1600] applied `times` times to a 200-byte state, in place. The bytes are the state as FIPS 202
 * §3.1.2 lays it out (lane (x, y) at bytes 8(5y + x).., little-endian), the order TS 35.231 uses for IN/OUT.
 */
export function keccakF1600(state: Bytes, times = 1): void {
  need(state, STATE_BYTES, 'the Keccak state');
  // On a little-endian platform the bytes already are the lanes keccakP wants: permute them in place.
  if (LITTLE_ENDIAN && state.byteOffset % 4 === 0) {
    const view = new Uint32Array(state.buffer, state.byteOffset, 50);
    for (let i = 0; i < times; i++) keccakP(view, 24);
    return;
  }
  const w = new Uint32Array(50);
  for (let j = 0; j < 50; j++) {
    const o = 4 * j;
    w[j] = (state[o]! | (state[o + 1]! << 8) | (state[o + 2]! << 16) | (state[o + 3]! << 24)) >>> 0;
  }
  for (let i = 0; i < times; i++) keccakP(w, 24);
  for (let j = 0; j < 50; j++) {
    const v = w[j]!;
    const o = 4 * j;
    state[o] = v;
    state[o + 1] = v >>> 8;
    state[o + 2] = v >>> 16;
    state[o + 3] = v >>> 24;
  }
}

// ---- IN / OUT ------------------------------------------------------------------------------------

/** ALGONAME = "TUAK1.0" in ASCII (TS 35.231 §6); like every field it goes into IN last byte first. */
const ALGONAME = Uint8Array.from('TUAK1.0', (c) => c.charCodeAt(0));

/** INSTANCE (TS 35.231 §6.1-6.6): the function in the top two bits, output lengths below, bit 0 = 256-bit K. */
const FN = { TOPC: 0x00, F1: 0x00, F1STAR: 0x80, F2345: 0x40, F5STAR: 0xc0 } as const;

function macBits(mac: number): number {
  return mac === 64 ? 0x08 : mac === 128 ? 0x10 : 0x20;
}

function resBits(res: number): number {
  return res === 32 ? 0x00 : res === 64 ? 0x08 : res === 128 ? 0x10 : 0x20;
}

/** Writes `src` into `dst` at `off`, last byte first. */
function putReversed(dst: Bytes, off: number, src: Bytes): void {
  for (let i = 0; i < src.length; i++) dst[off + src.length - 1 - i] = src[i]!;
}

/** Reads `len` bytes of `src` from `off`, last byte first. */
function takeReversed(src: Bytes, off: number, len: number): Bytes {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = src[off + len - 1 - i]!;
  return out;
}

/** IN without the per-call fields: K, ALGONAME and padding (TS 35.231 §6). */
function baseState(k: Bytes): Bytes {
  const s = new Uint8Array(STATE_BYTES);
  putReversed(s, 33, ALGONAME);
  putReversed(s, 64, k);
  s[96] = 0x1f;
  s[135] = 0x80;
  return s;
}

/**
 * TOPc = the first 256 bits of OUT, with IN = TOP ‖ INSTANCE ‖ ALGONAME ‖ zeros ‖ K (TS 35.231 §6.1). An
 * operator computes it once per subscriber so that the card holds TOPc and never TOP.
 */
export function computeTopc(k: Bytes, top: Bytes, iterations = 1): Bytes {
  needKey(k);
  need(top, 32, 'TOP');
  const s = baseState(k);
  putReversed(s, 0, top);
  s[32] = FN.TOPC | (k.length === 32 ? 1 : 0);
  keccakF1600(s, iterations);
  return takeReversed(s, 0, 32);
}

/** TUAK for one subscriber: TOPc computed once (from TOP if needed), the fixed part of IN prepared once. */
export function createTuak(keys: TuakKeys, params: TuakParams = DEFAULT_TUAK_PARAMS): Tuak {
  needKey(keys.k);
  const problem = tuakParamsProblem(params);
  if (problem) throw new RangeError(`TUAK: ${problem}`);
  const p: TuakParams = { ...params };
  if (keys.topc !== undefined) need(keys.topc, 32, 'TOPc');
  const topcBytes = keys.topc !== undefined ? keys.topc.slice() : computeTopc(keys.k, keys.top, p.iterations);
  const k256 = keys.k.length === 32 ? 1 : 0;
  // IN with TOPc, ALGONAME, K and padding: each call copies it and adds INSTANCE, RAND (and SQN/AMF).
  const template = baseState(keys.k);
  putReversed(template, 0, topcBytes);
  const macLen = p.mac / 8;

  const run = (instance: number, rand: Bytes, sqn?: Bytes, amf?: Bytes): Bytes => {
    const s = template.slice();
    s[32] = instance | k256;
    putReversed(s, 40, rand);
    if (sqn && amf) {
      putReversed(s, 56, amf);
      putReversed(s, 58, sqn);
    }
    keccakF1600(s, p.iterations);
    return s;
  };

  const mac = (fn: number, rand: Bytes, sqn: Bytes, amf: Bytes): Bytes => {
    need(sqn, 6, 'SQN');
    need(amf, 2, 'AMF');
    return takeReversed(run(fn | macBits(p.mac), rand, sqn, amf), 0, macLen);
  };

  const withRand = (rand: Bytes): TuakRound => {
    need(rand, 16, 'RAND');
    return {
      f1: (sqn, amf) => mac(FN.F1, rand, sqn, amf),
      f1star: (sqn, amf) => mac(FN.F1STAR, rand, sqn, amf),
      f2345: () => {
        const instance = FN.F2345 | resBits(p.res) | (p.ck === 256 ? 0x04 : 0) | (p.ik === 256 ? 0x02 : 0);
        const out = run(instance, rand);
        return {
          res: takeReversed(out, 0, p.res / 8),
          ck: takeReversed(out, 32, p.ck / 8),
          ik: takeReversed(out, 64, p.ik / 8),
          ak: takeReversed(out, 96, 6),
        };
      },
      f5star: () => takeReversed(run(FN.F5STAR, rand), 96, 6),
    };
  };

  return {
    get topc() {
      return topcBytes.slice();
    },
    params: p,
    f1: (rand, sqn, amf) => withRand(rand).f1(sqn, amf),
    f1star: (rand, sqn, amf) => withRand(rand).f1star(sqn, amf),
    f2345: (rand) => withRand(rand).f2345(),
    f5star: (rand) => withRand(rand).f5star(),
    withRand,
  };
}
