// The EFs of DF.5GS (5FC0 under ADF.USIM, TS 31.102 §4.4.11) as readable values. The SUCI files share
// their codec with the card (applets/usim/suci.ts), which computes the SUCI from them in GET IDENTITY.

import type * as z from 'zod';
import {
  decodeRoutingIndicator,
  decodeSuciCalcInfo,
  encodeRoutingIndicator,
  encodeSuciCalcInfo,
  type SuciCalcInfo,
} from '../../applets/usim/suci.js';
import { type Bytes, concat } from '../../card-os/bytes.js';
import { lazySchema } from '../../card-os/lazy-schema.js';
import { decodePlmn, encodePlmn } from './plmn.js';
import { decimal, digits, hexBytes, list, oneOf, text } from './values.js';

const allFf = (b: Bytes) => b.every((x) => x === 0xff);

function padFf(body: Bytes, length: number | undefined, what: string): Bytes {
  if (length === undefined) return body;
  if (body.length > length) throw new Error(`${what} needs ${body.length} bytes, the file has ${length}`);
  const out = new Uint8Array(length).fill(0xff);
  out.set(body);
  return out;
}

/** Simple TLVs with one-byte tags and short (or 81) lengths, the coding of the DF.5GS TLV files. */
function tlv(tag: number, value: Bytes): Bytes {
  const len = value.length < 0x80 ? Uint8Array.of(value.length) : Uint8Array.of(0x81, value.length);
  return concat(Uint8Array.of(tag), len, value);
}

/** Splits TLVs until the end or FF padding; undefined if one overruns. */
function readTlvs(b: Bytes): Map<number, Bytes> | undefined {
  const out = new Map<number, Bytes>();
  let o = 0;
  while (o < b.length && b[o] !== 0xff) {
    let len = b[o + 1];
    let start = o + 2;
    if (len === 0x81) {
      len = b[o + 2];
      start = o + 3;
    }
    if (len === undefined || len > 0x81 || start + len > b.length || out.has(b[o]!)) return undefined;
    out.set(b[o]!, b.subarray(start, start + len));
    o = start + len;
  }
  for (; o < b.length; o++) if (b[o] !== 0xff) return undefined;
  return out;
}

// ---- EF.5GS3GPPLOCI / EF.5GSN3GPPLOCI (§4.4.11.2, §4.4.11.3) ----
// 5G-GUTI (13 bytes, FF when none) ‖ last visited registered TAI (PLMN 3 ‖ TAC 3) ‖ 5GS update status.

const UPDATE_STATUS = ['updated', 'not-updated', 'roaming-not-allowed'] as const;

export const loci5gsValue = lazySchema((z) =>
  z.strictObject({
    guti: hexBytes(13, 13).optional(),
    tai: z.strictObject({ mcc: digits(3, 3), mnc: digits(2, 3), tac: hexBytes(3, 3) }).optional(),
    status: oneOf(UPDATE_STATUS),
  }),
);
export type Loci5gs = z.output<typeof loci5gsValue>;

export function encodeLoci5gs(v: Loci5gs): Bytes {
  const out = new Uint8Array(20).fill(0xff);
  if (v.guti) out.set(v.guti, 0);
  out.set(v.tai ? concat(encodePlmn(v.tai), v.tai.tac) : Uint8Array.of(0xff, 0xff, 0xff, 0, 0, 0), 13);
  out[19] = UPDATE_STATUS.indexOf(v.status);
  return out;
}

export function decodeLoci5gs(b: Bytes): Loci5gs | undefined {
  if (b.length !== 20) return undefined;
  const status = UPDATE_STATUS[b[19]!];
  const plmn = decodePlmn(b.subarray(13, 16));
  if (!status || plmn === undefined) return undefined;
  const tac = b.slice(16, 19);
  if (!plmn && !tac.every((x) => x === 0)) return undefined;
  const guti = b.slice(0, 13);
  return {
    ...(allFf(guti) ? {} : { guti }),
    ...(plmn ? { tai: { ...plmn, tac } } : {}),
    status,
  };
}

// ---- EF.5GS3GPPNSC / EF.5GSN3GPPNSC (§4.4.11.4, §4.4.11.5), one record ----
// A0 L { 80 ngKSI, 81 KAMF, 82 uplink NAS COUNT, 83 downlink NAS COUNT, 84 selected NAS algorithms,
// [85 selected EPS NAS algorithms] }; an all-FF record (or ngKSI 07) holds no context.

