// Option values checked when commander parses them (argParser functions), so a bad value stops the command
// before any card is opened, with a message naming the option (commander adds "option '--x <n>' argument
// 'abc' is invalid.").

import { InvalidArgumentError } from 'commander';

/** A decimal integer in [min, max]. */
export function integer(min: number, max: number) {
  return (v: string): number => {
    const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer ${min}..${max}`);
    return n;
  };
}

/** Exactly `bytes` bytes of hex; the value stays text (upper case) for messages. */
export function hexBytes(bytes: number) {
  return (v: string): string => {
    if (!new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(v))
      throw new InvalidArgumentError(`expected ${bytes * 2} hex digits`);
    return v.toUpperCase();
  };
}

/** Any whole number of bytes in hex (spaces allowed), at least `min` bytes. */
export function hexString(min = 1, max = 65535) {
  return (v: string): string => {
    const h = v.replace(/\s+/g, '');
    if (!/^([0-9a-fA-F]{2})+$/.test(h) || h.length / 2 < min || h.length / 2 > max)
      throw new InvalidArgumentError(`expected ${min}..${max} bytes of hex`);
    return h.toUpperCase();
  };
}

/** Seconds, a non-negative number (fractions allowed), at most a day. */
export function seconds(v: string): number {
  const n = /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : Number.NaN;
  if (!Number.isFinite(n) || n < 0 || n > 86400) throw new InvalidArgumentError('expected seconds, 0..86400');
  return n;
}

/** One of the given words (case-insensitive), returned in lower case. */
export function oneOf(...words: string[]) {
  return (v: string): string => {
    const w = v.toLowerCase();
    if (!words.includes(w)) throw new InvalidArgumentError(`expected one of ${words.join(', ')}`);
    return w;
  };
}

/** A non-empty value (file names, readers, IMSIs are checked when used, with their own messages). */
export function nonEmpty(v: string): string {
  if (!v.trim()) throw new InvalidArgumentError('expected a value, got an empty string');
  return v;
}

/** PIN digits as typed (TS 102 221 §9.5.1: 4 to 8 digits). */
export function pinDigits(v: string): string {
  if (!/^\d{4,8}$/.test(v)) throw new InvalidArgumentError('expected 4 to 8 digits');
  return v;
}

/** An IMSI: up to 15 digits (TS 23.003 §2.2), at least 6 (MCC, MNC, some MSIN). */
export function imsiDigits(v: string): string {
  if (!/^\d{6,15}$/.test(v)) throw new InvalidArgumentError('expected an IMSI of 6 to 15 digits');
  return v;
}

/** HOST:PORT of a network peer (an HLR, an SMSC); the value stays text, checked here. */
export function hostPort(v: string): string {
  const m = /^(.+):(\d{1,5})$/.exec(v.trim());
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65535) throw new InvalidArgumentError('expected HOST:PORT');
  return v.trim();
}

/** An MSISDN or other SMS address: 1 to 20 digits (TS 23.040 §9.1.2.5, SMPP v3.4 §5.2.9 addr). */
export function msisdnDigits(v: string): string {
  if (!/^\d{1,20}$/.test(v)) throw new InvalidArgumentError('expected 1 to 20 digits');
  return v;
}
