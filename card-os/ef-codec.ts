// What an EF codec is: how one well-known EF's contents map to a readable value. The host's codec table
// (host/codecs/table.ts) holds the UICC and USIM codecs; an applet package declares the codecs of its own
// ADF's EFs (card-os/applet-registry.ts) so that a new application adds its codecs without touching the
// table. The value schema is a zod type (the profile loader and the shell validate values with it), declared
// through card-os/lazy-schema.ts so that decoding alone never loads zod.

import type * as z from 'zod';
import type { Bytes } from './bytes.js';

export interface EfCodec {
  /** EF name as in the specs, e.g. "EF.IMSI". */
  name: string;
  fid: number;
  /** Key of the readable value in a profile EF entry. */
  key: string;
  /** 'file': the value is the whole (transparent) file; 'record': the value is one record. */
  unit: 'file' | 'record';
  /** Validates what a person writes (YAML text or typed values) and returns the typed value. */
  value: z.ZodType;
  /** Encodes a value; `length` is the file size or record length (padding follows the EF's rules). */
  encode(value: unknown, length?: number): Bytes;
  /** Decodes file (or record) bytes; undefined if they do not hold a well-formed value. */
  decode(bytes: Bytes): unknown;
  /** FID of the DF the EF sits in, for EFs whose FID is only unique inside their DF (4Fxx). */
  df?: number;
  /**
   * The application whose ADF holds the EF (set by the registry from the package that declares the codec):
   * its FID means this EF only inside an ADF whose AID starts with `aid` (TS 31.103 §4.2 reuses USIM FIDs).
   */
  application?: { name: string; aid: Bytes };
}

/** Ties a typed encoder to its value schema, so dynamic callers are checked by the schema. */
export function codec<S extends z.ZodType>(
  name: string,
  fid: number,
  key: string,
  unit: 'file' | 'record',
  value: S,
  encode: (v: z.output<S>, length?: number) => Bytes,
  decode: (b: Bytes) => unknown,
  df?: number,
): EfCodec {
  return { name, fid, key, unit, value, encode: (v, length) => encode(value.parse(v), length), decode, df };
}
