// What a trace holds. The recorder keeps raw events (bytes and times only: the hot path stays cheap);
// the renderer turns them, in order, into rendered events (secrets masked, meaning decoded) that the
// JSONL and pcap writers store and that `trace show` and `replay` read back. docs/traces.md describes the
// file format.

import type { Bytes } from '../../card-os/bytes.js';
import type { IgnoreRule } from './ignore.js';

/** Raw events as recorded. `t` is milliseconds since the trace started (monotonic clock). */
export type RawEvent =
  | { kind: 'exchange'; t: number; ms: number; command: Bytes; response: Bytes }
  | { kind: 'reset'; t: number; atr: Bytes }
  | { kind: 'note'; t: number; text: string };

export interface TraceHeader {
  /** Wall-clock time of t = 0, ms since the epoch. */
  started: number;
  /** Transport name: "embedded", a PC/SC reader, "vpcd". */
  transport: string;
  /** The ATR when recording started, if known. */
  atr?: Bytes;
  /** The command line or tool that recorded, e.g. "uicc run examples/read-imsi.apdu". */
  tool?: string;
  /** Profile of an emulated card. */
  profile?: string;
}

/** A masked byte range in a command or response, and how to get the bytes back when replaying. */
export interface Redaction {
  in: 'command' | 'response';
  /** Offset and length in the command or response APDU bytes. */
  at: number;
  len: number;
  /** What was there, for people: "PIN block", "CK", "PUT KEY key data". */
  what: string;
  /**
   * Name of the secret, for commands: replay takes the bytes from `--secrets FILE` under this name
   * (e.g. "pin1", "pin1.new", "adm1"). Absent for responses.
   */
  secret?: string;
  /** For high-entropy values only (keys, never PINs): first 8 bytes of SHA-256, so replay can compare. */
  digest?: string;
}

export interface RenderedExchange {
  kind: 'exchange';
  /** Sequence number of the event in the trace (also the GSMTAP frame number in the pcap). */
  i: number;
  t: number;
  ms: number;
  channel: number;
  /** Command and response with the redacted bytes replaced by MASK_BYTE. */
  command: Bytes;
  response: Bytes;
  redactions: Redaction[];
  /** For a GET RESPONSE piece: the exchange whose response it continues, and its data offset there. */
  origin?: number;
  offset: number;
  name: string;
  sw: number;
  status: string;
  details: string[];
}

export type RenderedEvent =
  | RenderedExchange
  | { kind: 'reset'; i: number; t: number; atr: Bytes }
  | { kind: 'note'; i: number; t: number; text: string };

/** A whole trace as read back from a file. */
export interface Trace {
  header: TraceHeader;
  events: RenderedEvent[];
  /** Ignore rules declared in the trace itself. */
  ignore: IgnoreRule[];
}

/**
 * Byte written in place of a secret in the pcap ('*' in ASCII, so Wireshark's byte view shows ****).
 * The JSONL form writes "**" for each masked byte instead.
 */
export const MASK_BYTE = 0x2a;
