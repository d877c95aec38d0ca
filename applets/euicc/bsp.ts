// The BSP, the protection of a Bound Profile Package (SGP.22 §2.6.4.3 - §2.6.5, formerly SCP03t):
// - encryption (tags 86 and 87): pad with 80 00.. to whole blocks, AES-128-CBC under S-ENC with the ICV
//   AES(S-ENC, block counter as a 16-byte big-endian number); the counter starts at 1 and steps once per
//   segment, MAC-only segments included;
// - MAC (all three tags): C-MAC = AES-CMAC(S-MAC, MCV ‖ tag ‖ L ‖ data) with L the BER length of data plus the
//   8-byte MAC; the segment carries the first 8 bytes, the full 16 bytes become the next MCV, so a segment
//   replayed, dropped or moved breaks the chain;
// - 86 = encrypted + MACed profile elements, 87 = encrypted + MACed ConfigureISDP / ReplaceSessionKeys,
//   88 = MAC-only StoreMetadata (SGP.22 §2.5.5);
// - a segment is at most 1020 bytes with tag, length and MAC (SGP.22 §2.5.5).
// The card side (ES10b LoadBoundProfilePackage) and the host side (the SM-DP+) share this module.
// Unprotecting never throws: it returns a reason, and a failed segment leaves the session state as it was.

import { type Bytes, concat, equalCt } from '../../card-os/bytes.js';
import { AES_BLOCK } from '../../card-os/crypto/aes.js';
import { ber, lengthBytes, readBer, type Tlv } from '../../card-os/tlv.js';
import { cbcDecrypt as aesCbcDecrypt, cbcEncrypt as aesCbcEncrypt, cmac as aesCmac } from './bsp-aes.js';
import { type BspKeys, decodeReplaceSessionKeys, encodeReplaceSessionKeys } from './bsp-kdf.js';

export const TAG_PROFILE_ELEMENTS = 0x86;
export const TAG_ENC_MAC = 0x87;
export const TAG_MAC_ONLY = 0x88;
export type BspTag = typeof TAG_PROFILE_ELEMENTS | typeof TAG_ENC_MAC | typeof TAG_MAC_ONLY;

const MAC_LEN = 8;
/** SGP.22 §2.5.5: a segment with its tag, length and MAC is at most 1020 bytes. */
export const MAX_SEGMENT = 1020;
/** Largest plaintext per segment we emit: 1 tag + 3 length + data + 8 MAC ≤ 1020 (encryption pads ≥ 1 byte). */
export const MAX_PLAIN_ENC = MAX_SEGMENT - 1 - 3 - MAC_LEN - 1;
export const MAX_PLAIN_MAC_ONLY = MAX_SEGMENT - 1 - 3 - MAC_LEN;
/**
 * Largest segment we accept. Some SM-DP+ implementations (pySim's BSP splitter) cut 1008 plaintext bytes,
 * which pad to 1024 and make 1036-byte segments; accepting them costs nothing and keeps those BPPs loadable.
 */
export const MAX_SEGMENT_IN = 1 + 3 + 1024 + MAC_LEN;

/**
 * Why a segment was refused, for the card's ProfileInstallationResult (SGP.22 §2.5.6 errorReason):
 * structure/order → scp03tStructureError (7), mac/padding → scp03tSecurityError (8).
 */
export type BspFailure = 'structure' | 'order' | 'mac' | 'padding';
export const BSP_ERROR_REASON: Record<BspFailure, number> = { structure: 7, order: 7, mac: 8, padding: 8 };

/** One BSP session: the keys, the MAC chaining value and the block counter. */
export interface BspSession {
  sEnc: Bytes;
  sMac: Bytes;
  mcv: Bytes;
  counter: number;
}

export function bspSession(keys: BspKeys): BspSession {
  return { sEnc: keys.sEnc, sMac: keys.sMac, mcv: keys.initialMcv.slice(), counter: 1 };
}

const ZERO_IV = new Uint8Array(AES_BLOCK);

/** SGP.22 §2.6.4.3: ICV = AES(S-ENC, counter as 16 bytes big-endian). */
function icv(s: BspSession): Bytes {
  const block = new Uint8Array(AES_BLOCK);
  new DataView(block.buffer).setUint32(12, s.counter);
  return aesCbcEncrypt(s.sEnc, ZERO_IV, block);
}

function pad(data: Bytes): Bytes {
  const out = new Uint8Array((Math.floor(data.length / AES_BLOCK) + 1) * AES_BLOCK);
  out.set(data, 0);
  out[data.length] = 0x80;
  return out;
}

/** Strips 80 00..; undefined unless the padding is whole and lies in the last block. */
function unpad(data: Bytes): Bytes | undefined {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0) i--;
  if (i < 0 || data[i] !== 0x80 || data.length - i > AES_BLOCK) return undefined;
  return data.subarray(0, i);
}

