// Expanded remote command format, TS 102 226 §5.2.
//   Command scripting template: AA L { 22 L C-APDU ... }  or, indefinite length, AE 80 { ... } 00 00.
//   Response scripting template: AB L { 80 01 <number of executed C-APDUs>, 23 L R-APDU ... [90 01 <bad
//   format>] } (AF 80 ... 00 00 for the indefinite form). One R-APDU (data || SW1 SW2) per executed C-APDU.
// C-APDUs are full ISO 7816-4 APDUs (Le allowed). Execution stops at the first failing command, and at a
// format error, which the bad-format TLV reports: 01 unknown or unsupported tag, 02 wrong length,
// 03 length or end of content missing. Immediate action (81), error action (82) and script chaining (83)
// are not supported and are reported as 01 (the script stops there).

import { parseCommand, swOf } from '../../card-os/apdu.js';
import { type Bytes, concat } from '../../card-os/bytes.js';
import { ber, readBer } from '../../card-os/tlv.js';
import {
  type ApduRunner,
  continuesScript,
  MAX_REMOTE_COMMANDS,
  TAG_COMMAND_SCRIPT,
  TAG_COMMAND_SCRIPT_INDEFINITE,
} from './remote-apdu.js';

export const TAG_RESPONSE_SCRIPT = 0xab;
export const TAG_RESPONSE_SCRIPT_INDEFINITE = 0xaf;
export const TAG_C_APDU = 0x22;
export const TAG_R_APDU = 0x23;
export const TAG_EXECUTED_COUNT = 0x80;
export const TAG_BAD_FORMAT = 0x90;

export const BAD_FORMAT = { UNKNOWN_TAG: 0x01, WRONG_LENGTH: 0x02, NO_LENGTH: 0x03 } as const;

/** The content of the command template, or the bad-format code if the template itself is malformed. */
function templateContent(script: Bytes): { content: Bytes; indefinite: boolean } | { bad: number } {
  if (script[0] === TAG_COMMAND_SCRIPT_INDEFINITE) {
    if (script.length < 2 || script[1] !== 0x80) return { bad: BAD_FORMAT.NO_LENGTH };
    return { content: script.subarray(2), indefinite: true };
  }
  if (script.length < 2) return { bad: BAD_FORMAT.NO_LENGTH };
  const t = readBer(script, 0);
  if (!t || t.tag !== TAG_COMMAND_SCRIPT || t.length !== script.length)
    return { bad: BAD_FORMAT.WRONG_LENGTH };
  return { content: t.value, indefinite: false };
}

export function runExpandedScript(script: Bytes, run: ApduRunner): Bytes {
  const tpl = templateContent(script);
  const rapdus: Bytes[] = [];
  let bad: number | undefined;
  if ('bad' in tpl) bad = tpl.bad;
  else {
    const c = tpl.content;
    let off = 0;
    let ended = !tpl.indefinite;
    while (off < c.length) {
      if (tpl.indefinite && c[off] === 0x00 && c[off + 1] === 0x00) {
        ended = off + 2 === c.length;
        if (!ended) bad = BAD_FORMAT.WRONG_LENGTH;
        break;
      }
      const t = readBer(c, off);
      if (!t) {
        bad = BAD_FORMAT.WRONG_LENGTH;
        break;
      }
      off += t.length;
      if (t.tag !== TAG_C_APDU) {
        bad = BAD_FORMAT.UNKNOWN_TAG;
        break;
      }
      if (rapdus.length === MAX_REMOTE_COMMANDS) {
        ended = true;
        break;
      }
      const parsed = parseCommand(t.value);
      const r =
        parsed.error !== undefined ? Uint8Array.of(parsed.error >> 8, parsed.error & 0xff) : run(t.value);
      rapdus.push(ber(TAG_R_APDU, r));
      if (!continuesScript(swOf(r))) {
        ended = true;
        break;
      }
    }
    if (!ended && bad === undefined) bad = BAD_FORMAT.NO_LENGTH;
  }
  const body = [ber(TAG_EXECUTED_COUNT, Uint8Array.of(rapdus.length)), ...rapdus];
  if (bad !== undefined) body.push(ber(TAG_BAD_FORMAT, Uint8Array.of(bad)));
  if (script[0] === TAG_COMMAND_SCRIPT_INDEFINITE)
    return concat(Uint8Array.of(TAG_RESPONSE_SCRIPT_INDEFINITE, 0x80), ...body, Uint8Array.of(0, 0));
  return ber(TAG_RESPONSE_SCRIPT, ...body);
}
