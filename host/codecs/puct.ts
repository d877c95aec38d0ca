// EF.PUCT (6F41), TS 31.102 §4.2.28 with the coding of TS 51.011 §10.3.8: price per unit and currency.
// Bytes 1-3: currency code, three characters of the SMS default alphabet (TS 23.038; letters, digits and
// space are the same code points as ASCII), FF FF FF when not set. Bytes 4-5: the price per unit
// PPU = EPPU x 10^EX: byte 4 holds EPPU bits 12..5, byte 5 b4..b1 EPPU bits 4..1, b5 the sign of EX (1 =
// negative) and b8..b6 the absolute value of EX.

import type { Bytes } from '../../card-os/bytes.js';
import { lazySchema } from '../../card-os/lazy-schema.js';
import { decimal, scalar } from './values.js';

export interface Puct {
  /** ISO 4217-style code such as "EUR", or "" when not set. */
  currency: string;
  /** Elementary price per unit, 0..4095. */
  eppu: number;
  /** Decimal exponent, -7..7. */
  ex: number;
}

const currencyText = scalar<string>((t, raw) => {
  const c = typeof raw === 'string' ? raw : t;
  return /^([A-Z0-9 ]{3})?$/.test(c)
    ? { ok: c }
    : { error: `"${c}" is not 3 letters, digits or spaces (or "")` };
});
const exponent = scalar<number>((t, raw) => {
  const n = typeof raw === 'number' ? raw : /^-?\d+$/.test(t) ? Number(t) : Number.NaN;
  return Number.isInteger(n) && n >= -7 && n <= 7
    ? { ok: n }
    : { error: `"${t}" is not an exponent (-7..7)` };
});
export const puctValue = lazySchema((z) =>
  z.strictObject({ currency: currencyText, eppu: decimal(0, 4095), ex: exponent }),
);

export function encodePuct(v: Puct): Bytes {
  const out = new Uint8Array(5).fill(0xff);
  for (let i = 0; i < v.currency.length; i++) out[i] = v.currency.charCodeAt(i);
  out[3] = v.eppu >> 4;
  out[4] = ((Math.abs(v.ex) & 7) << 5) | (v.ex < 0 ? 0x10 : 0) | (v.eppu & 0x0f);
  return out;
}

export function decodePuct(b: Bytes): Puct | undefined {
  if (b.length !== 5) return undefined;
  let currency = '';
  if (!(b[0] === 0xff && b[1] === 0xff && b[2] === 0xff)) {
    currency = String.fromCharCode(b[0]!, b[1]!, b[2]!);
    if (!/^[A-Z0-9 ]{3}$/.test(currency)) return undefined;
  }
  const magnitude = b[4]! >> 5;
  const ex = b[4]! & 0x10 ? -magnitude : magnitude;
  return { currency, eppu: (b[3]! << 4) | (b[4]! & 0x0f), ex };
}
