// OTA configuration of the card: keysets (KIc/KID keys by key version number), the TARs the card answers
// (TS 101 220 Annex D) with their context, minimum security level and the keysets they accept, and the
// replay counters. Also its NVM coding, split into records so that secrets stay under "secret/ota/..." and
// the counter record (written by every counter-checked packet) stays small.
//
// Record layouts (BER-TLV, private tags):
//   ota/tars               A0 { 80 TAR(3), 81 context (00 UICC, 01 USIM, else its name), 82 MSL, A1 { 80 KVN, 81 grants } ... } ...
//   ota/counters           TAR(3) CNTR(5) ...
//   secret/ota/keyset/<kk> 80 KVN, [A1 { 80 algorithm, 81 key }] (KIc), [A2 { 80 algorithm, 81 key }] (KID)
// Algorithm codes are the KIc codings of TS 102 225 §5.1.2: 1 DES, 5 3DES 2 keys, 9 3DES 3 keys, 2 AES.

import { type Bytes, concat, readUintBE, toHex, uintBE } from '../../card-os/bytes.js';
import { isAesKeyLength } from '../../card-os/crypto/aes.js';
import { ber, findTag, parseBer, type Tlv } from '../../card-os/tlv.js';
import { type BlockAlg, blockAlgOf, blockKeyByte } from './kic-kid.js';

/** A key of a keyset: the block cipher it is for and its value. */
export interface OtaKey {
  alg: BlockAlg;
  key: Bytes;
}

/** Whether a key value fits the algorithm it is declared for. */
export function keyFits(k: OtaKey): boolean {
  switch (k.alg) {
    case 'des':
      return k.key.length === 8;
    case '3des2':
      return k.key.length === 16;
    case '3des3':
      return k.key.length === 24;
    case 'aes':
      return isAesKeyLength(k.key.length);
  }
}

/**
 * Where a TAR's remote commands start (TS 102 226 §6): `uicc` the MF, otherwise an application by the
 * name of its applet package in lower case (`usim`, `isim`), whose ADF the OTA applet selects.
 */
export type OtaContext = string;

export interface OtaKeyset {
  /** Key version number 0..15, the high nibble of KIc/KID. */
  kvn: number;
  /** Ciphering key (KIc). */
  kic?: OtaKey;
  /** Cryptographic checksum key (KID). */
  kid?: OtaKey;
}

export interface TarKeyset {
  kvn: number;
  /** Key references (TS 102 221 Table 9.3) treated as verified for commands secured with this keyset, e.g. 0x0A ADM1. */
  grants: number[];
}

export interface TarConfig {
  /** Toolkit application reference, 3 bytes, e.g. 0xB00010. */
  tar: number;
  /** Where remote commands run: the UICC file system (MF selected) or an application's ADF (selected). */
  context: OtaContext;
  /** Minimum security level, coded like SPI1 (TS 102 226). */
  msl: number;
  /** The keysets this TAR accepts, and the rights each grants. */
  keysets: TarKeyset[];
}

export interface OtaConfig {
  keysets: OtaKeyset[];
  tars: TarConfig[];
}

/** TAR -> last accepted CNTR. A TAR absent from the map has counter 0. */
export type OtaCounters = Map<number, number>;

export const OTA_RECORD_TARS = 'ota/tars';
export const OTA_RECORD_COUNTERS = 'ota/counters';
export const OTA_RECORD_KEYSET_PREFIX = 'secret/ota/keyset/';

// Context coding in the TAR record: one byte for the contexts stored since the first card images (00 UICC,
// 01 USIM), the application's name in ASCII for any other.
const CONTEXTS: readonly OtaContext[] = ['uicc', 'usim'];
const CONTEXT_NAME = /^[a-z][a-zA-Z0-9]{1,31}$/;

function encodeContext(c: OtaContext): Bytes {
  const i = CONTEXTS.indexOf(c);
  if (i >= 0) return byte(i);
  if (!CONTEXT_NAME.test(c)) throw new Error(`${c} is not an OTA context`);
  return new TextEncoder().encode(c);
}

function decodeContext(v: Bytes | undefined): OtaContext | undefined {
  if (!v) return undefined;
  if (v.length === 1) return CONTEXTS[v[0]!];
  const name = String.fromCharCode(...v);
  return CONTEXT_NAME.test(name) ? name : undefined;
}

function byte(n: number): Bytes {
  return Uint8Array.of(n & 0xff);
}

function encodeKey(tag: number, k: OtaKey): Bytes {
  return ber(tag, ber(0x80, byte(blockKeyByte(0, k.alg))), ber(0x81, k.key));
}

