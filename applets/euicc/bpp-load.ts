// ES10b.LoadBoundProfilePackage (SGP.22 §5.7.6, §2.5.5, §3.1.3.3): the Bound Profile Package arrives in
// pieces, each its own STORE DATA sequence, as LPAs send it: BF36 header + the whole BF23
// (InitialiseSecureChannel), the whole A0 (ConfigureISDP in 87 segments), the A1 header, each 88
// (StoreMetadata), the whole A2 (ReplaceSessionKeys) if present, the A3 header, each 86 (profile
// elements). Every piece before the last answers 9000 without data; the last one, or the first failure,
// answers the signed ProfileInstallationResult (BF37) with the bppCommandId and errorReason of §2.5.6.
// The profile is installed in ONE NVM transaction at the end (its ProfileInfo, its package, the install
// notification), so a power loss leaves either no ISD-P or a complete one; a failure writes only its
// notification. Progress lives in RAM: a reset abandons the download.

import { type Bytes, concat, equal, toHex } from '../../card-os/bytes.js';
import { defaultP256 } from '../../card-os/crypto/p256.js';
import { ber, readBer, type Tlv } from '../../card-os/tlv.js';
import {
  BPP_COMMAND,
  BSP_ERROR_REASON,
  type BspFailure,
  type BspSession,
  bspSession,
  TAG_ENC_MAC,
  TAG_MAC_ONLY,
  TAG_PROFILE_ELEMENTS,
  unprotectSection,
  unprotectSegment,
} from './bsp.js';
import { bspSessionKeys, decodeReplaceSessionKeys, KEY_TYPE_AES } from './bsp-kdf.js';
import { child, children, derUint, uint } from './der.js';
import type { Es10Env } from './es10.js';
import { euiccSign, RSP_SESSION, type RspSession, session, storedPackages } from './rsp.js';
import type { UppInstall } from './saip/install.js';
import {
  addPendingNotification,
  bitSet,
  CLASS_OPERATIONAL,
  CLASS_TEST,
  EUICC_SEQ,
  EVENT,
  eventBits,
  PI,
  readProfiles,
  STATE_DISABLED,
  uppKey,
  writeProfiles,
} from './store.js';

/** The profile package installer (applets/euicc/saip/install.ts), given to the ISD-R by its eUICC. */
export interface UppInstaller {
  install(upp: Bytes): UppInstall;
  /** EUICCResponse DER (SGP.22 simaResponse) for an install result. */
  euiccResponse(r: UppInstall): Bytes;
}

/** errorReason of §2.5.6 (ProfileInstallationResultData, finalResult errorResult). */
export const ERROR_REASON = {
  incorrectInputValues: 1,
  invalidSignature: 2,
  invalidTransactionId: 3,
  unsupportedCrtValues: 4,
  unsupportedRemoteOperationType: 5,
  unsupportedProfileClass: 6,
  scp03tStructureError: 7,
  scp03tSecurityError: 8,
  iccidAlreadyExists: 9,
  insufficientMemory: 10,
  interruption: 11,
  peProcessingError: 12,
  dataMismatch: 13,
  pprNotAllowed: 15,
  unknownError: 127,
} as const;

const LOAD = 'rsp/load';
/** The next ISD-P instance number to give (eUICC NVM). */
const ISDP_NEXT = 'euicc/isdp-next';
const REMOTE_OP_INSTALL_BPP = 1;
/** ISD-P AIDs this eUICC gives downloaded profiles: A0000005591010FFFFFFFF89 00 00 xx 00 (SGP.22 §2.2.4). */
const ISDP_AID_PREFIX = 'A0000005591010FFFFFFFF890000';

type Stage = 'configure' | 'metaHeader' | 'meta' | 'ppkOrPe' | 'pe';

interface LoadState {
  stage: Stage;
  s: BspSession;
  /** The session the 86 segments run under (the PPK one after ReplaceSessionKeys). */
  pe?: BspSession;
  metaLeft: number;
  meta: Bytes[];
  metadata?: Metadata;
  peLeft: number;
  upp: Bytes[];
}

