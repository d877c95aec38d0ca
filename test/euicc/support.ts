// Test helpers for the eUICC: the default eUICC, and an LPA-side ES10 exchange the way lpac's driver does it
// (STORE DATA blocks, GET RESPONSE while SW1 = 61, T=0).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataOf, swOf } from '../../card-os/apdu.js';
import { type Bytes, concat, fromHex, toHex } from '../../card-os/bytes.js';
import type { EuiccCard } from '../../card-os/euicc-card.js';
import { PowerLoss } from '../../card-os/nvm.js';
import { projectRoot } from '../../host/card-factory.js';
import { createEuicc, type EuiccTemplate, loadEuicc } from '../../host/euicc/load.js';

let template: EuiccTemplate | undefined;

export function defaultEuiccTemplate(): EuiccTemplate {
  if (!template) {
    const file = join(projectRoot(), 'profiles', 'default-euicc.yaml');
    template = loadEuicc(file, readFileSync(file, 'utf8'));
  }
  return template;
}

export function newEuicc(opts: Parameters<typeof createEuicc>[1] = {}): EuiccCard {
  return createEuicc(defaultEuiccTemplate(), opts);
}

export const ISD_R = 'A0000005591010FFFFFFFF8900000100';
export const AID_A = 'A0000005591010FFFFFFFF8900001000';
export const AID_B = 'A0000005591010FFFFFFFF8900001100';
export const AID_TEST = 'A0000005591010FFFFFFFF8900001200';
/** EF.ICCID coding (nibble-swapped BCD) of the three profiles' ICCIDs. */
export const ICCID_A = '98881201000000000020'; // 89882110000000000002
export const ICCID_B = '98881201000000001010'; // 89882110000000000101
export const ICCID_TEST = '98881201000000002038'; // 89882110000000000283

export function txHex(card: EuiccCard, hex: string): { sw: string; data: string } {
  const r = card.transmit(fromHex(hex));
  return { sw: swOf(r).toString(16).toUpperCase().padStart(4, '0'), data: toHex(dataOf(r)) };
}

/** lpac's es10x_command: STORE DATA in blocks of `mss` bytes on channel `ch`, GET RESPONSE while 61xx; any SW1 9x is success (91xx: a proactive command waits). */
export function es10(
  card: EuiccCard,
  ch: number,
  request: string,
  mss = 120,
): { apdus: string[]; answer: string } {
  const req = fromHex(request);
  const apdus: string[] = [];
  let block = 0;
  let out: Bytes = new Uint8Array(0);
  for (let off = 0; off < req.length || off === 0; off += mss) {
    const chunk = req.subarray(off, off + mss);
    const last = off + mss >= req.length;
    const apdu = `${toHex(Uint8Array.of(0x80 | ch, 0xe2, last ? 0x91 : 0x11, block++, chunk.length))}${toHex(chunk)}`;
    apdus.push(apdu);
    let r = txHex(card, apdu);
    if (!last && !r.sw.startsWith('9')) throw new Error(`block ${block - 1}: ${r.sw}`);
    while (r.sw.startsWith('61')) {
      const gr = `${toHex(Uint8Array.of(0x80 | ch))}C00000${r.sw.slice(2)}`;
      apdus.push(gr);
      r = txHex(card, gr);
      out = concat(out, fromHex(r.data));
    }
    if (last && !r.sw.startsWith('9')) throw new Error(`STORE DATA: ${r.sw}`);
    if (req.length === 0) break;
  }
  return { apdus, answer: toHex(out) };
}

/** lpac's channel setup: MANAGE CHANNEL open, SELECT ISD-R on it. */
export function openIsdR(card: EuiccCard): number {
  const open = txHex(card, '0070000001');
  if (open.sw !== '9000') throw new Error(`MANAGE CHANNEL: ${open.sw}`);
  const ch = Number.parseInt(open.data, 16);
  const sel = txHex(card, `0${ch}A4040010${ISD_R}`);
  if (!sel.sw.startsWith('61') && sel.sw !== '9000') throw new Error(`SELECT ISD-R: ${sel.sw}`);
  return ch;
}

/** Runs `op` with a power loss at the eUICC NVM's physical write step k; false if the loss struck. */
export function runTornAt(card: EuiccCard, k: number, op: () => void): boolean {
  let step = 0;
  card.nvm.powerHook = () => {
    if (++step === k) throw new PowerLoss(k);
  };
  try {
    op();
    return true;
  } catch (e) {
    if (!(e instanceof PowerLoss)) throw e;
    return false;
  } finally {
    card.nvm.powerHook = undefined;
  }
}
