// The SUCI (TS 33.501 §6.12.2, TS 23.003 §2.2B) and the two DF.5GS files it is built from
// (TS 31.102 §4.4.11.8 EF.SUCI_Calc_Info, §4.4.11.11 EF.Routing_Indicator). Pure codecs shared by the card
// (GET IDENTITY) and the host (profile codecs, SIDF); decoders return undefined for malformed bytes and
// never throw.

import { type Bytes, concat, toHex } from '../../card-os/bytes.js';
import { isHomeNetworkKey, profileOfScheme, SCHEME } from './suci-ecies.js';

// ---- EF.SUCI_Calc_Info (TS 31.102 §4.4.11.8) ----
//   A0 L { protection scheme id (1) ‖ key index (1) }*   the list's order is the priority order;
//                                                         key index 0 for the null scheme, else 1-based
//                                                         into the key list below
//   A1 L { 80 01 <HN public key id> 81 L <HN public key> }*
// The rest of the file is padding (FF).

export interface SchemeEntry {
  scheme: number;
  keyIndex: number;
}

export interface HomeNetworkKey {
  id: number;
  key: Bytes;
}

export interface SuciCalcInfo {
  schemes: SchemeEntry[];
  keys: HomeNetworkKey[];
}

const TAG_SCHEMES = 0xa0;
const TAG_KEYS = 0xa1;
const TAG_KEY_ID = 0x80;
const TAG_KEY = 0x81;

/** BER length (short form, or 81/82 long forms) at `o`: [length, header bytes] or undefined. */
function berLength(b: Bytes, o: number): [number, number] | undefined {
  const first = b[o];
  if (first === undefined) return undefined;
  if (first < 0x80) return [first, 1];
  if (first === 0x81 && o + 1 < b.length) return [b[o + 1]!, 2];
  if (first === 0x82 && o + 2 < b.length) return [(b[o + 1]! << 8) | b[o + 2]!, 3];
  return undefined;
}

function berLengthBytes(n: number): Bytes {
  if (n < 0x80) return Uint8Array.of(n);
  if (n < 0x100) return Uint8Array.of(0x81, n);
  return Uint8Array.of(0x82, n >> 8, n & 0xff);
}

function tlv(tag: number, value: Bytes): Bytes {
  return concat(Uint8Array.of(tag), berLengthBytes(value.length), value);
}

/** Reads one TLV at `o`: tag, value, next offset; undefined if it runs past the end. */
function readTlv(b: Bytes, o: number): { tag: number; value: Bytes; next: number } | undefined {
  if (o >= b.length) return undefined;
  const len = berLength(b, o + 1);
  if (!len) return undefined;
  const start = o + 1 + len[1];
  const end = start + len[0];
  if (end > b.length) return undefined;
  return { tag: b[o]!, value: b.subarray(start, end), next: end };
}

export function decodeSuciCalcInfo(b: Bytes): SuciCalcInfo | undefined {
  const a0 = readTlv(b, 0);
  if (!a0 || a0.tag !== TAG_SCHEMES || a0.value.length % 2) return undefined;
  const schemes: SchemeEntry[] = [];
  for (let i = 0; i < a0.value.length; i += 2)
    schemes.push({ scheme: a0.value[i]!, keyIndex: a0.value[i + 1]! });
  const keys: HomeNetworkKey[] = [];
  // A file listing only the null scheme may end after A0 (or be padded with FF).
  if (a0.next < b.length && b[a0.next] !== 0xff) {
    const a1 = readTlv(b, a0.next);
    if (!a1 || a1.tag !== TAG_KEYS) return undefined;
    for (let o = 0; o < a1.value.length; ) {
      const id = readTlv(a1.value, o);
      if (!id || id.tag !== TAG_KEY_ID || id.value.length !== 1) return undefined;
      const key = readTlv(a1.value, id.next);
      if (!key || key.tag !== TAG_KEY || key.value.length === 0) return undefined;
      keys.push({ id: id.value[0]!, key: key.value });
      o = key.next;
    }
    for (let o = a1.next; o < b.length; o++) if (b[o] !== 0xff) return undefined;
  }
  for (const s of schemes) {
    if (s.scheme === SCHEME.NULL ? s.keyIndex !== 0 : s.keyIndex < 1 || s.keyIndex > keys.length)
      return undefined;
  }
  return { schemes, keys };
}

