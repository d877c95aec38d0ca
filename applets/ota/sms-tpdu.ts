// SMS TPDUs of TS 23.040 §9.2.2 that OTA uses: SMS-DELIVER (network to card, the command packet) and
// SMS-SUBMIT (card to network, the PoR when SPI2 asks for it). Addresses per §9.1.2.5, DCS per TS 23.038 §4.
// Decoders return undefined on malformed input.

import { type Bytes, concat } from '../../card-os/bytes.js';

/** TP-PID "(U)SIM data download", TS 23.040 §9.2.3.9: the ME passes the message to the card. */
export const PID_SIM_DATA_DOWNLOAD = 0x7f;
/** TP-DCS "8-bit data, class 2 (SIM specific)", TS 23.038 §4 coding group 1111. */
export const DCS_8BIT_CLASS2 = 0xf6;
/** TS 23.040 §9.2.3.16: at most 140 octets of user data. */
export const MAX_UD = 140;

const MTI_DELIVER = 0x00;
const MTI_SUBMIT = 0x01;
const UDHI = 0x40;

export interface SmsAddress {
  /** Number of useful semi-octets (TP address length field). */
  length: number;
  /** Type of number and numbering plan identification, e.g. 0x91 international / ISDN. */
  type: number;
  /** The semi-octets, F-padded: ceil(length / 2) bytes. */
  value: Bytes;
}

const DIGITS = '0123456789*#abc';

/** An address from a digit string ('+' prefix means international, TON/NPI 91; otherwise 81). */
export function smsAddress(digits: string, type?: number): SmsAddress {
  const intl = digits.startsWith('+');
  const d = intl ? digits.slice(1) : digits;
  const value = new Uint8Array(Math.ceil(d.length / 2)).fill(0xff);
  for (let i = 0; i < d.length; i++) {
    const n = DIGITS.indexOf(d[i]!.toLowerCase());
    if (n < 0) throw new RangeError(`not an address digit: ${d[i]}`);
    value[i >> 1] = i & 1 ? (value[i >> 1]! & 0x0f) | (n << 4) : (value[i >> 1]! & 0xf0) | n;
  }
  return { length: d.length, type: type ?? (intl ? 0x91 : 0x81), value };
}

export function addressDigits(a: SmsAddress): string {
  let s = '';
  for (let i = 0; i < a.length; i++) {
    const b = a.value[i >> 1]!;
    s += DIGITS[i & 1 ? b >> 4 : b & 0x0f] ?? '?';
  }
  return s;
}

export function encodeAddress(a: SmsAddress): Bytes {
  const out = new Uint8Array(2 + a.value.length);
  out[0] = a.length;
  out[1] = a.type;
  out.set(a.value, 2);
  return out;
}

function readAddress(b: Bytes, off: number): { addr: SmsAddress; next: number } | undefined {
  if (off + 2 > b.length) return undefined;
  const length = b[off]!;
  if (length > 20) return undefined;
  const n = Math.ceil(length / 2);
  if (off + 2 + n > b.length) return undefined;
  return { addr: { length, type: b[off + 1]!, value: b.slice(off + 2, off + 2 + n) }, next: off + 2 + n };
}

export type Alphabet = 'gsm7' | '8bit' | 'ucs2' | 'reserved';

/** Character set of a TP-DCS, TS 23.038 §4. */
export function dcsAlphabet(dcs: number): Alphabet {
  const group = dcs >> 4;
  if (group <= 0x7) {
    // General data coding (00xx) and automatic deletion (01xx); b5 = compressed text.
    if (dcs & 0x20) return 'reserved';
    return (['gsm7', '8bit', 'ucs2', 'reserved'] as const)[(dcs >> 2) & 3];
  }
  if (group === 0xf) return dcs & 0x04 ? '8bit' : 'gsm7';
  if (group === 0xc || group === 0xd) return 'gsm7';
  if (group === 0xe) return 'ucs2';
  return 'reserved';
}

/** Octets of TP-UD for a TP-UDL under a DCS (septets for the default alphabet). */
function udOctets(udl: number, dcs: number): number {
  return dcsAlphabet(dcs) === 'gsm7' ? Math.ceil((udl * 7) / 8) : udl;
}

