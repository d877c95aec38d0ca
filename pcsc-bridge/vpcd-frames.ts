// vpcd wire protocol framing (vsmartcard virtualsmartcard/doc/api.txt):
// a TCP stream of `length(2, big-endian) || payload`, in both directions. A 1-byte payload is a control
// byte from vpcd (00 power off, 01 power on, 02 reset, 04 get ATR); any longer payload is a command APDU
// (vpcd -> card) or the response APDU (card -> vpcd). TCP gives no message boundaries: frames arrive merged
// into one read or split across several, so the parser accumulates bytes and yields whole frames.

import type { Bytes } from '../card-os/bytes.js';

/** Control bytes vpcd sends as 1-byte payloads. Only GET_ATR expects a reply. */
export const VPCD_CTRL = { POWER_OFF: 0x00, POWER_ON: 0x01, RESET: 0x02, GET_ATR: 0x04 } as const;

/** The largest payload a u16 length can announce. */
export const VPCD_MAX_PAYLOAD = 0xffff;

export type VpcdFrame =
  /** A 1-byte payload: a control byte (see VPCD_CTRL; other values are passed on for the caller to report). */
  | { kind: 'control'; code: number }
  /** A payload of 2 bytes or more: an APDU. The bytes are a copy the caller owns. */
  | { kind: 'apdu'; apdu: Bytes };

/**
 * A framing problem. `fatal` means the stream cannot be resynchronised (an announced length beyond the limit:
 * whatever follows is not a frame boundary we can trust), so the parser drops everything from then on and
 * the connection should be closed. A zero-length frame is not fatal: it is self-delimiting and skipped.
 */
export interface VpcdFrameError {
  kind: 'error';
  fatal: boolean;
  /** One line, readable as is in a log. */
  message: string;
}

export type VpcdParseEvent = VpcdFrame | VpcdFrameError;

export interface VpcdFrameParser {
  /** Feeds the next chunk read from the socket; returns the frames (and framing errors) it completes. */
  push(chunk: Bytes): VpcdParseEvent[];
  /** Bytes held back waiting for the rest of a frame. */
  buffered(): number;
  /** True after a fatal error: further input is ignored. */
  readonly broken: boolean;
}

export interface VpcdFrameParserOptions {
  /** Frames announcing a longer payload are fatal errors. Default VPCD_MAX_PAYLOAD (no limit below the u16). */
  maxPayload?: number;
}

export function createFrameParser(options: VpcdFrameParserOptions = {}): VpcdFrameParser {
  const maxPayload = options.maxPayload ?? VPCD_MAX_PAYLOAD;
  // Growable accumulator for a partial frame. Appending amortises to O(n), so a frame fed one byte at a time
  // does not cost O(n^2) in copies.
  let acc = new Uint8Array(0);
  let accLen = 0;
  let broken = false;

  function append(chunk: Bytes): void {
    if (accLen + chunk.length > acc.length) {
      const grown = new Uint8Array(Math.max(accLen + chunk.length, acc.length * 2, 64));
      grown.set(acc.subarray(0, accLen));
      acc = grown;
    }
    acc.set(chunk, accLen);
    accLen += chunk.length;
  }

  /** Parses complete frames in data[0..end); returns the offset of the first unconsumed byte. */
  function parse(data: Bytes, end: number, out: VpcdParseEvent[]): number {
    let off = 0;
    while (end - off >= 2) {
      const len = (data[off]! << 8) | data[off + 1]!;
      if (len === 0) {
        out.push({ kind: 'error', fatal: false, message: 'zero-length frame (length 0000), skipped' });
        off += 2;
        continue;
      }
      if (len > maxPayload) {
        out.push({
          kind: 'error',
          fatal: true,
          message: `frame announces ${len} bytes, more than the ${maxPayload}-byte limit; stream dropped`,
        });
        broken = true;
        return end;
      }
      if (end - off - 2 < len) break;
      // A plain Uint8Array copy: a Buffer's slice() would be a view into the socket's chunk.
      const payload = new Uint8Array(data.subarray(off + 2, off + 2 + len));
      out.push(len === 1 ? { kind: 'control', code: payload[0]! } : { kind: 'apdu', apdu: payload });
      off += 2 + len;
    }
    return off;
  }

  return {
    push(chunk) {
      const out: VpcdParseEvent[] = [];
      if (broken || chunk.length === 0) return out;
      if (accLen === 0) {
        // Fast path: parse straight from the chunk, keep only an incomplete tail.
        const used = parse(chunk, chunk.length, out);
        if (!broken && used < chunk.length) append(chunk.subarray(used));
        return out;
      }
      append(chunk);
      const used = parse(acc, accLen, out);
      if (broken) accLen = 0;
      else {
        acc.copyWithin(0, used, accLen);
        accLen -= used;
      }
      return out;
    },
    buffered: () => accLen,
    get broken() {
      return broken;
    },
  };
}

/** Encodes one frame: length(2) || payload. The payload must be 1..65535 bytes (vpcd reads 0 as card removed). */
export function encodeFrame(payload: Bytes): Bytes {
  if (payload.length === 0 || payload.length > VPCD_MAX_PAYLOAD) {
    throw new RangeError(`vpcd frame payload must be 1..${VPCD_MAX_PAYLOAD} bytes, got ${payload.length}`);
  }
  const out = new Uint8Array(payload.length + 2);
  out[0] = payload.length >> 8;
  out[1] = payload.length & 0xff;
  out.set(payload, 2);
  return out;
}

/** A control frame as vpcd sends it (used by peers speaking the vpcd side). */
export function encodeControl(code: number): Bytes {
  return encodeFrame(Uint8Array.of(code));
}

/** A readable name for a control byte, for logs. */
export function controlName(code: number): string {
  switch (code) {
    case VPCD_CTRL.POWER_OFF:
      return 'power off';
    case VPCD_CTRL.POWER_ON:
      return 'power on';
    case VPCD_CTRL.RESET:
      return 'reset';
    case VPCD_CTRL.GET_ATR:
      return 'get ATR';
    default:
      return `unknown control byte ${code.toString(16).padStart(2, '0').toUpperCase()}`;
  }
}
