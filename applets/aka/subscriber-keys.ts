// The USIM's authentication key record (the algorithm, K and its operator variant, the algorithm's
// parameters) as kept in NVM, and the per-record cache of the prepared algorithm (expanded key schedule,
// OPc/TOPc), so that neither is recomputed on each AUTHENTICATE.
//
// NVM layouts, selected by the first byte:
//   Milenage (TS 35.206):  01 ‖ flags(1) ‖ K(16) ‖ OP or OPc(16) [‖ r1..r5(5) ‖ c1..c5(80)]
//     flags b1 = 1: the 16 bytes are OP (OPc is derived on first use); b2 = 1: own constants follow.
//   TUAK (TS 35.231):      02 ‖ flags(1) ‖ len(K)(1) ‖ K(16|32) ‖ TOP or TOPc(32) ‖ MAC ‖ RES ‖ CK ‖ IK (one
//     byte each, lengths in bytes) ‖ KeccakIterations(1)
//     flags b1 = 1: the 32 bytes are TOP (TOPc is derived on first use).
//   Test algorithm (TS 34.108 §8.1.2): 03 ‖ RES length in bytes(1) ‖ K(16)

import type { Bytes } from '../../card-os/bytes.js';
import {
  constantsProblem,
  createMilenage,
  type MilenageConstants,
  type MilenageOutputs,
} from './milenage.js';
import { createTestAlgorithm } from './test-algorithm.js';
import { createTuak, type TuakParams, tuakParamsProblem } from './tuak.js';

export type MilenageSubscriberKeys = {
  algorithm: 'milenage';
  k: Bytes;
  /** Absent: the standard TS 35.206 constants. */
  constants?: MilenageConstants | undefined;
  topc?: undefined;
  top?: undefined;
  tuak?: undefined;
} & ({ opc: Bytes; op?: undefined } | { op: Bytes; opc?: undefined });

export type TuakSubscriberKeys = {
  algorithm: 'tuak';
  /** 128 or 256 bits. */
  k: Bytes;
  /** Output lengths and KeccakIterations (TS 35.231 §4). */
  tuak: TuakParams;
  opc?: undefined;
  op?: undefined;
  constants?: undefined;
} & ({ topc: Bytes; top?: undefined } | { top: Bytes; topc?: undefined });

/** The USIM test algorithm (TS 34.108 §8.1.2): K only, no operator variant. */
export type TestAlgorithmSubscriberKeys = {
  algorithm: 'test';
  k: Bytes;
  /** RES length in bytes, 4 to 16 (TS 34.108 §8.1.2: n = 32..128 bits). */
  resLength: number;
  opc?: undefined;
  op?: undefined;
  topc?: undefined;
  top?: undefined;
  constants?: undefined;
  tuak?: undefined;
};

/** A decoded key record. Treated as immutable once in use: the cache is keyed by the object. */
export type SubscriberKeys = MilenageSubscriberKeys | TuakSubscriberKeys | TestAlgorithmSubscriberKeys;

/** The functions of one RAND, whichever algorithm computes them (TS 33.102 §6.3: f1, f1*, f2-f5, f5*). */
export interface AkaRound {
  f1(sqn: Bytes, amf: Bytes): Bytes;
  f1star(sqn: Bytes, amf: Bytes): Bytes;
  f2345(): MilenageOutputs;
  f5star(): Bytes;
}

/** A prepared authentication algorithm of one subscriber. */
export interface AkaAlgorithm {
  withRand(rand: Bytes): AkaRound;
  /** Length of MAC-A and MAC-S in bytes: 8 for Milenage, 8, 16 or 32 for TUAK (so AUTN is 8 + this). */
  readonly macLength: number;
}

const ALG_MILENAGE = 0x01;
const ALG_TUAK = 0x02;
const ALG_TEST = 0x03;
const FLAG_OP = 0x01;
const FLAG_CONSTANTS = 0x02;
const BASE_LEN = 34;
const CONSTANTS_LEN = 5 + 5 * 16;
const TUAK_TAIL = 32 + 5;

