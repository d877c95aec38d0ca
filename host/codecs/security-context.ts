// Keys and security contexts the terminal stores on the USIM:
// EF.Keys (6F08) / EF.KeysPS (6F09), TS 31.102 §4.2.4 / §4.2.5: KSI (1; 07 = no key), CK (16), IK (16).
// EF.Kc / EF.KcGPRS under DF.GSM-ACCESS (4F20 / 4F52), TS 31.102 §4.6.2.1 / §4.6.2.2: Kc (8), CKSN (1; 07 =
// no key).
// EF.EPSNSC (6FE4), TS 31.102 §4.2.92: an EPS NAS security context TLV, A0 { 80 KSI_ASME, 81 K_ASME,
// 82 uplink NAS count, 83 downlink NAS count, 84 selected NAS algorithms }, FF-padded.
// EF.START-HFN (6F5B) §4.2.51: START-CS (3) and START-PS (3); EF.THRESHOLD (6F5C) §4.2.52: maximum START (3).

import type * as z from 'zod';
import { type Bytes, concat, fromHex, readUintBE, toHex, uintBE } from '../../card-os/bytes.js';
import { lazySchema } from '../../card-os/lazy-schema.js';
import { ber, parseBer } from '../../card-os/tlv.js';
import { decimal, hexBytes } from './values.js';

const hex = (n: number) => hexBytes(n, n).transform((b) => toHex(b));

export const keysValue = lazySchema((z) =>
  z.strictObject({ ksi: decimal(0, 255), ck: hex(16), ik: hex(16) }),
);

export function encodeKeys(v: z.output<typeof keysValue>): Bytes {
  return concat(Uint8Array.of(v.ksi), fromHex(v.ck), fromHex(v.ik));
}

export function decodeKeys(b: Bytes): z.input<typeof keysValue> | undefined {
  if (b.length !== 33) return undefined;
  return { ksi: b[0]!, ck: toHex(b.subarray(1, 17)), ik: toHex(b.subarray(17, 33)) };
}

export const kcValue = lazySchema((z) => z.strictObject({ kc: hex(8), cksn: decimal(0, 255) }));

export function encodeKc(v: z.output<typeof kcValue>): Bytes {
  return concat(fromHex(v.kc), Uint8Array.of(v.cksn));
}

export function decodeKc(b: Bytes): z.input<typeof kcValue> | undefined {
  if (b.length !== 9) return undefined;
  return { kc: toHex(b.subarray(0, 8)), cksn: b[8]! };
}

export const epsNscValue = lazySchema((z) =>
  z.strictObject({
    ksiAsme: decimal(0, 255),
    kAsme: hex(32),
    uplinkNasCount: decimal(0, 0xffffffff),
    downlinkNasCount: decimal(0, 0xffffffff),
    algorithms: decimal(0, 255),
  }),
);

export function encodeEpsNsc(v: z.output<typeof epsNscValue>, length?: number): Bytes {
  const tlv = ber(
    0xa0,
    concat(
      ber(0x80, Uint8Array.of(v.ksiAsme)),
      ber(0x81, fromHex(v.kAsme)),
      ber(0x82, uintBE(v.uplinkNasCount, 4)),
      ber(0x83, uintBE(v.downlinkNasCount, 4)),
      ber(0x84, Uint8Array.of(v.algorithms)),
    ),
  );
  const out = new Uint8Array(Math.max(length ?? tlv.length, tlv.length)).fill(0xff);
  out.set(tlv);
  return out;
}

export function decodeEpsNsc(b: Bytes): z.input<typeof epsNscValue> | undefined {
  const len = b[1] ?? 0;
  if (b[0] !== 0xa0 || len + 2 > b.length) return undefined;
  const inner = parseBer(b.subarray(2, 2 + len));
  if (!inner) return undefined;
  const get = (tag: number) => inner.find((t) => t.tag === tag)?.value;
  const [ksi, k, ul, dl, alg] = [0x80, 0x81, 0x82, 0x83, 0x84].map(get);
  if (ksi?.length !== 1 || k?.length !== 32 || ul?.length !== 4 || dl?.length !== 4 || alg?.length !== 1)
    return undefined;
  return {
    ksiAsme: ksi[0]!,
    kAsme: toHex(k),
    uplinkNasCount: readUintBE(ul),
    downlinkNasCount: readUintBE(dl),
    algorithms: alg[0]!,
  };
}

export const startHfnValue = lazySchema((z) =>
  z.strictObject({ startCs: decimal(0, 0xffffff), startPs: decimal(0, 0xffffff) }),
);

export function encodeStartHfn(v: z.output<typeof startHfnValue>): Bytes {
  return concat(uintBE(v.startCs, 3), uintBE(v.startPs, 3));
}

export function decodeStartHfn(b: Bytes): z.input<typeof startHfnValue> | undefined {
  if (b.length !== 6) return undefined;
  return { startCs: readUintBE(b, 0, 3), startPs: readUintBE(b, 3, 3) };
}
