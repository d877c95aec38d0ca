// PLMN identity (TS 24.008 §10.5.1.3, 3 bytes: MCC2|MCC1, MNC3|MCC3, MNC2|MNC1, MNC3 = F for a 2-digit
// MNC) and the lists built from it: EF.FPLMN / EF.EHPLMN (3-byte entries) and the xPLMNwAcT files
// (TS 31.102 §4.2.5: PLMN + 2-byte access technology identifier).

import type { Bytes } from '../../card-os/bytes.js';
import { lazySchema } from '../../card-os/lazy-schema.js';
import { digits, list, oneOf } from './values.js';

export interface Plmn {
  mcc: string;
  mnc: string;
}

export const plmnValue = lazySchema((z) => z.strictObject({ mcc: digits(3, 3), mnc: digits(2, 3) }));

export function encodePlmn(p: Plmn): Bytes {
  if (!/^\d{3}$/.test(p.mcc) || !/^\d{2,3}$/.test(p.mnc)) throw new Error(`bad PLMN ${p.mcc}/${p.mnc}`);
  const d = (s: string, i: number) => (i < s.length ? Number(s[i]) : 0xf);
  return Uint8Array.of(
    (d(p.mcc, 1) << 4) | d(p.mcc, 0),
    (d(p.mnc, 2) << 4) | d(p.mcc, 2),
    (d(p.mnc, 1) << 4) | d(p.mnc, 0),
  );
}

/** Undefined for a malformed PLMN; null for the empty entry FF FF FF. */
export function decodePlmn(b: Bytes): Plmn | null | undefined {
  if (b.length < 3) return undefined;
  if (b[0] === 0xff && b[1] === 0xff && b[2] === 0xff) return null;
  const n = [b[0]! & 0xf, b[0]! >> 4, b[1]! & 0xf, b[2]! & 0xf, b[2]! >> 4, b[1]! >> 4];
  if (n.slice(0, 5).some((x) => x > 9) || (n[5]! > 9 && n[5] !== 0xf)) return undefined;
  return { mcc: n.slice(0, 3).join(''), mnc: n.slice(3, n[5] === 0xf ? 5 : 6).join('') };
}

// ---- Access technology identifier, TS 31.102 §4.2.5 ----
// Byte 1: b8 UTRAN, b7 E-UTRAN, b6 E-UTRAN in WB-S1 mode, b5 E-UTRAN in NB-S1 mode, b4 NG-RAN,
//         b3 satellite NG-RAN, b2 satellite E-UTRAN WB-S1, b1 satellite E-UTRAN NB-S1.
// Byte 2: b8 GSM, b7 GSM COMPACT, b6 cdma2000 HRPD, b5 cdma2000 1xRTT, b4 EC-GSM-IoT, b3 GSM (without EC).
// E-UTRAN (table 4.2.5.1): b7 alone or with both b6 b5 = WB and NB; b7+b6 = WB only; b7+b5 = NB only.
// GSM (table 4.2.5.2): b8 alone or with both b4 b3 = GSM and EC-GSM-IoT; b8+b3 = GSM; b8+b4 = EC-GSM-IoT.
// Encoding follows the values TS 31.102 §4.2.5 lists (GSM = 0x0084, E-UTRAN = 0x4000).

export const ACCESS_TECHNOLOGIES = [
  'utran',
  'eutran',
  'eutran-wb',
  'eutran-nb',
  'ngran',
  'sat-ngran',
  'sat-eutran-wb',
  'sat-eutran-nb',
  'gsm',
  'ec-gsm-iot',
  'gsm-compact',
  'cdma-hrpd',
  'cdma-1xrtt',
] as const;
export type AccessTechnology = (typeof ACCESS_TECHNOLOGIES)[number];

const SIMPLE_BITS: [AccessTechnology, number][] = [
  ['utran', 0x8000],
  ['ngran', 0x0800],
  ['sat-ngran', 0x0400],
  ['sat-eutran-wb', 0x0200],
  ['sat-eutran-nb', 0x0100],
  ['gsm-compact', 0x0040],
  ['cdma-hrpd', 0x0020],
  ['cdma-1xrtt', 0x0010],
];
const KNOWN_BITS = 0xfffc; // byte 2 b2 b1 are RFU