export const nsc5gsValue = lazySchema((z) =>
  z.strictObject({
    ngKsi: decimal(0, 7),
    kamf: hexBytes(32, 32),
    uplinkCount: hexBytes(4, 4),
    downlinkCount: hexBytes(4, 4),
    algorithms: hexBytes(1, 1),
    epsAlgorithms: hexBytes(1, 1).optional(),
  }),
);
export type Nsc5gs = z.output<typeof nsc5gsValue>;

export function encodeNsc5gs(v: Nsc5gs, length?: number): Bytes {
  const body = concat(
    tlv(0x80, Uint8Array.of(v.ngKsi)),
    tlv(0x81, v.kamf),
    tlv(0x82, v.uplinkCount),
    tlv(0x83, v.downlinkCount),
    tlv(0x84, v.algorithms),
    v.epsAlgorithms ? tlv(0x85, v.epsAlgorithms) : new Uint8Array(0),
  );
  return padFf(tlv(0xa0, body), length, 'the 5G NAS security context');
}

export function decodeNsc5gs(b: Bytes): Nsc5gs | undefined {
  const outer = readTlvs(b)?.get(0xa0);
  const t = outer && readTlvs(outer);
  if (!t) return undefined;
  const ksi = t.get(0x80);
  const kamf = t.get(0x81);
  const ul = t.get(0x82);
  const dl = t.get(0x83);
  const alg = t.get(0x84);
  const eps = t.get(0x85);
  if (ksi?.length !== 1 || ksi[0]! > 7 || kamf?.length !== 32 || ul?.length !== 4 || dl?.length !== 4)
    return undefined;
  if (alg?.length !== 1 || (eps && eps.length !== 1) || t.size !== (eps ? 6 : 5)) return undefined;
  return {
    ngKsi: ksi[0]!,
    kamf: kamf.slice(),
    uplinkCount: ul.slice(),
    downlinkCount: dl.slice(),
    algorithms: alg.slice(),
    ...(eps ? { epsAlgorithms: eps.slice() } : {}),
  };
}

// ---- EF.5GAUTHKEYS (§4.4.11.6): 80 KAUSF, 81 KSEAF ----

export const authKeys5gValue = lazySchema((z) =>
  z.strictObject({
    kausf: hexBytes(32, 32).optional(),
    kseaf: hexBytes(32, 32).optional(),
  }),
);
export type AuthKeys5g = z.output<typeof authKeys5gValue>;

export function encodeAuthKeys5g(v: AuthKeys5g, length?: number): Bytes {
  const parts = [v.kausf && tlv(0x80, v.kausf), v.kseaf && tlv(0x81, v.kseaf)].filter((x) => !!x);
  return padFf(concat(...parts), length, 'KAUSF and KSEAF');
}

/** An all-FF file (no keys stored yet) decodes to {}. */
export function decodeAuthKeys5g(b: Bytes): AuthKeys5g | undefined {
  const t = readTlvs(b);
  if (!t || [...t.keys()].some((tag) => tag !== 0x80 && tag !== 0x81)) return undefined;
  const kausf = t.get(0x80);
  const kseaf = t.get(0x81);
  if ((kausf && kausf.length !== 32) || (kseaf && kseaf.length !== 32)) return undefined;
  return { ...(kausf ? { kausf: kausf.slice() } : {}), ...(kseaf ? { kseaf: kseaf.slice() } : {}) };
}

// ---- EF.UAC_AIC (§4.4.11.7): byte 1 b1 multimedia priority service, b2 mission critical service ----

const UAC_IDENTITIES = ['mps', 'mcs'] as const;
export const uacAicValue = list(oneOf(UAC_IDENTITIES));

export function encodeUacAic(v: readonly (typeof UAC_IDENTITIES)[number][], length = 4): Bytes {
  const out = new Uint8Array(Math.max(length, 1));
  for (const id of v) out[0]! |= 1 << UAC_IDENTITIES.indexOf(id);
  return out;
}

export function decodeUacAic(b: Bytes): (typeof UAC_IDENTITIES)[number][] | undefined {
  if (b.length < 1 || b[0]! & 0xfc) return undefined;
  return UAC_IDENTITIES.filter((_, i) => b[0]! & (1 << i));
}

// ---- EF.SUCI_Calc_Info (§4.4.11.8) ----

const SCHEME_NAMES = ['null', 'profile-a', 'profile-b'] as const;

