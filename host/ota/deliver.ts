// Delivers a prepared OTA command to a card over any transport, as a handset would: the ENVELOPEs
// (SMS-PP DOWNLOAD), GET RESPONSE after 61xx for the PoR in the ENVELOPE response, and on 91xx the proactive
// SEND SHORT MESSAGE via FETCH + TERMINAL RESPONSE (TS 102 223 §6.4.10 / §6.8) for a PoR by SMS-SUBMIT.
// A REFRESH in "UICC reset" mode (TS 102 223 §6.4.7) is acted on as a handset does: the card is reset, no
// TERMINAL RESPONSE is sent, and proactive commands still queued die with the reset.

import { decodeSendShortMessage } from '../../applets/ota/send-short-message.js';
import { buildCommand, dataOf, swOf } from '../../card-os/apdu.js';
import { type Bytes, concat } from '../../card-os/bytes.js';
import { decodeRefresh, REFRESH_UICC_RESET } from '../../card-os/cat-refresh.js';
import {
  CTLV_COMMAND_DETAILS,
  CTLV_DEVICE_IDENTITIES,
  CTLV_RESULT,
  DEV_TERMINAL,
  DEV_UICC,
  TAG_PROACTIVE_COMMAND,
} from '../../card-os/cat-tlv.js';
import { ctlv, parseCtlv, readBer } from '../../card-os/tlv.js';
import { exchange } from '../transport/t0-exchange.js';
import type { Transport } from '../transport/transport.js';
import type { OtaCommandRequest, OtaServer, PorResult, SmsOptions } from './ota-server.js';

/** Why a delivery stopped short. */
export type DeliveryFailure =
  /** ENVELOPE `index` (0-based) of `count` failed with `sw`; the ones after it were not sent. */
  | { kind: 'envelope'; index: number; count: number; sw: number }
  /** A fetched proactive command is no proactive command template with command details: no TERMINAL
   * RESPONSE can name it, so none was sent. */
  | { kind: 'proactive'; command: Bytes };

export interface Delivery {
  por: PorResult | undefined;
  /** Status word of the last ENVELOPE sent (the failing one when `failure` is an ENVELOPE). */
  sw: number;
  /** Proactive commands the card issued, in order (SEND SHORT MESSAGE for a PoR via SMS-SUBMIT...). */
  proactive: Bytes[];
  cntr: number;
  /** The card asked for a UICC reset (REFRESH) and was reset. */
  reset: boolean;
  /** Set when the delivery stopped before its end. */
  failure?: DeliveryFailure;
}

/** General result "command performed successfully" (TS 102 223 §8.12). */
const RESULT_PERFORMED = 0x00;

/**
 * TERMINAL RESPONSE "command performed successfully" for a fetched proactive command (TS 102 223 §6.8):
 * the command's own command details object, device identities terminal -> UICC, the result. Undefined if
 * the command is no D0 template holding a well-formed command details object.
 */
function terminalResponse(cmd: Bytes): Bytes | undefined {
  const template = readBer(cmd);
  if (template?.tag !== TAG_PROACTIVE_COMMAND || template.length !== cmd.length) return undefined;
  const details = parseCtlv(template.value)?.find((o) => o.tag === CTLV_COMMAND_DETAILS);
  // Command number, type of command, command qualifier (§8.6).
  if (details?.value.length !== 3) return undefined;
  return buildCommand(
    0x80,
    0x14,
    0x00,
    0x00,
    concat(
      ctlv(CTLV_COMMAND_DETAILS, details.value, true),
      ctlv(CTLV_DEVICE_IDENTITIES, Uint8Array.of(DEV_TERMINAL, DEV_UICC), true),
      ctlv(CTLV_RESULT, Uint8Array.of(RESULT_PERFORMED), true),
    ),
  );
}

/**
 * Whether an ENVELOPE that is not the last of a concatenated message went through: the card took the
 * segment (9000) and may have a proactive command pending (91xx). Anything else (busy 9300, errors 6Fxx,
 * warnings 62xx/63xx that the handset turns into RP-ERROR) ends the delivery (TS 31.111 §7.1.1).
 */
function segmentAccepted(sw: number): boolean {
  return sw === 0x9000 || sw >> 8 === 0x91;
}

/** What the handset saw when it passed ENVELOPEs (SMS-PP DOWNLOAD) to the card. */
export interface HandsetDelivery {
  /** The card's answer to the last ENVELOPE sent (data after GET RESPONSE, and SW). */
  last: Bytes;
  sw: number;
  /** Proactive commands the card issued, in order. */
  proactive: Bytes[];
  reset: boolean;
  failure?: DeliveryFailure;
}

/**
 * The handset's part of SMS-PP data download (TS 31.111 §7.1.1): sends the ENVELOPEs in order, collects the
 * response data (61xx + GET RESPONSE), then FETCHes the proactive commands the card has pending and answers
 * each with a TERMINAL RESPONSE (a REFRESH in UICC reset mode resets the card instead).
 */
export async function deliverEnvelopes(
  transport: Transport,
  envelopes: readonly Bytes[],
): Promise<HandsetDelivery> {
  const count = envelopes.length;
  let last: Bytes = new Uint8Array(0);
  for (const [index, env] of envelopes.entries()) {
    last = await exchange(transport, env);
    const sw = swOf(last);
    if (index < count - 1 && !segmentAccepted(sw))
      return { last, sw, proactive: [], reset: false, failure: { kind: 'envelope', index, count, sw } };
  }
  const sw = swOf(last);
  // The card is busy with a proactive session and did not take the last ENVELOPE either (9300, TS 31.111
  // §7.1.1.2: the handset answers the SMSC with RP-ERROR): the packet was not processed.
  if (sw === 0x9300)
    return {
      last,
      sw,
      proactive: [],
      reset: false,
      failure: { kind: 'envelope', index: count - 1, count, sw },
    };
  const proactive: Bytes[] = [];
  let pending = sw;
  let reset = false;
  let failure: DeliveryFailure | undefined;
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
    const tr = terminalResponse(cmd);
    if (!tr) {
      failure = { kind: 'proactive', command: cmd };
      break;
    }
    pending = swOf(await transport.transmit(tr));
  }
  const out: HandsetDelivery = { last, sw, proactive, reset };
  if (failure) out.failure = failure;
  return out;
}

export async function deliverOta(
  transport: Transport,
  server: OtaServer,
  req: OtaCommandRequest,
  sms?: SmsOptions,
): Promise<Delivery> {
  const prepared = server.prepare(req, sms);
  const h = await deliverEnvelopes(transport, prepared.envelopes);
  const { sw, proactive, reset } = h;
  if (h.failure?.kind === 'envelope')
    return { por: undefined, sw, proactive: [], cntr: prepared.cntr, reset: false, failure: h.failure };
  const data = dataOf(h.last);
  const messages = proactive.filter((c) => decodeSendShortMessage(c));
  let por: PorResult | undefined;
  if (messages.length > 0) por = server.readPorFromSendShortMessages(prepared.expect, messages);
  else if (data.length > 0) por = server.readPorFromEnvelopeResponse(prepared.expect, data);
  const out: Delivery = { por, sw, proactive, cntr: prepared.cntr, reset };
  if (h.failure) out.failure = h.failure;
  return out;
}