function cmacInput(mcv: Bytes, tag: number, len: number, body: Bytes): Bytes {
  return concat(mcv, Uint8Array.of(tag, ...lengthBytes(len)), body);
}

/**
 * Protects one segment (host side, the SM-DP+) and advances the session. Throws RangeError if the result
 * would exceed 1020 bytes: the caller splits with {@link protectData}.
 */
export function protectSegment(s: BspSession, tag: BspTag, plain: Bytes): Bytes {
  const body = tag === TAG_MAC_ONLY ? plain : aesCbcEncrypt(s.sEnc, icv(s), pad(plain));
  const len = body.length + MAC_LEN;
  const mac = aesCmac(s.sMac, cmacInput(s.mcv, tag, len, body));
  const seg = ber(tag, body, mac.subarray(0, MAC_LEN));
  if (seg.length > MAX_SEGMENT)
    throw new RangeError(`BSP segment of ${seg.length} bytes exceeds ${MAX_SEGMENT}`);
  s.mcv = mac;
  s.counter++;
  return seg;
}

/** Splits `data` into segments of at most 1020 bytes and protects each one in order. */
export function protectData(s: BspSession, tag: BspTag, data: Bytes): Bytes[] {
  const chunk = tag === TAG_MAC_ONLY ? MAX_PLAIN_MAC_ONLY : MAX_PLAIN_ENC;
  const out: Bytes[] = [];
  let off = 0;
  do {
    out.push(protectSegment(s, tag, data.subarray(off, off + chunk)));
    off += chunk;
  } while (off < data.length);
  return out;
}

export type BspResult<T> = { ok: true; value: T } | { ok: false; reason: BspFailure };

const fail = (reason: BspFailure): { ok: false; reason: BspFailure } => ({ ok: false, reason });

/**
 * Verifies and decrypts one segment (card side). `expect` is the tag the BPP structure allows here
 * (a segment of another BSP tag is out of order). On success the session advances; on failure it does not.
 */
export function unprotectSegment(s: BspSession, expect: BspTag, segment: Bytes): BspResult<Bytes> {
  const t = readBer(segment);
  if (!t || t.length !== segment.length || segment.length > MAX_SEGMENT_IN) return fail('structure');
  return unprotectTlv(s, expect, t);
}

function unprotectTlv(s: BspSession, expect: BspTag, t: Tlv): BspResult<Bytes> {
  if (t.tag !== TAG_PROFILE_ELEMENTS && t.tag !== TAG_ENC_MAC && t.tag !== TAG_MAC_ONLY)
    return fail('structure');
  if (t.tag !== expect) return fail('order');
  if (t.length > MAX_SEGMENT_IN) return fail('structure');
  const n = t.value.length - MAC_LEN;
  const encrypted = t.tag !== TAG_MAC_ONLY;
  if (n < 0 || (encrypted && (n === 0 || n % AES_BLOCK !== 0))) return fail('structure');
  const body = t.value.subarray(0, n);
  const mac = aesCmac(s.sMac, cmacInput(s.mcv, t.tag, t.value.length, body));
  if (!equalCt(mac.subarray(0, MAC_LEN), t.value.subarray(n))) return fail('mac');
  let plain = body;
  if (encrypted) {
    const p = unpad(aesCbcDecrypt(s.sEnc, icv(s), body));
    if (!p) return fail('padding');
    plain = p;
  }
  s.mcv = mac;
  s.counter++;
  return { ok: true, value: plain.slice() };
}

/**
 * Unprotects the segments of one BPP section (the value of A0, A1, A2 or A3, a run of TLVs of tag `expect`)
 * and re-assembles their plaintext. Stops at the first failing segment; `index` says which.
 */
export function unprotectSection(
  s: BspSession,
  expect: BspTag,
  section: Bytes,
): BspResult<Bytes> & { index?: number } {
  const parts: Bytes[] = [];
  let off = 0;
  let index = 0;
  while (off < section.length) {
    const t = readBer(section, off);
    if (!t) return { ...fail('structure'), index };
    const r = unprotectTlv(s, expect, t);
    if (!r.ok) return { ...r, index };
    parts.push(r.value);
    off += t.length;
    index++;
  }
  if (index === 0) return fail('structure');
  return { ok: true, value: concat(...parts) };
}

// ---- The whole Bound Profile Package (SGP.22 §2.5.5 BoundProfilePackage, tag BF36) ----

/** bppCommandId of SGP.22 §2.5.6, the step a failure is reported against. */
export const BPP_COMMAND = {
  initialiseSecureChannel: 0,
  configureIsdp: 1,
  storeMetadata: 2,
  replaceSessionKeys: 4,
  loadProfileElements: 5,
} as const;

