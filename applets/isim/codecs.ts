// The codecs of ADF.ISIM's EFs (TS 31.103 §4.2), declared by the ISIM package and registered into the host's
// codec lookup through the applet registry, so a profile writes `impi: user@ims.example` instead of hex.
// FIDs 6F07 (EF.IST) and 6F09 (EF.P-CSCF) repeat USIM FIDs: these codecs apply inside ADF.ISIM only.

import * as z from 'zod';
import type { Bytes } from '../../card-os/bytes.js';
import { codec, type EfCodec } from '../../card-os/ef-codec.js';
import { decodeServiceTable, encodeServiceTable } from '../../card-os/service-table.js';
import { ber, readBer } from '../../card-os/tlv.js';
import { OPERATION_MODE_NAMES, UE_OPERATION_MODES } from '../../card-os/ue-operation-mode.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Fits `b` into `length` bytes followed by `pad` (the file or record size), or refuses. */
function padded(b: Bytes, length: number | undefined, pad: number): Bytes {
  if (length === undefined) return b;
  if (b.length > length) throw new Error(`needs ${b.length} bytes, the file has ${length}`);
  const out = new Uint8Array(length).fill(pad);
  out.set(b);
  return out;
}

/** The TLV with tag 80 at the start of `b`, when what follows it is unused (FF) padding. */
function tag80(b: Bytes): Bytes | undefined {
  const t = readBer(b);
  if (!t || t.tag !== 0x80 || !b.subarray(t.length).every((x) => x === 0xff)) return undefined;
  return t.value;
}

// TS 31.103 §4.2.2 (IMPI, an NAI), §4.2.3 (home domain name), §4.2.4 (IMPU, a SIP or tel URI): tag 80,
// length, the text in UTF-8; the rest of the file or record is FF.
const identityValue = z.string().min(1);

function encodeIdentity(text: string, length?: number): Bytes {
  return padded(ber(0x80, new TextEncoder().encode(text)), length, 0xff);
}

function decodeIdentity(b: Bytes): string | undefined {
  const v = tag80(b);
  if (!v?.length) return undefined;
  try {
    return UTF8.decode(v);
  } catch {
    return undefined;
  }
}

// TS 31.103 §4.2.5: byte 1 the UE operation mode (as in the USIM's EF.AD), bytes 2-3 additional information
// (all RFU for the ISIM, coded 00), further bytes RFU.
const adValue = z.strictObject({ mode: z.enum(OPERATION_MODE_NAMES) });

function encodeAd(v: z.output<typeof adValue>, length = 3): Bytes {
  if (length < 3) throw new Error('EF.AD needs at least 3 bytes');
  const out = new Uint8Array(length);
  out[0] = UE_OPERATION_MODES[v.mode];
  return out;
}

function decodeAd(b: Bytes): { mode: string } | undefined {
  const mode = OPERATION_MODE_NAMES.find((m) => UE_OPERATION_MODES[m] === b[0]);
  return b.length >= 3 && mode && b.subarray(1).every((x) => x === 0) ? { mode } : undefined;
}

// TS 31.103 §4.2.7: the ISIM service table, coded like EF.UST (service n = bit (n-1) mod 8 of byte (n-1)/8).
// The profile loader hands YAML scalars over as text, so numbers are coerced.
const serviceListValue = z.array(z.coerce.number().int().min(1).max(2040));

// TS 31.103 §4.2.8: P-CSCF address record: tag 80, length, address type (00 FQDN, 01 IPv4, 02 IPv6), the
// address (the FQDN as text, an IP address as its 4 or 16 octets); the rest of the record is FF.
const pcscfValue = z.union([
  z.strictObject({ fqdn: z.string().min(1) }),
  z.strictObject({ ipv4: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/) }),
  z.strictObject({ ipv6: z.string().min(2) }),
]);
type Pcscf = z.output<typeof pcscfValue>;

function ipv4Bytes(text: string): Bytes {
  const parts = text.split('.').map(Number);
  if (parts.some((n) => n > 255)) throw new Error(`${text} is not an IPv4 address`);
  return Uint8Array.from(parts);
}

/** RFC 4291 §2.2 text form (with at most one "::") to 16 octets. */
function ipv6Bytes(text: string): Bytes {
  const bad = () => new Error(`${text} is not an IPv6 address`);
  const halves = text.split('::');
  if (halves.length > 2) throw bad();
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')));
  const missing = 8 - groups.reduce((n, g) => n + g.length, 0);
  if (halves.length === 1 ? missing !== 0 : missing < 1) throw bad();
  const all = halves.length === 1 ? groups[0]! : [...groups[0]!, ...Array(missing).fill('0'), ...groups[1]!];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) throw bad();
    const n = Number.parseInt(g, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  });
  return out;
}

function encodePcscf(v: Pcscf, length?: number): Bytes {
  const [type, address] =
    'fqdn' in v
      ? [0, new TextEncoder().encode(v.fqdn)]
      : 'ipv4' in v
        ? [1, ipv4Bytes(v.ipv4)]
        : [2, ipv6Bytes(v.ipv6)];
  return padded(ber(0x80, Uint8Array.of(type), address), length, 0xff);
}

function decodePcscf(b: Bytes): Pcscf | undefined {
  const v = tag80(b);
  if (!v || v.length < 2) return undefined;
  const address = v.subarray(1);
  if (v[0] === 0) {
    try {
      return { fqdn: UTF8.decode(address) };
    } catch {
      return undefined;
    }
  }
  if (v[0] === 1 && address.length === 4) return { ipv4: Array.from(address).join('.') };
  if (v[0] === 2 && address.length === 16) {
    const groups = Array.from({ length: 8 }, (_, i) =>
      ((address[2 * i]! << 8) | address[2 * i + 1]!).toString(16),
    );
    return { ipv6: groups.join(':') };
  }
  return undefined;
}

export const ISIM_CODECS: readonly EfCodec[] = [
  codec('EF.IMPI', 0x6f02, 'impi', 'file', identityValue, encodeIdentity, decodeIdentity),
  codec('EF.DOMAIN', 0x6f03, 'domain', 'file', identityValue, encodeIdentity, decodeIdentity),
  codec('EF.IMPU', 0x6f04, 'impu', 'record', identityValue, encodeIdentity, decodeIdentity),
  codec('EF.AD', 0x6fad, 'isimAd', 'file', adValue, encodeAd, decodeAd),
  codec('EF.IST', 0x6f07, 'ist', 'file', serviceListValue, encodeServiceTable, decodeServiceTable),
  codec('EF.P-CSCF', 0x6f09, 'pcscf', 'record', pcscfValue, encodePcscf, decodePcscf),
];
