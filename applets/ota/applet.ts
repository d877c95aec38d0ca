// The OTA applet: ENVELOPE (SMS-PP DOWNLOAD, tag D1) carrying secured packets (TS 102 225 / TS 31.115),
// wired to the card OS. Keys and TAR configuration are NVM records (keys under "secret/"), counters are one
// NVM record, remote commands run in an isolated OS session with the keyset's rights (TS 102 226 §6).

import type { Applet, AppletContext, IsolatedSession, Reply } from '../../card-os/applet.js';
import type { Bytes } from '../../card-os/bytes.js';
import { TAG_SMS_PP_DOWNLOAD } from '../../card-os/cat-tlv.js';
import { SW } from '../../card-os/sw.js';
import {
  decodeOtaConfig,
  decodeOtaCounters,
  encodeOtaCounters,
  keysetRecordName,
  OTA_RECORD_COUNTERS,
  OTA_RECORD_TARS,
  type OtaConfig,
  type OtaContext,
} from '../subscriptions/ota-records.js';
import { createOtaSession, handleSmsPpEnvelope, type OtaEnv, type OtaSession } from './ota-applet-core.js';

const KVNS = Array.from({ length: 16 }, (_, i) => keysetRecordName(i));

interface CachedConfig {
  tars: Bytes;
  keysets: (Bytes | undefined)[];
  config: OtaConfig | undefined;
}

// Decoded configuration, reused while the records are the same objects (they are shared by every card
// made from one profile, and replaced, not mutated, when a key rotation writes them).
let lastConfig: CachedConfig | undefined;

function configOf(ctx: AppletContext): OtaConfig | undefined {
  const tars = ctx.nvm.get(OTA_RECORD_TARS);
  if (!tars) return undefined;
  const keysets = KVNS.map((k) => ctx.nvm.get(k));
  const c = lastConfig;
  if (c && c.tars === tars && c.keysets.every((k, i) => k === keysets[i])) return c.config;
  const records = new Map<string, Bytes>([[OTA_RECORD_TARS, tars]]);
  keysets.forEach((v, i) => {
    if (v) records.set(KVNS[i]!, v);
  });
  const config = decodeOtaConfig(records);
  lastConfig = { tars, keysets, config };
  return config;
}

function env(ctx: AppletContext, config: OtaConfig, applications: ReadonlyMap<string, Bytes>): OtaEnv {
  let session = ctx.ram.get('session') as OtaSession | undefined;
  if (!session) {
    session = createOtaSession();
    ctx.ram.set('session', session);
  }
  const counters = () => decodeOtaCounters(ctx.nvm.get(OTA_RECORD_COUNTERS) ?? new Uint8Array(0))!;
  return {
    config,
    session,
    loadCounter: (tar) => counters().get(tar) ?? 0,
    saveCounter: (tar, value) => {
      const c = counters();
      c.set(tar, value);
      ctx.nvm.set(OTA_RECORD_COUNTERS, encodeOtaCounters(c));
    },
    openRemoteSession: (context: OtaContext, grants) => {
      const aid = applications.get(context);
      // An application context whose ADF this card lacks must not fall back to the MF: every command of
      // the script answers 6A82, application not found (ISO/IEC 7816-4 §5.6).
      if (context !== 'uicc' && !aid) return { execute: () => Uint8Array.of(0x6a, 0x82) };
      const s: IsolatedSession = ctx.openSession({ grants: [...grants], selectAid: aid });
      return { execute: (apdu) => s.transmit(apdu) };
    },
    transaction: (fn) => ctx.nvm.transaction(fn),
  };
}

export function otaApplet(opts: { applications?: ReadonlyMap<string, Bytes> } = {}): Applet {
  return {
    name: 'OTA',
    envelopeTags: [TAG_SMS_PP_DOWNLOAD],
    envelope(cmd, ctx): Reply {
      const config = configOf(ctx);
      // A card without OTA keys takes the download but has nothing to run it with (TS 31.115 §6: TAR unknown
      // would need a parsed packet; an unconfigured card answers like one without the applet).
      if (!config) return { sw: SW.OK };
      // A counter record that no longer decodes must not read as "all counters 0" (replays would pass).
      const stored = ctx.nvm.get(OTA_RECORD_COUNTERS);
      if (stored && !decodeOtaCounters(stored)) return { sw: SW.TECHNICAL_PROBLEM };
      const r = handleSmsPpEnvelope(cmd.data, env(ctx, config, opts.applications ?? new Map()));
      for (const p of r.proactive ?? []) ctx.queueProactive(p);
      return r.data ? { sw: r.sw, data: r.data } : { sw: r.sw };
    },
    terminalResponse(): Reply {
      // The terminal's result for SEND SHORT MESSAGE: nothing to retry on our side (TS 102 223 §6.4.10).
      return { sw: SW.OK };
    },
  };
}
