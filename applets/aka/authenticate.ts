// The USIM AUTHENTICATE command, even INS '88' (TS 31.102 §7.1), as a pure function of the command
// parameters, the key record and the SQN state. The caller (the USIM applet) routes CLA/INS, checks
// PIN/access conditions, persists a returned sqnState and turns the result into a response APDU.
//
// Status words (TS 31.102 §7.3 for '98 6x'; TS 102 221 §10.2.1 for the rest):
//   6A86  P1 not '00', P2 b8 = 0 or b7..b4 set, or an RFU context (b3..b1 = 3 or 7): the parameter coding
//         itself is wrong.
//   9864  "security context not supported": a defined context (GSM, VGCS/VBS, GBA, MBMS, local key)
//         that this USIM does not run. The GSM context goes here when GSM access is off: P2 '80' is
//         correctly coded, the USIM just does not offer that context (TS 31.102 ties the GSM context
//         to the service table), and 9864 is the §7.3 status for exactly that; 6A86 would claim
//         that P2 is badly coded.
//   6700  Lc not the one the context needs (3G: 18 + AUTN, GSM: 17).
//   6A80  right Lc but a length byte inside the data is not the RAND (16) or AUTN length.
//   9862  AUTN's MAC-A is wrong. Checked before SQN (TS 33.102 §6.3.3), so it changes no state.
//   6F00  a caller-side fault (unusable key record or SQN state): never an exception.
//
// Lengths follow the subscriber's algorithm. TS 31.102 §7.1.2.1 codes RAND, AUTN, RES, CK, IK and AUTS each
// with its own length byte, so TUAK's longer outputs (TS 35.231 §4: MAC 64/128/256, RES 32..256, CK/IK
// 128/256 bits) travel as they are: AUTN = SQN ⊕ AK ‖ AMF ‖ MAC-A is 8 + MAC bytes (16, 24 or 40), AUTS =
// SQN_MS ⊕ AK* ‖ MAC-S is 6 + MAC bytes, and the answer is DB L3 RES L4 CK L5 IK [08 Kc].
// The GSM conversions c2/c3 (TS 33.102 §6.8.1.2) are defined on a RES of at most 128 bits and 128-bit CK
// and IK: a TUAK subscriber with longer outputs has no GSM context (9864) and no Kc in the 3G answer.

import { type Bytes, equalCt, readUintBE, uintBE } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';
import { gsmFromUmts, type MilenageOutputs } from './milenage.js';
import { checkSqn, type SqnState, sqnMs } from './sqn.js';
import { akaFor, type SubscriberKeys } from './subscriber-keys.js';

export interface AuthenticateInput {
  p1: number;
  p2: number;
  /** The command data (Lc bytes). */
  data: Bytes;
}

export interface AuthenticateOptions {
  /** Service n°27 "GSM access" (TS 31.102 §4.2.8): Kc in the 3G answer, and the GSM context allowed. */
  gsmAccess: boolean;
}

export interface AuthenticateResult {
  sw: number;
  data?: Bytes;
  /** Present only when the SQN state changed: the caller must persist it before answering. */
  sqnState?: SqnState;
}

// P2 b3..b1 (TS 31.102 §7.1.2, table 1).
const CONTEXT_GSM = 0;
const CONTEXT_3G = 1;
const DEFINED_UNSUPPORTED = new Set([2, 4, 5, 6]); // VGCS/VBS, GBA, MBMS, local key establishment

const TAG_3G_OK = 0xdb;
const TAG_SYNC_FAILURE = 0xdc;
const AMF_RESYNC = new Uint8Array(2); // TS 33.102 §6.3.3: MAC-S is computed with a dummy AMF of zeros

export function authenticate(
  input: AuthenticateInput,
  subscriber: SubscriberKeys,
  sqnState: SqnState,
  opts: AuthenticateOptions,
): AuthenticateResult {
  try {
    const { p1, p2, data } = input;
    if (p1 !== 0) return { sw: SW.INCORRECT_P1P2 };
    // b8 = 1 (specific reference data), b7..b4 = 0, b3..b1 = context (TS 31.102 §7.1.2 table 1).
    if (p2 !== (p2 & 0xff) || (p2 & 0xf8) !== 0x80) return { sw: SW.INCORRECT_P1P2 };
    const context = p2 & 0x07;
    if (DEFINED_UNSUPPORTED.has(context)) return { sw: SW.AUTH_CONTEXT_NOT_SUPPORTED };
    if (context === CONTEXT_GSM) {
      if (!opts.gsmAccess || !gsmConvertible(subscriber)) return { sw: SW.AUTH_CONTEXT_NOT_SUPPORTED };
      return gsmContext(data, subscriber);
    }
    if (context === CONTEXT_3G) return umtsContext(data, subscriber, sqnState, opts.gsmAccess);
    return { sw: SW.INCORRECT_P1P2 };
  } catch {
    // Only reachable through a broken record or state handed in by the caller.
    return { sw: SW.TECHNICAL_PROBLEM };
  }
}

