// Alpha identifiers, TS 102 221 Annex A: either the SMS default 7-bit alphabet (TS 23.038 §6.2.1) one
// character per byte with b8 = 0, or UCS2 introduced by 80 (big-endian 16-bit), 81 (8-bit base pointer)
// or 82 (16-bit base). Unused bytes are FF.

import type { Bytes } from '../../card-os/bytes.js';

// TS 23.038 §6.2.1 default alphabet, indexed by code 0x00..0x7F. 0x1B is the escape to the extension table.
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
// TS 23.038 §6.2.1.1 extension table (after 0x1B).
const GSM_EXTENSION: Record<number, string> = {
  10: '\f',
  20: '^',
  40: '{',
  41: '}',
  47: '\\',
  60: '[',
  61: '~',
  62: ']',
  64: '|',
  101: '€',
};
const ESC = 0x1b;

const basicCode = new Map<string, number>();
for (let i = 0; i < GSM_BASIC.length; i++) if (i !== ESC) basicCode.set(GSM_BASIC[i]!, i);
const extensionCode = new Map<string, number>(Object.entries(GSM_EXTENSION).map(([k, v]) => [v, Number(k)]));

/** GSM 7-bit codes (unpacked) for `s`, or undefined if a character is not in the default alphabet. */
function gsmCodes(s: string): number[] | undefined {
  const out: number[] = [];
  for (const ch of s) {
    const b = basicCode.get(ch);
    if (b !== undefined) out.push(b);
    else {
      const e = extensionCode.get(ch);
      if (e === undefined) return undefined;
      out.push(ESC, e);
    }
  }
  return out;
}

/**
 * Encodes `s` into exactly `length` bytes (default: as long as needed), in the default alphabet when
 * every character has a code there, otherwise as UCS2 with the 80 prefix.
 */
export function encodeAlpha(s: string, length?: number): Bytes {
  let codes = gsmCodes(s);
  if (!codes) {
    codes = [0x80];
    for (const ch of s) {
      const c = ch.codePointAt(0)!;
      if (c > 0xffff) throw new Error(`"${ch}" is outside UCS2`);
      codes.push(c >> 8, c & 0xff);
    }
  }
  const n = length ?? codes.length;
  if (codes.length > n) throw new Error(`"${s}" needs ${codes.length} bytes, only ${n} available`);
  const out = new Uint8Array(n).fill(0xff);
  out.set(codes);
  return out;
}

function gsmDecode(codes: ArrayLike<number>): string | undefined {
  let s = '';
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c > 0x7f) return undefined;
    if (c === ESC) {
      const e = GSM_EXTENSION[codes[++i] ?? -1];
      if (e === undefined) return undefined;
      s += e;
    } else s += GSM_BASIC[c];
  }
  return s;
}

/** Decodes an alpha identifier; undefined if it is malformed. */
export function decodeAlpha(b: Bytes): string | undefined {
  if (b.length === 0) return '';
  const tag = b[0]!;
  if (tag === 0x80) {
    let s = '';
    for (let i = 1; i + 1 < b.length; i += 2) {
      const c = (b[i]! << 8) | b[i + 1]!;
      if (c === 0xffff) break;
      s += String.fromCharCode(c);
    }
    return s;
  }
  if (tag === 0x81 || tag === 0x82) {
    // 81: length, base = byte << 7; 82: length, 16-bit base. Bytes with b8 = 1 are base + (b & 7F).
    const head = tag === 0x81 ? 3 : 4;
    const n = b[1];
    if (n === undefined || b.length < head + n) return undefined;
    const base = tag === 0x81 ? b[2]! << 7 : (b[2]! << 8) | b[3]!;
    let s = '';
    for (const c of b.subarray(head, head + n)) {
      if (c & 0x80) s += String.fromCharCode(base + (c & 0x7f));
      else {
        const g = gsmDecode([c]);
        if (g === undefined) return undefined;
        s += g;
      }
    }
    return s;
  }
  let end = b.indexOf(0xff);
  if (end < 0) end = b.length;
  for (let i = end; i < b.length; i++) if (b[i] !== 0xff) return undefined;
  return gsmDecode(b.subarray(0, end));
}
