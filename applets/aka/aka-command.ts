// AUTHENTICATE for an application whose subscription is an AKA key record and an SQN state in NVM (USIM
// TS 31.102 §7.1.2, ISIM TS 31.103 §7.1.2): PIN check, the decoded key record cached on its stored bytes,
// the SQN state persisted before the answer leaves the card (TS 33.102 Annex C.2).

import type { Command } from '../../card-os/apdu.js';
import type { AppletContext, Reply } from '../../card-os/applet.js';
import type { Bytes } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';
import { type AuthenticateOptions, authenticate } from './authenticate.js';
import { decodeSqnState, type SqnState, updateSqnRecord } from './sqn.js';
import { decodeSubscriberKeys, type SubscriberKeys } from './subscriber-keys.js';

/** The NVM records of one application's subscription. */
export interface AkaRecords {
  keys: string;
  sqn: string;
}

// Cards made from one profile share the stored key bytes, so the key schedule is expanded once.
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

function sqnOf(ctx: AppletContext, record: string): SqnRam | undefined {
  const stored = ctx.nvm.get(record);
  if (!stored) return undefined;
  const ram = ctx.ram.get(record) as SqnRam | undefined;
  if (ram && ram.bytes === stored) return ram;
  const state = decodeSqnState(stored);
  if (!state) return undefined;
  const fresh = { bytes: stored, state };
  ctx.ram.set(record, fresh);
  return fresh;
}

/**
 * Runs AUTHENTICATE with the subscription in `records`. `pins`: key references of which one must be
 * satisfied (the application PIN, the universal PIN).
 */
export function akaAuthenticate(
  cmd: Command,
  ctx: AppletContext,
  records: AkaRecords,
  pins: readonly number[],
  opts: AuthenticateOptions,
): Reply {
  if (cmd.cla & 0x80) return { sw: SW.CLA_NOT_SUPPORTED };
  // Not a remote file management command (TS 102 226 §6): over OTA it does not exist.
  if (ctx.remote) return { sw: SW.INS_NOT_SUPPORTED };
  if (!pins.some((p) => ctx.hasKey(p))) return { sw: SW.SECURITY_NOT_SATISFIED };
  const keys = keysOf(ctx.nvm.get(records.keys));
  const sqn = sqnOf(ctx, records.sqn);
  if (!keys || !sqn) return { sw: SW.TECHNICAL_PROBLEM };
  const r = authenticate(cmd, keys, sqn.state, opts);
  if (r.sqnState) {
    const bytes = updateSqnRecord(sqn.bytes, sqn.state, r.sqnState);
    ctx.nvm.set(records.sqn, bytes);
    ctx.ram.set(records.sqn, { bytes, state: r.sqnState });
  }
  return r.data ? { sw: r.sw, data: r.data } : { sw: r.sw };
}