/** Encodes the file; `length` pads with FF (TS 31.102 §4.4.11.8: unused bytes FF). */
export function encodeSuciCalcInfo(info: SuciCalcInfo, length?: number): Bytes {
  const list = new Uint8Array(info.schemes.length * 2);
  info.schemes.forEach((s, i) => {
    list[2 * i] = s.scheme;
    list[2 * i + 1] = s.keyIndex;
  });
  const keys = info.keys.map((k) => concat(tlv(TAG_KEY_ID, Uint8Array.of(k.id)), tlv(TAG_KEY, k.key)));
  const body = concat(tlv(TAG_SCHEMES, list), tlv(TAG_KEYS, concat(...keys)));
  if (length === undefined) return body;
  if (body.length > length)
    throw new Error(`the SUCI calculation information needs ${body.length} bytes, the file has ${length}`);
  const out = new Uint8Array(length).fill(0xff);
  out.set(body);
  return out;
}

/**
 * The first entry of the priority list this USIM can run (null, Profile A, Profile B) with a usable home
 * network key, and that key; undefined when there is none.
 */
export function chooseScheme(info: SuciCalcInfo): { scheme: number; key?: HomeNetworkKey } | undefined {
  for (const s of info.schemes) {
    if (s.scheme === SCHEME.NULL) return { scheme: s.scheme };
    const p = profileOfScheme(s.scheme);
    const key = info.keys[s.keyIndex - 1];
    if (p && key && isHomeNetworkKey(p, key.key)) return { scheme: s.scheme, key };
  }
  return undefined;
}

// ---- EF.Routing_Indicator (TS 31.102 §4.4.11.11) ----
// Bytes 1-2: up to 4 BCD digits, digit 1 in the low nibble of byte 1, unused digits F; bytes 3-4 RFU.
// Not provisioned (all F) means routing indicator "0" (TS 23.003 §2.2B).

export function decodeRoutingIndicator(b: Bytes): string | undefined {
  if (b.length < 2) return undefined;
  const n = [b[0]! & 0xf, b[0]! >> 4, b[1]! & 0xf, b[1]! >> 4];
  let digits = '';
  for (const d of n) {
    if (d === 0xf) break;
    if (d > 9) return undefined;
    digits += String(d);
  }
  // Digits after the first filler are malformed (the filler only pads the end).
  for (const d of n.slice(digits.length)) if (d !== 0xf) return undefined;
  return digits || '0';
}

export function encodeRoutingIndicator(ri: string, length = 4): Bytes {
  if (!/^\d{1,4}$/.test(ri)) throw new Error(`routing indicator "${ri}" is not 1 to 4 digits`);
  const out = new Uint8Array(Math.max(length, 2)).fill(0xff);
  for (let i = 0; i < ri.length; i++) {
    const d = Number(ri[i]);
    const byte = i >> 1;
    out[byte] = i & 1 ? (out[byte]! & 0x0f) | (d << 4) : (out[byte]! & 0xf0) | d;
  }
  return out;
}

// ---- The SUCI itself ----

export interface Suci {
  /** SUPI type 0 (IMSI) only here. */
  mcc: string;
  mnc: string;
  routingIndicator: string;
  scheme: number;
  /** 0 with the null scheme. */
  keyId: number;
  /** Null scheme: the MSIN's BCD; ECIES: eph key ‖ ciphertext ‖ tag. */
  output: Bytes;
}

/** MSIN digits as swapped-nibble BCD, F-padded (TS 24.501 §9.11.3.4; also the ECIES plaintext, C.3.2). */
export function msinBcd(msin: string): Bytes {
  const out = new Uint8Array(Math.ceil(msin.length / 2)).fill(0xff);
  for (let i = 0; i < msin.length; i++) {
    const d = msin.charCodeAt(i) - 48;
    out[i >> 1] = i & 1 ? (out[i >> 1]! & 0x0f) | (d << 4) : (out[i >> 1]! & 0xf0) | d;
  }
  return out;
}

