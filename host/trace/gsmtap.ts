// GSMTAP framing of SIM traffic, as Osmocom's SIMtrace2 emits it and Wireshark's gsmtap + gsm_sim
// dissectors read it (libosmocore gsmtap.h; docs/traces.md §pcap):
//   16-byte header, version 2, header length 4 words, type 4 (SIM), then the payload.
//   Sub-type 0 (APDU) carries one whole exchange in one packet, T=0 TPDU style:
//     CLA INS P1 P2 P3 [command data] [response data] SW1 SW2
//   where P3 is Lc when the command sends data and Le otherwise. The dissector reads P3 bytes of data after
//   the header and the status word from the last two bytes, so a case-4 command is framed without its Le
//   (as on the T=0 wire, where the response data would come with GET RESPONSE).
//   Sub-type 1 (ATR) carries the answer to reset.

import type { Bytes } from '../../card-os/bytes.js';

/** IANA-assigned GSMTAP port. */
export const GSMTAP_UDP_PORT = 4729;
export const GSMTAP_VERSION = 2;
export const GSMTAP_HEADER_LENGTH = 16;
export const GSMTAP_TYPE_SIM = 4;
export const GSMTAP_SIM_APDU = 0;
export const GSMTAP_SIM_ATR = 1;

/** The 16-byte GSMTAP v2 header. `frame` goes into the frame-number field (we put the exchange number there). */
export function gsmtapHeader(subType: number, frame: number): Bytes {
  const h = new Uint8Array(GSMTAP_HEADER_LENGTH);
  h[0] = GSMTAP_VERSION;
  h[1] = GSMTAP_HEADER_LENGTH / 4;
  h[2] = GSMTAP_TYPE_SIM;
  // 3 timeslot, 4-5 ARFCN, 6 signal dBm, 7 SNR: unused for SIM traffic.
  new DataView(h.buffer).setUint32(8, frame >>> 0);
  h[12] = subType;
  // 13 antenna, 14 sub-slot, 15 reserved.
  return h;
}

/** Bytes of the command that go on the T=0 wire: everything but the Le of a case-4 command. */
export function tpduCommandLength(command: Bytes): number {
  const n = command.length;
  if (n <= 5) return n;
  const b4 = command[4]!;
  if (b4 !== 0) return n === 6 + b4 ? 5 + b4 : n;
  // Extended length (ISO 7816-4 §5.1): 00 Lc1 Lc2 data [Le1 Le2], or 00 Le1 Le2.
  if (n < 8) return n;
  const lc = (command[5]! << 8) | command[6]!;
  return n === 9 + lc ? 7 + lc : n;
}

/**
 * The GSMTAP SIM APDU payload of one exchange: command (without a case-4 Le) then the whole response.
 * Two adjustments keep the dissector in step (it reads P3 bytes of data, then the SW from the end):
 * a case-1 command gets P3 = 00, and a case-2 command answered with fewer bytes than its Le (an error
 * status, 6Cxx) gets P3 = the number of bytes returned. The JSONL trace keeps the exact command.
 */
export function simApduPayload(command: Bytes, response: Bytes): Bytes {
  const c = tpduCommandLength(command);
  const pad = command.length === 4 ? 1 : 0;
  const out = new Uint8Array(c + pad + response.length);
  out.set(command.subarray(0, c), 0);
  out.set(response, c + pad);
  const returned = response.length - 2;
  if (command.length === 5 && command[4]! > Math.max(0, returned)) out[4] = Math.max(0, returned);
  return out;
}
