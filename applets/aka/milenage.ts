// Milenage, the 3GPP example algorithm set for f1, f1*, f2, f3, f4, f5 and f5* (TS 35.206 §4.1).
//
// Speed: AES-128 is @noble/ciphers' table-driven block function (`unsafe.encrypt`), driven with the
// key schedule expanded once per subscriber (createMilenage) and with 128-bit values kept as four
// 32-bit words, so one AUTHENTICATE costs five AES blocks and no key expansion. The words are in the
// order noble uses (each word holds bytes 4i..4i+3, little-endian); XOR does not care, and the
// rotations (the only bit-order-sensitive step) are done on big-endian words.
//
// Inputs of the wrong length throw a RangeError: these functions are the algorithm, called by code
// (authenticate.ts, the AuC) that has already checked lengths. Card code never lets one escape.

import { unsafe } from '@noble/ciphers/aes.js';
import type { Bytes } from '../../card-os/bytes.js';

/** The algorithm constants r1..r5 (rotation in bits, 0..127) and c1..c5 (128 bits each), TS 35.206 §4.1. */
export interface MilenageConstants {
  readonly r: readonly [number, number, number, number, number];
  readonly c: readonly [Bytes, Bytes, Bytes, Bytes, Bytes];
}

function lastByte(v: number): Bytes {
  const b = new Uint8Array(16);
  b[15] = v;
  return b;
}

/** The default constants of TS 35.206 §4.1: r = 64, 0, 32, 64, 96; c1 = 0, c2 = 1, c3 = 2, c4 = 4, c5 = 8. */
export const STANDARD_CONSTANTS: MilenageConstants = {
  r: [64, 0, 32, 64, 96],
  c: [lastByte(0), lastByte(1), lastByte(2), lastByte(4), lastByte(8)],
};

/** K with either OPc or the operator variant OP (from which OPc is derived). */
export type MilenageKeys =
  | { k: Bytes; opc: Bytes; op?: undefined }
  | { k: Bytes; op: Bytes; opc?: undefined };

export interface MilenageOutputs {
  /** f2: RES / XRES, 8 bytes. */
  res: Bytes;
  /** f3: CK, 16 bytes. */
  ck: Bytes;
  /** f4: IK, 16 bytes. */
  ik: Bytes;
  /** f5: AK, 6 bytes. */
  ak: Bytes;
}

/** The functions for one RAND, sharing TEMP = E_K(RAND ⊕ OPc) (TS 35.206 §4.1). */
export interface MilenageRound {
  /** f1: MAC-A (8 bytes) over SQN (6 bytes) and AMF (2 bytes). */
  f1(sqn: Bytes, amf: Bytes): Bytes;
  /** f1*: MAC-S (8 bytes), used in AUTS. */
  f1star(sqn: Bytes, amf: Bytes): Bytes;
  /** f2, f3, f4, f5 in one go. */
  f2345(): MilenageOutputs;
  /** f5*: AK* (6 bytes), conceals SQN_MS in AUTS. */
  f5star(): Bytes;
}

export interface Milenage {
  /** OPc in use (a copy): given, or computed once from OP. */
  readonly opc: Bytes;
  f1(rand: Bytes, sqn: Bytes, amf: Bytes): Bytes;
  f1star(rand: Bytes, sqn: Bytes, amf: Bytes): Bytes;
  f2345(rand: Bytes): MilenageOutputs;
  f5star(rand: Bytes): Bytes;
  /** One RAND, several functions: TEMP is computed once (five AES blocks for a whole AUTHENTICATE). */
  withRand(rand: Bytes): MilenageRound;
}

function need(b: Bytes, len: number, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== len) throw new RangeError(`${what} must be ${len} bytes`);
}

