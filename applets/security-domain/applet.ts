// The GlobalPlatform security domain as an applet: a non-file application selected by its AID (the ISD,
// A000000151000000, in the default profile). It opens SCP11 sessions (GPC v2.3 Amd F, scp11-card.ts), runs
// secure messaging on them (Amd D, secure-messaging.ts) and, inside an SCP11a session, the long-term key
// update of a profile (profile-update.ts, applets/subscriptions/slot-store.ts).
//
// Commands, on any logical channel where the SD is selected:
//   SELECT by AID                  -> FCI 6F { 84 AID | A5 { 73 SD management data | 9F65 } } (card-data.ts)
//   GET DATA BF21 / 00E0 / 0066    certificate store, key information template, card recognition data;
//                                  in the clear before a session, wrapped inside one
//   PERFORM SECURITY OPERATION     OCE certificates, one per command (P2 b8: more follow)
//   MUTUAL AUTHENTICATE (82)       SCP11a;  INTERNAL AUTHENTICATE (88): SCP11b
//   profile update (D4)            only wrapped, only in an SCP11a session with C-MAC and C-DECRYPTION
// Other commands in the clear (SELECT, MANAGE CHANNEL, STATUS, file commands) are the OS's.
//
// Session rules (Amd D §6.2.4: once a session is open, every command of the SD carries a C-MAC):
// - one SCP11 state machine per logical channel, in the card's RAM; it goes when the channel's
//   application changes, the channel closes or the SD is selected again, and at every reset;
// - a command with the SM class bit and a bad C-MAC, bad padding or no session: 6982, and the session ends;
// - an SD command in the clear while a session is open (GET DATA, profile update): 6982, the session ends;
//   PSO / MUTUAL / INTERNAL AUTHENTICATE in the clear start a new handshake, which ends the old session;
// - the handshake commands inside a session: 6985; other INS inside a session: 6D00;
// - error status words go back without R-MAC (Amd D §6.2.5), and the chain has still moved on.
//
// The profile update (status words of profile-update.ts, plus 6A80 for keys that are not Milenage's 128 bits)
// writes K/OPc in one NVM transaction (old or new keys after a power loss, never a mix); the decrypted keys
// are wiped once written. The USIM reads its key record through a cache keyed on the
// stored bytes, so the next AUTHENTICATE uses the new keys.

import type { Command } from '../../card-os/apdu.js';
import type { Applet, AppletContext, Reply } from '../../card-os/applet.js';
import { type Bytes, fromHex, wipe } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';
import { knownProfiles, writeProfileKeys } from '../subscriptions/slot-store.js';
import { cardRecognitionData, keyInformation, securityDomainFci } from './card-data.js';
import type { EcKeyPair, P256 } from './ec.js';
import { INS_PROFILE_UPDATE, parseProfileUpdate, profileUpdateResult } from './profile-update.js';
import { createScp11Card, INS, type OceCaKey, type Scp11Card, type SdKey } from './scp11-card.js';
import { decodeOceCas, decodeSdKeys, SD_ECKA_RECORD, SD_OCE_CA_RECORD } from './sd-records.js';
import { hasSecureMessaging, type ScpSession, unwrapCommand, wrapResponse } from './secure-messaging.js';

export const SD_APPLET_NAME = 'SecurityDomain';

export interface SecurityDomainOptions {
  aid: Bytes;
  /** Clock for certificate validity; default: the system clock. */
  now?: () => Date;
  ec?: P256;
  /**
   * Source of eSK.SD.ECKA; default: a fresh key per handshake. Tests pin it to replay the card-side SCP11a
   * vector through the card. Must return a fresh object per call (d is wiped after use).
   */
  ephemeralKey?: () => EcKeyPair;
}

const SD_COMMANDS = new Set<number>([
  INS.GET_DATA,
  INS.PERFORM_SECURITY_OPERATION,
  INS.MUTUAL_AUTHENTICATE,
  INS.INTERNAL_AUTHENTICATE,
  INS_PROFILE_UPDATE,
]);

const TAG_CERTIFICATE_STORE = 0xbf21;
const TAG_KEY_INFORMATION = 0x00e0;
const TAG_CARD_DATA = 0x0066;
const RAM_CHANNELS = 'channels';
const EMPTY = new Uint8Array(0);

interface SdKeys {
  sdKeys: SdKey[];
  oceCas: OceCaKey[];
}

// Decoded records, cached on the stored bytes (shared by every card made from one profile).
const sdKeyCache = new WeakMap<Bytes, SdKey[]>();
const caCache = new WeakMap<Bytes, OceCaKey[]>();

function decoded<T>(
  cache: WeakMap<Bytes, T[]>,
  b: Bytes | undefined,
  decode: (b: Bytes) => T[] | undefined,
): T[] {
  if (!b) return [];
  let v = cache.get(b);
  if (!v) {
    v = decode(b) ?? [];
    cache.set(b, v);
  }
  return v;
}

function keysOf(ctx: AppletContext): SdKeys {
  return {
    sdKeys: decoded(sdKeyCache, ctx.nvm.get(SD_ECKA_RECORD), decodeSdKeys),
    oceCas: decoded(caCache, ctx.nvm.get(SD_OCE_CA_RECORD), decodeOceCas),
  };
}

function channels(ctx: AppletContext): Map<number, Scp11Card> {
  let m = ctx.ram.get(RAM_CHANNELS) as Map<number, Scp11Card> | undefined;
  if (!m) {
    m = new Map();
    ctx.ram.set(RAM_CHANNELS, m);
  }
  return m;
}