export function keysetRecordName(kvn: number): string {
  return OTA_RECORD_KEYSET_PREFIX + toHex(byte(kvn));
}

/** The configuration as NVM records (name -> bytes). Counters are separate: see encodeOtaCounters. */
export function encodeOtaConfig(c: OtaConfig): Map<string, Bytes> {
  const out = new Map<string, Bytes>();
  const tars = c.tars.map((t) =>
    ber(
      0xa0,
      ber(0x80, uintBE(t.tar, 3)),
      ber(0x81, encodeContext(t.context)),
      ber(0x82, byte(t.msl)),
      ...t.keysets.map((k) => ber(0xa1, ber(0x80, byte(k.kvn)), ber(0x81, Uint8Array.from(k.grants)))),
    ),
  );
  out.set(OTA_RECORD_TARS, concat(...tars));
  for (const k of c.keysets) {
    const parts = [ber(0x80, byte(k.kvn))];
    if (k.kic) parts.push(encodeKey(0xa1, k.kic));
    if (k.kid) parts.push(encodeKey(0xa2, k.kid));
    out.set(keysetRecordName(k.kvn), concat(...parts));
  }
  return out;
}

function one(v: Bytes | undefined): number | undefined {
  return v && v.length === 1 ? v[0]! : undefined;
}

function decodeKey(v: Bytes | undefined): OtaKey | undefined | null {
  if (!v) return undefined;
  const items = parseBer(v);
  const code = one(findTag(items, 0x80));
  const key = findTag(items, 0x81);
  if (code === undefined || !key) return null;
  const alg = blockAlgOf(code);
  if (alg === undefined || alg === 'implicit') return null;
  const k = { alg: alg as BlockAlg, key: key.slice() };
  return keyFits(k) ? k : null;
}

function decodeTar(t: Tlv): TarConfig | undefined {
  if (t.tag !== 0xa0) return undefined;
  const items = parseBer(t.value);
  if (!items) return undefined;
  const tar = findTag(items, 0x80);
  const context = decodeContext(findTag(items, 0x81));
  const msl = one(findTag(items, 0x82));
  if (tar?.length !== 3 || !context || msl === undefined) return undefined;
  const keysets: TarKeyset[] = [];
  for (const k of items) {
    if (k.tag !== 0xa1) continue;
    const ki = parseBer(k.value);
    const kvn = one(findTag(ki, 0x80));
    const grants = findTag(ki, 0x81);
    if (kvn === undefined || kvn > 15 || !grants) return undefined;
    keysets.push({ kvn, grants: Array.from(grants) });
  }
  return { tar: readUintBE(tar), context, msl, keysets };
}

function decodeKeyset(v: Bytes): OtaKeyset | undefined {
  const items = parseBer(v);
  const kvn = one(findTag(items, 0x80));
  if (!items || kvn === undefined || kvn > 15) return undefined;
  const kic = decodeKey(findTag(items, 0xa1));
  const kid = decodeKey(findTag(items, 0xa2));
  if (kic === null || kid === null) return undefined;
  const k: OtaKeyset = { kvn };
  if (kic) k.kic = kic;
  if (kid) k.kid = kid;
  return k;
}

/** Reads the configuration back from its records; undefined if any record is malformed. */
export function decodeOtaConfig(records: ReadonlyMap<string, Bytes>): OtaConfig | undefined {
  const tarItems = parseBer(records.get(OTA_RECORD_TARS) ?? new Uint8Array(0));
  if (!tarItems) return undefined;
  const tars: TarConfig[] = [];
  for (const t of tarItems) {
    const tc = decodeTar(t);
    if (!tc) return undefined;
    tars.push(tc);
  }
  const keysets: OtaKeyset[] = [];
  for (const [name, v] of records) {
    if (!name.startsWith(OTA_RECORD_KEYSET_PREFIX)) continue;
    const k = decodeKeyset(v);
    if (!k || name !== keysetRecordName(k.kvn)) return undefined;
    keysets.push(k);
  }
  keysets.sort((a, b) => a.kvn - b.kvn);
  return { keysets, tars };
}

export function encodeOtaCounters(c: OtaCounters): Bytes {
  return concat(...[...c].map(([tar, cntr]) => concat(uintBE(tar, 3), uintBE(cntr, 5))));
}

export function decodeOtaCounters(b: Bytes): OtaCounters | undefined {
  if (b.length % 8 !== 0) return undefined;
  const out: OtaCounters = new Map();
  for (let o = 0; o < b.length; o += 8) out.set(readUintBE(b, o, 3), readUintBE(b, o + 3, 5));
  return out;
}
