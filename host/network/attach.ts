// The network side of an attach: the HSS's vector goes to the card in AUTHENTICATE (TS 31.102 §7.1.2) and
// the answer is checked; on a synchronisation failure the AuC resynchronises from AUTS (TS 33.102 §6.3.5)
// and tries once more, as a serving network does.

import { USIM_AID_PREFIX } from '../../applets/usim/applet.js';
import { buildCommand, dataOf, swOf } from '../../card-os/apdu.js';
import { type Bytes, concat, equalCt, toHex } from '../../card-os/bytes.js';
import { swName } from '../../card-os/sw.js';
import { pinBlock } from '../commands.js';
import { transmitT0 } from '../transport/t0-exchange.js';
import type { Transport } from '../transport/transport.js';
import type { AuthVector } from './auc.js';

/** A vector as a network hands it out; the SQN is known only to an AuC of our own. */
export type NetworkVector = Omit<AuthVector, 'sqn'> & { sqn?: number };

/**
 * Where the vectors come from: our own AuC (host/network/auc.ts) or a remote HLR over GSUP
 * (host/network/gsup-client.ts), which resynchronises inside its next vector request.
 */
export interface VectorSource {
  generateVector(imsi: string): NetworkVector | Promise<NetworkVector>;
  resync(imsi: string, rand: Bytes, auts: Bytes): SourceResync | Promise<SourceResync>;
}

/** A resynchronisation's outcome; SQN_MS is known only to an AuC of our own. */
export type SourceResync = { ok: true; sqnMs?: number } | { ok: false; reason: string };

export type AttachStep =
  | { kind: 'vector'; vector: NetworkVector }
  | { kind: 'answer'; sw: number; res?: Bytes; ok: boolean; ck?: Bytes; ik?: Bytes }
  | { kind: 'sync-failure'; auts: Bytes }
  | { kind: 'resync'; ok: boolean; sqnMs?: number };

export interface AttachResult {
  ok: boolean;
  /** Status word or reason when it failed. */
  reason?: string;
  resynced: boolean;
}

/** Sends with the T=0 host rules, so the same code drives a T=0 or T=1 card, embedded or in a reader. */
export function send(t: Transport, apdu: Bytes): Promise<Bytes> {
  return transmitT0((x) => t.transmit(x), apdu);
}

/**
 * Selects ADF.USIM and, when given, verifies PIN1 as a handset does before it attaches: AUTHENTICATE runs
 * only after a successful PIN verification (TS 31.102 §7.1.2) unless PIN1 is disabled.
 */
export async function selectUsim(t: Transport, pin1?: string): Promise<void> {
  const r = await send(t, buildCommand(0x00, 0xa4, 0x04, 0x0c, USIM_AID_PREFIX));
  if (swOf(r) !== 0x9000)
    throw new Error(`SELECT ADF.USIM failed: ${toHex(r.subarray(-2))} (${swName(swOf(r))})`);
  if (pin1 === undefined) return;
  const v = await send(t, buildCommand(0x00, 0x20, 0x00, 0x01, pinBlock(pin1)));
  if (swOf(v) !== 0x9000)
    throw new Error(`VERIFY PIN1 failed: ${toHex(v.subarray(-2))} (${swName(swOf(v))})`);
}

/** AUTHENTICATE, 3G context: `10 RAND L AUTN`; AUTN is 16 bytes, or 24/40 with a longer TUAK MAC-A. */
export function authenticateApdu(rand: Bytes, autn: Bytes): Bytes {
  return buildCommand(
    0x00,
    0x88,
    0x00,
    0x81,
    concat(Uint8Array.of(16), rand, Uint8Array.of(autn.length), autn),
    256,
  );
}

/** One attach: AUTHENTICATE with a fresh vector; AUTS -> resync -> one more try. ADF.USIM must be selected. */
export async function attach(
  t: Transport,
  auc: VectorSource,
  imsi: string,
  onStep: (s: AttachStep) => void = () => {},
): Promise<AttachResult> {
  let resynced = false;
  for (let attempt = 0; attempt < 2; attempt++) {
    const v = await auc.generateVector(imsi);
    onStep({ kind: 'vector', vector: v });
    const r = await send(t, authenticateApdu(v.rand, v.autn));
    const sw = swOf(r);
    const d = dataOf(r);
    // RES is Milenage's 8 bytes, or 4 to 32 with TUAK (TS 35.231 §4), each with its length (TS 31.102 §7.1.2.1).
    if (sw === 0x9000 && d[0] === 0xdb && d[1]! >= 4 && d[1]! <= 32) {
      const rl = d[1]!;
      const res = d.subarray(2, 2 + rl);
      const ok = equalCt(res, v.xres);
      // DB L RES L CK L IK (TS 31.102 §7.1.2.1): CK and IK are 16 bytes, or 32 with TUAK.
      const ckAt = 2 + rl;
      const ck = d.subarray(ckAt + 1, ckAt + 1 + (d[ckAt] ?? 0));
      const ikAt = ckAt + 1 + ck.length;
      const ik = d.subarray(ikAt + 1, ikAt + 1 + (d[ikAt] ?? 0));
      onStep({ kind: 'answer', sw, res, ok, ck, ik });
      return ok ? { ok, resynced } : { ok, resynced, reason: 'RES does not match XRES' };
    }
    // AUTS = SQN_MS ⊕ AK* ‖ MAC-S: 6 bytes plus the MAC length, the AUTN's minus AMF (TS 33.102 §6.3.3).
    const autsLength = v.autn.length - 2;
    if (sw === 0x9000 && d[0] === 0xdc && d[1] === autsLength && !resynced) {
      const auts = d.subarray(2, 2 + autsLength);
      onStep({ kind: 'sync-failure', auts });
      const rs = await auc.resync(imsi, v.rand, auts);
      onStep(rs.ok ? { kind: 'resync', ok: true, sqnMs: rs.sqnMs } : { kind: 'resync', ok: false });
      if (!rs.ok) return { ok: false, resynced, reason: `resynchronisation refused (${rs.reason})` };
      resynced = true;
      continue;
    }
    onStep({ kind: 'answer', sw, ok: false });
    return { ok: false, resynced, reason: `${toHex(r.subarray(-2))} (${swName(sw)})` };
  }
  return { ok: false, resynced, reason: 'still out of sync after resynchronisation' };
}
