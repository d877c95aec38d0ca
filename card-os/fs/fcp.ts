// FCP template (tag 62) returned by SELECT and STATUS, TS 102 221 §11.1.1.3.

import { type Bytes, concat, u16 } from '../bytes.js';
import { ber } from '../tlv.js';
import type { FileSpec } from './model.js';

/** File descriptor byte, TS 102 221 §11.1.1.4.3 (Table 11.5). */
export function descriptorByte(f: FileSpec): number {
  const shareable = f.shareable ? 0x40 : 0;
  if (f.type !== 'EF') return shareable | 0x38;
  switch (f.structure) {
    case 'linear-fixed':
      return shareable | 0x02;
    case 'cyclic':
      return shareable | 0x06;
    case 'ber-tlv':
      return shareable | 0x39;
    default:
      return shareable | 0x01;
  }
}

export interface FcpState {
  lcsi: number;
  /** Current data size (BER-TLV EFs: bytes in use). */
  used?: number;
  /** PIN refs enabled, for the C6 PS_DO bitmap. */
  pinEnabled?: (ref: number) => boolean;
}

export function buildFcp(f: FileSpec, st: FcpState): Bytes {
  const parts: Bytes[] = [];
  const desc = [descriptorByte(f), 0x21];
  if (f.type === 'EF' && (f.structure === 'linear-fixed' || f.structure === 'cyclic')) {
    desc.push(f.recordLength! >> 8, f.recordLength! & 0xff, f.recordCount!);
  }
  parts.push(ber(0x82, Uint8Array.from(desc)));
  parts.push(ber(0x83, u16(f.fid)));
  if (f.aid) parts.push(ber(0x84, f.aid));
  if (f.type !== 'EF') {
    // Proprietary information: UICC characteristics (TS 102 221 §11.1.1.4.6.1) on the MF only:
    // clock stop allowed, 3V and 1.8V supply. Applications get the application power consumption.
    if (f.type === 'MF') parts.push(ber(0xa5, ber(0x80, Uint8Array.of(0x71))));
  }
  parts.push(ber(0x8a, Uint8Array.of(st.lcsi)));
  if (f.arr) parts.push(ber(0x8b, concat(u16(f.arr.fid), Uint8Array.of(f.arr.record))));
  if (f.type !== 'EF' && f.pinRefs && f.pinRefs.length > 0)
    parts.push(pinStatusTemplate(f.pinRefs, st.pinEnabled));
  if (f.type === 'EF') {
    parts.push(ber(0x80, u16(f.structure === 'ber-tlv' ? (st.used ?? 0) : f.size)));
    if (f.structure === 'ber-tlv') parts.push(ber(0x81, u16(f.size)));
    parts.push(f.sfi === undefined ? ber(0x88) : ber(0x88, Uint8Array.of(f.sfi << 3)));
  } else {
    parts.push(ber(0x81, u16(Math.min(0xffff, totalSize(f)))));
  }
  return ber(0x62, ...parts);
}

/** PIN status template DO, TS 102 221 §9.5.2: PS_DO bitmap (b8 = first listed key) then key references. */
function pinStatusTemplate(refs: number[], enabled?: (ref: number) => boolean): Bytes {
  const ps = new Uint8Array(Math.ceil(refs.length / 8));
  refs.forEach((r, i) => {
    if (enabled?.(r)) ps[i >> 3]! |= 0x80 >> (i & 7);
  });
  const items: Bytes[] = [ber(0x90, ps)];
  for (const r of refs) {
    // Usage qualifier 08 (user authentication) on application PINs, as commercial cards send it.
    if (r < 0x0a || (r >= 0x81 && r <= 0x88)) items.push(ber(0x95, Uint8Array.of(0x08)));
    items.push(ber(0x83, Uint8Array.of(r)));
  }
  return ber(0xc6, ...items);
}

function totalSize(f: FileSpec): number {
  let n = 0;
  for (const c of f.children) n += c.type === 'EF' ? c.size : totalSize(c);
  return n;
}
