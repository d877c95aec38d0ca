// Answer to reset, ISO/IEC 7816-3 §8.2 and TS 102 221 §6.3: structure check (interface bytes, historical
// bytes, TCK) and a readable summary of what it declares.

import { type Bytes, toHex } from '../../card-os/bytes.js';

export interface AtrInfo {
  /** Protocols offered, in order (the first is used without PPS). T=15 is global, not a protocol. */
  protocols: number[];
  /** TA1 (FI, DI), when present. */
  ta1?: number;
  /** Interface bytes after the first TD that indicates T=1: TA = IFSC, TB = BWI/CWI. */
  t1?: { ifsc?: number; bwi?: number; cwi?: number };
  /** First TA after T=15 (TS 102 221 §6.3.3): clock stop (b8 b7) and supply classes (b6..b1). */
  t15?: number;
  historical: Bytes;
}

/** Parses and checks an ATR; returns the reason it is malformed as a string. */
export function parseAtr(atr: Bytes): AtrInfo | string {
  if (atr.length < 2) return 'an ATR has at least TS and T0';
  if (atr[0] !== 0x3b && atr[0] !== 0x3f)
    return `TS must be 3B (direct) or 3F (inverse), not ${toHex(atr.subarray(0, 1))}`;
  if (atr.length > 33) return `an ATR has at most 33 bytes, not ${atr.length}`;
  const k = atr[1]! & 0x0f;
  let y = atr[1]! >> 4;
  let i = 2;
  let level = 1;
  const info: AtrInfo = { protocols: [], historical: new Uint8Array(0) };
  let afterT1 = false;
  let afterT15 = false;
  let tckNeeded = false;
  while (true) {
    const at = (bit: number) => (y & bit ? atr[i++] : undefined);
    const ta = at(1);
    const tb = at(2);
    at(4); // TC
    const td = at(8);
    if (i > atr.length) return 'interface bytes run past the end';
    if (level === 1 && ta !== undefined) info.ta1 = ta;
    if (afterT1 && !info.t1) {
      info.t1 = {};
      if (ta !== undefined) info.t1.ifsc = ta;
      if (tb !== undefined) {
        info.t1.bwi = tb >> 4;
        info.t1.cwi = tb & 0x0f;
      }
    }
    if (afterT15 && info.t15 === undefined && ta !== undefined) info.t15 = ta;
    if (td === undefined) break;
    const t = td & 0x0f;
    if (t !== 0) tckNeeded = true;
    if (t !== 15 && !info.protocols.includes(t)) info.protocols.push(t);
    afterT1 = t === 1 && !info.t1;
    afterT15 = t === 15;
    y = td >> 4;
    level++;
  }
  if (info.protocols.length === 0) info.protocols.push(0);
  if (i + k > atr.length) return `T0 announces ${k} historical bytes, only ${atr.length - i} follow`;
  info.historical = atr.slice(i, i + k);
  const expected = i + k + (tckNeeded ? 1 : 0);
  if (atr.length !== expected) {
    return tckNeeded && atr.length === expected - 1
      ? 'TCK is missing (required because a protocol other than T=0 is offered)'
      : `the ATR should be ${expected} bytes long, not ${atr.length}`;
  }
  if (tckNeeded) {
    let x = 0;
    for (let j = 1; j < atr.length - 1; j++) x ^= atr[j]!;
    if (x !== atr[atr.length - 1]) {
      return `TCK is ${toHex(atr.subarray(-1))}, should be ${toHex(Uint8Array.of(x))}`;
    }
  }
  return info;
}

// ISO/IEC 7816-3 Tables 7 and 8.
const FI: Record<number, [number, number]> = {
  0: [372, 4],
  1: [372, 5],
  2: [558, 6],
  3: [744, 8],
  4: [1116, 12],
  5: [1488, 16],
  6: [1860, 20],
  9: [512, 5],
  10: [768, 7.5],
  11: [1024, 10],
  12: [1536, 15],
  13: [2048, 20],
};
const DI: Record<number, number> = { 1: 1, 2: 2, 3: 4, 4: 8, 5: 16, 6: 32, 7: 64, 8: 12, 9: 20 };
const CLOCK_STOP = ['not supported', 'state L', 'state H', 'no preference'];

/** One line per feature, e.g. "protocols T=0 (default), T=1". */
export function describeAtr(info: AtrInfo): string[] {
  const out = [
    `protocols ${info.protocols.map((t, n) => `T=${t}${n === 0 ? ' (default)' : ''}`).join(', ')}`,
  ];
  if (info.ta1 !== undefined) {
    const fi = FI[info.ta1 >> 4];
    const di = DI[info.ta1 & 0x0f];
    out.push(
      `TA1 ${toHex(Uint8Array.of(info.ta1))}: Fi ${fi ? `${fi[0]} (f max ${fi[1]} MHz)` : 'RFU'}, Di ${di ?? 'RFU'}`,
    );
  }
  if (info.t1) {
    const t1 = info.t1;
    out.push(`T=1: IFSC ${t1.ifsc ?? 32}, BWI ${t1.bwi ?? 4}, CWI ${t1.cwi ?? 13}`);
  }
  if (info.t15 !== undefined) {
    const classes = ['A (5 V)', 'B (3 V)', 'C (1.8 V)'].filter((_, n) => info.t15! & (1 << n));
    out.push(`clock stop ${CLOCK_STOP[info.t15 >> 6]}; supply classes ${classes.join(', ') || 'none'}`);
  }
  out.push(`historical bytes ${toHex(info.historical, ' ') || '(none)'}`);
  return out;
}
