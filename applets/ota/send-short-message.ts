// Proactive command SEND SHORT MESSAGE, TS 102 223 §6.6.9: BER-TLV tag D0 holding command details
// (type 13, qualifier 00 "packing not required"), device identities (UICC 81 to network 83), the optional
// service centre address and the SMS TPDU (an SMS-SUBMIT). Used for the PoR when SPI2 b6 asks for SMS-SUBMIT.

import type { Bytes } from '../../card-os/bytes.js';
import {
  CTLV_ADDRESS,
  CTLV_COMMAND_DETAILS,
  CTLV_DEVICE_IDENTITIES,
  CTLV_SMS_TPDU,
  DEV_NETWORK,
  DEV_UICC,
  TAG_PROACTIVE_COMMAND,
} from '../../card-os/cat-tlv.js';
import { ber, ctlv, parseCtlv, readBer } from '../../card-os/tlv.js';

export const CMD_SEND_SHORT_MESSAGE = 0x13;

export interface SendShortMessage {
  commandNumber: number;
  /** Service centre address (TON/NPI + BCD), if any. */
  address?: Bytes;
  /** The SMS-SUBMIT TPDU. */
  tpdu: Bytes;
}

export function encodeSendShortMessage(s: SendShortMessage): Bytes {
  const parts = [
    ctlv(CTLV_COMMAND_DETAILS, Uint8Array.of(s.commandNumber, CMD_SEND_SHORT_MESSAGE, 0x00), true),
    ctlv(CTLV_DEVICE_IDENTITIES, Uint8Array.of(DEV_UICC, DEV_NETWORK), true),
  ];
  if (s.address) parts.push(ctlv(CTLV_ADDRESS, s.address, true));
  parts.push(ctlv(CTLV_SMS_TPDU, s.tpdu, true));
  return ber(TAG_PROACTIVE_COMMAND, ...parts);
}

/** Decodes a proactive command; undefined unless it is a well-formed SEND SHORT MESSAGE. */
export function decodeSendShortMessage(cmd: Bytes): SendShortMessage | undefined {
  const t = readBer(cmd, 0);
  if (!t || t.tag !== TAG_PROACTIVE_COMMAND || t.length !== cmd.length) return undefined;
  const items = parseCtlv(t.value);
  if (!items) return undefined;
  const details = items.find((i) => i.tag === CTLV_COMMAND_DETAILS)?.value;
  if (details?.length !== 3 || details[1] !== CMD_SEND_SHORT_MESSAGE) return undefined;
  const tpdu = items.find((i) => i.tag === CTLV_SMS_TPDU)?.value;
  if (!tpdu) return undefined;
  const address = items.find((i) => i.tag === CTLV_ADDRESS)?.value;
  const out: SendShortMessage = { commandNumber: details[0]!, tpdu };
  if (address) out.address = address;
  return out;
}
