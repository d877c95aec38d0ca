// Remote APDU scripts carried as the secured data of a command packet, TS 102 226 §5: the compact format
// (§5.1: concatenated C-APDUs) or the expanded format (§5.2: a command scripting template, tag AA or AE).
// The first byte tells them apart: AA/AE are tags, never a valid CLA of a remote command.

import type { Bytes } from '../../card-os/bytes.js';
import { type ApduRunner, TAG_COMMAND_SCRIPT, TAG_COMMAND_SCRIPT_INDEFINITE } from './remote-apdu.js';
import { runCompactScript } from './remote-command-compact.js';
import { runExpandedScript } from './remote-command-expanded.js';

/** Runs a script in either format and returns the response data for the PoR. */
export function runRemoteCommands(script: Bytes, run: ApduRunner): Bytes {
  const first = script[0];
  if (first === TAG_COMMAND_SCRIPT || first === TAG_COMMAND_SCRIPT_INDEFINITE)
    return runExpandedScript(script, run);
  return runCompactScript(script, run);
}
