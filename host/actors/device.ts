// The M2M device: the terminal in front of one emulated card. It powers the card up, reads the IMSI the
// card presents, runs AUTHENTICATE for the network, passes OTA messages on (transport), and acts on a
// REFRESH by resetting the card. A simulated power loss kills the card instance; powerCycle brings the card
// back from its NVM as it was at that moment (the card's recovery then runs, TS 102 221 §6 power-up).

import { dataOf, swOf } from '../../card-os/apdu.js';
import { type Bytes, concat, fromHex } from '../../card-os/bytes.js';
import { type CardOs, createCard } from '../../card-os/card.js';
import type { NvmSnapshot } from '../../card-os/nvm.js';
import { SW } from '../../card-os/sw.js';
import { decodeImsi } from '../codecs/imsi.js';
import type { Personalised } from '../personalise.js';
import { embeddedTransport } from '../transport/embedded.js';
import { exchange } from '../transport/t0-exchange.js';
import type { Transport } from '../transport/transport.js';

export type AuthOutcome =
  | { kind: 'ok'; res: Bytes }
  | { kind: 'sync'; auts: Bytes }
  | { kind: 'mac' }
  | { kind: 'error'; sw: number };

const SELECT_USIM = fromHex('00A4040C07A0000000871002');
/** READ BINARY of EF.IMSI by its SFI 07 (TS 31.102 §4.2.2), 9 bytes. */
const READ_IMSI = fromHex('00B0870009');

/** What a terminal does with whatever card it holds: reset, read the IMSI, AUTHENTICATE. */
export abstract class Terminal {
  abstract transport: Transport;

  /** Card reset (what the terminal does for a REFRESH in UICC reset mode, or at its own restart). */
  async reset(): Promise<void> {
    await this.transport.reset();
  }

  /** The IMSI the card presents (ADF.USIM selected, EF.IMSI read); undefined if it cannot be read. */
  readImsi(): Promise<string | undefined> {
    return readImsi(this.transport);
  }

  /** AUTHENTICATE in the 3G context (TS 31.102 §7.1.2.1); ADF.USIM must be selected (readImsi does it). */
  authenticate(rand: Bytes, autn: Bytes): Promise<AuthOutcome> {
    return authenticate(this.transport, rand, autn);
  }
}

export class Device extends Terminal {
  card: CardOs;
  transport: Transport;

  constructor(
    readonly iccid: string,
    private readonly template: Personalised,
    nvm: NvmSnapshot,
  ) {
    super();
    this.card = createCard(template.spec, { applets: template.applets, nvm });
    this.transport = embeddedTransport(this.card);
  }

  /** After a power loss: the card comes back from its non-volatile memory (and recovers its journal). */
  powerCycle(): void {
    this.card = createCard(this.template.spec, {
      applets: this.template.applets,
      nvm: this.card.nvm.snapshot(),
    });
    this.transport = embeddedTransport(this.card);
  }
}

/** The IMSI a card presents (ADF.USIM selected, EF.IMSI read); undefined if it cannot be read. */
export async function readImsi(transport: Transport): Promise<string | undefined> {
  if (swOf(await transport.transmit(SELECT_USIM)) !== SW.OK) return undefined;
  const r = await transport.transmit(READ_IMSI);
  return swOf(r) === SW.OK ? decodeImsi(dataOf(r)) : undefined;
}

/** AUTHENTICATE in the 3G context (TS 31.102 §7.1.2.1); ADF.USIM must be selected (readImsi does it). */
export async function authenticate(transport: Transport, rand: Bytes, autn: Bytes): Promise<AuthOutcome> {
  const cmd = concat(fromHex('0088008122'), Uint8Array.of(16), rand, Uint8Array.of(16), autn);
  const r = await exchange(transport, cmd);
  const sw = swOf(r);
  if (sw === SW.AUTH_MAC_FAILURE) return { kind: 'mac' };
  if (sw !== SW.OK) return { kind: 'error', sw };
  const d = dataOf(r);
  if (d[0] === 0xdb && d[1] === 8) return { kind: 'ok', res: d.slice(2, 10) };
  if (d[0] === 0xdc && d[1] === 14) return { kind: 'sync', auts: d.slice(2, 16) };
  return { kind: 'error', sw: SW.WRONG_DATA };
}
