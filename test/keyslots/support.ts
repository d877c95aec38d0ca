// Test helpers for the key-slot applet: a card from profiles/m2m-keyslots.yaml, its commands as APDUs, and
// an authentication check with given keys (through the real AuC and the card's AUTHENTICATE).
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  CHANGE_P1,
  decodeStatus,
  encodeStageData,
  encodeTxidData,
  type SlotStatus,
} from '../../applets/keyslots/protocol.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import type { CardOs } from '../../card-os/card.js';
import { openCard, projectRoot } from '../../host/card-factory.js';
import { encodeImsi } from '../../host/codecs/imsi.js';
import { createAuc } from '../../host/network/auc.js';
import { type Answer, tx } from '../support/uicc.js';

export const M2M_PROFILE = join(projectRoot(), 'profiles', 'm2m-keyslots.yaml');
export const KS_AID = 'F0756963634B53';
export const ADM1 = '3132333435363738';
export const USIM_AID = 'A0000000871002FF';

/** The profile's slots (public test values). */
export const SLOT0 = { k: '13E9698E06529218BC17D29114B8CA29', opc: '1E6A12A861D8F49B53DD972294A81C46' };
export const SLOT1 = { k: '4C65F1102BE81D36E530DB7530871BA5', opc: 'C099FCC2D7305B90D7E0265215AE3A7B' };
export const SLOT2_MASTER = '755FD6F4944088DFB8CE566B181F9E4FF38547CF6B090080E25DCA795F0FF1C1';
export const PROFILE_ICCID = '898821100000000000';

export function m2mCard(): CardOs {
  const card = openCard({ profile: M2M_PROFILE }).card;
  card.protocol = 1;
  return card;
}

const hex = (b: Bytes) => toHex(b);
const apdu = (cla: string, ins: string, p1: number, data: Bytes) =>
  `${cla}${ins}${p1.toString(16).padStart(2, '0')}00${data.length.toString(16).padStart(2, '0')}${hex(data)}`;

/** Selects the key-slot applet and, unless told otherwise, verifies ADM1 (the admin right). */
export function openApplet(card: CardOs, admin = true): void {
  expect(tx(card, `00A4040C07${KS_AID}`).sw).toBe('9000');
  if (admin) expect(tx(card, `0020000A08${ADM1}`).sw).toBe('9000');
}

export function stage(card: CardOs, imsi: string, index: number, txid: string): Answer {
  return tx(
    card,
    `${apdu('80', '5C', CHANGE_P1.STAGE, encodeStageData({ imsi: encodeImsi(imsi), index, txid: fromHex(txid) }))}00`,
  );
}

export function commit(card: CardOs, txid: string): Answer {
  return tx(card, `${apdu('80', '5C', CHANGE_P1.COMMIT, encodeTxidData(fromHex(txid)))}00`);
}

export function cancel(card: CardOs, txid: string): Answer {
  return tx(card, apdu('80', '5C', CHANGE_P1.CANCEL, encodeTxidData(fromHex(txid))));
}

export function status(card: CardOs): SlotStatus {
  const a = tx(card, '805A000000');
  expect(a.sw).toBe('9000');
  return decodeStatus(fromHex(a.data))!;
}

/** The IMSI the card presents to the terminal (EF.IMSI through ADF.USIM). */
export function presentedImsi(card: CardOs): string {
  // 91xx: fine too (a proactive command, REFRESH, is pending).
  expect(tx(card, `00A4040C08${USIM_AID}`).sw).toMatch(/^(9000|91..)$/);
  return tx(card, '00B0870009').data;
}

/**
 * Whether the card holds these keys: a vector from an AuC with them passes the card's MAC check ('ok', or
 * 'sync' when the card's SQN is ahead of this fresh AuC) or fails it ('mac').
 */
export function authWith(card: CardOs, keys: { k: string; opc: string }): 'ok' | 'sync' | 'mac' | string {
  const auc = createAuc([
    {
      imsi: '001010000000001',
      k: fromHex(keys.k),
      opc: fromHex(keys.opc),
      amf: fromHex('8000'),
      gsm: false,
      indBits: 5,
      seq: 0,
    },
  ]);
  const v = auc.generateVector('001010000000001');
  expect(tx(card, `00A4040C08${USIM_AID}`).sw).toMatch(/^(9000|91..)$/);
  const r = tx(card, `0088008122 10${hex(v.rand)} 10${hex(v.autn)} 00`.replace(/ /g, ''));
  if (r.sw === '9862') return 'mac';
  if (r.sw !== '9000' && !r.sw.startsWith('91')) return r.sw;
  if (r.data.startsWith('DC')) return 'sync';
  return r.data.slice(4, 20) === hex(v.xres) ? 'ok' : 'wrong RES';
}

/** Whether the card holds these keys (its MAC check passes, whatever its SQN says). */
export function holds(card: CardOs, keys: { k: string; opc: string }): boolean {
  const r = authWith(card, keys);
  if (r !== 'ok' && r !== 'sync' && r !== 'mac') throw new Error(`AUTHENTICATE answered ${r}`);
  return r !== 'mac';
}
