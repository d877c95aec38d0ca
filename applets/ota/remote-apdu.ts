// Rules shared by both remote command formats of TS 102 226 §5: how one command is run and when a script
// stops.

import type { Bytes } from '../../card-os/bytes.js';

/** Runs one C-APDU in the remote session and returns the R-APDU (data || SW1 SW2). */
export type ApduRunner = (apdu: Bytes) => Bytes;

/** At most 255 commands run per script: the executed-command count in the response is one byte. */
export const MAX_REMOTE_COMMANDS = 255;

/**
 * Whether execution continues after this status word: normal ending (9000, 91xx, 92xx) and "response data
 * available" (61xx, 9Fxx). Warnings (62xx/63xx, e.g. 63Cx after a wrong PIN) and errors end the script.
 */
export function continuesScript(sw: number): boolean {
  const sw1 = sw >> 8;
  return sw === 0x9000 || sw1 === 0x91 || sw1 === 0x92 || sw1 === 0x61 || sw1 === 0x9f;
}

export const TAG_COMMAND_SCRIPT = 0xaa;
export const TAG_COMMAND_SCRIPT_INDEFINITE = 0xae;
