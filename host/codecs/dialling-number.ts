// Dialling-number records (ADN layout), TS 31.102 §4.4.2.3, used by EF.MSISDN (§4.2.26): X bytes alpha
// identifier, then 14 bytes: length of BCD number (TON/NPI byte + BCD bytes), TON/NPI, 10 bytes of
// extended BCD, capability/configuration identifier (FF = none), extension record identifier (FF = none).

import type { Bytes } from '../../card-os/bytes.js';
import { lazySchema } from '../../card-os/lazy-schema.js';
import { decodeAlpha, encodeAlpha } from './alpha.js';
import { DIALLING, decodeSwappedBcd, encodeSwappedBcd } from './bcd.js';
import { hexNumber, scalar, text } from './values.js';

export interface DiallingNumber {
  alpha?: string;
  /** Digits (0-9 * # p ?); a leading + means international (TON/NPI 91), otherwise 81. */
  number: string;
  /** TON/NPI byte when it is neither 81 nor 91. */
  tonNpi?: number;
}

const NUMBER_RE = /^\+?[0-9*#p?]{1,20}$/;
const TON_NPI_UNKNOWN = 0x81; // TON unknown, NPI ISDN/telephony (E.164)
const TON_NPI_INTERNATIONAL = 0x91;

export const diallingNumberValue = lazySchema((z) =>
  z.strictObject({
    alpha: text.optional(),
    number: scalar<string>((t) =>
      NUMBER_RE.test(t) ? { ok: t } : { error: `"${t}" is not a dialling number (up to 20 of 0-9 * # p ?)` },
    ),
    tonNpi: hexNumber(2, 0, 0xfe).optional(),
  }),
);

export function encodeDiallingNumber(v: DiallingNumber, recordLength?: number): Bytes {
  if (!NUMBER_RE.test(v.number)) throw new Error(`"${v.number}" is not a dialling number`);
  const international = v.number.startsWith('+');
  const digits = international ? v.number.slice(1) : v.number;
  const alphaLength = recordLength === undefined ? encodeAlpha(v.alpha ?? '').length : recordLength - 14;
  if (alphaLength < 0)
    throw new Error(`a dialling-number record needs at least 14 bytes, not ${recordLength}`);
  const out = new Uint8Array(alphaLength + 14).fill(0xff);
  out.set(encodeAlpha(v.alpha ?? '', alphaLength));
  const bcd = encodeSwappedBcd(digits, DIALLING, 10);
  out[alphaLength] = 1 + Math.ceil(digits.length / 2);
  out[alphaLength + 1] = v.tonNpi ?? (international ? TON_NPI_INTERNATIONAL : TON_NPI_UNKNOWN);
  out.set(bcd, alphaLength + 2);
  return out;
}

/** Undefined for an empty record, a malformed one, or one that uses an extension record. */
export function decodeDiallingNumber(b: Bytes): DiallingNumber | undefined {
  if (b.length < 14) return undefined;
  const x = b.length - 14;
  const len = b[x]!;
  if (len < 2 || len > 11 || b[x + 12] !== 0xff || b[x + 13] !== 0xff) return undefined;
  const alpha = decodeAlpha(b.subarray(0, x));
  const digits = decodeSwappedBcd(b.subarray(x + 2, x + 12), DIALLING);
  if (alpha === undefined || digits === undefined || Math.ceil(digits.length / 2) !== len - 1)
    return undefined;
  const tonNpi = b[x + 1]!;
  const out: DiallingNumber = alpha ? { alpha, number: '' } : { number: '' };
  out.number = tonNpi === TON_NPI_INTERNATIONAL ? `+${digits}` : digits;
  if (tonNpi !== TON_NPI_INTERNATIONAL && tonNpi !== TON_NPI_UNKNOWN) out.tonNpi = tonNpi;
  return out;
}