export interface BppContent {
  /** The InitialiseSecureChannelRequest TLV (BF23), carried in clear and signed by the SM-DP+. */
  initialiseSecureChannel: Bytes;
  /** ConfigureISDPRequest TLV (BF24), sent in 87 segments. */
  configureIsdp: Bytes;
  /** StoreMetadataRequest TLV (BF25), sent in 88 segments. */
  storeMetadata: Bytes;
  /** Profile Protection Keys: if present, a ReplaceSessionKeys (BF26) goes in A2 and the 86s use them. */
  ppk?: BspKeys;
  /** The profile package (the profile elements), sent in 86 segments. */
  profile: Bytes;
}

/** Builds BF36 { BF23, A0 {87..}, A1 {88..}, A2 {87..}?, A3 {86..} } with a fresh session from `keys`. */
export function buildBpp(keys: BspKeys, c: BppContent): Bytes {
  const s = bspSession(keys);
  const a0 = ber(0xa0, ...protectData(s, TAG_ENC_MAC, c.configureIsdp));
  const a1 = ber(0xa1, ...protectData(s, TAG_MAC_ONLY, c.storeMetadata));
  const a2 = c.ppk ? [ber(0xa2, ...protectData(s, TAG_ENC_MAC, encodeReplaceSessionKeys(c.ppk)))] : [];
  const s86 = c.ppk ? bspSession(c.ppk) : s;
  const a3 = ber(0xa3, ...protectData(s86, TAG_PROFILE_ELEMENTS, c.profile));
  return ber(0xbf36, c.initialiseSecureChannel, a0, a1, ...a2, a3);
}

export type BppOpenResult =
  | { ok: true; content: BppContent }
  | { ok: false; reason: BspFailure; bppCommandId: number; segment?: number };

/**
 * Opens a whole BF36 with the session keys (card side, for a BPP received in one piece; ES10b receives
 * it in STORE DATA pieces and calls {@link unprotectSection} per section). Never throws.
 */
export function openBpp(keys: BspKeys, bpp: Bytes): BppOpenResult {
  const top = readBer(bpp);
  const structure = (id: number): BppOpenResult => ({ ok: false, reason: 'structure', bppCommandId: id });
  if (top?.tag !== 0xbf36 || top.length !== bpp.length) return structure(BPP_COMMAND.initialiseSecureChannel);
  const items: Tlv[] = [];
  for (let off = 0; off < top.value.length; ) {
    const t = readBer(top.value, off);
    if (!t) return structure(BPP_COMMAND.initialiseSecureChannel);
    items.push(t);
    off += t.length;
  }
  const tags = items.map((t) => t.tag).join(',');
  const withPpk = items.length === 5;
  const want = withPpk ? [0xbf23, 0xa0, 0xa1, 0xa2, 0xa3] : [0xbf23, 0xa0, 0xa1, 0xa3];
  if (tags !== want.join(','))
    return { ok: false, reason: 'order', bppCommandId: BPP_COMMAND.initialiseSecureChannel };
  const s = bspSession(keys);
  const failed = (id: number, r: { reason: BspFailure; index?: number }): BppOpenResult => ({
    ok: false,
    reason: r.reason,
    bppCommandId: id,
    ...(r.index === undefined ? {} : { segment: r.index }),
  });
  const cfg = unprotectSection(s, TAG_ENC_MAC, items[1]!.value);
  if (!cfg.ok) return failed(BPP_COMMAND.configureIsdp, cfg);
  const meta = unprotectSection(s, TAG_MAC_ONLY, items[2]!.value);
  if (!meta.ok) return failed(BPP_COMMAND.storeMetadata, meta);
  let ppk: BspKeys | undefined;
  if (withPpk) {
    const r = unprotectSection(s, TAG_ENC_MAC, items[3]!.value);
    if (!r.ok) return failed(BPP_COMMAND.replaceSessionKeys, r);
    ppk = decodeReplaceSessionKeys(r.value);
    if (!ppk) return structure(BPP_COMMAND.replaceSessionKeys);
  }
  const pe = unprotectSection(
    ppk ? bspSession(ppk) : s,
    TAG_PROFILE_ELEMENTS,
    items[items.length - 1]!.value,
  );
  if (!pe.ok) return failed(BPP_COMMAND.loadProfileElements, pe);
  const isc = items[0]!;
  return {
    ok: true,
    content: {
      initialiseSecureChannel: top.value.slice(isc.offset, isc.offset + isc.length),
      configureIsdp: cfg.value,
      storeMetadata: meta.value,
      ...(ppk ? { ppk } : {}),
      profile: pe.value,
    },
  };
}
