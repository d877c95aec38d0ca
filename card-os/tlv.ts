// BER-TLV (ISO/IEC 8825-1 as profiled by ISO 7816-4 §5.2) and COMPREHENSION-TLV (TS 101 220 §7.1.1).
// Our own codec rather than the `tlv` npm package: that one is Buffer/CommonJS based, throws on
// malformed input, and has no COMPREHENSION-TLV. A card must parse hostile bytes without throwing,
// so `parseBer` returns undefined on malformed input instead.

import type { Bytes } from './bytes.js';

export interface Tlv {
  /** Tag as a number: one byte 0x84, two bytes 0x5f49, three bytes 0xbf2100 style (big-endian). */
  tag: number;
  value: Bytes;
  /** Byte offset of the tag in the parsed buffer, and the total encoded length. */
  offset: number;
  length: number;
}

/** Decodes one BER-TLV at `off`. Returns undefined if the bytes are malformed or truncated. */
export function readBer(buf: Bytes, off = 0, end = buf.length): Tlv | undefined {
  const start = off;
  if (off >= end) return undefined;
  let tag = buf[off++]!;
  if ((tag & 0x1f) === 0x1f) {
    // Multi-byte tag: continuation while b8 set (max 3 bytes total here).
    let n = 0;
    do {
      if (off >= end || ++n > 2) return undefined;
      tag = tag * 256 + buf[off]!;
    } while (buf[off++]! & 0x80);
  }
  if (off >= end) return undefined;
  let len = buf[off++]!;
  if (len & 0x80) {
    const nb = len & 0x7f;
    if (nb === 0 || nb > 3 || off + nb > end) return undefined;
    len = 0;
    for (let i = 0; i < nb; i++) len = len * 256 + buf[off++]!;
  }
  if (off + len > end) return undefined;
  return { tag, value: buf.subarray(off, off + len), offset: start, length: off + len - start };
}

/**
 * Parses a concatenation of BER-TLVs. Padding bytes 00 and FF between objects are skipped
 * (ISO 7816-4 §5.2). Returns undefined if anything is malformed.
 */
export function parseBer(buf: Bytes, off = 0, end = buf.length): Tlv[] | undefined {
  const out: Tlv[] = [];
  while (off < end) {
    const b = buf[off]!;
    if (b === 0x00 || b === 0xff) {
      off++;
      continue;
    }
    const t = readBer(buf, off, end);
    if (!t) return undefined;
    out.push(t);
    off += t.length;
  }
  return out;
}

export function findTag(tlvs: Tlv[] | undefined, tag: number): Bytes | undefined {
  if (!tlvs) return undefined;
  for (const t of tlvs) if (t.tag === tag) return t.value;
  return undefined;
}

function tagBytes(tag: number): number[] {
  if (tag > 0xffff) return [(tag >> 16) & 0xff, (tag >> 8) & 0xff, tag & 0xff];
  if (tag > 0xff) return [(tag >> 8) & 0xff, tag & 0xff];
  return [tag];
}

export function lengthBytes(len: number): number[] {
  if (len < 0x80) return [len];
  if (len < 0x100) return [0x81, len];
  if (len < 0x10000) return [0x82, len >> 8, len & 0xff];
  return [0x83, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff];
}

/** Encodes one BER-TLV. `value` may be bytes or a list of already-encoded children. */
export function ber(tag: number, ...value: Bytes[]): Bytes {
  let n = 0;
  for (const v of value) n += v.length;
  const head = [...tagBytes(tag), ...lengthBytes(n)];
  const out = new Uint8Array(head.length + n);
  out.set(head, 0);
  let o = head.length;
  for (const v of value) {
    out.set(v, o);
    o += v.length;
  }
  return out;
}

// ---- COMPREHENSION-TLV (TS 101 220 §7.1.1), used by CAT/USAT (ENVELOPE, proactive commands) ----

export interface Ctlv {
  /** Tag with the comprehension-required bit (b8 of a 1-byte tag) cleared. */
  tag: number;
  cr: boolean;
  value: Bytes;
}

/** Parses COMPREHENSION-TLVs. Returns undefined if malformed. */
export function parseCtlv(buf: Bytes, off = 0, end = buf.length): Ctlv[] | undefined {
  const out: Ctlv[] = [];
  while (off < end) {
    let tag = buf[off++]!;
    let cr = false;
    if (tag === 0x00 || tag === 0xff || tag === 0x80) return undefined;
    if (tag === 0x7f) {
      // Three-byte format: 7F, then 2 bytes with CR in b16.
      if (off + 2 > end) return undefined;
      const t = (buf[off]! << 8) | buf[off + 1]!;
      off += 2;
      cr = (t & 0x8000) !== 0;
      tag = t & 0x7fff;
    } else {
      cr = (tag & 0x80) !== 0;
      tag &= 0x7f;
    }
    if (off >= end) return undefined;
    let len = buf[off++]!;
    if (len === 0x81) {
      if (off >= end) return undefined;
      len = buf[off++]!;
      if (len < 0x80) return undefined;
    } else if (len === 0x82) {
      if (off + 2 > end) return undefined;
      len = (buf[off]! << 8) | buf[off + 1]!;
      off += 2;
    } else if (len > 0x7f) return undefined;
    if (off + len > end) return undefined;
    out.push({ tag, cr, value: buf.subarray(off, off + len) });
    off += len;
  }
  return out;
}

export function ctlv(tag: number, value: Bytes, cr = false): Bytes {
  const len = lengthBytes(value.length);
  const out = new Uint8Array(1 + len.length + value.length);
  out[0] = (tag & 0x7f) | (cr ? 0x80 : 0);
  out.set(len, 1);
  out.set(value, 1 + len.length);
  return out;
}
