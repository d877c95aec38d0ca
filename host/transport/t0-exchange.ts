// The host side of an APDU exchange over T=0 (ISO/IEC 7816-3 §12.2, TS 102 221 §7.3.1.1), as PC/SC
// applications do it themselves when the reader runs T=0 (pySim does the same). The one implementation of these rules on the host:
// PC/SC readers, the OTA handset, devices, the SCP11 off-card entity and the network attach all use it.
// - case 4: the T=0 TPDU has one length byte, so Le is dropped and the response is fetched afterwards;
// - '61xx' (and the GSM '9Fxx', TS 51.011 §9.4): GET RESPONSE with Le = xx, repeated while the card says more;
// - '6Cxx': the same command again with Le = xx;
// - a warning '62xx'/'63xx' to a case-4 command before any data: one GET RESPONSE with Le = 00
//   (TS 102 221 §7.3.1.1.4 case 4b) to collect data that may come with it.
// GET RESPONSE goes in the interindustry class on the command's logical channel (TS 102 221 §10.1.1: '0X' or
// '4X', host/transport/cla.ts), or A0 for a GSM-class command.
// Under T=1 a card answers data directly, so the same code drives either protocol: 61xx only comes when the
// data does not fit, and is collected the same way.

import { parseCommand } from '../../card-os/apdu.js';
import type { Bytes } from '../../card-os/bytes.js';
import { concat } from '../../card-os/bytes.js';
import { getResponseCla } from './cla.js';
import type { Transport } from './transport.js';

/** Sends one TPDU and returns the card's answer (data || SW1 SW2). */
export type TpduSender = (tpdu: Bytes) => Promise<Bytes>;

export interface T0Options {
  /**
   * Strict ISO 7816-3 table 12: fetch response data after '61xx' only for cases 2 and 4 (the cases that expect
   * data). Default false, like pySim: fetch whenever the card offers data.
   */
  strict?: boolean;
  /**
   * The link carries whole APDUs (the embedded card, a T=1 reader, a secure channel above either): a case-4
   * command keeps its Le and only the card's 61xx/6Cxx answers are followed. Default false: T=0 TPDUs.
   */
  keepLe?: boolean;
}

const INS_GET_RESPONSE = 0xc0;
/** Bound on follow-up TPDUs for one APDU: 65536 bytes in 256-byte GET RESPONSEs, with margin. */
const MAX_STEPS = 300;

/** Exchanges one APDU over T=0 and returns the complete response APDU (all data || final SW). */
export async function transmitT0(send: TpduSender, apdu: Bytes, options: T0Options = {}): Promise<Bytes> {
  const parsed = parseCommand(apdu);
  // Malformed or extended-length APDUs have no T=0 TPDU form (extended ones would need ENVELOPE chaining):
  // pass them on and let the reader say what it thinks.
  if (!parsed.cmd || parsed.cmd.extended) return send(apdu);
  const cmd = parsed.cmd;
  const expectsData = cmd.case === 2 || cmd.case === 4;
  const grCla = getResponseCla(cmd.cla);
  const getResponse = (le: number) => Uint8Array.of(grCla, INS_GET_RESPONSE, 0, 0, le);

  const dropLe = cmd.case === 4 && !options.keepLe;
  let tpdu = dropLe ? apdu.subarray(0, 5 + cmd.data.length) : apdu;
  let resp = await send(tpdu);
  const collected: Bytes[] = [];
  let fetched = false;
  let warned = false;

  for (let step = 0; step < MAX_STEPS && resp.length >= 2; step++) {
    const sw1 = resp[resp.length - 2]!;
    const sw2 = resp[resp.length - 1]!;
    const data = resp.subarray(0, resp.length - 2);
    if (sw1 === 0x6c && tpdu.length === 5) {
      // Wrong Le: only a case-2 TPDU (header + P3 = Le) can be re-sent with the right one.
      tpdu = concat(tpdu.subarray(0, 4), Uint8Array.of(sw2));
    } else if ((sw1 === 0x61 || sw1 === 0x9f) && (expectsData || !options.strict)) {
      collected.push(data);
      fetched = true;
      tpdu = getResponse(sw2);
    } else if (dropLe && !fetched && !warned && data.length === 0 && (sw1 === 0x62 || sw1 === 0x63)) {
      warned = true;
      const warning = resp;
      tpdu = getResponse(0);
      resp = await send(tpdu);
      const next = resp[resp.length - 2];
      // Nothing more came (no data, no '61xx'/'6Cxx'/'9Fxx' offer): the warning is the answer.
      if (resp.length === 2 && next !== 0x61 && next !== 0x6c && next !== 0x9f) return warning;
      continue;
    } else {
      break;
    }
    resp = await send(tpdu);
  }
  return collected.length ? concat(...collected, resp) : resp;
}

/**
 * One APDU over a Transport that takes whole APDUs (`keepLe`): the command goes as given, 61xx answers are
 * collected with GET RESPONSE and 6Cxx is resent with the right Le.
 */
export function exchange(
  t: Pick<Transport, 'transmit'>,
  apdu: Bytes,
  options: T0Options = {},
): Promise<Bytes> {
  return transmitT0((x) => t.transmit(x), apdu, { keepLe: true, ...options });
}
