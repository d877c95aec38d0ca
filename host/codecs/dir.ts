// EF.DIR (2F00) records, TS 102 221 §13.1 / ISO 7816-4 §8.2.1.1: an application template 61 holding the
// AID (4F), the application label (50, alpha coding of TS 102 221 Annex A) and optional further DOs
// (path 51, discretionary data 53 / 73, URL 5F50...), padded with FF.

import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { lazySchema } from '../../card-os/lazy-schema.js';
import { ber, parseBer, readBer } from '../../card-os/tlv.js';
import { decodeAlpha, encodeAlpha } from './alpha.js';
import { hexBytes, text } from './values.js';

export interface DirRecord {
  /** AID in hex, 5 to 16 bytes. */
  aid: string;
  label?: string;
  /** Further DOs inside the template, raw hex, kept as they are. */
  extra?: string;
}

export const dirValue = lazySchema((z) =>
  z.strictObject({
    aid: hexBytes(5, 16).transform((b) => toHex(b)),
    label: text.optional(),
    extra: hexBytes()
      .transform((b) => toHex(b))
      .optional(),
  }),
);

export function encodeDir(v: DirRecord, recordLength?: number): Bytes {
  const aid = fromHex(v.aid);
  if (aid.length < 5 || aid.length > 16) throw new Error(`an AID has 5 to 16 bytes, not ${aid.length}`);
  const parts = [ber(0x4f, aid)];
  if (v.label !== undefined) parts.push(ber(0x50, encodeAlpha(v.label)));
  if (v.extra) {
    const extra = fromHex(v.extra);
    const dos = parseBer(extra);
    if (!dos || dos.reduce((n, d) => n + d.length, 0) !== extra.length)
      throw new Error('extra is not a list of BER-TLV DOs');
    parts.push(extra);
  }
  const t = ber(0x61, ...parts);
  const n = recordLength ?? t.length;
  if (t.length > n) return t;
  const out = new Uint8Array(n).fill(0xff);
  out.set(t);
  return out;
}

export function decodeDir(b: Bytes): DirRecord | undefined {
  const t = readBer(b);
  if (t?.tag !== 0x61) return undefined;
  for (let i = t.length; i < b.length; i++) if (b[i] !== 0xff) return undefined;
  const first = readBer(t.value);
  if (first?.tag !== 0x4f || first.value.length < 5 || first.value.length > 16) return undefined;
  const out: DirRecord = { aid: toHex(first.value) };
  let off = first.length;
  const second = readBer(t.value, off);
  if (second?.tag === 0x50) {
    const label = decodeAlpha(second.value);
    if (label === undefined) return undefined;
    out.label = label;
    off += second.length;
  }
  const rest = t.value.subarray(off);
  if (rest.length) {
    const dos = parseBer(rest);
    if (!dos || dos.reduce((n, d) => n + d.length, 0) !== rest.length) return undefined;
    out.extra = toHex(rest);
  }
  return out;
}
