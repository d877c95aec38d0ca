// Delivers a prepared OTA command to a card over any transport, as a handset would: the ENVELOPEs
// (SMS-PP DOWNLOAD), GET RESPONSE after 61xx for the PoR in the ENVELOPE response, and on 91xx the proactive
// SEND SHORT MESSAGE via FETCH + TERMINAL RESPONSE (TS 102 223 §6.4.10 / §6.8) for a PoR by SMS-SUBMIT.
// A REFRESH in "UICC reset" mode (TS 102 223 §6.4.7) is acted on as a handset does: the card is reset, no
// TERMINAL RESPONSE is sent, and proactive commands still queued die with the reset.

import { decodeRefresh, REFRESH_UICC_RESET } from '../../applets/keyslots/refresh.js';
import { decodeSendShortMessage } from '../../applets/ota/send-short-message.js';
import { buildCommand, dataOf, swOf } from '../../card-os/apdu.js';
import { type Bytes, concat, fromHex } from '../../card-os/bytes.js';
import type { Transport } from '../transport/transport.js';
import type { OtaCommandRequest, OtaServer, PorResult, SmsOptions } from './ota-server.js';

export interface Delivery {
  por: PorResult | undefined;
  /** Status word of the last ENVELOPE. */
  sw: number;
  /** Proactive commands the card issued, in order (SEND SHORT MESSAGE for a PoR via SMS-SUBMIT...). */
  proactive: Bytes[];
  cntr: number;
  /** The card asked for a UICC reset (REFRESH) and was reset. */
  reset: boolean;
}

/** TERMINAL RESPONSE "command performed successfully" for a fetched proactive command (TS 102 223 §6.8). */
function terminalResponse(cmd: Bytes): Bytes {
  // Command details are copied from the proactive command: D0 L 81 03 <num> <type> <qualifier> ...
  const at = cmd.indexOf(0x81);
  const details = at >= 0 ? cmd.subarray(at, at + 5) : fromHex('8103011300');
  return buildCommand(0x80, 0x14, 0x00, 0x00, concat(details, fromHex('82028281 830100')));
}

async function transmitT0(t: Transport, apdu: Bytes): Promise<Bytes> {
  let r = await t.transmit(apdu);
  if (r.length === 2 && r[0] === 0x61)
    r = await t.transmit(buildCommand(apdu[0]! & 0x03, 0xc0, 0, 0, undefined, r[1] || 256));
  return r;
}

export async function deliverOta(
  transport: Transport,
  server: OtaServer,
  req: OtaCommandRequest,
  sms?: SmsOptions,
): Promise<Delivery> {
  const prepared = server.prepare(req, sms);
  let last: Bytes = new Uint8Array(0);
  for (const env of prepared.envelopes) last = await transmitT0(transport, env);
  const sw = swOf(last);
  const proactive: Bytes[] = [];
  let pending = sw;
  let reset = false;
  while ((pending & 0xff00) === 0x9100) {
    const fetched = await transport.transmit(
      buildCommand(0x80, 0x12, 0, 0, undefined, pending & 0xff || 256),
    );
    const cmd = dataOf(fetched);
    proactive.push(cmd);
    if (decodeRefresh(cmd)?.qualifier === REFRESH_UICC_RESET) {
      await transport.reset();
      reset = true;
      break;
    }
    pending = swOf(await transport.transmit(terminalResponse(cmd)));
  }
  const data = dataOf(last);
  const messages = proactive.filter((c) => decodeSendShortMessage(c));
  let por: PorResult | undefined;
  if (messages.length > 0) por = server.readPorFromSendShortMessages(prepared.expect, messages);
  else if (data.length > 0) por = server.readPorFromEnvelopeResponse(prepared.expect, data);
  return { por, sw, proactive, cntr: prepared.cntr, reset };
}
