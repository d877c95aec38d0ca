// The key PEs of a profile package (TCA eUICC Profile Package PE definitions v3.3.1): PE-PINCodes,
// PE-PUKCodes and PE-AKAParameter read into the card's own forms (card-os PinSpec, applets/aka
// AkaSubscription), and PE-SecurityDomain's key list kept as a record. Readers return a message for
// people on bad values instead of throwing.

import type { Bytes } from '../../../card-os/bytes.js';
import { equal } from '../../../card-os/bytes.js';
import { validPinBlock } from '../../../card-os/security/pin.js';
import type { Tlv } from '../../../card-os/tlv.js';
import { STANDARD_CONSTANTS } from '../../aka/milenage.js';
import type { SqnConfig } from '../../aka/sqn.js';
import type { AkaSubscription } from '../../aka/subscription.js';
import { TEST_ALGORITHM_RES_LENGTH } from '../../aka/test-algorithm.js';
import { DEFAULT_TUAK_PARAMS } from '../../aka/tuak.js';
import { child, children, uint } from '../der.js';

export type Read<T> = { ok: true; value: T } | { ok: false; message: string };
const bad = (message: string): { ok: false; message: string } => ({ ok: false, message });

export interface PinCode {
  ref: number;
  value: Bytes;
  unblockRef?: number;
  attributes: number;
  maxTries: number;
  triesLeft: number;
}

export interface PukCode {
  ref: number;
  value: Bytes;
  maxTries: number;
  triesLeft: number;
}

const GLOBAL_PINS = [1, 2, 3, 4, 5, 6, 7, 8, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e];
const LOCAL_PINS = [0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e];
const PUK_REFS = [1, 2, 3, 4, 5, 6, 7, 8, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88];

function tries(b: Bytes | undefined, dflt: number): { max: number; left: number } | undefined {
  const n = b === undefined ? dflt : uint(b);
  if (n === undefined || n > 0xff) return undefined;
  // High nibble: maximum number of attempts; low nibble: attempts left (PE definitions v3.3.1).
  return { max: n >> 4, left: n & 0x0f };
}

function sequenceItems(value: Bytes, what: string): Read<Tlv[][]> {
  const list = children(value);
  if (!list) return bad(`${what}: malformed DER`);
  const out: Tlv[][] = [];
  for (const item of list) {
    const f = item.tag === 0x30 ? children(item.value) : undefined;
    if (!f) return bad(`${what}: an entry is not a SEQUENCE`);
    out.push(f);
  }
  return { ok: true, value: out };
}

/** PE-PINCodes `A1 {A0 pinconfig {30 …}…}`; the `81` filePath alternative shares another DF's PINs. */
export function readPinCodes(fields: Tlv[]): Read<PinCode[]> {
  const codes = child(fields, 0xa1);
  const choice = codes && children(codes.value);
  if (choice?.length !== 1) return bad('pinCodes: no pinconfig or filePath');
  const c = choice[0]!;
  // filePath: the PINs of another DF apply; the card keeps one set of PINs per profile, so nothing to add.
  if (c.tag === 0x81) return { ok: true, value: [] };
  if (c.tag !== 0xa0) return bad('pinCodes: unknown alternative');
  const items = sequenceItems(c.value, 'pinCodes');
  if (!items.ok) return items;
  const out: PinCode[] = [];
  for (const f of items.value) {
    const ref = uint(child(f, 0x80)?.value);
    const value = child(f, 0x81)?.value;
    if (ref === undefined || ![...GLOBAL_PINS, ...LOCAL_PINS].includes(ref))
      return bad(`pinCodes: key reference ${ref ?? '?'} is not a PIN or ADM reference`);
    // TS 102 221 §9.5.1: a PIN is 4 to 8 ASCII digits padded with FF (ADM keys: any 8 bytes).
    if (!value || !validPinBlock(ref, value))
      return bad(`pinCodes: PIN ${hex2(ref)} value is not 8 bytes of 4 to 8 digits padded with FF`);
    const unblock = child(f, 0x82);
    const unblockRef = unblock ? uint(unblock.value) : undefined;
    if (unblock && (unblockRef === undefined || !PUK_REFS.includes(unblockRef)))
      return bad(`pinCodes: PIN ${hex2(ref)} unblocking reference is not a PUK reference`);
    const attributes = uint(child(f, 0x83)?.value ?? Uint8Array.of(7));
    const t = tries(child(f, 0x84)?.value, 0x33);
    if (attributes === undefined || attributes > 0xff || !t || t.max === 0)
      return bad(`pinCodes: PIN ${hex2(ref)} attributes or retry counter malformed`);
    if (out.some((p) => p.ref === ref)) return bad(`pinCodes: PIN ${hex2(ref)} is defined twice`);
    const pin: PinCode = { ref, value: value.slice(), attributes, maxTries: t.max, triesLeft: t.left };
    if (unblockRef !== undefined) pin.unblockRef = unblockRef;
    out.push(pin);
  }
  return { ok: true, value: out };
}