/** Inverse of msinBcd; undefined for a non-digit nibble or an F before the end. */
export function msinFromBcd(b: Bytes): string | undefined {
  let s = '';
  for (let i = 0; i < b.length * 2; i++) {
    const d = i & 1 ? b[i >> 1]! >> 4 : b[i >> 1]! & 0xf;
    if (d === 0xf && i === b.length * 2 - 1) break;
    if (d > 9) return undefined;
    s += String(d);
  }
  return s;
}

function plmnBytes(mcc: string, mnc: string): Bytes {
  const d = (s: string, i: number) => (i < s.length ? s.charCodeAt(i) - 48 : 0xf);
  return Uint8Array.of(
    (d(mcc, 1) << 4) | d(mcc, 0),
    (d(mnc, 2) << 4) | d(mcc, 2),
    (d(mnc, 1) << 4) | d(mnc, 0),
  );
}

/**
 * The SUCI as a 5GS mobile identity value (TS 24.501 §9.11.3.4, without IEI and length), as GET IDENTITY
 * returns it: `01` (SUPI format IMSI, type SUCI) ‖ PLMN ‖ routing indicator (2) ‖ scheme ‖ key id ‖ output.
 */
export function encodeSuci(s: Suci): Bytes {
  return concat(
    Uint8Array.of(0x01),
    plmnBytes(s.mcc, s.mnc),
    encodeRoutingIndicator(s.routingIndicator, 2),
    Uint8Array.of(s.scheme & 0x0f, s.keyId),
    s.output,
  );
}

export function decodeSuci(b: Bytes): Suci | undefined {
  if (b.length < 8 || b[0] !== 0x01) return undefined;
  const n = [b[1]! & 0xf, b[1]! >> 4, b[2]! & 0xf, b[3]! & 0xf, b[3]! >> 4, b[2]! >> 4];
  if (n.slice(0, 5).some((x) => x > 9) || (n[5]! > 9 && n[5] !== 0xf)) return undefined;
  const ri = decodeRoutingIndicator(b.subarray(4, 6));
  if (ri === undefined) return undefined;
  return {
    mcc: n.slice(0, 3).join(''),
    mnc: n.slice(3, n[5] === 0xf ? 5 : 6).join(''),
    routingIndicator: ri,
    scheme: b[6]! & 0x0f,
    keyId: b[7]!,
    output: b.slice(8),
  };
}

/** The string form of TS 29.503 (`suci-0-<mcc>-<mnc>-<RI>-<scheme>-<key id>-<output>`). */
export function suciString(s: Suci): string {
  const out = s.scheme === SCHEME.NULL ? (msinFromBcd(s.output) ?? toHex(s.output)) : toHex(s.output);
  return `suci-0-${s.mcc}-${s.mnc}-${s.routingIndicator}-${s.scheme}-${s.keyId}-${out.toLowerCase()}`;
}

/** Parses the string form; undefined when it is not one. */
export function parseSuciString(text: string): Suci | undefined {
  const m = /^suci-0-(\d{3})-(\d{2,3})-(\d{1,4})-(\d{1,2})-(\d{1,3})-([0-9a-fA-F]+)$/.exec(text.trim());
  if (!m) return undefined;
  const scheme = Number(m[4]);
  const keyId = Number(m[5]);
  if (scheme > 15 || keyId > 255) return undefined;
  const hex = m[6]!;
  let output: Bytes;
  if (scheme === SCHEME.NULL) {
    if (!/^\d+$/.test(hex)) return undefined;
    output = msinBcd(hex);
  } else {
    if (hex.length % 2) return undefined;
    output = new Uint8Array(hex.length / 2);
    for (let i = 0; i < output.length; i++) output[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  }
  return { mcc: m[1]!, mnc: m[2]!, routingIndicator: m[3]!, scheme, keyId, output };
}
