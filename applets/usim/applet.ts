// The USIM application (TS 31.102) as an applet riding on ADF.USIM: the file system is the OS's; this
// applet adds AUTHENTICATE (§7.1.2) with the subscriber keys and SQN state kept in NVM, and GET IDENTITY
// (§7.5, the SUCI computed by the USIM).

import { randomFillSync } from 'node:crypto';
import type { Command } from '../../card-os/apdu.js';
import type { Applet, AppletContext, Reply } from '../../card-os/applet.js';
import type { Bytes } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';
import { authenticate } from './authenticate.js';
import { getIdentity, INS_GET_IDENTITY } from './get-identity.js';
import { decodeSqnState, type SqnState, updateSqnRecord } from './sqn.js';
import { decodeSubscriberKeys, type SubscriberKeys } from './subscriber-keys.js';

/** RID + application code of the USIM (ETSI TS 101 220 Annex E): the partial AID terminals select. */
export const USIM_AID_PREFIX = Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02);

/** NVM records of the active subscription. The key record is never readable through any command. */
export const USIM_KEYS = 'secret/usim/keys';
export const USIM_SQN = 'usim/sqn';

/** USIM service n°27, GSM access (TS 31.102 §4.2.8). */
const SERVICE_GSM_ACCESS = 27;
const INS_AUTHENTICATE = 0x88;

// Decoded key records cached on the stored bytes: the bytes object only changes when the record is
// rewritten, and cards made from one profile share it, so the key schedule is expanded once.
const keyCache = new WeakMap<Bytes, SubscriberKeys | null>();

function keysOf(b: Bytes | undefined): SubscriberKeys | undefined {
  if (!b) return undefined;
  let v = keyCache.get(b);
  if (v === undefined) {
    v = decodeSubscriberKeys(b) ?? null;
    keyCache.set(b, v);
  }
  return v ?? undefined;
}

interface SqnRam {
  bytes: Bytes;
  state: SqnState;
}

/** The decoded SQN state, kept in the card's RAM while its NVM record is the one it was decoded from. */
function sqnOf(ctx: AppletContext): SqnRam | undefined {
  const stored = ctx.nvm.get(USIM_SQN);
  if (!stored) return undefined;
  const ram = ctx.ram.get('sqn') as SqnRam | undefined;
  if (ram && ram.bytes === stored) return ram;
  const state = decodeSqnState(stored);
  if (!state) return undefined;
  const fresh = { bytes: stored, state };
  ctx.ram.set('sqn', fresh);
  return fresh;
}

/** PIN1 (the USIM's application PIN) and the universal PIN, TS 102 221 Table 9.3. */
const PIN1 = 0x01;
const UNIVERSAL_PIN = 0x11;

function runAuthenticate(cmd: Command, ctx: AppletContext): Reply {
  // AUTHENTICATE is an ISO-class command (CLA 0X/4X), TS 31.102 §7.1.
  if (cmd.cla & 0x80) return { sw: SW.CLA_NOT_SUPPORTED };
  // Not a remote file management command (TS 102 226 §6): over OTA it does not exist.
  if (ctx.remote) return { sw: SW.INS_NOT_SUPPORTED };
  // TS 31.102 §7.1.2: only after a successful PIN verification (a disabled PIN counts as satisfied).
  if (!ctx.hasKey(PIN1) && !ctx.hasKey(UNIVERSAL_PIN)) return { sw: SW.SECURITY_NOT_SATISFIED };
  const keys = keysOf(ctx.nvm.get(USIM_KEYS));
  const sqn = sqnOf(ctx);
  if (!keys || !sqn) return { sw: SW.TECHNICAL_PROBLEM };
  const r = authenticate(cmd, keys, sqn.state, { gsmAccess: ctx.service(SERVICE_GSM_ACCESS) });
  if (r.sqnState) {
    // The new SQN state is stored before the answer leaves the card (TS 33.102 Annex C.2).
    const bytes = updateSqnRecord(sqn.bytes, sqn.state, r.sqnState);
    ctx.nvm.set(USIM_SQN, bytes);
    ctx.ram.set('sqn', { bytes, state: r.sqnState });
  }
  return r.data ? { sw: r.sw, data: r.data } : { sw: r.sw };
}

export interface UsimAppletOptions {
  /**
   * The card's random source (ephemeral SUCI keys); default node:crypto. TEST HOOK: tests inject a fixed
   * source to reproduce the TS 33.501 Annex C.4 vectors through GET IDENTITY; a profile cannot set it.
   */
  random?: (n: number) => Bytes;
}

const systemRandom = (n: number): Bytes => randomFillSync(new Uint8Array(n));

export function usimApplet(aid: Bytes, opts: UsimAppletOptions = {}): Applet {
  const identity = { random: opts.random ?? systemRandom };
  return {
    name: 'USIM',
    aid,
    process(cmd, ctx) {
      if (cmd.ins === INS_AUTHENTICATE) return runAuthenticate(cmd, ctx);
      // GET IDENTITY is a proprietary-class command (CLA 8X/CX/EX, TS 31.102 §7.5.2); not over RFM.
      if (cmd.ins === INS_GET_IDENTITY && cmd.cla & 0x80 && !ctx.remote)
        return getIdentity(cmd, ctx, identity);
      return undefined;
    },
  };
}
