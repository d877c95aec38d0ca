// Small byte helpers shared by every layer. Uint8Array everywhere; no Buffer on the card side.

export type Bytes = Uint8Array;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase());

export function toHex(b: Bytes, sep = ''): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (i && sep ? sep : '') + HEX[b[i]!];
  return s;
}

/** Parses hex, ignoring spaces, colons and newlines. Throws on odd length or non-hex characters. */
export function fromHex(hex: string): Bytes {
  const clean = hex.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0) throw new Error(`odd number of hex digits in "${hex}"`);
  if (!/^[0-9a-fA-F]*$/.test(clean)) throw new Error(`not hex: "${hex}"`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

export function concat(...parts: Bytes[]): Bytes {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equal(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Constant-time comparison for MACs and secrets. */
export function equalCt(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

export function xor(a: Bytes, b: Bytes): Bytes {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ (b[i] ?? 0);
  return out;
}

export function u16(n: number): Bytes {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}

export function readU16(b: Bytes, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

/** Big-endian unsigned integer of `len` bytes (len <= 6 keeps it exact in a double). */
export function uintBE(n: number, len: number): Bytes {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = n % 256;
    n = Math.floor(n / 256);
  }
  return out;
}

export function readUintBE(b: Bytes, off = 0, len = b.length - off): number {
  let n = 0;
  for (let i = 0; i < len; i++) n = n * 256 + b[off + i]!;
  return n;
}

/** Overwrites a secret buffer in place (best effort scrubbing). */
export function wipe(b: Bytes | undefined): void {
  if (b) b.fill(0);
}
