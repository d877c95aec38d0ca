// EF.ECC (6FB7) records, TS 31.102 §4.2.21: emergency call code (3 bytes BCD, F-padded), optional alpha
// identifier, then the emergency service category byte (TS 24.008 §10.5.4.33 bit layout).

import type { Bytes } from '../../card-os/bytes.js';
import { lazySchema } from '../../card-os/lazy-schema.js';
import { decodeAlpha, encodeAlpha } from './alpha.js';
import { decodeSwappedBcd, encodeSwappedBcd } from './bcd.js';
import { list, oneOf, scalar, text } from './values.js';

const CATEGORIES = {
  police: 0x01,
  ambulance: 0x02,
  'fire-brigade': 0x04,
  'marine-guard': 0x08,
  'mountain-rescue': 0x10,
  'manual-ecall': 0x20,
  'automatic-ecall': 0x40,
} as const;
export type EccCategory = keyof typeof CATEGORIES;
const categoryNames = Object.keys(CATEGORIES) as EccCategory[];

export interface EmergencyCode {
  code: string;
  alpha?: string;
  categories?: EccCategory[];
}

export const eccValue = lazySchema((z) =>
  z.strictObject({
    code: scalar<string>((t) => (/^\d{1,6}$/.test(t) ? { ok: t } : { error: `"${t}" is not 1 to 6 digits` })),
    alpha: text.optional(),
    categories: list(oneOf(categoryNames)).optional(),
  }),
);

export function encodeEcc(v: EmergencyCode, recordLength?: number): Bytes {
  const alphaLength = recordLength === undefined ? encodeAlpha(v.alpha ?? '').length : recordLength - 4;
  if (alphaLength < 0) throw new Error(`an EF.ECC record needs at least 4 bytes, not ${recordLength}`);
  let cat = 0;
  for (const c of v.categories ?? []) cat |= CATEGORIES[c];
  const out = new Uint8Array(alphaLength + 4);
  out.set(encodeSwappedBcd(v.code, undefined, 3));
  out.set(encodeAlpha(v.alpha ?? '', alphaLength), 3);
  out[3 + alphaLength] = cat;
  return out;
}

export function decodeEcc(b: Bytes): EmergencyCode | undefined {
  if (b.length < 4) return undefined;
  const code = decodeSwappedBcd(b.subarray(0, 3));
  const alpha = decodeAlpha(b.subarray(3, b.length - 1));
  const cat = b[b.length - 1]!;
  if (!code || alpha === undefined || cat & 0x80) return undefined;
  const out: EmergencyCode = { code };
  if (alpha) out.alpha = alpha;
  const categories = categoryNames.filter((c) => cat & CATEGORIES[c]);
  if (categories.length) out.categories = categories;
  return out;
}
