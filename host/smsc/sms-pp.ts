// The SMSC and handset between an SMPP message and the card: a submit_sm/data_sm becomes the SMS-DELIVER
// TPDU(s) of TS 23.040 §9.2.2.1 that the handset passes to the UICC as SMS-PP data download (TS 31.111
// §7.1.1, TS 31.115 §4: TP-PID 7F, 8-bit class 2 data, the command packet identifier in the user data
// header), and what the card answers (response data or SEND SHORT MESSAGE) becomes the messages the SMSC
// delivers back to the ESME. The TPDU, header and segmentation codecs are the card's own (applets/ota).

import { decodeSendShortMessage } from '../../applets/ota/send-short-message.js';
import {
  addressDigits,
  dcsAlphabet,
  decodeSmsSubmit,
  encodeSmsDeliver,
  MAX_UD,
  PID_SIM_DATA_DOWNLOAD,
  type SmsAddress,
  smsAddress,
} from '../../applets/ota/sms-tpdu.js';
import {
  buildUserData,
  IEI_CONCAT_16,
  parseUserData,
  splitUserData,
} from '../../applets/ota/user-data-header.js';
import { dataOf } from '../../card-os/apdu.js';
import type { Bytes } from '../../card-os/bytes.js';
import type { HandsetDelivery } from '../ota/deliver.js';
import { sctsOf } from '../ota/ota-server.js';
import { MAX_SHORT_MESSAGE, TLV, type Tlv } from '../smpp/pdu.js';
import { type CommandStatus, STATUS } from '../smpp/status.js';

/** esm_class bits 7-6 (GSM network features), SMPP v3.4 §5.2.12: UDHI. */
export const ESM_UDHI = 0x40;
/** esm_class bits 5-2 (message type): a delivery receipt in deliver_sm. */
export const ESM_DELIVERY_RECEIPT = 0x04;
const ESM_TYPE_MASK = 0x3c;

/** SMPP address: type of number, numbering plan, digits (§5.2.5, §5.2.6). */
export interface SmppAddress {
  ton: number;
  npi: number;
  addr: string;
}

/** The parts of a submit_sm or data_sm the delivery needs. */
export interface MessageIn {
  source: SmppAddress;
  esmClass: number;
  protocolId: number;
  dataCoding: number;
  /** short_message, or message_payload when short_message is empty. */
  userData: Bytes;
  tlvs: Tlv[];
}

export type TpduResult = { ok: true; tpdus: Bytes[] } | { ok: false; status: CommandStatus; reason: string };

/** TS 23.038 §4: 8-bit data whose message class is 2 (SIM specific), the form TS 31.111 §7.1.1 passes on. */
export function isClass2Data(dcs: number): boolean {
  if (dcsAlphabet(dcs) !== '8bit') return false;
  if (dcs >> 4 === 0xf) return (dcs & 0x03) === 2;
  return (dcs & 0x10) !== 0 && (dcs & 0x03) === 2;
}

/** TP-OA from an SMPP source address: TON/NPI in the type octet (TS 23.040 §9.1.2.5). */
function originator(a: SmppAddress): SmsAddress | undefined {
  // At most 20 characters: the address the PoR goes back to must fit deliver_sm's destination_addr.
  if (!/^\+?[0-9]{1,20}$/.test(a.addr) || a.addr.length > 20) return undefined;
  return smsAddress(a.addr.replace(/^\+/, ''), 0x80 | ((a.ton & 7) << 4) | (a.npi & 0x0f));
}

const u16 = (b: Bytes | undefined) => (b && b.length === 2 ? (b[0]! << 8) | b[1]! : undefined);

/**
 * The SMS-DELIVER TPDUs for a message to a card, or the command_status that refuses it. A user data longer
 * than one SMS (message_payload) is split into concatenated messages (TS 23.040 §9.2.3.24.1), the header
 * IEs other than concatenation going in the first segment; SAR optional parameters (§5.3.2.22-24) become a
 * 16-bit concatenation IE.
 */
