// The wire formats between a GSUP client and an Osmocom HLR: IPA framing, the IPA CCM identity
// exchange, and the GSUP messages of Send Authentication Info (the GSUP counterpart of MAP
// SendAuthenticationInfo, TS 29.002 §8.5.2). Following the Osmocom GSUP protocol description
// (osmocom.org "GSUP" specification, libosmocore gsup.h / ipaccess.h) for the numbering.
//
// IPA frame: length (2 bytes BE, payload only) ‖ stream id (1) ‖ payload.
//   stream FE: IPA CCM, payload = message type (00 PING, 01 PONG, 04 ID_GET, 05 ID_RESP, 06 ID_ACK)
//   stream EE: Osmocom extension, payload = extension byte (05 = GSUP) ‖ GSUP message
// GSUP message: message type (1) ‖ IEs as tag (1) ‖ length (1) ‖ value. Decoders return undefined for
// malformed bytes, never throw.

import { type Bytes, concat } from '../../card-os/bytes.js';
import { decodeSwappedBcd, encodeSwappedBcd } from '../codecs/bcd.js';

export const IPA_STREAM = { CCM: 0xfe, OSMO: 0xee } as const;
export const IPA_OSMO_EXT_GSUP = 0x05;
export const CCM = {
  PING: 0x00,
  PONG: 0x01,
  ID_GET: 0x04,
  ID_RESP: 0x05,
  ID_ACK: 0x06,
  ID_NACK: 0x07,
} as const;
/** CCM identity tags (IPA "IDTAG"): serial number, unit name, ..., unit id. */
export const CCM_TAG = { SERNR: 0x00, UNITNAME: 0x01, UNIT: 0x08 } as const;

export const GSUP_MSG = {
  SEND_AUTH_INFO_REQUEST: 0x08,
  SEND_AUTH_INFO_ERROR: 0x09,
  SEND_AUTH_INFO_RESULT: 0x0a,
} as const;

export const GSUP_IE = {
  IMSI: 0x01,
  CAUSE: 0x02,
  AUTH_TUPLE: 0x03,
  RAND: 0x20,
  SRES: 0x21,
  KC: 0x22,
  IK: 0x23,
  CK: 0x24,
  AUTN: 0x25,
  AUTS: 0x26,
  RES: 0x27,
  CN_DOMAIN: 0x28,
  NUM_VECTORS_REQ: 0x52,
} as const;

/** GMM causes the HLR answers with (TS 24.008 §10.5.5.14), for readable errors. */
const CAUSES: Record<number, string> = {
  0x02: 'IMSI unknown in HLR',
  0x03: 'illegal MS',
  0x06: 'illegal ME',
  0x07: 'GPRS services not allowed',
  0x11: 'network failure',
  0x6f: 'protocol error, unspecified',
};

export function causeName(c: number): string {
  return CAUSES[c] ?? `cause ${c}`;
}

// ---- IPA ----

export function ipaFrame(stream: number, payload: Bytes): Bytes {
  return concat(Uint8Array.of(payload.length >> 8, payload.length & 0xff, stream), payload);
}

export interface IpaMessage {
  stream: number;
  payload: Bytes;
}

/** Splits a TCP byte stream into IPA frames; feed it chunks, it returns the complete frames. */
export function ipaParser(): (chunk: Bytes) => IpaMessage[] {
  let buf: Bytes = new Uint8Array(0);
  return (chunk) => {
    buf = concat(buf, chunk);
    const out: IpaMessage[] = [];
    while (buf.length >= 3) {
      const len = (buf[0]! << 8) | buf[1]!;
      if (buf.length < 3 + len) break;
      out.push({ stream: buf[2]!, payload: buf.slice(3, 3 + len) });
      buf = buf.slice(3 + len);
    }
    return out;
  };
}

/** CCM ID_RESP: for each tag, length (2, BE, = value + 1) ‖ tag ‖ NUL-terminated value. */
export function ccmIdResponse(ids: { tag: number; value: string }[]): Bytes {
  const parts: Bytes[] = [Uint8Array.of(CCM.ID_RESP)];
  for (const { tag, value } of ids) {
    const v = concat(new TextEncoder().encode(value), Uint8Array.of(0));
    parts.push(Uint8Array.of((v.length + 1) >> 8, (v.length + 1) & 0xff, tag), v);
  }
  return concat(...parts);
}

// ---- GSUP ----

/** TBCD IMSI (TS 29.002 §17.7.8): digit 1 in the low nibble, F filler (the swapped BCD of the SIM files). */
export function encodeImsiTbcd(imsi: string): Bytes {
  if (!/^\d{6,15}$/.test(imsi)) throw new Error(`an IMSI has 6 to 15 digits, not "${imsi}"`);
  return encodeSwappedBcd(imsi);
}

