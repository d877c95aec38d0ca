// Zod building blocks for values a person writes in a profile. The profile loader reads YAML with the
// failsafe schema (every scalar arrives as text, so `ref: 81` stays "81" and a 20-digit ICCID keeps its
// digits); these helpers turn that text into typed values, and also accept the typed value itself so
// that decoded values can be fed back to an encoder unchanged. Each helper returns a lazy schema
// (card-os/lazy-schema.ts): zod is loaded when a value is first checked, not when a codec module is.

import type * as z from 'zod';
import { type Bytes, fromHex } from '../../card-os/bytes.js';
import { lazySchema } from '../../card-os/lazy-schema.js';

type Parsed<T> = { ok: T } | { error: string };

function describeKind(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'nothing';
  return typeof v === 'object' ? 'a map' : typeof v;
}

/**
 * A single scalar, parsed by `parse`. Missing values, lists and maps are rejected with a plain message;
 * `parse` returns either the value or the reason it is wrong.
 */
export function scalar<T>(parse: (text: string, raw: unknown) => Parsed<T>) {
  return lazySchema((z) =>
    z.unknown().transform((raw, ctx): T => {
      if (raw === undefined) {
        ctx.addIssue({ code: 'custom', message: 'is required' });
        return z.NEVER;
      }
      if (raw === null || (typeof raw === 'object' && !(raw instanceof Uint8Array))) {
        ctx.addIssue({ code: 'custom', message: `expected a single value, got ${describeKind(raw)}` });
        return z.NEVER;
      }
      const r = parse(String(raw).trim(), raw);
      if ('error' in r) {
        ctx.addIssue({ code: 'custom', message: r.error });
        return z.NEVER;
      }
      return r.ok;
    }),
  );
}

/** A list; a single value where a list is expected is reported as such. */
export function list<T extends z.ZodType>(item: T) {
  return lazySchema((z) =>
    z
      .unknown()
      .transform((raw, ctx) => {
        if (raw === undefined) {
          ctx.addIssue({ code: 'custom', message: 'is required' });
          return z.NEVER;
        }
        if (!Array.isArray(raw)) {
          ctx.addIssue({ code: 'custom', message: `expected a list, got ${describeKind(raw)}` });
          return z.NEVER;
        }
        return raw;
      })
      .pipe(z.array(item)),
  );
}

/** Decimal integer in [min, max]. */
export function decimal(min: number, max: number) {
  return scalar<number>((t, raw) => {
    const n = typeof raw === 'number' ? raw : /^\d+$/.test(t) ? Number(t) : Number.NaN;
    if (!Number.isSafeInteger(n)) return { error: `"${t}" is not a decimal number` };
    if (n < min || n > max) return { error: `${n} is out of range (${min}..${max})` };
    return { ok: n };
  });
}

/** Hexadecimal integer written with `digits` hex digits at most (an optional 0x is allowed), in [min, max]. */
export function hexNumber(digits: number, min: number, max: number) {
  const pad = (n: number) => n.toString(16).toUpperCase().padStart(digits, '0');
  return scalar<number>((t, raw) => {
    if (typeof raw === 'number') return { error: `write ${raw} in hex, e.g. "${pad(raw)}"` };
    const h = t.replace(/^0x/i, '');
    if (!/^[0-9A-Fa-f]+$/.test(h) || h.length > digits) {
      return { error: `"${t}" is not a hex number of at most ${digits} digits` };
    }
    const n = Number.parseInt(h, 16);
    if (n < min || n > max) return { error: `${pad(n)} is out of range (${pad(min)}..${pad(max)})` };
    return { ok: n };
  });
}

/** Boolean: true or false. */
export const bool = scalar<boolean>((t, raw) => {
  if (typeof raw === 'boolean') return { ok: raw };
  if (t === 'true') return { ok: true };
  if (t === 'false') return { ok: false };
  return { error: `"${t}" is not true or false` };
});

/** Free text (may be empty). */
export const text = scalar<string>((t, raw) => ({ ok: typeof raw === 'string' ? raw : t }));

/** One of a fixed set of words. */
export function oneOf<const T extends readonly string[]>(words: T) {
  return scalar<T[number]>((t) =>
    (words as readonly string[]).includes(t)
      ? { ok: t as T[number] }
      : { error: `"${t}" is not one of: ${words.join(', ')}` },
  );
}

/** A string of decimal digits, `min`..`max` long. */
export function digits(min: number, max: number) {
  return scalar<string>((t) => {
    if (!/^\d+$/.test(t)) return { error: `"${t}" must contain decimal digits only` };
    if (t.length < min || t.length > max) {
      return { error: `"${t}" has ${t.length} digits, expected ${min === max ? min : `${min} to ${max}`}` };
    }
    return { ok: t };
  });
}

/** Hex bytes (spaces and colons allowed) with a byte length in [min, max]. */
export function hexBytes(min = 0, max = Number.MAX_SAFE_INTEGER) {
  return scalar<Bytes>((t, raw) => {
    if (raw instanceof Uint8Array) return { ok: raw };
    const clean = t.replace(/^0x/i, '').replace(/[\s:]/g, '');
    if (!/^[0-9A-Fa-f]*$/.test(clean)) return { error: 'is not hex' };
    if (clean.length % 2) return { error: `has an odd number of hex digits (${clean.length})` };
    const n = clean.length / 2;
    if (n < min || n > max) {
      const want =
        min === max ? `${min}` : max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min} to ${max}`;
      return { error: `is ${n} bytes long, expected ${want}` };
    }
    return { ok: fromHex(clean) };
  });
}

/** A value written either as a map (`whenMap`) or as a single scalar (`whenScalar`). */
export function mapOrScalar<A, B>(whenMap: z.ZodType<A>, whenScalar: z.ZodType<B>) {
  return lazySchema((z) =>
    z.unknown().transform((raw, ctx): A | B => {
      const r =
        raw !== null && typeof raw === 'object' && !Array.isArray(raw)
          ? whenMap.safeParse(raw)
          : whenScalar.safeParse(raw);
      if (r.success) return r.data;
      for (const i of r.error.issues)
        ctx.addIssue({ code: 'custom', message: i.message, path: i.path as PropertyKey[] });
      return z.NEVER;
    }),
  );
}
