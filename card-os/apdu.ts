// Command APDU codec: ISO/IEC 7816-3 §12.1 cases 1..4, short and extended length.
// Parsing never throws: malformed input yields { error } with the status word to answer.

import type { Bytes } from './bytes.js';
import { SW } from './sw.js';

export interface Command {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (Lc bytes); empty for cases 1 and 2. */
  data: Bytes;
  /** Expected response length; undefined when absent (cases 1 and 3). 0x00 short / 0x0000 extended mean max (256/65536). */
  le: number | undefined;
  extended: boolean;
  /** ISO case 1..4. */
  case: 1 | 2 | 3 | 4;
  /** The raw bytes as received. */
  raw: Bytes;
}

export type ParseResult = { cmd: Command; error?: undefined } | { cmd?: undefined; error: number };

const EMPTY = new Uint8Array(0);

// One object shape for every command (hot path: no spreads, so V8 keeps the objects monomorphic).
function command(
  raw: Bytes,
  data: Bytes,
  le: number | undefined,
  extended: boolean,
  c: 1 | 2 | 3 | 4,
): ParseResult {
  return { cmd: { cla: raw[0]!, ins: raw[1]!, p1: raw[2]!, p2: raw[3]!, data, le, extended, case: c, raw } };
}

/** Decodes a command APDU. Returns { error: SW } for bytes that are no valid APDU. */
export function parseCommand(raw: Bytes): ParseResult {
  const n = raw.length;
  if (n < 4) return { error: SW.WRONG_LENGTH };
  if (n === 4) return command(raw, EMPTY, undefined, false, 1);
  const b4 = raw[4]!;
  if (n === 5) return command(raw, EMPTY, b4 === 0 ? 256 : b4, false, 2);
  if (b4 !== 0) {
    // Short Lc.
    const lc = b4;
    if (n === 5 + lc) return command(raw, raw.subarray(5, 5 + lc), undefined, false, 3);
    if (n === 6 + lc) {
      const le = raw[5 + lc]!;
      return command(raw, raw.subarray(5, 5 + lc), le === 0 ? 256 : le, false, 4);
    }
    return { error: SW.WRONG_LENGTH };
  }
  // b4 == 0 and more than 5 bytes: extended length.
  if (n === 7) {
    const le = (raw[5]! << 8) | raw[6]!;
    return command(raw, EMPTY, le === 0 ? 65536 : le, true, 2);
  }
  if (n < 8) return { error: SW.WRONG_LENGTH };
  const lc = (raw[5]! << 8) | raw[6]!;
  if (lc === 0) return { error: SW.WRONG_LENGTH };
  if (n === 7 + lc) return command(raw, raw.subarray(7, 7 + lc), undefined, true, 3);
  if (n === 9 + lc) {
    const le = (raw[7 + lc]! << 8) | raw[8 + lc]!;
    return command(raw, raw.subarray(7, 7 + lc), le === 0 ? 65536 : le, true, 4);
  }
  return { error: SW.WRONG_LENGTH };
}

/** Builds a command APDU, choosing extended length only when needed (or forced). */
export function buildCommand(
  cla: number,
  ins: number,
  p1: number,
  p2: number,
  data: Bytes = EMPTY,
  le?: number,
  forceExtended = false,
): Bytes {
  const ext = forceExtended || data.length > 255 || (le !== undefined && le > 256);
  const out: number[] = [cla, ins, p1, p2];
  if (!ext) {
    if (data.length) out.push(data.length, ...data);
    if (le !== undefined) out.push(le === 256 ? 0 : le);
  } else {
    out.push(0);
    if (data.length) out.push(data.length >> 8, data.length & 0xff, ...data);
    if (le !== undefined) {
      const l = le === 65536 ? 0 : le;
      out.push(l >> 8, l & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/** Response APDU helpers: data || SW1 SW2. */
export function response(sw: number, data?: Bytes): Bytes {
  if (!data || data.length === 0) return Uint8Array.of(sw >> 8, sw & 0xff);
  const out = new Uint8Array(data.length + 2);
  out.set(data, 0);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}

export function swOf(resp: Bytes): number {
  return resp.length >= 2 ? (resp[resp.length - 2]! << 8) | resp[resp.length - 1]! : 0;
}

export function dataOf(resp: Bytes): Bytes {
  return resp.subarray(0, Math.max(0, resp.length - 2));
}

/** Logical channel number from a CLA byte (ISO 7816-4 §5.1.1 / TS 102 221 §10.1.1). */
export function channelOf(cla: number): number {
  // First interindustry values 0x0X / 0x8X / 0xAX: channels 0..3 in b2-b1.
  // Further interindustry values 0x4X / 0xCX / 0xEX: channels 4..19 in b4-b1.
  if ((cla & 0x40) === 0) return cla & 0x03;
  return 4 + (cla & 0x0f);
}
