// Sequence-number checking in the USIM, TS 33.102 Annex C.2 (card side; the AuC side is host/network/).
//
// SQN (48 bits) = SEQ ‖ IND, IND being the low `indBits` bits (Annex C.1.2). The USIM keeps one
// SEQ_MS(i) per IND value i (Annex C.2.2), all zero at first. SQN values are plain numbers: 48 bits
// are exact in a double. The state is immutable: checkSqn returns a new state when it accepts.

import type { Bytes } from '../../card-os/bytes.js';
import { readUintBE } from '../../card-os/bytes.js';

export interface SqnConfig {
  /** Length of IND in bits (Annex C.1.2, C.3: 5 is the usual value); 0..10 here, so at most 1024 slots. */
  readonly indBits: number;
  /** Δ: largest accepted forward jump SEQ − SEQ_MS, in SEQ units (Annex C.2.1). */
  readonly delta: number;
  /** L: when set, SEQ_MS − SEQ must be below it, in SEQ units (Annex C.2.2 age limit); undefined = not applied. */
  readonly ageLimit?: number | undefined;
}

export interface SqnState {
  readonly config: SqnConfig;
  /** SEQ_MS(i) for i = 0 .. 2^indBits − 1. */
  readonly seqMs: readonly number[];
}

export type SqnCheck =
  | { ok: true; next: SqnState }
  | { ok: false; reason: 'malformed' | 'delta' | 'age' | 'replay' };

const SQN_LIMIT = 2 ** 48;

/**
 * Defaults: IND 5 bits (32 slots), the length osmo-hlr, osmo-auc-gen and onomondo-uicc use.
 * Δ = 2^28 SEQ steps: Annex C.2.1 only asks that Δ be large enough never to trip on a correctly working
 * AuC yet leave many Δ-jumps before SEQ runs out (2^43 / 2^28 = 2^15 jumps); 2^28 is the figure
 * commonly taken from the Annex C.3 profile (not re-read from the spec text here). L (the Annex C.2.2
 * age limit) is optional in the spec ("if such a limit L is applied") and is off by default.
 */
export const DEFAULT_SQN_CONFIG: SqnConfig = { indBits: 5, delta: 2 ** 28, ageLimit: undefined };

const MAX_IND_BITS = 10;

function seqLimit(indBits: number): number {
  return 2 ** (48 - indBits);
}

/** Returns why a config is unusable, or undefined when it is fine. */
export function sqnConfigProblem(config: SqnConfig): string | undefined {
  const { indBits, delta, ageLimit } = config;
  if (!Number.isInteger(indBits) || indBits < 0 || indBits > MAX_IND_BITS) {
    return `indBits must be an integer 0..${MAX_IND_BITS}`;
  }
  const max = seqLimit(indBits);
  if (!Number.isInteger(delta) || delta < 1 || delta >= max)
    return `delta must be an integer 1..2^${48 - indBits} - 1`;
  if (ageLimit !== undefined && (!Number.isInteger(ageLimit) || ageLimit < 1 || ageLimit >= max)) {
    return `ageLimit must be an integer 1..2^${48 - indBits} - 1`;
  }
  return undefined;
}

/**
 * A fresh state: every SEQ_MS(i) zero (Annex C.2.2). For personalisation, not for APDU handling: an
 * unusable config throws a RangeError naming the problem (see sqnConfigProblem).
 */
export function initialSqnState(config: Partial<SqnConfig> = {}): SqnState {
  const full: SqnConfig = { ...DEFAULT_SQN_CONFIG, ...config };
  const problem = sqnConfigProblem(full);
  if (problem) throw new RangeError(`SQN config: ${problem}`);
  return { config: full, seqMs: new Array<number>(2 ** full.indBits).fill(0) };
}

/** SEQ and IND of a 48-bit SQN. */
export function splitSqn(sqn: number, indBits: number): { seq: number; ind: number } {
  const slots = 2 ** indBits;
  return { seq: Math.floor(sqn / slots), ind: sqn % slots };
}

function highestSlot(seqMs: readonly number[]): number {
  let best = -1;
  for (let i = 0; i < seqMs.length; i++)
    if (seqMs[i]! > 0 && (best < 0 || seqMs[i]! >= seqMs[best]!)) best = i;
  return best;
}

/**
 * SQN_MS: the highest sequence number accepted so far anywhere in the array (Annex C.2.2), i.e.
 * SEQ_MS(i) ‖ i for the slot with the highest SEQ (the higher IND on a tie). 0 when nothing was accepted.
 * This is what AUTS carries on a synchronisation failure.
 */