export function encodeAct(act: readonly AccessTechnology[]): number {
  const has = new Set(act);
  let v = 0;
  for (const [name, bit] of SIMPLE_BITS) if (has.has(name)) v |= bit;
  const wb = has.has('eutran-wb');
  const nb = has.has('eutran-nb');
  if (has.has('eutran') || (wb && nb)) v |= 0x4000;
  else if (wb) v |= 0x6000;
  else if (nb) v |= 0x5000;
  const gsm = has.has('gsm');
  const ec = has.has('ec-gsm-iot');
  if (gsm && ec) v |= 0x008c;
  else if (gsm) v |= 0x0084;
  else if (ec) v |= 0x0088;
  return v;
}

/** Undefined if bits outside TS 31.102 §4.2.5 are set, or a refinement bit appears without its base bit. */
export function decodeAct(v: number): AccessTechnology[] | undefined {
  if (v & ~KNOWN_BITS & 0xffff) return undefined;
  const out: AccessTechnology[] = [];
  for (const [name, bit] of SIMPLE_BITS) if (v & bit) out.push(name);
  const e = v & 0x7000;
  if (e === 0x4000 || e === 0x7000) out.push('eutran');
  else if (e === 0x6000) out.push('eutran-wb');
  else if (e === 0x5000) out.push('eutran-nb');
  else if (e !== 0) return undefined;
  const g = v & 0x008c;
  if (g === 0x0080 || g === 0x008c) out.push('gsm', 'ec-gsm-iot');
  else if (g === 0x0084) out.push('gsm');
  else if (g === 0x0088) out.push('ec-gsm-iot');
  else if (g !== 0) return undefined;
  return ACCESS_TECHNOLOGIES.filter((a) => out.includes(a));
}

// ---- Lists ----

export const plmnListValue = list(plmnValue);

/** EF.FPLMN / EF.EHPLMN: 3 bytes per PLMN, unused entries FF FF FF (TS 31.102 §4.2.16, §4.2.84). */
export function encodePlmnList(plmns: readonly Plmn[], length = plmns.length * 3): Bytes {
  const out = new Uint8Array(Math.max(length, plmns.length * 3)).fill(0xff);
  plmns.forEach((p, i) => {
    out.set(encodePlmn(p), i * 3);
  });
  return out;
}

export function decodePlmnList(b: Bytes): Plmn[] | undefined {
  if (b.length % 3) return undefined;
  const out: Plmn[] = [];
  for (let i = 0; i < b.length; i += 3) {
    const p = decodePlmn(b.subarray(i, i + 3));
    if (p === undefined) return undefined;
    if (p) out.push(p);
  }
  return out;
}

export interface PlmnWithAct extends Plmn {
  act: AccessTechnology[];
}

export const plmnActValue = lazySchema((z) =>
  z.strictObject({
    mcc: digits(3, 3),
    mnc: digits(2, 3),
    act: list(oneOf(ACCESS_TECHNOLOGIES)),
  }),
);
export const plmnActListValue = list(plmnActValue);

const EMPTY_ACT_ENTRY = Uint8Array.of(0xff, 0xff, 0xff, 0x00, 0x00);

/** xPLMNwAcT: 5 bytes per entry, unused entries FF FF FF 00 00 (TS 31.102 §4.2.5). */
export function encodePlmnActList(entries: readonly PlmnWithAct[], length = entries.length * 5): Bytes {
  const n = Math.max(length, entries.length * 5);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = EMPTY_ACT_ENTRY[i % 5]!;
  entries.forEach((e, i) => {
    const act = encodeAct(e.act);
    out.set([...encodePlmn(e), act >> 8, act & 0xff], i * 5);
  });
  return out;
}

export function decodePlmnActList(b: Bytes): PlmnWithAct[] | undefined {
  if (b.length % 5) return undefined;
  const out: PlmnWithAct[] = [];
  for (let i = 0; i < b.length; i += 5) {
    const p = decodePlmn(b.subarray(i, i + 3));
    if (p === undefined) return undefined;
    if (!p) continue;
    const act = decodeAct((b[i + 3]! << 8) | b[i + 4]!);
    if (!act) return undefined;
    out.push({ ...p, act });
  }
  return out;
}
