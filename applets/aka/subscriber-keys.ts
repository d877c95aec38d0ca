// The USIM's authentication key record (K, OPc or OP, Milenage constants) as kept in NVM, and the
// per-record cache of the prepared algorithm (expanded key schedule, OPc), so that neither is
// recomputed on each AUTHENTICATE.
//
// NVM layout: algorithm(1) = 01 Milenage ‖ flags(1) ‖ K(16) ‖ OP or OPc(16) [‖ r1..r5(5) ‖ c1..c5(80)]
//   flags b1 = 1: the 16 bytes are OP (OPc is derived on first use); b2 = 1: own constants follow.

import type { Bytes } from '../../card-os/bytes.js';
import { constantsProblem, createMilenage, type Milenage, type MilenageConstants } from './milenage.js';

/** A decoded key record. Treated as immutable once in use: the cache is keyed by the object. */
export type SubscriberKeys = {
  algorithm: 'milenage';
  k: Bytes;
  /** Absent: the standard TS 35.206 constants. */
  constants?: MilenageConstants | undefined;
} & ({ opc: Bytes; op?: undefined } | { op: Bytes; opc?: undefined });

const ALG_MILENAGE = 0x01;
const FLAG_OP = 0x01;
const FLAG_CONSTANTS = 0x02;
const BASE_LEN = 34;
const CONSTANTS_LEN = 5 + 5 * 16;

/** Returns why a record cannot be used, or undefined. Never mentions key values. */
export function subscriberKeysProblem(keys: SubscriberKeys): string | undefined {
  if (keys === null || typeof keys !== 'object') return 'not a key record';
  if (keys.algorithm !== 'milenage') return 'algorithm must be milenage';
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

export function encodeSubscriberKeys(keys: SubscriberKeys): Bytes {
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

/** Decodes NVM bytes; undefined when malformed (unknown algorithm or flags, wrong length, r > 127). */
export function decodeSubscriberKeys(bytes: Bytes): SubscriberKeys | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.length < BASE_LEN || bytes[0] !== ALG_MILENAGE)
    return undefined;
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

const prepared = new WeakMap<SubscriberKeys, Milenage>();

/**
 * The prepared Milenage for a record, built on first use and cached for the record's lifetime
 * (expanded K and OPc computed once). Undefined for an unusable record; never throws.
 */
export function milenageFor(keys: SubscriberKeys): Milenage | undefined {
  const hit = prepared.get(keys);
  if (hit) return hit;
  if (subscriberKeysProblem(keys)) return undefined;
  const m = createMilenage(
    keys.opc !== undefined ? { k: keys.k, opc: keys.opc } : { k: keys.k, op: keys.op },
    keys.constants,
  );
  prepared.set(keys, m);
  return m;
}