export function sqnMs(state: SqnState): number {
  const i = highestSlot(state.seqMs);
  return i < 0 ? 0 : state.seqMs[i]! * 2 ** state.config.indBits + i;
}

/**
 * Annex C.2 acceptance test for a received SQN. In order:
 *  C.2.1 wrap-around protection: SEQ − SEQ_MS ≤ Δ, SEQ_MS the highest SEQ accepted anywhere. A SEQ
 *        below SEQ_MS gives a negative difference and passes (signed arithmetic, on purpose).
 *  C.2.2 age limit, if L is set: SEQ_MS − SEQ < L.
 *  C.2.2 freshness: SEQ > SEQ_MS(IND); then SEQ_MS(IND) := SEQ.
 * A SEQ lower than SEQ_MS is therefore accepted when its own IND slot has not seen it.
 */
export function checkSqn(state: SqnState, sqn: number): SqnCheck {
  const { indBits, delta, ageLimit } = state.config;
  if (!Number.isInteger(sqn) || sqn < 0 || sqn >= SQN_LIMIT) return { ok: false, reason: 'malformed' };
  const { seq, ind } = splitSqn(sqn, indBits);
  const top = highestSlot(state.seqMs);
  const highest = top < 0 ? 0 : state.seqMs[top]!;
  if (seq - highest > delta) return { ok: false, reason: 'delta' };
  if (ageLimit !== undefined && highest - seq >= ageLimit) return { ok: false, reason: 'age' };
  if (seq <= state.seqMs[ind]!) return { ok: false, reason: 'replay' };
  const seqMs = state.seqMs.slice();
  seqMs[ind] = seq;
  return { ok: true, next: { config: state.config, seqMs } };
}

// ---- NVM encoding ------------------------------------------------------------------------------
// version(1) = 01 ‖ indBits(1) ‖ Δ(6) ‖ L flag(1: 00 off, 01 on) ‖ L(6, zero when off) ‖ SEQ_MS(i) (6 each)

const VERSION = 1;
const HEADER = 15;

/** Writes a 48-bit number big-endian at `off` (no temporary: this runs on every successful AUTHENTICATE). */
function put48(out: Bytes, off: number, v: number): void {
  const hi = Math.floor(v / 2 ** 32);
  const lo = v >>> 0;
  out[off] = hi >>> 8;
  out[off + 1] = hi;
  out[off + 2] = lo >>> 24;
  out[off + 3] = lo >>> 16;
  out[off + 4] = lo >>> 8;
  out[off + 5] = lo;
}

export function encodeSqnState(state: SqnState): Bytes {
  const { indBits, delta, ageLimit } = state.config;
  const out = new Uint8Array(HEADER + 6 * state.seqMs.length);
  out[0] = VERSION;
  out[1] = indBits;
  put48(out, 2, delta);
  out[8] = ageLimit === undefined ? 0 : 1;
  put48(out, 9, ageLimit ?? 0);
  for (let i = 0; i < state.seqMs.length; i++) put48(out, HEADER + 6 * i, state.seqMs[i]!);
  return out;
}

/**
 * The record of `next` from the record of the state it came from: one AUTHENTICATE changes one SEQ_MS(i), so
 * only that slot is rewritten (the hot path avoids re-encoding every slot).
 */
export function updateSqnRecord(prevRecord: Bytes, prev: SqnState, next: SqnState): Bytes {
  const out = prevRecord.slice();
  for (let i = 0; i < next.seqMs.length; i++) {
    if (next.seqMs[i] !== prev.seqMs[i]) put48(out, HEADER + 6 * i, next.seqMs[i]!);
  }
  return out;
}

/** Decodes NVM bytes; undefined when they are not a well-formed state (wrong version, sizes, ranges). */
export function decodeSqnState(bytes: Bytes): SqnState | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.length < HEADER || bytes[0] !== VERSION) return undefined;
  const indBits = bytes[1]!;
  if (indBits > MAX_IND_BITS) return undefined;
  const slots = 2 ** indBits;
  if (bytes.length !== HEADER + 6 * slots) return undefined;
  const flag = bytes[8]!;
  if (flag > 1) return undefined;
  const lRaw = readUintBE(bytes, 9, 6);
  if (flag === 0 && lRaw !== 0) return undefined;
  const config: SqnConfig = { indBits, delta: readUintBE(bytes, 2, 6), ageLimit: flag ? lRaw : undefined };
  if (sqnConfigProblem(config)) return undefined;
  const max = seqLimit(indBits);
  const seqMs = new Array<number>(slots);
  for (let i = 0; i < slots; i++) {
    const v = readUintBE(bytes, HEADER + 6 * i, 6);
    if (v >= max) return undefined;
    seqMs[i] = v;
  }
  return { config, seqMs };
}
