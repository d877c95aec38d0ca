// The M2M device with an eUICC (SGP.22 §2.2): the terminal in front of one emulated eUICC and its LPA. Like
// the UICC device (device.ts) it reads the IMSI, runs AUTHENTICATE and survives a power loss (the eUICC comes
// back from its NVM, TS 102 221 §6 power-up); it also fetches the REFRESH an EnableProfile leaves pending
// (SGP.22 §3.2.1, TS 102 223 §6.4.7) and resets the card for it.
//
// Each card of a fleet gets its own EID (SGP.29 check digits) with an eUICC certificate naming it from the
// test PKI, and its own subscription of the enabled profile (ICCID, IMSI, K/OPc): both are written as the
// card's own NVM records over the shared template, so a thousand cards cost one template.

import { encodeSubscriberKeys } from '../../applets/aka/subscriber-keys.js';
import { USIM_KEYS } from '../../applets/aka/subscription.js';
import { eidCheckDigits, encodeEid } from '../../applets/euicc/eid.js';
import {
  EUICC_PROFILES,
  encodeProfile,
  PI,
  readProfiles,
  STATE_ENABLED,
  withField,
} from '../../applets/euicc/store.js';
import { dataOf, swOf } from '../../card-os/apdu.js';
import { type Bytes, concat, toHex } from '../../card-os/bytes.js';
import { decodeRefresh } from '../../card-os/cat-refresh.js';
import type { EuiccCard, EuiccSnapshot } from '../../card-os/euicc-card.js';
import { contentKey, type FileSpec } from '../../card-os/fs/model.js';
import type { Nvm } from '../../card-os/nvm.js';
import { encodeIccid } from '../codecs/iccid.js';
import { encodeImsi } from '../codecs/imsi.js';
import { createEuicc, type EuiccTemplate } from '../euicc/load.js';
import { euiccTestPki } from '../euicc/test-pki.js';
import { usimAdfOf } from '../profile/key-slots.js';
import { embeddedTransport } from '../transport/embedded.js';
import type { Transport } from '../transport/transport.js';
import { Terminal } from './device.js';

/** REFRESH command qualifier "UICC reset" (TS 102 223 §8.6). */
const REFRESH_UICC_RESET = 0x04;

/** The `serial`-th EID after `prefix` (8 digits: EUM identifier), with its SGP.29 check digits. */
export function fleetEid(prefix: string, serial: number): string {
  const first30 = prefix + String(serial).padStart(30 - prefix.length, '0');
  return first30 + eidCheckDigits(first30);
}

/** The same eUICC type with another EID: its own eUICC certificate (one signature), the rest shared. */
export function withEid(t: EuiccTemplate, eid: string): EuiccTemplate {
  const pki = euiccTestPki(eid);
  return {
    ...t,
    eid: encodeEid(eid),
    ...(t.signer
      ? {
          signer: {
            privateKey: pki.euicc.privateKey,
            euiccCertificate: pki.euicc.der,
            eumCertificate: pki.eum.der,
          },
        }
      : {}),
  };
}

export interface FirstSubscription {
  iccid: string;
  imsi: string;
  k: Bytes;
  opc: Bytes;
}

const find = (dir: FileSpec | undefined, fid: number) =>
  dir?.children.find((f) => f.type === 'EF' && f.fid === fid);

/**
 * The card's own records that give the enabled profile of `t` this subscription (EF.ICCID, EF.IMSI, the
 * Milenage key record; the ISD-R's profile list names the ICCID), as an EuiccSnapshot to create the card with.
 */
export function firstSubscriptionRecords(t: EuiccTemplate, s: FirstSubscription): EuiccSnapshot {
  const list = readProfiles({ get: (k: string) => t.own.nvm.get(k) } as Nvm);
  const enabled = list.find((p) => p.state === STATE_ENABLED);
  const p = enabled && t.profiles.find((x) => toHex(x.aid) === toHex(enabled.aid));
  const iccidFile = find(p?.spec.mf, 0x2fe2);
  const imsiFile = find(p && usimAdfOf(p.spec.mf), 0x6f07);
  if (!enabled || !p || !iccidFile || !imsiFile)
    throw new Error(`${t.file}: no enabled profile with EF.ICCID and a USIM with EF.IMSI`);
  const iccid = encodeIccid(s.iccid);
  const profiles = list.map((x) => (x === enabled ? withField(x, PI.ICCID, iccid) : x));
  return {
    euicc: {
      own: [[EUICC_PROFILES, concat(...profiles.map((x) => encodeProfile(x.fields)))]],
      journal: null,
    },
    profiles: [
      [
        toHex(p.aid),
        {
          own: [
            [contentKey(iccidFile), iccid],
            [contentKey(imsiFile), encodeImsi(s.imsi)],
            [USIM_KEYS, encodeSubscriberKeys({ algorithm: 'milenage', k: s.k, opc: s.opc })],
          ],
          journal: null,
        },
      ],
    ],
  };
}

export class EuiccDevice extends Terminal {
  card: EuiccCard;
  transport: Transport;

  constructor(
    readonly eid: string,
    private readonly template: EuiccTemplate,
    nvm?: EuiccSnapshot,
  ) {
    super();
    this.card = createEuicc(template, nvm ? { nvm } : {});
    this.transport = embeddedTransport(this.card);
  }

  /** The transmit function the LPA uses: always the card as it is now (a power cycle replaces it). */
  readonly transmit = (command: Bytes): Promise<Bytes> => this.transport.transmit(command);

  /** After a power loss: the eUICC comes back from its NVM (its journal recovered at power-up). */
  powerCycle(): void {
    this.card = createEuicc(this.template, { nvm: this.card.snapshot() });
    this.transport = embeddedTransport(this.card);
  }

  /**
   * What the terminal does with a status word 91xx: FETCH the proactive command and, for a REFRESH in UICC
   * reset mode, reset the card (the profile switch takes effect there). True if it reset the card.
   */
  async proactive(sw: number): Promise<boolean> {
    if (sw >> 8 !== 0x91) return false;
    const r = await this.transport.transmit(Uint8Array.of(0x80, 0x12, 0, 0, sw & 0xff));
    const refresh = swOf(r) === 0x9000 ? decodeRefresh(dataOf(r)) : undefined;
    if (refresh?.qualifier !== REFRESH_UICC_RESET) return false;
    await this.reset();
    return true;
  }
}
