// TP-User-Data-Header, TS 23.040 §9.2.3.24: UDHL then information elements (IEI, IEIDL, data).
// OTA uses IEI 70 (command packet identifier) and 71 (response packet identifier), TS 31.115 §6/§7, and the
// concatenation IEs 00 (8-bit reference) and 08 (16-bit reference), §9.2.3.24.1 / §9.2.3.24.8.

import { type Bytes, concat } from '../../card-os/bytes.js';
import { MAX_UD } from './sms-tpdu.js';

export const IEI_CONCAT_8 = 0x00;
export const IEI_CONCAT_16 = 0x08;
export const IEI_CPI = 0x70;
export const IEI_RPI = 0x71;

export interface UdhIe {
  iei: number;
  data: Bytes;
}

export interface UserData {
  ies: UdhIe[];
  /** The user data after the header. */
  payload: Bytes;
}

/** Splits TP-UD into header IEs and payload; undefined if the header overruns or is malformed. */
export function parseUserData(ud: Bytes, udhi: boolean): UserData | undefined {
  if (!udhi) return { ies: [], payload: ud };
  if (ud.length < 1) return undefined;
  const end = 1 + ud[0]!;
  if (end > ud.length) return undefined;
  const ies: UdhIe[] = [];
  let o = 1;
  while (o < end) {
    if (o + 2 > end) return undefined;
    const len = ud[o + 1]!;
    if (o + 2 + len > end) return undefined;
    ies.push({ iei: ud[o]!, data: ud.subarray(o + 2, o + 2 + len) });
    o += 2 + len;
  }
  return { ies, payload: ud.subarray(end) };
}

function encodeIes(ies: UdhIe[]): Bytes {
  return concat(...ies.map((ie) => concat(Uint8Array.of(ie.iei, ie.data.length), ie.data)));
}

/** TP-UD with a header built from `ies` (UDHI must be set on the TPDU). */
export function buildUserData(ies: UdhIe[], payload: Bytes): Bytes {
  const h = encodeIes(ies);
  return concat(Uint8Array.of(h.length), h, payload);
}

export interface ConcatInfo {
  ref: number;
  total: number;
  seq: number;
}

/**
 * The concatenation IE, if any. Per §9.2.3.24.1 an IE with a total of 0, or a sequence number of 0 or above
 * the total, is ignored (the message is then treated as not concatenated), as is one of the wrong length.
 */
export function concatInfo(ies: UdhIe[]): ConcatInfo | undefined {
  for (const ie of ies) {
    let info: ConcatInfo | undefined;
    if (ie.iei === IEI_CONCAT_8 && ie.data.length === 3)
      info = { ref: ie.data[0]!, total: ie.data[1]!, seq: ie.data[2]! };
    else if (ie.iei === IEI_CONCAT_16 && ie.data.length === 4)
      info = { ref: (ie.data[0]! << 8) | ie.data[1]!, total: ie.data[2]!, seq: ie.data[3]! };
    if (info) return info.total === 0 || info.seq === 0 || info.seq > info.total ? undefined : info;
  }
  return undefined;
}

/**
 * Splits a payload over as many TP-UDs as needed. `leadIes` (e.g. IEI 70 or 71) go in the first segment only;
 * when more than one segment is needed each carries a concatenation IE (8-bit reference unless `ref16`).
 * Returns undefined if it would take more than 255 segments.
 */
export function splitUserData(
  leadIes: UdhIe[],
  payload: Bytes,
  ref: number,
  ref16 = false,
): Bytes[] | undefined {
  const lead = encodeIes(leadIes).length;
  if (1 + lead + payload.length <= MAX_UD) return [buildUserData(leadIes, payload)];
  const concatLen = ref16 ? 6 : 5;
  const firstCap = MAX_UD - 1 - concatLen - lead;
  const laterCap = MAX_UD - 1 - concatLen;
  const total = 1 + Math.ceil(Math.max(0, payload.length - firstCap) / laterCap);
  if (total > 255) return undefined;
  const out: Bytes[] = [];
  let o = 0;
  for (let seq = 1; seq <= total; seq++) {
    const cap = seq === 1 ? firstCap : laterCap;
    const ie: UdhIe = ref16
      ? { iei: IEI_CONCAT_16, data: Uint8Array.of((ref >> 8) & 0xff, ref & 0xff, total, seq) }
      : { iei: IEI_CONCAT_8, data: Uint8Array.of(ref & 0xff, total, seq) };
    out.push(buildUserData(seq === 1 ? [ie, ...leadIes] : [ie], payload.subarray(o, o + cap)));
    o += cap;
  }
  return out;
}
