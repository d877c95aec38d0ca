// The USIM application (TS 31.102) as an applet riding on ADF.USIM: the file system is the OS's; this
// applet adds AUTHENTICATE (§7.1.2) with the subscriber keys and SQN state kept in NVM.

import type { Command } from '../../card-os/apdu.js';
import type { Applet, AppletContext, Reply } from '../../card-os/applet.js';
import type { Bytes } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';
import { authenticate } from '../aka/authenticate.js';
import { decodeSqnState, type SqnState, updateSqnRecord } from '../aka/sqn.js';
import { decodeSubscriberKeys, type SubscriberKeys } from '../aka/subscriber-keys.js';
import { USIM_KEYS, USIM_SQN } from '../aka/subscription.js';

/** RID + application code of the USIM (TS 31.102 §1; uicc-files.md §4.5): the partial AID terminals select. */
export const USIM_AID_PREFIX = Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02);

// The subscription records, shared with the key-slot applet (applets/aka/subscription.ts).
export { USIM_KEYS, USIM_SQN };

/** EF.UST, the USIM Service Table (TS 31.102 §4.2.8). */
const EF_UST = 0x6f38;
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

export function usimApplet(aid: Bytes): Applet {
  return {
    name: 'USIM',
    aid,
    serviceTable: EF_UST,
    process(cmd, ctx) {
      if (cmd.ins === INS_AUTHENTICATE) return runAuthenticate(cmd, ctx);
      return undefined;
    },
  };
}
