// The USIM application (TS 31.102) as an applet riding on ADF.USIM: the file system is the OS's; this
// applet adds AUTHENTICATE (§7.1.2) with the subscriber keys and SQN state kept in NVM.

import type { Command } from '../../card-os/apdu.js';
import type { Applet, AppletContext, Reply } from '../../card-os/applet.js';
import type { Bytes } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';
import { authenticate } from './authenticate.js';
import { decodeSqnState, encodeSqnState, type SqnState } from './sqn.js';
import { decodeSubscriberKeys, type SubscriberKeys } from './subscriber-keys.js';

/** NVM records of the active subscription. The key record is never readable through any command. */
export const USIM_KEYS = 'secret/usim/keys';
export const USIM_SQN = 'usim/sqn';

/** USIM service n°27, GSM access (TS 31.102 §4.2.8). */
const SERVICE_GSM_ACCESS = 27;
const INS_AUTHENTICATE = 0x88;

// Decoded records cached on the stored bytes: the bytes object only changes when the record is
// rewritten, and cards made from one profile share it, so the key schedule is expanded once.
const keyCache = new WeakMap<Bytes, SubscriberKeys | null>();
const sqnCache = new WeakMap<Bytes, SqnState | null>();

function cached<T>(
  cache: WeakMap<Bytes, T | null>,
  b: Bytes | undefined,
  decode: (b: Bytes) => T | undefined,
) {
  if (!b) return undefined;
  let v = cache.get(b);
  if (v === undefined) {
    v = decode(b) ?? null;
    cache.set(b, v);
  }
  return v ?? undefined;
}

function runAuthenticate(cmd: Command, ctx: AppletContext): Reply {
  // AUTHENTICATE is an ISO-class command (CLA 0X/4X), TS 31.102 §7.1.
  if (cmd.cla & 0x80) return { sw: SW.CLA_NOT_SUPPORTED };
  const keys = cached(keyCache, ctx.nvm.get(USIM_KEYS), decodeSubscriberKeys);
  const sqn = cached(sqnCache, ctx.nvm.get(USIM_SQN), decodeSqnState);
  if (!keys || !sqn) return { sw: SW.TECHNICAL_PROBLEM };
  const r = authenticate(cmd, keys, sqn, { gsmAccess: ctx.service(SERVICE_GSM_ACCESS) });
  if (r.sqnState) {
    // The new SQN state is stored before the answer leaves the card (TS 33.102 Annex C.2).
    const enc = encodeSqnState(r.sqnState);
    sqnCache.set(enc, r.sqnState);
    ctx.nvm.set(USIM_SQN, enc);
  }
  return r.data ? { sw: r.sw, data: r.data } : { sw: r.sw };
}

export function usimApplet(aid: Bytes): Applet {
  return {
    name: 'USIM',
    aid,
    process(cmd, ctx) {
      if (cmd.ins === INS_AUTHENTICATE) return runAuthenticate(cmd, ctx);
      return undefined;
    },
  };
}