/** Returns why a record cannot be used, or undefined. Never mentions key values. */
export function subscriberKeysProblem(keys: SubscriberKeys): string | undefined {
  if (keys === null || typeof keys !== 'object') return 'not a key record';
  if (keys.algorithm === 'tuak') return tuakKeysProblem(keys);
  if (keys.algorithm === 'test') return testKeysProblem(keys);
  if (keys.algorithm !== 'milenage') return 'algorithm must be milenage, tuak or test';
  if (!(keys.k instanceof Uint8Array) || keys.k.length !== 16) return 'K must be 16 bytes';
  const hasOpc = keys.opc !== undefined;
  const hasOp = keys.op !== undefined;
  if (hasOpc === hasOp) return 'exactly one of OP and OPc is needed';
  const second = hasOpc ? keys.opc : keys.op;
  if (!(second instanceof Uint8Array) || second.length !== 16)
    return `${hasOpc ? 'OPc' : 'OP'} must be 16 bytes`;
  if (keys.constants !== undefined) return constantsProblem(keys.constants);
  return undefined;
}

function testKeysProblem(keys: TestAlgorithmSubscriberKeys): string | undefined {
  if (!(keys.k instanceof Uint8Array) || keys.k.length !== 16) return 'K must be 16 bytes';
  const n = keys.resLength;
  if (!Number.isInteger(n) || n < 4 || n > 16) return 'RES length must be 4 to 16 bytes';
  return undefined;
}

function tuakKeysProblem(keys: TuakSubscriberKeys): string | undefined {
  if (!(keys.k instanceof Uint8Array) || (keys.k.length !== 16 && keys.k.length !== 32))
    return 'K must be 16 or 32 bytes';
  const hasTopc = keys.topc !== undefined;
  if (hasTopc === (keys.top !== undefined)) return 'exactly one of TOP and TOPc is needed';
  const second = hasTopc ? keys.topc : keys.top;
  if (!(second instanceof Uint8Array) || second.length !== 32)
    return `${hasTopc ? 'TOPc' : 'TOP'} must be 32 bytes`;
  return tuakParamsProblem(keys.tuak);
}

export function encodeSubscriberKeys(keys: SubscriberKeys): Bytes {
  if (keys.algorithm === 'test') {
    const out = new Uint8Array(18);
    out[0] = ALG_TEST;
    out[1] = keys.resLength;
    out.set(keys.k, 2);
    return out;
  }
  if (keys.algorithm === 'tuak') {
    const n = keys.k.length;
    const out = new Uint8Array(3 + n + TUAK_TAIL);
    out[0] = ALG_TUAK;
    out[1] = keys.top !== undefined ? FLAG_OP : 0;
    out[2] = n;
    out.set(keys.k, 3);
    out.set(keys.top ?? keys.topc!, 3 + n);
    const p = keys.tuak;
    out.set([p.mac / 8, p.res / 8, p.ck / 8, p.ik / 8, p.iterations], 3 + n + 32);
    return out;
  }
  const own = keys.constants !== undefined;
  const out = new Uint8Array(BASE_LEN + (own ? CONSTANTS_LEN : 0));
  out[0] = ALG_MILENAGE;
  out[1] = (keys.op !== undefined ? FLAG_OP : 0) | (own ? FLAG_CONSTANTS : 0);
  out.set(keys.k, 2);
  out.set(keys.op ?? keys.opc!, 18);
  if (keys.constants) {
    out.set(keys.constants.r, BASE_LEN);
    for (let i = 0; i < 5; i++) out.set(keys.constants.c[i]!, BASE_LEN + 5 + 16 * i);
  }
  return out;
}

function decodeTuakKeys(bytes: Bytes): TuakSubscriberKeys | undefined {
  const flags = bytes[1]!;
  const n = bytes[2]!;
  if (flags & ~FLAG_OP || (n !== 16 && n !== 32) || bytes.length !== 3 + n + TUAK_TAIL) return undefined;
  const k = bytes.slice(3, 3 + n);
  const second = bytes.slice(3 + n, 3 + n + 32);
  const at = 3 + n + 32;
  const tuak = {
    mac: bytes[at]! * 8,
    res: bytes[at + 1]! * 8,
    ck: bytes[at + 2]! * 8,
    ik: bytes[at + 3]! * 8,
    iterations: bytes[at + 4]!,
  } as TuakParams;
  if (tuakParamsProblem(tuak)) return undefined;
  return flags & FLAG_OP
    ? { algorithm: 'tuak', k, top: second, tuak }
    : { algorithm: 'tuak', k, topc: second, tuak };
}