interface Metadata {
  iccid: Bytes;
  fields: Tlv[];
  profileClass: number;
}

/** Tag, header length and value length of a TLV whose value may not be here yet. */
function header(b: Bytes): { tag: number; hdr: number; length: number } | undefined {
  let i = 0;
  if (b.length < 2) return undefined;
  let tag = b[i++]!;
  if ((tag & 0x1f) === 0x1f) {
    do {
      if (i >= b.length || i > 3) return undefined;
      tag = tag * 256 + b[i]!;
    } while (b[i++]! & 0x80);
  }
  if (i >= b.length) return undefined;
  let length = b[i++]!;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 3 || i + n > b.length) return undefined;
    length = 0;
    for (let k = 0; k < n; k++) length = length * 256 + b[i++]!;
  }
  return { tag, hdr: i, length };
}

const BPP_TAGS = new Set([0xbf36, 0xa0, 0xa1, 0xa2, 0xa3, 0x86, 0x87, 0x88]);

/**
 * Takes one STORE DATA sequence if it is a piece of a Bound Profile Package: undefined if it is not
 * (another ES10 function), empty bytes for "more please" (9000), or the BF37 answer.
 */
export function loadBppPiece(data: Bytes, env: Es10Env): Bytes | undefined {
  const h = header(data);
  if (!h || !BPP_TAGS.has(h.tag)) return undefined;
  const rsp = session(env);
  if (h.tag === 0xbf36) {
    env.ram.delete(LOAD);
    if (rsp?.stage !== 'prepared') return undefined;
    return initialise(data, h, rsp, env);
  }
  const st = env.ram.get(LOAD) as LoadState | undefined;
  if (!rsp || !st) return undefined;
  return step(data, h, rsp, st, env);
}

/** The BF36 header and the whole InitialiseSecureChannelRequest (§2.5.4, §3.1.3.3). */
function initialise(data: Bytes, h: { hdr: number; length: number }, rsp: RspSession, env: Es10Env): Bytes {
  const cmd = BPP_COMMAND.initialiseSecureChannel;
  const isc = readBer(data, h.hdr);
  const f = isc?.tag === 0xbf23 && isc.offset + isc.length === data.length ? children(isc.value) : undefined;
  if (!isc || !f) return failure(env, rsp, cmd, ERROR_REASON.scp03tStructureError);
  const remoteOp = uint(child(f, 0x82)?.value);
  const tid = child(f, 0x80)?.value;
  const crt = child(f, 0xa6);
  const otpk = child(f, 0x5f49)?.value;
  const sig = child(f, 0x5f37);
  if (remoteOp === undefined || !tid || !crt || !otpk || !sig || sig.value.length !== 64)
    return failure(env, rsp, cmd, ERROR_REASON.incorrectInputValues);
  if (remoteOp !== REMOTE_OP_INSTALL_BPP)
    return failure(env, rsp, cmd, ERROR_REASON.unsupportedRemoteOperationType);
  if (!equal(tid, rsp.transactionId)) return failure(env, rsp, cmd, ERROR_REASON.invalidTransactionId);
  // smdpSign covers the request's content before 5F37, then the eUICC's otPK (§5.5.1, §3.1.3.3).
  const signed = concat(isc.value.subarray(0, sig.offset), ber(0x5f49, rsp.otPk!));
  if (!rsp.dpPb || !defaultP256.verify(signed, sig.value, rsp.dpPb.publicKey))
    return failure(env, rsp, cmd, ERROR_REASON.invalidSignature);
  const c = children(crt.value);
  const keyType = uint(c && child(c, 0x80)?.value);
  const keyLength = uint(c && child(c, 0x81)?.value);
  const hostId = c && child(c, 0x84)?.value;
  if (keyType !== KEY_TYPE_AES || keyLength !== 16 || !hostId)
    return failure(env, rsp, cmd, ERROR_REASON.unsupportedCrtValues);
  const z = defaultP256.ecdh(rsp.otSk!, otpk);
  const keys = z && bspSessionKeys(z, { keyType, keyLength, hostId, eid: env.config.eid });
  if (!keys) return failure(env, rsp, cmd, ERROR_REASON.unsupportedCrtValues);
  env.ram.set(LOAD, {
    stage: 'configure',
    s: bspSession(keys),
    metaLeft: 0,
    meta: [],
    peLeft: 0,
    upp: [],
  } satisfies LoadState);
  return new Uint8Array(0);
}

