// ENVELOPE (SMS-PP DOWNLOAD), TS 31.111 §7.1.1.2 / TS 102 223 §7.1: BER-TLV tag D1 holding
// COMPREHENSION-TLVs: device identities (source network 83, destination UICC 81), the optional address of
// the service centre (tag 06) and the SMS TPDU (tag 0B).

import type { Bytes } from '../../card-os/bytes.js';
import {
  CTLV_ADDRESS,
  CTLV_DEVICE_IDENTITIES,
  CTLV_SMS_TPDU,
  DEV_NETWORK,
  DEV_UICC,
  TAG_SMS_PP_DOWNLOAD,
} from '../../card-os/cat-tlv.js';
import { ber, ctlv, parseCtlv, readBer } from '../../card-os/tlv.js';

export interface SmsPpDownload {
  /** Address of the service centre: TON/NPI then BCD digits (TS 102 223 §8.1), if the ME gave it. */
  smsc?: Bytes;
  /** The SMS-DELIVER TPDU. */
  tpdu: Bytes;
}

/** The ENVELOPE data field (D1 ...). */
export function encodeSmsPpEnvelope(d: SmsPpDownload): Bytes {
  const parts = [ctlv(CTLV_DEVICE_IDENTITIES, Uint8Array.of(DEV_NETWORK, DEV_UICC), true)];
  if (d.smsc) parts.push(ctlv(CTLV_ADDRESS, d.smsc, true));
  parts.push(ctlv(CTLV_SMS_TPDU, d.tpdu, true));
  return ber(TAG_SMS_PP_DOWNLOAD, ...parts);
}

/** Decodes the ENVELOPE data field; undefined unless it is a well-formed SMS-PP download from the network. */
export function decodeSmsPpEnvelope(data: Bytes): SmsPpDownload | undefined {
  const t = readBer(data, 0);
  if (!t || t.tag !== TAG_SMS_PP_DOWNLOAD || t.length !== data.length) return undefined;
  const items = parseCtlv(t.value);
  if (!items) return undefined;
  const dev = items.find((i) => i.tag === CTLV_DEVICE_IDENTITIES)?.value;
  if (dev?.length !== 2 || dev[0] !== DEV_NETWORK || dev[1] !== DEV_UICC) return undefined;
  const tpdu = items.find((i) => i.tag === CTLV_SMS_TPDU)?.value;
  if (!tpdu) return undefined;
  const smsc = items.find((i) => i.tag === CTLV_ADDRESS)?.value;
  return smsc ? { smsc, tpdu } : { tpdu };
}
