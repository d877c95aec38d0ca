// AuC/HSS for the harness: authentication vectors (TS 33.102 §6.3.2), GSM triplets (§6.8.2), SQN
// generation (Annex C.1) and re-synchronisation (§6.3.5).
//
// SQN = SEQ ‖ IND. SEQ comes from one counter per subscriber, SEQ_HE, incremented per vector
// (Annex C.1.1.2, not time-based). IND is fixed per AuC node (option `ind`, e.g. one value per
// serving domain, Annex C.1.2) and may be overridden per vector to play several nodes. The USIM keeps
// a SEQ_MS per IND, so vectors of different nodes may be used out of order.
//
// The algorithm is the subscriber's: Milenage (TS 35.206) or TUAK (TS 35.231), the same code the card runs.
// With TUAK, MAC-A/MAC-S may be 64, 128 or 256 bits, so AUTN is 8 + MAC bytes and AUTS 6 + MAC bytes.
//
// Keys never leave this module in messages; errors name the IMSI only.

import { gsmFromUmts, type MilenageOutputs } from '../../applets/aka/milenage.js';
import { type AkaAlgorithm, createAka } from '../../applets/aka/subscriber-keys.js';
import { type Bytes, equalCt, readUintBE, uintBE } from '../../card-os/bytes.js';
import { cryptoRandom } from '../random.js';
import { recordProblem, type SubscriberRecord, subscriberKeysOf } from './subscribers.js';

export interface AuthVector {
  rand: Bytes;
  xres: Bytes;
  ck: Bytes;
  ik: Bytes;
  /** SQN ⊕ AK ‖ AMF ‖ MAC-A */
  autn: Bytes;
  /** c3(CK, IK), for subscribers with GSM access whose RES, CK and IK fit c2/c3 (TS 33.102 §6.8.1.2). */
  kc?: Bytes;
  /** The SQN in the AUTN (a 48-bit number). */
  sqn: number;
}

export interface GsmTriplet {
  rand: Bytes;
  sres: Bytes;
  kc: Bytes;
}

export type ResyncResult = { ok: true; sqnMs: number } | { ok: false; reason: 'malformed' | 'mac' };

export interface AucOptions {
  /** IND of this AuC node (Annex C.1.2); default 0. Must fit every subscriber's indBits. */
  ind?: number;
  /** RAND source; default node:crypto. Tests may inject a deterministic one. */
  random?: (n: number) => Bytes;
}

export interface Auc {
  /** A fresh 3G vector with SQN = (SEQ_HE + 1) ‖ IND; SEQ_HE advances. */
  generateVector(imsi: string, opts?: { ind?: number }): AuthVector;
  /** A GSM triplet from a Milenage quintet via c2/c3 (TS 33.102 §6.8.2.1); no SQN involved. */
  gsmTriplet(imsi: string): GsmTriplet;
  /**
   * Handles a synchronisation failure (TS 33.102 §6.3.5): checks MAC-S in AUTS (AMF = 0000),
   * recovers SQN_MS = AUTS[0..5] ⊕ AK*, and sets SEQ_HE to SEQ(SQN_MS) so the next vector is above it.
   * A bad MAC-S changes nothing.
   */
  resync(imsi: string, rand: Bytes, auts: Bytes): ResyncResult;
  /** Adds (or replaces) a subscriber. Throws on an invalid record (message names the IMSI and field). */
  add(record: SubscriberRecord): void;
  has(imsi: string): boolean;
  /** Snapshot of all records with their current SEQ_HE, for saveSubscribers(). */
  records(): SubscriberRecord[];
}

interface Entry {
  record: SubscriberRecord;
  aka: AkaAlgorithm;
}

/** c2/c3 (TS 33.102 §6.8.1.2) take a RES of at most 128 bits and 128-bit CK and IK. */
function gsmOf({ res, ck, ik }: MilenageOutputs): { sres: Bytes; kc: Bytes } | undefined {
  return res.length <= 16 && ck.length === 16 && ik.length === 16 ? gsmFromUmts(res, ck, ik) : undefined;
}

const AMF_RESYNC = new Uint8Array(2);