function bspFailure(env: Es10Env, rsp: RspSession, cmd: number, r: { reason: BspFailure }, st?: LoadState) {
  return failure(env, rsp, cmd, BSP_ERROR_REASON[r.reason], st?.metadata?.iccid);
}

/** One piece after BF23, in the order §2.5.5 fixes. */
function step(
  data: Bytes,
  h: { tag: number; hdr: number; length: number },
  rsp: RspSession,
  st: LoadState,
  env: Es10Env,
): Bytes {
  const whole = h.hdr + h.length === data.length;
  const iccid = st.metadata?.iccid;
  const structure = (cmd: number) => failure(env, rsp, cmd, ERROR_REASON.scp03tStructureError, iccid);
  switch (st.stage) {
    case 'configure': {
      if (h.tag !== 0xa0 || !whole) return structure(BPP_COMMAND.configureIsdp);
      const r = unprotectSection(st.s, TAG_ENC_MAC, data.subarray(h.hdr));
      if (!r.ok) return bspFailure(env, rsp, BPP_COMMAND.configureIsdp, r, st);
      const cfg = readBer(r.value);
      if (cfg?.tag !== 0xbf24 || cfg.length !== r.value.length)
        return failure(env, rsp, BPP_COMMAND.configureIsdp, ERROR_REASON.incorrectInputValues);
      st.stage = 'metaHeader';
      return new Uint8Array(0);
    }
    case 'metaHeader':
      if (h.tag !== 0xa1 || data.length !== h.hdr || h.length === 0)
        return structure(BPP_COMMAND.storeMetadata);
      st.stage = 'meta';
      st.metaLeft = h.length;
      return new Uint8Array(0);
    case 'meta': {
      if (h.tag !== TAG_MAC_ONLY || !whole || data.length > st.metaLeft)
        return structure(BPP_COMMAND.storeMetadata);
      const r = unprotectSegment(st.s, TAG_MAC_ONLY, data);
      if (!r.ok) return bspFailure(env, rsp, BPP_COMMAND.storeMetadata, r, st);
      st.meta.push(r.value);
      st.metaLeft -= data.length;
      if (st.metaLeft > 0) return new Uint8Array(0);
      const m = parseMetadata(concat(...st.meta));
      if (typeof m === 'number') return failure(env, rsp, BPP_COMMAND.storeMetadata, m);
      st.metadata = m;
      const refused = refuseMetadata(m, env);
      if (refused) return failure(env, rsp, BPP_COMMAND.storeMetadata, refused, m.iccid);
      st.stage = 'ppkOrPe';
      return new Uint8Array(0);
    }
    case 'ppkOrPe':
      if (h.tag === 0xa2) {
        if (!whole || st.pe) return structure(BPP_COMMAND.replaceSessionKeys);
        const r = unprotectSection(st.s, TAG_ENC_MAC, data.subarray(h.hdr));
        if (!r.ok) return bspFailure(env, rsp, BPP_COMMAND.replaceSessionKeys, r, st);
        const ppk = decodeReplaceSessionKeys(r.value);
        if (!ppk)
          return failure(env, rsp, BPP_COMMAND.replaceSessionKeys, ERROR_REASON.incorrectInputValues, iccid);
        st.pe = bspSession(ppk);
        return new Uint8Array(0);
      }
      if (h.tag !== 0xa3 || data.length !== h.hdr || h.length === 0)
        return structure(BPP_COMMAND.loadProfileElements);
      st.stage = 'pe';
      st.peLeft = h.length;
      return new Uint8Array(0);
    case 'pe': {
      if (h.tag !== TAG_PROFILE_ELEMENTS || !whole || data.length > st.peLeft)
        return structure(BPP_COMMAND.loadProfileElements);
      const r = unprotectSegment(st.pe ?? st.s, TAG_PROFILE_ELEMENTS, data);
      if (!r.ok) return bspFailure(env, rsp, BPP_COMMAND.loadProfileElements, r, st);
      st.upp.push(r.value);
      st.peLeft -= data.length;
      if (st.peLeft > 0) return new Uint8Array(0);
      return install(concat(...st.upp), st.metadata!, rsp, env);
    }
  }
}