/** Decodes NVM bytes; undefined when malformed (unknown algorithm or flags, wrong length, bad parameters). */
export function decodeSubscriberKeys(bytes: Bytes): SubscriberKeys | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.length < 3) return undefined;
  if (bytes[0] === ALG_TUAK) return decodeTuakKeys(bytes);
  if (bytes[0] === ALG_TEST) {
    if (bytes.length !== 18) return undefined;
    const keys: TestAlgorithmSubscriberKeys = {
      algorithm: 'test',
      k: bytes.slice(2, 18),
      resLength: bytes[1]!,
    };
    return testKeysProblem(keys) ? undefined : keys;
  }
  if (bytes.length < BASE_LEN || bytes[0] !== ALG_MILENAGE) return undefined;
  const flags = bytes[1]!;
  if (flags & ~(FLAG_OP | FLAG_CONSTANTS)) return undefined;
  const own = (flags & FLAG_CONSTANTS) !== 0;
  if (bytes.length !== BASE_LEN + (own ? CONSTANTS_LEN : 0)) return undefined;
  const k = bytes.slice(2, 18);
  const second = bytes.slice(18, 34);
  let constants: MilenageConstants | undefined;
  if (own) {
    const r = Array.from(bytes.subarray(BASE_LEN, BASE_LEN + 5));
    if (r.some((x) => x > 127)) return undefined;
    const c = [0, 1, 2, 3, 4].map((i) => bytes.slice(BASE_LEN + 5 + 16 * i, BASE_LEN + 21 + 16 * i));
    constants = {
      r: r as [number, number, number, number, number],
      c: c as [Bytes, Bytes, Bytes, Bytes, Bytes],
    };
  }
  return flags & FLAG_OP
    ? { algorithm: 'milenage', k, op: second, constants }
    : { algorithm: 'milenage', k, opc: second, constants };
}

/**
 * The same subscription with a new K and a new second value (OPc or OP for Milenage, TOPc or TOP for TUAK),
 * keeping the algorithm and its parameters (Milenage constants, TUAK lengths and iterations): what a long-term
 * key update or a key rotation writes. Undefined when the new values do not fit the algorithm (Milenage:
 * 16 and 16 bytes; TUAK: 16 or 32, and 32 bytes) or there is no current record.
 */
export function replaceKeys(
  current: SubscriberKeys | undefined,
  k: Bytes,
  second: { opc: Bytes } | { op: Bytes },
): SubscriberKeys | undefined {
  if (!current) return undefined;
  const derived = 'op' in second;
  const value = 'op' in second ? second.op : second.opc;
  if (current.algorithm === 'test') {
    // The test algorithm has no operator variant: only K changes.
    const next: SubscriberKeys = { algorithm: 'test', k, resLength: current.resLength };
    return subscriberKeysProblem(next) ? undefined : next;
  }
  const next: SubscriberKeys =
    current.algorithm === 'tuak'
      ? derived
        ? { algorithm: 'tuak', k, top: value, tuak: current.tuak }
        : { algorithm: 'tuak', k, topc: value, tuak: current.tuak }
      : derived
        ? { algorithm: 'milenage', k, op: value, constants: current.constants }
        : { algorithm: 'milenage', k, opc: value, constants: current.constants };
  return subscriberKeysProblem(next) ? undefined : next;
}

/** The prepared algorithm of a record; throws a RangeError for an unusable one (see subscriberKeysProblem). */
export function createAka(keys: SubscriberKeys): AkaAlgorithm {
  const problem = subscriberKeysProblem(keys);
  if (problem) throw new RangeError(`subscriber keys: ${problem}`);
  if (keys.algorithm === 'test')
    return { withRand: createTestAlgorithm(keys.k, keys.resLength).withRand, macLength: 8 };
  if (keys.algorithm === 'tuak') {
    const t = createTuak(
      keys.topc !== undefined ? { k: keys.k, topc: keys.topc } : { k: keys.k, top: keys.top },
      keys.tuak,
    );
    return { withRand: t.withRand, macLength: keys.tuak.mac / 8 };
  }
  const m = createMilenage(
    keys.opc !== undefined ? { k: keys.k, opc: keys.opc } : { k: keys.k, op: keys.op },
    keys.constants,
  );
  return { withRand: m.withRand, macLength: 8 };
}

const prepared = new WeakMap<SubscriberKeys, AkaAlgorithm>();

/**
 * The prepared algorithm for a record, built on first use and cached for the record's lifetime (expanded K,
 * OPc or TOPc computed once). Undefined for an unusable record; never throws.
 */
export function akaFor(keys: SubscriberKeys): AkaAlgorithm | undefined {
  const hit = prepared.get(keys);
  if (hit) return hit;
  if (subscriberKeysProblem(keys)) return undefined;
  const a = createAka(keys);
  prepared.set(keys, a);
  return a;
}
