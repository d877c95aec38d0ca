// Small EF layouts of TS 102 221 and TS 31.102 that are counters, identifier lists or linked records:
// unsigned counters (EF.ACM §4.2.9 records and EF.ACMmax §4.2.7: 3 bytes; EF.THRESHOLD §4.2.52: 3 bytes;
// DF.PHONEBOOK EF.PSC §4.4.2.12: 4 bytes, EF.CC §4.4.2.13 and EF.PUID §4.4.2.14: 2 bytes),
// cell broadcast message identifiers (EF.CBMI §4.2.14, EF.CBMID §4.2.20: 2 bytes each, FFFF unused;
// EF.CBMIR §4.2.22: ranges of two identifiers), extension records (EF.EXT1/EXT2, §4.4.2.4 and §4.2.37:
// record type, 11 bytes of data led by their length, next record identifier), the phone book reference
// (EF.PBR §4.4.2.1: templates A8/A9/AA of tag + FID [+ SFI]), image instances (EF.IMG §4.6.1.1) and
// EF.UMPC (TS 102 221 §13.6).

import type * as z from 'zod';
import { type Bytes, concat, fromHex, readUintBE, toHex, uintBE } from '../../card-os/bytes.js';
import { lazySchema } from '../../card-os/lazy-schema.js';
import { ber, parseBer } from '../../card-os/tlv.js';
import { decimal, hexBytes, hexNumber, list, oneOf } from './values.js';

/** An unsigned big-endian counter of `n` bytes. */
export function counter(n: number) {
  return {
    value: decimal(0, 2 ** (8 * n) - 1),
    encode: (v: number) => uintBE(v, n),
    decode: (b: Bytes) => (b.length === n ? readUintBE(b) : undefined),
  };
}

/** A list of 2-byte identifiers, FFFF for unused entries (padding). */
export const messageIdListValue = list(decimal(0, 0xfffe));

export function encodeMessageIds(ids: readonly number[], length = ids.length * 2): Bytes {
  if (ids.length * 2 > length) throw new Error(`${ids.length} identifiers do not fit in ${length} bytes`);
  const out = new Uint8Array(length).fill(0xff);
  ids.forEach((id, i) => {
    out.set(uintBE(id, 2), i * 2);
  });
  return out;
}

export function decodeMessageIds(b: Bytes): number[] | undefined {
  if (b.length % 2) return undefined;
  const out: number[] = [];
  for (let i = 0; i < b.length; i += 2) {
    const v = readUintBE(b, i, 2);
    if (v !== 0xffff) out.push(v);
  }
  return out;
}

export const messageIdRangesValue = lazySchema((z) =>
  list(z.strictObject({ from: decimal(0, 0xfffe), to: decimal(0, 0xfffe) })),
);

export function encodeMessageIdRanges(
  r: readonly { from: number; to: number }[],
  length = r.length * 4,
): Bytes {
  return encodeMessageIds(
    r.flatMap((x) => [x.from, x.to]),
    length,
  );
}

export function decodeMessageIdRanges(b: Bytes): { from: number; to: number }[] | undefined {
  const ids = b.length % 4 ? undefined : decodeMessageIds(b);
  if (!ids || ids.length % 2) return undefined;
  const out = [];
  for (let i = 0; i < ids.length; i += 2) out.push({ from: ids[i]!, to: ids[i + 1]! });
  return out;
}

const EXT_TYPES = { unused: 0x00, subaddress: 0x01, 'additional-data': 0x02 } as const;
const extTypeNames = Object.keys(EXT_TYPES) as (keyof typeof EXT_TYPES)[];

export const extValue = lazySchema((z) =>
  z.strictObject({
    type: oneOf(extTypeNames),
    data: hexBytes(0, 10)
      .transform((b) => toHex(b))
      .optional(),
    next: decimal(1, 254).optional(),
  }),
);

export function encodeExt(v: z.output<typeof extValue>, length = 13): Bytes {
  const out = new Uint8Array(length).fill(0xff);
  out[0] = EXT_TYPES[v.type];
  if (v.data !== undefined) {
    const d = fromHex(v.data);
    out[1] = d.length;
    out.set(d, 2);
  }
  if (v.next !== undefined) out[length - 1] = v.next;
  return out;
}