export function smsDeliverTpdus(m: MessageIn, ref: number, now: Date): TpduResult {
  if ((m.esmClass & ESM_TYPE_MASK) !== 0)
    return { ok: false, status: STATUS.RINVESMCLASS, reason: 'esm_class message type is not "default"' };
  if (m.protocolId !== PID_SIM_DATA_DOWNLOAD)
    return { ok: false, status: STATUS.RSUBMITFAIL, reason: 'protocol_id is not 7F ((U)SIM data download)' };
  if (!isClass2Data(m.dataCoding))
    return { ok: false, status: STATUS.RSUBMITFAIL, reason: 'data_coding is not 8-bit class 2 (F6 or 16)' };
  const oa = originator(m.source);
  if (!oa) return { ok: false, status: STATUS.RINVSRCADR, reason: 'source_addr is not 1 to 20 digits' };
  const udhi = (m.esmClass & ESM_UDHI) !== 0;
  const ud = udhi ? parseUserData(m.userData, true) : { ies: [], payload: m.userData };
  if (!ud)
    return { ok: false, status: STATUS.RINVMSGLEN, reason: 'the user data header overruns the message' };
  const sarRef = u16(m.tlvs.find((t) => t.tag === TLV.sar_msg_ref_num)?.value);
  const sarTotal = m.tlvs.find((t) => t.tag === TLV.sar_total_segments)?.value[0];
  const sarSeq = m.tlvs.find((t) => t.tag === TLV.sar_segment_seqnum)?.value[0];
  let uds: Bytes[] | undefined;
  if (sarRef !== undefined && sarTotal !== undefined && sarSeq !== undefined) {
    const ie = { iei: IEI_CONCAT_16, data: Uint8Array.of(sarRef >> 8, sarRef & 0xff, sarTotal, sarSeq) };
    uds = [buildUserData([ie, ...ud.ies], ud.payload)];
  } else if (m.userData.length <= MAX_UD) uds = [m.userData];
  else uds = splitUserData(ud.ies, ud.payload, ref, true);
  if (!uds || uds.some((u) => u.length > MAX_UD))
    return { ok: false, status: STATUS.RINVMSGLEN, reason: 'the message does not fit the SMS it must go in' };
  const scts = sctsOf(now);
  const tpdus = uds.map((u) =>
    encodeSmsDeliver({
      udhi: udhi || uds.length > 1 || sarRef !== undefined,
      oa,
      pid: m.protocolId,
      dcs: m.dataCoding,
      scts,
      ud: u,
    }),
  );
  return { ok: true, tpdus };
}

/** A message from the card to the ESME (deliver_sm body parts). */
export interface MessageOut {
  esmClass: number;
  protocolId: number;
  dataCoding: number;
  /** Destination digits the card chose (TP-DA), if it named one. */
  destination?: SmppAddress;
  shortMessage: Bytes;
}

/**
 * What goes back to the ESME after the handset passed the message on: each SMS-SUBMIT the card sent with
 * SEND SHORT MESSAGE (the PoR by SMS-SUBMIT, TS 31.115 §5), or else the response data of the ENVELOPE (the
 * PoR the handset returns in the SMS-DELIVER-REPORT, TS 31.111 §7.1.1.2), as they are.
 */
export function messagesFromCard(h: HandsetDelivery, dcsIn: number): MessageOut[] {
  const out: MessageOut[] = [];
  for (const cmd of h.proactive) {
    const ssm = decodeSendShortMessage(cmd);
    const submit = ssm && decodeSmsSubmit(ssm.tpdu);
    if (!submit || submit.ud.length > MAX_SHORT_MESSAGE) continue;
    const digits = addressDigits(submit.da);
    const m: MessageOut = {
      esmClass: submit.udhi ? ESM_UDHI : 0,
      protocolId: submit.pid,
      dataCoding: submit.dcs,
      shortMessage: submit.ud,
    };
    if (/^[0-9]+$/.test(digits))
      m.destination = { ton: (submit.da.type >> 4) & 7, npi: submit.da.type & 0x0f, addr: digits };
    out.push(m);
  }
  if (out.length > 0) return out;
  const data = dataOf(h.last);
  if (data.length === 0 || data.length > MAX_SHORT_MESSAGE) return out;
  const udh = parseUserData(data, true);
  return [
    {
      esmClass: udh && udh.ies.length > 0 ? ESM_UDHI : 0,
      protocolId: PID_SIM_DATA_DOWNLOAD,
      dataCoding: dcsIn,
      shortMessage: data,
    },
  ];
}

/** Whether the card took the message (TS 31.111 §7.1.1.2: 9000/91xx; anything else is an RP-ERROR). */
export function deliveredToCard(h: HandsetDelivery): boolean {
  if (h.failure?.kind === 'envelope') return false;
  return h.sw === 0x9000 || h.sw >> 8 === 0x91;
}
