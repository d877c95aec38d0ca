// CERT.SD.ECKA as a profile gives it: one or more certificates (GP 7F21 or X.509 30) concatenated, leaf
// last (GPC Amd F §6.3).

import type { Bytes } from '../../card-os/bytes.js';
import { readBer } from '../../card-os/tlv.js';

/** The certificates of a concatenation, or why it is not one. */
export function splitCertificates(b: Bytes): Bytes[] | string {
  const out: Bytes[] = [];
  let off = 0;
  while (off < b.length) {
    const t = readBer(b, off);
    if (!t) return 'is not well-formed BER-TLV';
    if (t.tag !== 0x7f21 && t.tag !== 0x30)
      return 'holds something other than GP (7F21) or X.509 (30) certificates';
    out.push(b.subarray(off, off + t.length));
    off += t.length;
  }
  return out.length === 0 ? 'is empty' : out;
}

/** The certificates of a validated `certificate` value, leaf last. */
export function certificateList(b: Bytes): Bytes[] {
  const list = splitCertificates(b);
  return typeof list === 'string' ? [] : list;
}