/** Whether c2/c3 apply: RES of at most 128 bits, 128-bit CK and IK (TS 33.102 §6.8.1.2). */
function gsmConvertible(subscriber: SubscriberKeys): boolean {
  if (subscriber.algorithm !== 'tuak') return true;
  const p = subscriber.tuak;
  return p.res <= 128 && p.ck === 128 && p.ik === 128;
}

/** Kc = c3(CK, IK), or undefined when c3 does not apply to these lengths. */
function kcOf({ res, ck, ik }: MilenageOutputs): Bytes | undefined {
  return res.length <= 16 && ck.length === 16 && ik.length === 16 ? gsmFromUmts(res, ck, ik).kc : undefined;
}

/** 3G context: data `10 RAND L AUTN` (TS 31.102 §7.1.2.1), checks per TS 33.102 §6.3.3. */
function umtsContext(
  data: Bytes,
  subscriber: SubscriberKeys,
  state: SqnState,
  gsmAccess: boolean,
): AuthenticateResult {
  const aka = akaFor(subscriber);
  if (!aka) return { sw: SW.TECHNICAL_PROBLEM };
  const mac = aka.macLength;
  const autnLen = 8 + mac;
  if (data.length !== 18 + autnLen) return { sw: SW.WRONG_LENGTH };
  if (data[0] !== 16 || data[17] !== autnLen) return { sw: SW.WRONG_DATA };
  const rand = data.subarray(1, 17);
  const autn = data.subarray(18, 18 + autnLen);
  const round = aka.withRand(rand);
  const outputs = round.f2345();
  const { res, ck, ik, ak } = outputs;
  // AUTN = SQN ⊕ AK ‖ AMF ‖ MAC-A
  const sqn = new Uint8Array(6);
  for (let i = 0; i < 6; i++) sqn[i] = autn[i]! ^ ak[i]!;
  const amf = autn.subarray(6, 8);
  if (!equalCt(round.f1(sqn, amf), autn.subarray(8))) return { sw: SW.AUTH_MAC_FAILURE };

  const check = checkSqn(state, readUintBE(sqn, 0, 6));
  if (!check.ok) {
    // AUTS = SQN_MS ⊕ AK* ‖ MAC-S, MAC-S = f1*(SQN_MS, RAND, AMF = 0000) (TS 33.102 §6.3.3).
    const ms = uintBE(sqnMs(state), 6);
    const akStar = round.f5star();
    const out = new Uint8Array(2 + 6 + mac);
    out[0] = TAG_SYNC_FAILURE;
    out[1] = 6 + mac;
    for (let i = 0; i < 6; i++) out[2 + i] = ms[i]! ^ akStar[i]!;
    out.set(round.f1star(ms, AMF_RESYNC), 8);
    return { sw: SW.OK, data: out };
  }

  // DB L3 RES L4 CK L5 IK [08 Kc] (TS 31.102 §7.1.2.1); Kc = c3(CK, IK) when service n°27 is on.
  const kc = gsmAccess ? kcOf(outputs) : undefined;
  const out = new Uint8Array(4 + res.length + ck.length + ik.length + (kc ? 9 : 0));
  let at = 0;
  out[at++] = TAG_3G_OK;
  for (const v of kc ? [res, ck, ik, kc] : [res, ck, ik]) {
    out[at++] = v.length;
    out.set(v, at);
    at += v.length;
  }
  return { sw: SW.OK, data: out, sqnState: check.next };
}

/** GSM context: data `10 RAND`, answer `04 SRES 08 Kc` via c2/c3 (TS 33.102 §6.8.1.2); no SQN involved. */
function gsmContext(data: Bytes, subscriber: SubscriberKeys): AuthenticateResult {
  if (data.length !== 17) return { sw: SW.WRONG_LENGTH };
  if (data[0] !== 16) return { sw: SW.WRONG_DATA };
  const aka = akaFor(subscriber);
  if (!aka) return { sw: SW.TECHNICAL_PROBLEM };
  const { res, ck, ik } = aka.withRand(data.subarray(1, 17)).f2345();
  const { sres, kc } = gsmFromUmts(res, ck, ik);
  const out = new Uint8Array(14);
  out[0] = 4;
  out.set(sres, 1);
  out[5] = 8;
  out.set(kc, 6);
  return { sw: SW.OK, data: out };
}