export function decodeExt(b: Bytes): z.input<typeof extValue> | undefined {
  if (b.length !== 13) return undefined;
  const type = extTypeNames.find((t) => EXT_TYPES[t] === b[0]);
  if (!type) return undefined;
  const out: z.input<typeof extValue> = { type };
  if (b[1] !== 0xff) {
    if (b[1]! > 10) return undefined;
    out.data = toHex(b.subarray(2, 2 + b[1]!));
  }
  if (b[12] !== 0xff) out.next = b[12]!;
  return out;
}

const pbrFile = lazySchema((z) =>
  z.strictObject({
    tag: hexNumber(2, 0xc0, 0xcf),
    fid: hexNumber(4, 0, 0xffff),
    sfi: decimal(1, 30).optional(),
  }),
);
export const pbrValue = lazySchema((z) =>
  list(z.strictObject({ template: hexNumber(2, 0xa8, 0xaa), files: list(pbrFile) })),
);
const hex2 = (n: number, d: number) => n.toString(16).toUpperCase().padStart(d, '0');

export function encodePbr(v: z.output<typeof pbrValue>, length?: number): Bytes {
  const tlv = concat(
    ...v.map((t) =>
      ber(
        t.template,
        ...t.files.map((f) =>
          ber(
            f.tag,
            concat(uintBE(f.fid, 2), f.sfi === undefined ? new Uint8Array(0) : Uint8Array.of(f.sfi)),
          ),
        ),
      ),
    ),
  );
  const out = new Uint8Array(Math.max(length ?? tlv.length, tlv.length)).fill(0xff);
  out.set(tlv);
  return out;
}

export function decodePbr(b: Bytes): z.input<typeof pbrValue> | undefined {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0xff) end--;
  const outer = end ? parseBer(b.subarray(0, end)) : undefined;
  if (!outer || outer.some((t) => t.tag < 0xa8 || t.tag > 0xaa)) return undefined;
  const out = [];
  for (const t of outer) {
    const inner = parseBer(t.value);
    if (!inner || inner.some((f) => f.value.length < 2 || f.value.length > 3)) return undefined;
    out.push({
      template: hex2(t.tag, 2),
      files: inner.map((f) => {
        const file: { tag: string; fid: string; sfi?: number } = {
          tag: hex2(f.tag, 2),
          fid: toHex(f.value.subarray(0, 2)),
        };
        if (f.value.length === 3) file.sfi = f.value[2]!;
        return file;
      }),
    });
  }
  return out;
}

const imgInstance = lazySchema((z) =>
  z.strictObject({
    width: decimal(0, 255),
    height: decimal(0, 255),
    coding: decimal(0, 255),
    fid: hexNumber(4, 0, 0xffff),
    offset: decimal(0, 0xffff),
    length: decimal(0, 0xffff),
  }),
);
export const imgValue = list(imgInstance);

export function encodeImg(v: z.output<typeof imgValue>, length = 1 + 9 * v.length): Bytes {
  const out = new Uint8Array(length).fill(0xff);
  out[0] = v.length;
  v.forEach((i, n) => {
    out.set(
      concat(
        Uint8Array.of(i.width, i.height, i.coding),
        uintBE(i.fid, 2),
        uintBE(i.offset, 2),
        uintBE(i.length, 2),
      ),
      1 + 9 * n,
    );
  });
  return out;
}

export function decodeImg(b: Bytes): z.input<typeof imgValue> | undefined {
  const n = b[0] ?? 0;
  if (n === 0 || n === 0xff || 1 + 9 * n > b.length) return undefined;
  const out = [];
  for (let i = 0; i < n; i++) {
    const d = b.subarray(1 + 9 * i, 10 + 9 * i);
    out.push({
      width: d[0]!,
      height: d[1]!,
      coding: d[2]!,
      fid: toHex(d.subarray(3, 5)),
      offset: readUintBE(d, 5, 2),
      length: readUintBE(d, 7, 2),
    });
  }
  return out;
}

export const umpcValue = lazySchema((z) =>
  z.strictObject({
    maxPowerMa: decimal(0, 255),
    timeoutSeconds: decimal(0, 255),
    additionalInfo: decimal(0, 255),
  }),
);

export function encodeUmpc(v: z.output<typeof umpcValue>, length = 5): Bytes {
  const out = new Uint8Array(Math.max(length, 3)).fill(0xff);
  out.set([v.maxPowerMa, v.timeoutSeconds, v.additionalInfo]);
  return out;
}

export function decodeUmpc(b: Bytes): z.input<typeof umpcValue> | undefined {
  if (b.length < 3) return undefined;
  return { maxPowerMa: b[0]!, timeoutSeconds: b[1]!, additionalInfo: b[2]! };
}