/** PE-PUKCodes `A1 {30 {80 ref, 81 value, 82 tries}…}`. */
export function readPukCodes(fields: Tlv[]): Read<PukCode[]> {
  const codes = child(fields, 0xa1);
  if (!codes) return bad('pukCodes: no list');
  const items = sequenceItems(codes.value, 'pukCodes');
  if (!items.ok) return items;
  const out: PukCode[] = [];
  for (const f of items.value) {
    const ref = uint(child(f, 0x80)?.value);
    const value = child(f, 0x81)?.value;
    if (ref === undefined || !PUK_REFS.includes(ref))
      return bad(`pukCodes: ${ref ?? '?'} is not a PUK reference`);
    if (!value || !validPinBlock(0x01, value))
      return bad(`pukCodes: PUK ${hex2(ref)} value is not 8 bytes of 4 to 8 digits padded with FF`);
    const t = tries(child(f, 0x82)?.value, 0xaa);
    if (!t || t.max === 0) return bad(`pukCodes: PUK ${hex2(ref)} retry counter malformed`);
    if (out.some((p) => p.ref === ref)) return bad(`pukCodes: PUK ${hex2(ref)} is defined twice`);
    out.push({ ref, value: value.slice(), maxTries: t.max, triesLeft: t.left });
  }
  return { ok: true, value: out };
}

export type AkaParameter =
  | { kind: 'keys'; subscription: AkaSubscription }
  /** mappingParameter: use the keys of the application with this AID. */
  | { kind: 'mapping'; source: Bytes };

const DEFAULT_ROTATION = Uint8Array.of(0x40, 0x00, 0x20, 0x40, 0x60);

/**
 * PE-AKAParameter: algoParameter (1 Milenage, 2 TUAK, 3 the TS 34.108 test algorithm) or mappingParameter,
 * with the SQN parameters. TUAK takes K, TOPc and numberOfKeccak; its output lengths are the TS 35.231
 * defaults (algorithmOptions is not read).
 */
export function readAkaParameter(fields: Tlv[]): Read<AkaParameter> {
  const conf = child(fields, 0xa1);
  const alt = conf && children(conf.value);
  if (alt?.length !== 1) return bad('akaParameter: no algoConfiguration');
  const sqn = readSqn(fields);
  if (!sqn.ok) return sqn;
  const a = alt[0]!;
  if (a.tag === 0xa0) {
    const m = children(a.value);
    const source = m && child(m, 0x81)?.value;
    if (!source || source.length < 5 || source.length > 16)
      return bad('akaParameter: mappingSource is not an AID');
    return { ok: true, value: { kind: 'mapping', source: source.slice() } };
  }
  if (a.tag !== 0xa1) return bad('akaParameter: unknown algoConfiguration');
  const p = children(a.value);
  if (!p) return bad('akaParameter: malformed algoParameter');
  const alg = uint(child(p, 0x80)?.value);
  const k = child(p, 0x82)?.value;
  const opc = child(p, 0x83)?.value;
  if (!k || !opc) return bad('akaParameter: key or opc missing');
  const base = { sqn: sqn.value };
  if (alg === 1) {
    if (k.length !== 16 || opc.length !== 16) return bad('akaParameter: Milenage K and OPc are 16 bytes');
    const rot = child(p, 0x84)?.value ?? DEFAULT_ROTATION;
    const xor = child(p, 0x85)?.value;
    if (rot.length !== 5 || [...rot].some((r) => r > 127) || (xor && xor.length !== 80))
      return bad(
        'akaParameter: Milenage rotation (5 bytes, 0..127) or xoring constants (80 bytes) malformed',
      );
    const c = xor ? [0, 1, 2, 3, 4].map((i) => xor.slice(16 * i, 16 * i + 16)) : [...STANDARD_CONSTANTS.c];
    const standard = equal(rot, DEFAULT_ROTATION) && c.every((ci, i) => equal(ci, STANDARD_CONSTANTS.c[i]!));
    const subscription: AkaSubscription = { algorithm: 'milenage', k: k.slice(), opc: opc.slice(), ...base };
    if (!standard)
      subscription.constants = {
        r: [rot[0]!, rot[1]!, rot[2]!, rot[3]!, rot[4]!],
        c: c as [Bytes, Bytes, Bytes, Bytes, Bytes],
      };
    return { ok: true, value: { kind: 'keys', subscription } };
  }
  if (alg === 2) {
    if ((k.length !== 16 && k.length !== 32) || opc.length !== 32)
      return bad('akaParameter: TUAK K is 16 or 32 bytes and TOPc 32 bytes');
    const n = uint(child(p, 0x87)?.value ?? Uint8Array.of(1));
    if (n === undefined || n < 1 || n > 255) return bad('akaParameter: numberOfKeccak must be 1..255');
    const tuak = { ...DEFAULT_TUAK_PARAMS, iterations: n };
    return {
      ok: true,
      value: {
        kind: 'keys',
        subscription: { algorithm: 'tuak', k: k.slice(), topc: opc.slice(), tuak, ...base },
      },
    };
  }
  if (alg === 3) {
    if (k.length !== 16) return bad('akaParameter: the test algorithm K is 16 bytes');
    return {
      ok: true,
      value: {
        kind: 'keys',
        subscription: { algorithm: 'test', k: k.slice(), resLength: TEST_ALGORITHM_RES_LENGTH, ...base },
      },
    };
  }
  return bad(`akaParameter: algorithmID ${alg ?? '?'} is not 1 (Milenage), 2 (TUAK) or 3 (test algorithm)`);
}

/**
 * sqnDelta (6 bytes, in SEQ units: SQNs without IND, PE definitions v3.3.1). The age limit is not applied
 * (its use depends on sqnOptions bits this card does not interpret); sqnInit starts from zero.
 */
function readSqn(fields: Tlv[]): Read<Partial<SqnConfig>> {
  const v = child(fields, 0x83)?.value;
  if (!v) return { ok: true, value: {} };
  if (v.length !== 6) return bad('akaParameter: sqnDelta is not 6 bytes');
  let n = 0;
  for (const b of v) n = n * 256 + b;
  if (n === 0 || n > 0x07ffffffffff) return bad('akaParameter: sqnDelta out of range');
  return { ok: true, value: { delta: n } };
}

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');