export const suciCalcInfoValue = lazySchema((z) =>
  z.strictObject({
    schemes: list(
      z.strictObject({
        scheme: oneOf(SCHEME_NAMES),
        keyIndex: decimal(0, 255),
      }),
    ),
    keys: list(z.strictObject({ id: decimal(0, 255), key: hexBytes(1, 127) })),
  }),
);
export type SuciCalcInfoValue = z.output<typeof suciCalcInfoValue>;

export function encodeSuciCalcInfoValue(v: SuciCalcInfoValue, length?: number): Bytes {
  const info: SuciCalcInfo = {
    schemes: v.schemes.map((s) => ({ scheme: SCHEME_NAMES.indexOf(s.scheme), keyIndex: s.keyIndex })),
    keys: v.keys,
  };
  const bytes = encodeSuciCalcInfo(info, length);
  // Encode what the card accepts: the key indexes must point into the key list.
  if (!decodeSuciCalcInfo(bytes))
    throw new Error('a key index is 0 for the null scheme and 1..(number of keys) otherwise');
  return bytes;
}

export function decodeSuciCalcInfoValue(b: Bytes): SuciCalcInfoValue | undefined {
  const info = decodeSuciCalcInfo(b);
  if (!info) return undefined;
  const schemes: SuciCalcInfoValue['schemes'] = [];
  for (const s of info.schemes) {
    const name = SCHEME_NAMES[s.scheme];
    if (!name) return undefined;
    schemes.push({ scheme: name, keyIndex: s.keyIndex });
  }
  return { schemes, keys: info.keys.map((k) => ({ id: k.id, key: k.key.slice() })) };
}

// ---- EF.OPL5G (§4.4.11.9), records: TAI range (PLMN ‖ TAC min ‖ TAC max) ‖ PNN record ----

export const opl5gValue = lazySchema((z) =>
  z.strictObject({
    mcc: digits(3, 3),
    mnc: digits(2, 3),
    tacMin: hexBytes(3, 3),
    tacMax: hexBytes(3, 3),
    pnnRecord: decimal(0, 255),
  }),
);
export type Opl5g = z.output<typeof opl5gValue>;

export function encodeOpl5g(v: Opl5g, length = 10): Bytes {
  return padFf(
    concat(encodePlmn(v), v.tacMin, v.tacMax, Uint8Array.of(v.pnnRecord)),
    length,
    'an OPL5G entry',
  );
}

export function decodeOpl5g(b: Bytes): Opl5g | undefined {
  if (b.length < 10) return undefined;
  const p = decodePlmn(b.subarray(0, 3));
  if (!p) return undefined;
  return { ...p, tacMin: b.slice(3, 6), tacMax: b.slice(6, 9), pnnRecord: b[9]! };
}

// ---- EF.SUPI_NAI (§4.4.11.10): 80 network specific identifier (NAI, RFC 7542), 81 GLI, 82 GCI ----

const NAI_TAGS = { nai: 0x80, gli: 0x81, gci: 0x82 } as const;
export const supiNaiValue = lazySchema((z) =>
  z.strictObject({
    nai: text.optional(),
    gli: text.optional(),
    gci: text.optional(),
  }),
);
export type SupiNai = z.output<typeof supiNaiValue>;

export function encodeSupiNai(v: SupiNai, length?: number): Bytes {
  const enc = new TextEncoder();
  const parts = (Object.keys(NAI_TAGS) as (keyof typeof NAI_TAGS)[])
    .filter((k) => v[k] !== undefined)
    .map((k) => tlv(NAI_TAGS[k], enc.encode(v[k])));
  return padFf(concat(...parts), length, 'the SUPI as NAI');
}

export function decodeSupiNai(b: Bytes): SupiNai | undefined {
  const t = readTlvs(b);
  if (!t) return undefined;
  const dec = new TextDecoder('utf-8', { fatal: true });
  const out: SupiNai = {};
  try {
    for (const [tag, value] of t) {
      const key = (Object.keys(NAI_TAGS) as (keyof typeof NAI_TAGS)[]).find((k) => NAI_TAGS[k] === tag);
      if (!key) return undefined;
      out[key] = dec.decode(value);
    }
  } catch {
    return undefined;
  }
  return out;
}

// ---- EF.Routing_Indicator (§4.4.11.11) ----

export const routingIndicatorValue = digits(1, 4);

export function encodeRoutingIndicatorValue(ri: string, length = 4): Bytes {
  return encodeRoutingIndicator(ri, length);
}

export function decodeRoutingIndicatorValue(b: Bytes): string | undefined {
  // Bytes 3-4 are RFU: any value is kept by the card, the codec reads the digits only.
  return decodeRoutingIndicator(b);
}