/** StoreMetadataRequest BF25 (§5.5.3) to ProfileInfo fields; a number is the errorReason. */
function parseMetadata(b: Bytes): Metadata | number {
  const t = readBer(b);
  const f = t?.tag === 0xbf25 && t.length === b.length ? children(t.value) : undefined;
  if (!f) return ERROR_REASON.incorrectInputValues;
  const iccid = child(f, PI.ICCID)?.value;
  if (iccid?.length !== 10 || !child(f, PI.SP_NAME) || !child(f, PI.NAME))
    return ERROR_REASON.incorrectInputValues;
  const cls = child(f, PI.CLASS);
  const profileClass = cls ? uint(cls.value) : CLASS_OPERATIONAL;
  if (profileClass === undefined) return ERROR_REASON.incorrectInputValues;
  // These StoreMetadata fields become the new ProfileInfo (§5.7.15), in its order.
  const keep = [
    PI.ICCID,
    PI.SP_NAME,
    PI.NAME,
    PI.ICON_TYPE,
    PI.ICON,
    PI.CLASS,
    PI.NOTIFICATION_CONFIG,
    PI.OWNER,
    PI.PPR,
  ];
  return { iccid, fields: f.filter((x) => keep.includes(x.tag as (typeof keep)[number])), profileClass };
}

/** rspCapability bit 3: testProfileSupport (§5.7.9). */
const TEST_PROFILE_SUPPORT = 3;

/** What this eUICC refuses in the metadata (§2.9.2.1, §3.1.3.3): an errorReason, or 0. */
function refuseMetadata(m: Metadata, env: Es10Env): number {
  if (readProfiles(env.nvm).some((p) => equal(p.iccid, m.iccid))) return ERROR_REASON.iccidAlreadyExists;
  if (m.profileClass > CLASS_OPERATIONAL) return ERROR_REASON.unsupportedProfileClass;
  if (m.profileClass === CLASS_TEST && !bitSet(env.config.info.rspCapability, TEST_PROFILE_SUPPORT))
    return ERROR_REASON.unsupportedProfileClass;
  // The Rules Authorisation Table of this eUICC is empty (GetRAT): no PPR may be set by a download (§2.9.2).
  const ppr = m.fields.find((x) => x.tag === PI.PPR)?.value;
  if (ppr && [1, 2, 3].some((bit) => bitSet(ppr, bit))) return ERROR_REASON.pprNotAllowed;
  return 0;
}

/** Free non-volatile memory announced in extCardResource (tag 82, §5.7.9), the capacity for packages. */
function capacity(env: Es10Env): number {
  const f = children(env.config.info.extCardResource);
  return uint(f && child(f, 0x82)?.value) ?? 0;
}

