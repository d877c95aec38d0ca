// Proactive command REFRESH, TS 102 223 §6.4.7 / §6.6.13, in "UICC reset" mode (command qualifier 04): the
// card asks the terminal to reset it, the moment a committed subscription change takes effect (TR 33.812
// §5.3.2.2 step 5: "the last stage of the OTA procedure is to reset the UICC").
//   D0 L { 81 03 <command number> 01 <qualifier>, 82 02 81 82 }   (device identities: UICC -> terminal)

import type { Bytes } from './bytes.js';
import {
  CTLV_COMMAND_DETAILS,
  CTLV_DEVICE_IDENTITIES,
  DEV_TERMINAL,
  DEV_UICC,
  TAG_PROACTIVE_COMMAND,
} from './cat-tlv.js';
import { ber, ctlv, parseCtlv, readBer } from './tlv.js';

export const CMD_REFRESH = 0x01;
export const REFRESH_UICC_RESET = 0x04;

export function encodeRefresh(qualifier = REFRESH_UICC_RESET, commandNumber = 1): Bytes {
  return ber(
    TAG_PROACTIVE_COMMAND,
    ctlv(CTLV_COMMAND_DETAILS, Uint8Array.of(commandNumber, CMD_REFRESH, qualifier), true),
    ctlv(CTLV_DEVICE_IDENTITIES, Uint8Array.of(DEV_UICC, DEV_TERMINAL), true),
  );
}

/** The command number and qualifier of a REFRESH; undefined for any other proactive command. */
export function decodeRefresh(cmd: Bytes): { commandNumber: number; qualifier: number } | undefined {
  const t = readBer(cmd, 0);
  if (!t || t.tag !== TAG_PROACTIVE_COMMAND || t.length !== cmd.length) return undefined;
  const details = parseCtlv(t.value)?.find((i) => i.tag === CTLV_COMMAND_DETAILS)?.value;
  if (details?.length !== 3 || details[1] !== CMD_REFRESH) return undefined;
  return { commandNumber: details[0]!, qualifier: details[2]! };
}