function copyRecord(r: SubscriberRecord): SubscriberRecord {
  return {
    ...r,
    k: r.k.slice(),
    opc: r.opc?.slice(),
    op: r.op?.slice(),
    topc: r.topc?.slice(),
    top: r.top?.slice(),
    tuak: r.tuak ? { ...r.tuak } : undefined,
    amf: r.amf.slice(),
    constants: r.constants
      ? {
          r: [...r.constants.r],
          c: r.constants.c.map((c) => c.slice()) as [Bytes, Bytes, Bytes, Bytes, Bytes],
        }
      : undefined,
  };
}

export function createAuc(records: readonly SubscriberRecord[] = [], options: AucOptions = {}): Auc {
  const nodeInd = options.ind ?? 0;
  if (!Number.isInteger(nodeInd) || nodeInd < 0) throw new Error('AuC: ind must be a non-negative integer');
  const random = options.random ?? cryptoRandom(4096);
  const entries = new Map<string, Entry>();

  const entry = (imsi: string): Entry => {
    const e = entries.get(imsi);
    if (!e) throw new Error(`AuC: unknown IMSI ${imsi}`);
    return e;
  };

  const add = (record: SubscriberRecord): void => {
    const problem = recordProblem(record);
    if (problem) throw new Error(`AuC: subscriber ${String(record.imsi)}: ${problem}`);
    if (nodeInd >= 2 ** record.indBits)
      throw new Error(`AuC: subscriber ${record.imsi}: ind ${nodeInd} does not fit indBits`);
    const r = copyRecord(record);
    entries.set(r.imsi, { record: r, aka: createAka(subscriberKeysOf(r)) });
  };
  records.forEach(add);

  return {
    generateVector(imsi, opts = {}) {
      const { record, aka } = entry(imsi);
      const ind = opts.ind ?? nodeInd;
      const slots = 2 ** record.indBits;
      if (!Number.isInteger(ind) || ind < 0 || ind >= slots)
        throw new Error(`AuC: ind ${ind} out of range for ${imsi}`);
      const seq = record.seq + 1;
      if (seq >= 2 ** (48 - record.indBits)) throw new Error(`AuC: SQN space exhausted for ${imsi}`);
      const sqnNumber = seq * slots + ind;
      const sqn = uintBE(sqnNumber, 6);
      const rand = random(16);
      const round = aka.withRand(rand);
      const outputs = round.f2345();
      const { res, ck, ik, ak } = outputs;
      const autn = new Uint8Array(8 + aka.macLength);
      for (let i = 0; i < 6; i++) autn[i] = sqn[i]! ^ ak[i]!;
      autn.set(record.amf, 6);
      autn.set(round.f1(sqn, record.amf), 8);
      record.seq = seq;
      const vector: AuthVector = { rand, xres: res, ck, ik, autn, sqn: sqnNumber };
      const kc = record.gsm ? gsmOf(outputs)?.kc : undefined;
      if (kc) vector.kc = kc;
      return vector;
    },

    gsmTriplet(imsi) {
      const { record, aka } = entry(imsi);
      if (!record.gsm) throw new Error(`AuC: subscriber ${imsi} has no GSM access`);
      const rand = random(16);
      const gsm = gsmOf(aka.withRand(rand).f2345());
      if (!gsm)
        throw new Error(`AuC: subscriber ${imsi}: RES, CK and IK too long for c2/c3 (no GSM triplet)`);
      return { rand, ...gsm };
    },

    resync(imsi, rand, auts) {
      const { record, aka } = entry(imsi);
      if (
        !(rand instanceof Uint8Array) ||
        rand.length !== 16 ||
        !(auts instanceof Uint8Array) ||
        auts.length !== 6 + aka.macLength
      ) {
        return { ok: false, reason: 'malformed' };
      }
      const round = aka.withRand(rand);
      const akStar = round.f5star();
      const ms = new Uint8Array(6);
      for (let i = 0; i < 6; i++) ms[i] = auts[i]! ^ akStar[i]!;
      if (!equalCt(round.f1star(ms, AMF_RESYNC), auts.subarray(6))) return { ok: false, reason: 'mac' };
      const sqnMs = readUintBE(ms, 0, 6);
      record.seq = Math.floor(sqnMs / 2 ** record.indBits);
      return { ok: true, sqnMs };
    },

    add,
    has: (imsi) => entries.has(imsi),
    records: () => [...entries.values()].map((e) => copyRecord(e.record)),
  };
}