export interface SmsDeliver {
  /** First octet: TP-MTI 00, TP-MMS, TP-SRI, TP-UDHI, TP-RP. */
  firstOctet: number;
  udhi: boolean;
  oa: SmsAddress;
  pid: number;
  dcs: number;
  /** TP-SCTS, 7 semi-octet bytes. */
  scts: Bytes;
  /** TP-UD, including the user data header when udhi. */
  ud: Bytes;
}

export function encodeSmsDeliver(d: Omit<SmsDeliver, 'firstOctet'> & { firstOctet?: number }): Bytes {
  const fo = ((d.firstOctet ?? 0x00) & ~(UDHI | 0x03)) | MTI_DELIVER | (d.udhi ? UDHI : 0);
  if (d.scts.length !== 7) throw new RangeError('TP-SCTS is 7 bytes');
  if (d.ud.length > MAX_UD) throw new RangeError('TP-UD longer than 140 octets');
  return concat(
    Uint8Array.of(fo),
    encodeAddress(d.oa),
    Uint8Array.of(d.pid, d.dcs),
    d.scts,
    Uint8Array.of(d.ud.length),
    d.ud,
  );
}

export function decodeSmsDeliver(t: Bytes): SmsDeliver | undefined {
  if (t.length < 1 || (t[0]! & 0x03) !== MTI_DELIVER) return undefined;
  const a = readAddress(t, 1);
  if (!a) return undefined;
  let o = a.next;
  if (o + 10 > t.length) return undefined;
  const pid = t[o]!;
  const dcs = t[o + 1]!;
  const scts = t.slice(o + 2, o + 9);
  const udl = t[o + 9]!;
  o += 10;
  const n = udOctets(udl, dcs);
  if (n > MAX_UD || o + n > t.length) return undefined;
  return { firstOctet: t[0]!, udhi: (t[0]! & UDHI) !== 0, oa: a.addr, pid, dcs, scts, ud: t.slice(o, o + n) };
}

export interface SmsSubmit {
  /** First octet: TP-MTI 01, TP-RD, TP-VPF, TP-SRR, TP-UDHI, TP-RP. */
  firstOctet: number;
  udhi: boolean;
  mr: number;
  da: SmsAddress;
  pid: number;
  dcs: number;
  /** TP-VP as present (0, 1 or 7 bytes, by TP-VPF). */
  vp: Bytes;
  ud: Bytes;
}

/** Builds an SMS-SUBMIT without a validity period (TP-VPF 00). */
export function encodeSmsSubmit(s: {
  mr?: number;
  da: SmsAddress;
  pid: number;
  dcs: number;
  udhi: boolean;
  ud: Bytes;
}): Bytes {
  const fo = MTI_SUBMIT | (s.udhi ? UDHI : 0);
  if (s.ud.length > MAX_UD) throw new RangeError('TP-UD longer than 140 octets');
  return concat(
    Uint8Array.of(fo, s.mr ?? 0),
    encodeAddress(s.da),
    Uint8Array.of(s.pid, s.dcs, s.ud.length),
    s.ud,
  );
}

export function decodeSmsSubmit(t: Bytes): SmsSubmit | undefined {
  if (t.length < 2 || (t[0]! & 0x03) !== MTI_SUBMIT) return undefined;
  const vpLen = [0, 7, 1, 7][(t[0]! >> 3) & 3]!;
  const a = readAddress(t, 2);
  if (!a) return undefined;
  let o = a.next;
  if (o + 3 + vpLen > t.length) return undefined;
  const pid = t[o]!;
  const dcs = t[o + 1]!;
  const vp = t.slice(o + 2, o + 2 + vpLen);
  o += 2 + vpLen;
  const n = udOctets(t[o]!, dcs);
  o += 1;
  if (n > MAX_UD || o + n > t.length) return undefined;
  return {
    firstOctet: t[0]!,
    udhi: (t[0]! & UDHI) !== 0,
    mr: t[1]!,
    da: a.addr,
    pid,
    dcs,
    vp,
    ud: t.slice(o, o + n),
  };
}
