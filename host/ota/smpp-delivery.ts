// The OTA server sending through an SMSC, as an operator's OTA platform does: the secured packet goes in
// submit_sm PDUs (SMPP v3.4 §4.4; TS 31.115 §4: esm_class UDHI, protocol_id 7F, data_coding F6, the
// command packet identifier IEI 70 in the user data header; concatenated when long), and the PoR comes back
// as deliver_sm from the card's MSISDN (the response packet after IEI 71, in one message or concatenated).

import { addSegment, type ReassemblyState } from '../../applets/ota/sms-reassembly.js';
import { decodeSmsDeliver } from '../../applets/ota/sms-tpdu.js';
import {
  buildUserData,
  concatInfo,
  IEI_CONCAT_8,
  IEI_CONCAT_16,
  parseUserData,
} from '../../applets/ota/user-data-header.js';
import type { Bytes } from '../../card-os/bytes.js';
import type { Esme } from '../smpp/esme.js';
import type { Pdu } from '../smpp/pdu.js';
import { parseReceiptText } from '../smsc/receipt.js';
import { ESM_DELIVERY_RECEIPT, ESM_UDHI } from '../smsc/sms-pp.js';
import type { OtaCommandRequest, OtaServer, PorResult } from './ota-server.js';

export interface SmppOtaOptions {
  /** The card's MSISDN (destination_addr). */
  msisdn: string;
  /** Our address (source_addr), default 12345. */
  source?: string;
  /** data_coding: F6 (default) or 16, both 8-bit class 2 (TS 23.038 §4). */
  dataCoding?: number;
  /** How long to wait for the PoR. */
  timeoutMs?: number;
}

export interface SmppOtaResult {
  cntr: number;
  messageIds: string[];
  /** Undefined when the SPI asks for no PoR, or none came in time. */
  por: PorResult | undefined;
  /** Delivery receipt stat of the last segment ("DELIVRD", "UNDELIV"...), if one came. */
  receipt?: string;
}

const isReceipt = (p: Pdu) => (Number(p.body.esmClass) & 0x3c) === ESM_DELIVERY_RECEIPT;

export async function deliverOtaSmpp(
  esme: Esme,
  server: OtaServer,
  req: OtaCommandRequest,
  o: SmppOtaOptions,
): Promise<SmppOtaResult> {
  const source = o.source ?? '12345';
  const prepared = server.prepare(req);
  // The SMS-DELIVER user data the server built is what the ESME submits (the SMSC builds the TPDU).
  const uds = prepared.tpdus.map((t) => decodeSmsDeliver(t)!.ud);
  const messageIds: string[] = [];
  for (const ud of uds)
    messageIds.push(
      await esme.submit({
        sourceAddr: source,
        destinationAddr: o.msisdn,
        esmClass: ESM_UDHI,
        protocolId: 0x7f,
        dataCoding: o.dataCoding ?? 0xf6,
        registeredDelivery: 1,
        shortMessage: ud,
      }),
    );
  const timeoutMs = o.timeoutMs ?? 10_000;
  const lastId = messageIds[messageIds.length - 1];
  const receiptP = esme
    .nextDeliver(
      (p) => isReceipt(p) && parseReceiptText(p.body.shortMessage as Bytes)?.id === lastId,
      timeoutMs,
    )
    .then((p) => parseReceiptText(p.body.shortMessage as Bytes)?.stat)
    .catch(() => undefined);
  const wantsPor = req.spi.por !== 'none';
  const por = wantsPor ? await readPor(esme, server, prepared.expect, o.msisdn, timeoutMs) : undefined;
  const receipt = await receiptP;
  const out: SmppOtaResult = { cntr: prepared.cntr, messageIds, por };
  if (receipt) out.receipt = receipt;
  return out;
}

async function readPor(
  esme: Esme,
  server: OtaServer,
  expect: Parameters<OtaServer['readPorFromEnvelopeResponse']>[0],
  msisdn: string,
  timeoutMs: number,
): Promise<PorResult | undefined> {
  const state: ReassemblyState = {};
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let p: Pdu;
    try {
      p = await esme.nextDeliver(
        (x) => !isReceipt(x) && String(x.body.sourceAddr).replace(/^\+/, '') === msisdn,
        Math.max(1, deadline - Date.now()),
      );
    } catch {
      return undefined;
    }
    const sm = p.body.shortMessage as Bytes;
    const ud = parseUserData(sm, (Number(p.body.esmClass) & ESM_UDHI) !== 0);
    if (!ud) return { ok: false, error: 'PoR message with a malformed user data header' };
    const info = concatInfo(ud.ies);
    if (!info) return server.readPorFromEnvelopeResponse(expect, sm);
    const whole = addSegment(state, msisdn, info, ud.ies, ud.payload);
    if (!whole.done) continue;
    const ies = whole.ies.filter((ie) => ie.iei !== IEI_CONCAT_8 && ie.iei !== IEI_CONCAT_16);
    return server.readPorFromEnvelopeResponse(expect, buildUserData(ies, whole.payload));
  }
}
