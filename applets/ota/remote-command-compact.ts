// Compact remote command format, TS 102 226 §5.1. The secured data is a concatenation of commands coded
// like T=0 TPDUs: CLA INS P1 P2 P3 [data]. P3 is Lc for commands that send data to the card and Le for the
// ones that only fetch data (READ BINARY, READ RECORD, GET RESPONSE, STATUS...); case-4 commands are sent
// without Le and their data is fetched by a GET RESPONSE in the script. Commands run in order and the
// script stops at the first one that fails. Response data: number of commands executed (including the
// failing one) || SW1 SW2 of the last one || its response data.

import { swOf } from '../../card-os/apdu.js';
import { type Bytes, concat } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';
import { type ApduRunner, continuesScript, MAX_REMOTE_COMMANDS } from './remote-apdu.js';

/**
 * Instructions whose P3 is Le (data flows out of the card), TS 102 221 §10.1.2 / ISO 7816-4: READ BINARY,
 * READ RECORD, GET RESPONSE, STATUS, GET CHALLENGE, GET DATA (CA and CB), FETCH. Every other P3 is Lc.
 * The one list: the host's trace redaction walks compact scripts with it too, so both stay in step.
 */
export const OUTGOING_INS: ReadonlySet<number> = new Set([0xb0, 0xb2, 0xc0, 0xf2, 0x84, 0xca, 0xcb, 0x12]);

/** Turns one TPDU-style command into the APDU a T=0 terminal would issue; undefined if truncated. */
function nextCommand(script: Bytes, off: number): { apdu: Bytes; next: number } | undefined {
  if (off + 5 > script.length) return undefined;
  const p3 = script[off + 4]!;
  if (OUTGOING_INS.has(script[off + 1]!)) return { apdu: script.slice(off, off + 5), next: off + 5 };
  if (off + 5 + p3 > script.length) return undefined;
  // P3 = 0 with no data is a case-1 command: the APDU is the 4-byte header.
  return { apdu: script.slice(off, p3 === 0 ? off + 4 : off + 5 + p3), next: off + 5 + p3 };
}

export function runCompactScript(script: Bytes, run: ApduRunner): Bytes {
  let off = 0;
  let count = 0;
  let last: Bytes | undefined;
  while (off < script.length && count < MAX_REMOTE_COMMANDS) {
    count++;
    const c = nextCommand(script, off);
    if (!c) {
      // A truncated last command reaches the card as a command of the wrong length.
      last = Uint8Array.of(SW.WRONG_LENGTH >> 8, SW.WRONG_LENGTH & 0xff);
      break;
    }
    last = run(c.apdu);
    off = c.next;
    if (!continuesScript(swOf(last))) break;
  }
  if (!last) return new Uint8Array(0);
  const sw = last.subarray(last.length - 2);
  return concat(Uint8Array.of(count), sw, last.subarray(0, last.length - 2));
}