/** Checks constants: five rotations, integers 0..127, and five 16-byte c values. Returns a reason or undefined. */
export function constantsProblem(constants: MilenageConstants): string | undefined {
  const { r, c } = constants;
  if (!Array.isArray(r) || r.length !== 5) return 'r must hold 5 rotations';
  if (!Array.isArray(c) || c.length !== 5) return 'c must hold 5 constants';
  for (let i = 0; i < 5; i++) {
    const ri = r[i]!;
    if (!Number.isInteger(ri) || ri < 0 || ri > 127) return `r${i + 1} must be an integer 0..127`;
    const ci = c[i];
    if (!(ci instanceof Uint8Array) || ci.length !== 16) return `c${i + 1} must be 16 bytes`;
  }
  return undefined;
}

// ---- 128-bit values as four words -------------------------------------------------------------

function loadLE(b: Bytes, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}

function words(b: Bytes): Uint32Array {
  return Uint32Array.of(loadLE(b, 0), loadLE(b, 4), loadLE(b, 8), loadLE(b, 12));
}

function storeLE(out: Bytes, off: number, w: number): void {
  out[off] = w;
  out[off + 1] = w >>> 8;
  out[off + 2] = w >>> 16;
  out[off + 3] = w >>> 24;
}

function bswap(x: number): number {
  return ((x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

const beScratch = new Uint32Array(4);

/** dst = rot(src, r): cyclic left rotation of the 128-bit string by r bits (TS 35.206 §4.1). src !== dst. */
function rotate(src: Uint32Array, r: number, dst: Uint32Array): void {
  const q = r >>> 5;
  const s = r & 31;
  if (s === 0) {
    // Whole words: byte order inside a word does not matter.
    for (let j = 0; j < 4; j++) dst[j] = src[(j + q) & 3]!;
    return;
  }
  const be = beScratch;
  for (let j = 0; j < 4; j++) be[j] = bswap(src[j]!);
  for (let j = 0; j < 4; j++) {
    const hi = be[(j + q) & 3]!;
    const lo = be[(j + q + 1) & 3]!;
    dst[j] = bswap(((hi << s) | (lo >>> (32 - s))) >>> 0);
  }
}

/** dst = E_K(src). */
function encrypt(xk: Uint32Array, src: Uint32Array, dst: Uint32Array): void {
  const o = unsafe.encrypt(xk, src[0]!, src[1]!, src[2]!, src[3]!);
  dst[0] = o.s0;
  dst[1] = o.s1;
  dst[2] = o.s2;
  dst[3] = o.s3;
}

/** OPc = OP ⊕ E_K(OP) (TS 35.206 §4.1). */
export function computeOpc(k: Bytes, op: Bytes): Bytes {
  need(k, 16, 'K');
  need(op, 16, 'OP');
  const xk = unsafe.expandKeyLE(k);
  const w = words(op);
  const e = new Uint32Array(4);
  encrypt(xk, w, e);
  const out = new Uint8Array(16);
  for (let i = 0; i < 4; i++) storeLE(out, i * 4, e[i]! ^ w[i]!);
  xk.fill(0);
  return out;
}

/** Bytes [from, from+len) of a 128-bit word value. */
function bytesOf(w: Uint32Array, from: number, len: number): Bytes {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    const b = from + i;
    out[i] = w[b >>> 2]! >>> ((b & 3) << 3);
  }
  return out;
}

/**
 * Prepares Milenage for one subscriber: expands K once and fixes OPc (computing it from OP if needed).
 * Throws RangeError on keys or constants of the wrong shape.
 */
export function createMilenage(
  keys: MilenageKeys,
  constants: MilenageConstants = STANDARD_CONSTANTS,
): Milenage {
  need(keys.k, 16, 'K');
  const problem = constantsProblem(constants);
  if (problem) throw new RangeError(`Milenage constants: ${problem}`);
  if (keys.opc !== undefined) need(keys.opc, 16, 'OPc');
  const opcBytes = keys.opc !== undefined ? keys.opc.slice() : computeOpc(keys.k, keys.op);
  const xk = unsafe.expandKeyLE(keys.k);
  const opc = words(opcBytes);
  const r = constants.r.slice();
  const c = constants.c.map(words);

  // Scratch words: every call below is synchronous, so one set per subscriber is enough.
  const x = new Uint32Array(4);
  const y = new Uint32Array(4);
  const in1 = new Uint8Array(16);

  // OUTi = E_K(rot(TEMP ⊕ OPc, ri) ⊕ ci) ⊕ OPc for i = 2..5 (index i-1); the result is left in x.
  const out = (temp: Uint32Array, i: number): Uint32Array => {
    for (let j = 0; j < 4; j++) x[j] = temp[j]! ^ opc[j]!;
    rotate(x, r[i]!, y);
    const ci = c[i]!;
    for (let j = 0; j < 4; j++) y[j] = y[j]! ^ ci[j]!;
    encrypt(xk, y, x);
    for (let j = 0; j < 4; j++) x[j] = x[j]! ^ opc[j]!;
    return x;
  };

  // OUT1 = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc, IN1 = SQN ‖ AMF ‖ SQN ‖ AMF; left in x.
  const out1 = (temp: Uint32Array, sqn: Bytes, amf: Bytes): Uint32Array => {
    need(sqn, 6, 'SQN');
    need(amf, 2, 'AMF');
    in1.set(sqn, 0);
    in1.set(amf, 6);
    in1.set(sqn, 8);
    in1.set(amf, 14);
    for (let j = 0; j < 4; j++) x[j] = loadLE(in1, 4 * j) ^ opc[j]!;
    rotate(x, r[0]!, y);
    const c1 = c[0]!;
    for (let j = 0; j < 4; j++) y[j] = y[j]! ^ temp[j]! ^ c1[j]!;
    encrypt(xk, y, x);
    for (let j = 0; j < 4; j++) x[j] = x[j]! ^ opc[j]!;
    return x;
  };

  const withRand = (rand: Bytes): MilenageRound => {
    need(rand, 16, 'RAND');
    // TEMP = E_K(RAND ⊕ OPc)
    const temp = words(rand);
    for (let j = 0; j < 4; j++) temp[j] = temp[j]! ^ opc[j]!;
    encrypt(xk, temp, temp);
    return {
      f1: (sqn, amf) => bytesOf(out1(temp, sqn, amf), 0, 8),
      f1star: (sqn, amf) => bytesOf(out1(temp, sqn, amf), 8, 8),
      f2345: () => {
        const o2 = out(temp, 1);
        const res = bytesOf(o2, 8, 8);
        const ak = bytesOf(o2, 0, 6);
        const ck = bytesOf(out(temp, 2), 0, 16);
        return { res, ck, ik: bytesOf(out(temp, 3), 0, 16), ak };
      },
      f5star: () => bytesOf(out(temp, 4), 0, 6),
    };
  };

  return {
    get opc() {
      return opcBytes.slice();
    },
    f1: (rand, sqn, amf) => withRand(rand).f1(sqn, amf),
    f1star: (rand, sqn, amf) => withRand(rand).f1star(sqn, amf),
    f2345: (rand) => withRand(rand).f2345(),
    f5star: (rand) => withRand(rand).f5star(),
    withRand,
  };
}

/**
 * GSM parameters from UMTS ones, TS 33.102 §6.8.1.2: c2 gives SRES as the XOR of the 32-bit words of
 * RES (zero-padded to 128 bits), c3 gives Kc = CK1 ⊕ CK2 ⊕ IK1 ⊕ IK2 (64-bit halves).
 */
export function gsmFromUmts(res: Bytes, ck: Bytes, ik: Bytes): { sres: Bytes; kc: Bytes } {
  if (!(res instanceof Uint8Array) || res.length < 4 || res.length > 16)
    throw new RangeError('RES must be 4..16 bytes');
  need(ck, 16, 'CK');
  need(ik, 16, 'IK');
  const sres = new Uint8Array(4);
  for (let i = 0; i < res.length; i++) sres[i & 3] ^= res[i]!;
  const kc = new Uint8Array(8);
  for (let i = 0; i < 8; i++) kc[i] = ck[i]! ^ ck[i + 8]! ^ ik[i]! ^ ik[i + 8]!;
  return { sres, kc };
}