function install(upp: Bytes, m: Metadata, rsp: RspSession, env: Es10Env): Bytes {
  const cmd = BPP_COMMAND.loadProfileElements;
  const list = readProfiles(env.nvm);
  if (storedPackages(env) + upp.length > capacity(env))
    return failure(env, rsp, cmd, ERROR_REASON.insufficientMemory, m.iccid);
  const installer = env.config.installer;
  if (!installer) return failure(env, rsp, cmd, ERROR_REASON.unknownError, m.iccid);
  const r = installer.install(upp);
  const sima = installer.euiccResponse(r);
  if (!r.ok) return failure(env, rsp, cmd, ERROR_REASON.peProcessingError, m.iccid, sima);
  if (!equal(r.profile.iccid, m.iccid))
    return failure(env, rsp, cmd, ERROR_REASON.dataMismatch, m.iccid, sima);
  const slot = nextAid(
    env,
    list.map((p) => toHex(p.aid)),
  );
  if (!slot) return failure(env, rsp, cmd, ERROR_REASON.insufficientMemory, m.iccid);
  const { aid } = slot;
  const info = [
    { tag: PI.ICCID, value: m.iccid },
    { tag: PI.ISDP_AID, value: aid },
    { tag: PI.STATE, value: Uint8Array.of(STATE_DISABLED) },
    ...m.fields.filter((f) => f.tag !== PI.ICCID),
  ].map((f) => ({ ...f, offset: 0, length: 0 }));
  const profile = { fields: info, iccid: m.iccid, aid, state: STATE_DISABLED, profileClass: m.profileClass };
  return finish(env, rsp, ber(0xa0, ber(0x4f, aid), ber(0x04, sima)), m.iccid, () => {
    writeProfiles(env.nvm, [...list, profile]);
    env.nvm.set(uppKey(aid), upp);
    env.nvm.set(ISDP_NEXT, derUint(slot.next));
  });
}

/**
 * The next ISD-P instance number: above every one in use and every one given before (`euicc/isdp-next`),
 * so a deleted ISD-P's AID is never given again and nothing left of it (e.g. in a card image) can meet a
 * new profile.
 */
function nextAid(env: Es10Env, used: string[]): { aid: Bytes; next: number } | undefined {
  let n = Math.max(0x10, uint(env.nvm.get(ISDP_NEXT)) ?? 0);
  for (const hex of used)
    if (hex.startsWith(ISDP_AID_PREFIX) && hex.length === 32)
      n = Math.max(n, Number.parseInt(hex.slice(28, 30), 16) + 1);
  if (n > 0xff) return undefined;
  const hex = `${ISDP_AID_PREFIX}${n.toString(16).toUpperCase().padStart(2, '0')}00`;
  return { aid: Uint8Array.from(Buffer.from(hex, 'hex')), next: n + 1 };
}

function failure(
  env: Es10Env,
  rsp: RspSession,
  bppCommandId: number,
  errorReason: number,
  iccid?: Bytes,
  sima?: Bytes,
): Bytes {
  const result = ber(
    0xa1,
    ber(0x80, derUint(bppCommandId)),
    ber(0x81, derUint(errorReason)),
    ...(sima ? [ber(0x82, sima)] : []),
  );
  return finish(env, rsp, result, iccid);
}

/**
 * The signed ProfileInstallationResult (§5.7.6: BF37 { BF27 {80 tid, BF2F metadata, 06 smdpOid, A2 result},
 * 5F37 }), kept as the install notification; `write` (the install) goes in the same NVM transaction.
 */
function finish(env: Es10Env, rsp: RspSession, result: Bytes, iccid?: Bytes, write?: () => void): Bytes {
  env.ram.delete(LOAD);
  env.ram.delete(RSP_SESSION);
  let pir: Bytes | undefined;
  env.nvm.transaction(() => {
    const seq = (uint(env.nvm.get(EUICC_SEQ)) ?? 0) + 1;
    env.nvm.set(EUICC_SEQ, derUint(seq));
    const meta = ber(
      0xbf2f,
      ber(0x80, derUint(seq)),
      ber(0x81, eventBits(EVENT.install)),
      ber(0x0c, rsp.serverAddress),
      ...(iccid ? [ber(0x5a, iccid)] : []),
    );
    const data = ber(
      0xbf27,
      ber(0x80, rsp.transactionId),
      meta,
      ber(0x06, rsp.dpPb?.rid ?? rsp.dpAuth.rid ?? new Uint8Array(0)),
      ber(0xa2, result),
    );
    const sig = euiccSign(env, data) ?? ber(0x5f37, new Uint8Array(64));
    pir = ber(0xbf37, data, sig);
    addPendingNotification(env.nvm, pir);
    write?.();
  });
  return pir!;
}