export function decodeImsiTbcd(b: Bytes): string | undefined {
  return decodeSwappedBcd(b);
}

export interface GsupIe {
  tag: number;
  value: Bytes;
}

export interface GsupMessage {
  type: number;
  ies: GsupIe[];
}

export function encodeGsup(m: GsupMessage): Bytes {
  const parts: Bytes[] = [Uint8Array.of(m.type)];
  for (const ie of m.ies) {
    if (ie.value.length > 255) throw new Error(`GSUP IE ${ie.tag} is too long`);
    parts.push(Uint8Array.of(ie.tag, ie.value.length), ie.value);
  }
  return concat(...parts);
}

function decodeIes(b: Bytes): GsupIe[] | undefined {
  const ies: GsupIe[] = [];
  for (let o = 0; o < b.length; ) {
    if (o + 2 > b.length) return undefined;
    const len = b[o + 1]!;
    if (o + 2 + len > b.length) return undefined;
    ies.push({ tag: b[o]!, value: b.slice(o + 2, o + 2 + len) });
    o += 2 + len;
  }
  return ies;
}

export function decodeGsup(b: Bytes): GsupMessage | undefined {
  if (b.length < 1) return undefined;
  const ies = decodeIes(b.subarray(1));
  return ies && { type: b[0]!, ies };
}

export interface SendAuthInfoRequest {
  imsi: string;
  /** Resynchronisation (TS 33.102 §6.3.5): AUTS and the RAND it answered, both or neither. */
  resync?: { auts: Bytes; rand: Bytes };
  /** Number of vectors asked for (the HLR gives up to 5 when absent). */
  count?: number;
}

export function sendAuthInfoRequest(r: SendAuthInfoRequest): Bytes {
  const ies: GsupIe[] = [{ tag: GSUP_IE.IMSI, value: encodeImsiTbcd(r.imsi) }];
  if (r.resync) {
    if (r.resync.auts.length !== 14 || r.resync.rand.length !== 16)
      throw new Error('AUTS is 14 bytes, RAND 16');
    ies.push({ tag: GSUP_IE.AUTS, value: r.resync.auts }, { tag: GSUP_IE.RAND, value: r.resync.rand });
  }
  if (r.count !== undefined) ies.push({ tag: GSUP_IE.NUM_VECTORS_REQ, value: Uint8Array.of(r.count) });
  return encodeGsup({ type: GSUP_MSG.SEND_AUTH_INFO_REQUEST, ies });
}

export interface GsupVector {
  rand: Bytes;
  autn: Bytes;
  xres: Bytes;
  ck: Bytes;
  ik: Bytes;
  sres?: Bytes;
  kc?: Bytes;
}

export type SendAuthInfoAnswer =
  | { imsi: string; ok: true; vectors: GsupVector[] }
  | { imsi: string; ok: false; cause: number };

/** Decodes a SEND AUTH INFO result or error; undefined for anything else or a malformed message. */
export function decodeSendAuthInfoAnswer(m: GsupMessage): SendAuthInfoAnswer | undefined {
  const imsiIe = m.ies.find((i) => i.tag === GSUP_IE.IMSI);
  const imsi = imsiIe && decodeImsiTbcd(imsiIe.value);
  if (!imsi) return undefined;
  if (m.type === GSUP_MSG.SEND_AUTH_INFO_ERROR) {
    const c = m.ies.find((i) => i.tag === GSUP_IE.CAUSE);
    return { imsi, ok: false, cause: c?.value[0] ?? 0 };
  }
  if (m.type !== GSUP_MSG.SEND_AUTH_INFO_RESULT) return undefined;
  const vectors: GsupVector[] = [];
  for (const t of m.ies.filter((i) => i.tag === GSUP_IE.AUTH_TUPLE)) {
    const ies = decodeIes(t.value);
    if (!ies) return undefined;
    const get = (tag: number) => ies.find((i) => i.tag === tag)?.value;
    const [rand, autn, xres, ck, ik] = [GSUP_IE.RAND, GSUP_IE.AUTN, GSUP_IE.RES, GSUP_IE.CK, GSUP_IE.IK].map(
      get,
    );
    // A 2G-only tuple (no AUTN) cannot authenticate a USIM in the 3G context: skip it.
    if (!rand || !autn || !xres || !ck || !ik) continue;
    if (rand.length !== 16 || autn.length !== 16 || ck.length !== 16 || ik.length !== 16) return undefined;
    vectors.push({ rand, autn, xres, ck, ik, sres: get(GSUP_IE.SRES), kc: get(GSUP_IE.KC) });
  }
  return { imsi, ok: true, vectors };
}