function dropChannel(ctx: AppletContext): void {
  const m = channels(ctx);
  m.get(ctx.channel)?.reset();
  m.delete(ctx.channel);
}

/** GET DATA of the SD's own data objects (GPC v2.3.1 §11.3); BF21 is the SCP11 state machine's. */
function getData(cmd: Command, card: Scp11Card, ctx: AppletContext): Reply {
  const tag = (cmd.p1 << 8) | cmd.p2;
  if (tag === TAG_CERTIFICATE_STORE) return card.process(cmd);
  if (tag !== TAG_CARD_DATA && tag !== TAG_KEY_INFORMATION) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
  if (cmd.data.length > 0) return { sw: SW.WRONG_LENGTH };
  const { sdKeys, oceCas } = keysOf(ctx);
  const data = tag === TAG_CARD_DATA ? cardRecognitionData(sdKeys) : keyInformation(sdKeys, oceCas);
  return { sw: SW.OK, data };
}

/** INS D4 (profile-update.ts): check, write K/OPc in one transaction, answer the KCVs, wipe the keys. */
function profileUpdate(session: ScpSession, cmd: Command, ctx: AppletContext): Reply {
  if (!(cmd.cla & 0x80)) return { sw: SW.CLA_NOT_SUPPORTED };
  const update = parseProfileUpdate(session, cmd, knownProfiles(ctx.nvm));
  if ('sw' in update) return update;
  try {
    // The key lengths must fit the profile's algorithm: Milenage K and OPc of 128 bits (TS 35.206 §2), TUAK
    // K of 128 or 256 bits and TOPc of 256 (TS 35.231 §4); anything else is refused with nothing written.
    const id = fromHex(update.profileId);
    const written = ctx.nvm.transaction(() => writeProfileKeys(ctx.nvm, id, update.k, update.opc));
    if (written === 'size') return { sw: SW.WRONG_DATA };
    if (written === 'unknown') return { sw: SW.REFERENCED_DATA_NOT_FOUND };
    return { sw: SW.OK, data: profileUpdateResult(update) };
  } finally {
    wipe(update.k);
    wipe(update.opc);
  }
}

/** A command of an open session, already unwrapped. */
function sessionCommand(cmd: Command, session: ScpSession, card: Scp11Card, ctx: AppletContext): Reply {
  switch (cmd.ins) {
    case INS.GET_DATA:
      return getData(cmd, card, ctx);
    case INS_PROFILE_UPDATE:
      return profileUpdate(session, cmd, ctx);
    case INS.PERFORM_SECURITY_OPERATION:
    case INS.MUTUAL_AUTHENTICATE:
    case INS.INTERNAL_AUTHENTICATE:
      return { sw: SW.CONDITIONS_NOT_SATISFIED };
    default:
      return { sw: SW.INS_NOT_SUPPORTED };
  }
}

export function securityDomainApplet(opts: SecurityDomainOptions): Applet {
  const now = opts.now ?? (() => new Date());

  /** The channel's SCP11 state machine, made on first use (also for a channel opened from an SD channel). */
  function channelCard(ctx: AppletContext): Scp11Card {
    const m = channels(ctx);
    let card = m.get(ctx.channel);
    if (!card) {
      const { sdKeys, oceCas } = keysOf(ctx);
      card = createScp11Card({ sdKeys, oceCas, now, ec: opts.ec, ephemeralKey: opts.ephemeralKey });
      m.set(ctx.channel, card);
    }
    return card;
  }

  function secured(cmd: Command, ctx: AppletContext): Reply {
    const card = channelCard(ctx);
    const session = card.session;
    if (!session) return { sw: SW.SECURITY_NOT_SATISFIED };
    const plain = unwrapCommand(session, cmd);
    if ('sw' in plain) return plain;
    const r = sessionCommand(plain.cmd, session, card, ctx);
    const out = wrapResponse(session, r.data ?? EMPTY, r.sw);
    return out.data.length > 0 ? { sw: out.sw, data: out.data } : { sw: out.sw };
  }

  function clear(cmd: Command, ctx: AppletContext): Reply {
    const card = channelCard(ctx);
    if (cmd.ins === INS.GET_DATA || cmd.ins === INS_PROFILE_UPDATE) {
      if (card.session) {
        card.reset();
        return { sw: SW.SECURITY_NOT_SATISFIED };
      }
      return cmd.ins === INS.GET_DATA ? getData(cmd, card, ctx) : { sw: SW.SECURITY_NOT_SATISFIED };
    }
    // A new handshake replaces the session (MUTUAL / INTERNAL AUTHENTICATE end it themselves).
    if (card.session && cmd.ins === INS.PERFORM_SECURITY_OPERATION) card.reset();
    return card.process(cmd);
  }

  return {
    name: SD_APPLET_NAME,
    aid: opts.aid,
    secureMessaging: true,
    process(cmd, ctx) {
      if (hasSecureMessaging(cmd.cla)) return secured(cmd, ctx);
      return SD_COMMANDS.has(cmd.ins) ? clear(cmd, ctx) : undefined;
    },
    select(ctx) {
      dropChannel(ctx);
      return { sw: SW.OK, data: securityDomainFci(opts.aid, keysOf(ctx).sdKeys) };
    },
    deselect(ctx) {
      dropChannel(ctx);
    },
    reset(ctx) {
      // The RAM is cleared after the reset hooks; the session keys are wiped first.
      for (const c of channels(ctx).values()) c.reset();
      channels(ctx).clear();
    },
  };
}
