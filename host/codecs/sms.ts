// Short message files of the USIM:
// EF.SMS (6F3C) records, TS 31.102 §4.2.25: status (00 free, 01 received and read, 03 received and unread,
// 05 sent, 07 to be sent; TS 51.011 §10.5.3) + 175 bytes (the SC address and TPDU), FF-padded.
// EF.SMSP (6F42) records, TS 31.102 §4.2.27: alpha identifier (record length - 28), parameter indicators
// (b1..b5 = 0: TP-Destination Address, TS-Service Centre Address, TP-PID, TP-DCS, TP-VP present), TP-DA (12,
// TS 23.040 §9.1.2.5: length in digits), SC address (12, TS 24.011 §8.2.5.2: length in bytes), PID, DCS, VP.
// EF.SMSS (6F43), TS 31.102 §4.2.28: last used TP-MR, then b1 of byte 2 = 0 when the memory capacity was
// exceeded (other bits RFU, 1).

import type * as z from 'zod';
import { type Bytes, concat, fromHex, toHex } from '../../card-os/bytes.js';
import { lazySchema } from '../../card-os/lazy-schema.js';
import { decodeAlpha, encodeAlpha } from './alpha.js';
import { DIALLING, decodeSwappedBcd, encodeSwappedBcd } from './bcd.js';
import { bool, decimal, hexBytes, oneOf, scalar, text } from './values.js';

const SMS_STATUS: Record<number, string> = {
  0x00: 'free',
  0x01: 'read',
  0x03: 'unread',
  0x05: 'sent',
  0x07: 'to-send',
};
const STATUS_NAMES = ['free', 'read', 'unread', 'sent', 'to-send'] as const;

export const smsValue = lazySchema((z) =>
  z.strictObject({
    status: oneOf(STATUS_NAMES),
    data: hexBytes(0, 175)
      .transform((b) => toHex(b))
      .optional(),
  }),
);

export function encodeSms(v: z.output<typeof smsValue>, length = 176): Bytes {
  const out = new Uint8Array(length).fill(0xff);
  out[0] = Number(Object.entries(SMS_STATUS).find(([, n]) => n === v.status)![0]);
  if (v.data) out.set(fromHex(v.data).subarray(0, length - 1), 1);
  return out;
}

export function decodeSms(b: Bytes): z.input<typeof smsValue> | undefined {
  const status = SMS_STATUS[b[0] ?? -1];
  if (!status || b.length < 2) return undefined;
  let end = b.length;
  while (end > 1 && b[end - 1] === 0xff) end--;
  return end > 1 ? { status, data: toHex(b.subarray(1, end)) } : { status };
}

const NUMBER_RE = /^\+?[0-9*#p?]{1,20}$/;
const number = scalar<string>((t) => (NUMBER_RE.test(t) ? { ok: t } : { error: `"${t}" is not a number` }));

/** TP-DA (length in digits) or SC address (length in bytes), 12 bytes. */
function encodeAddress(n: string, lengthInDigits: boolean): Bytes {
  const digits = n.replace(/^\+/, '');
  const out = new Uint8Array(12).fill(0xff);
  out[0] = lengthInDigits ? digits.length : 1 + Math.ceil(digits.length / 2);
  out[1] = n.startsWith('+') ? 0x91 : 0x81;
  out.set(encodeSwappedBcd(digits, DIALLING, 10), 2);
  return out;
}

function decodeAddress(b: Bytes, lengthInDigits: boolean): string | undefined {
  const digits = decodeSwappedBcd(b.subarray(2, 12), DIALLING);
  if (digits === undefined || (b[1] !== 0x91 && b[1] !== 0x81)) return undefined;
  const expect = lengthInDigits ? digits.length : 1 + Math.ceil(digits.length / 2);
  if (b[0] !== expect) return undefined;
  return b[1] === 0x91 ? `+${digits}` : digits;
}

export const smspValue = lazySchema((z) =>
  z.strictObject({
    alpha: text.optional(),
    destination: number.optional(),
    serviceCentre: number.optional(),
    pid: decimal(0, 255).optional(),
    dcs: decimal(0, 255).optional(),
    validityPeriod: decimal(0, 255).optional(),
  }),
);
type Smsp = z.output<typeof smspValue>;

export function encodeSmsp(v: Smsp, length = 28 + encodeAlpha(v.alpha ?? '').length): Bytes {
  if (length < 28) throw new Error(`an EF.SMSP record has at least 28 bytes, not ${length}`);
  const ind =
    0xe0 |
    (v.destination === undefined ? 0x01 : 0) |
    (v.serviceCentre === undefined ? 0x02 : 0) |
    (v.pid === undefined ? 0x04 : 0) |
    (v.dcs === undefined ? 0x08 : 0) |
    (v.validityPeriod === undefined ? 0x10 : 0);
  const none = new Uint8Array(12).fill(0xff);
  return concat(
    encodeAlpha(v.alpha ?? '', length - 28),
    Uint8Array.of(ind),
    v.destination === undefined ? none : encodeAddress(v.destination, true),
    v.serviceCentre === undefined ? none : encodeAddress(v.serviceCentre, false),
    Uint8Array.of(v.pid ?? 0xff, v.dcs ?? 0xff, v.validityPeriod ?? 0xff),
  );
}

export function decodeSmsp(b: Bytes): z.input<typeof smspValue> | undefined {
  if (b.length < 28) return undefined;
  const y = b.length - 28;
  const alpha = decodeAlpha(b.subarray(0, y));
  const ind = b[y]!;
  if (alpha === undefined || (ind & 0xe0) !== 0xe0) return undefined;
  const out: z.input<typeof smspValue> = {};
  if (alpha) out.alpha = alpha;
  if (!(ind & 0x01)) {
    const d = decodeAddress(b.subarray(y + 1, y + 13), true);
    if (d === undefined) return undefined;
    out.destination = d;
  }
  if (!(ind & 0x02)) {
    const sc = decodeAddress(b.subarray(y + 13, y + 25), false);
    if (sc === undefined) return undefined;
    out.serviceCentre = sc;
  }
  if (!(ind & 0x04)) out.pid = b[y + 25]!;
  if (!(ind & 0x08)) out.dcs = b[y + 26]!;
  if (!(ind & 0x10)) out.validityPeriod = b[y + 27]!;
  return out;
}

export const smssValue = lazySchema((z) =>
  z.strictObject({
    lastMessageReference: decimal(0, 255),
    memoryCapacityExceeded: bool,
  }),
);

export function encodeSmss(v: z.output<typeof smssValue>, length = 2): Bytes {
  const out = new Uint8Array(length).fill(0xff);
  out[0] = v.lastMessageReference;
  out[1] = v.memoryCapacityExceeded ? 0xfe : 0xff;
  return out;
}

export function decodeSmss(b: Bytes): z.input<typeof smssValue> | undefined {
  if (b.length < 2) return undefined;
  return { lastMessageReference: b[0]!, memoryCapacityExceeded: (b[1]! & 0x01) === 0 };
}
