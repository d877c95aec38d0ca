// The ES10a/b/c functions of the ISD-R (SGP.22 §5.7), one request TLV in, one response TLV out. Every
// error answers the result code SGP.22 defines for it and changes nothing; state changes (enable,
// disable, delete, memory reset, nickname, notifications) run in one NVM transaction each.

import type { Bytes } from '../../card-os/bytes.js';
import { defaultP256 } from '../../card-os/crypto/p256.js';

import type { Nvm } from '../../card-os/nvm.js';
import { ber, type Tlv } from '../../card-os/tlv.js';
import type { UppInstaller } from './bpp-load.js';
import { child, children, derUint, resultOnly, UNDEFINED_ERROR, uint, whole } from './der.js';
import { authenticateServer, cancelSession, euiccInfo2, prepareDownload, type TrustedCi } from './rsp.js';
import { addInitialEim, getCerts, getEimConfigurationData } from './sgp32.js';
import {
  addNotification,
  bitSet,
  CLASS_OPERATIONAL,
  CLASS_TEST,
  deleteForbidden,
  disableForbidden,
  EUICC_DEFAULT_DP,
  EVENT,
  findProfile,
  PI,
  type ProfileRecord,
  readNotifications,
  readProfiles,
  STATE_DISABLED,
  STATE_ENABLED,
  stateValue,
  uppKey,
  withField,
  writeNotifications,
  writeProfiles,
} from './store.js';

/** Static description of the eUICC (EUICCInfo1/2, SGP.22 §5.7.8, §5.7.9). */
export interface EuiccInfo {
  /** SGP.22 version supported (3 bytes). */
  svn: Bytes;
  /** Subject key identifiers of the CI public keys the eUICC verifies with and signs for. */
  ciPkIds: Bytes[];
  profileVersion: Bytes;
  firmwareVersion: Bytes;
  extCardResource: Bytes;
  uiccCapability: Bytes;
  rspCapability: Bytes;
  ppVersion: Bytes;
  sasAccreditationNumber: string;
}

export interface Es10Config {
  eid: Bytes;
  info: EuiccInfo;
  rootDsAddress: string;
  /** SK.EUICC.ECDSA and the certificates sent with signed notifications (DER). */
  signer?: { privateKey: Bytes; euiccCertificate: Bytes; eumCertificate: Bytes };
  /** The CI keys the eUICC verifies SM-DP+ certificates with (SGP.22 §4.5.2); none: no download. */
  trustedCis?: TrustedCi[];
  /** Clock for certificate validity (ms since the epoch); default the host's. */
  now?: () => number;
  /** Installs a downloaded profile package (SAIP) into a new ISD-P; none: no download. */
  installer?: UppInstaller;
}

export interface Es10Env {
  nvm: Nvm;
  config: Es10Config;
  /** RAM of the card: the last euiccChallenge. */
  ram: Map<string, unknown>;
  /** Asks the terminal for a reset (REFRESH), after an enable or disable with refreshFlag. */
  refresh(): void;
  random(n: number): Bytes;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

type Handler = (req: Tlv[], env: Es10Env, value: Bytes) => Bytes;

/** Answers one ES10 request TLV; undefined when the tag is no ES10 function of this ISD-R. */
export function es10(request: Bytes, env: Es10Env): Bytes | undefined {
  const t = whole(request);
  if (!t) return undefined;
  const h = HANDLERS[t.tag];
  if (!h) return undefined;
  const fields = children(t.value);
  if (!fields) return errorAnswer(t.tag);
  return h(fields, env, t.value);
}

/** The answer of a function to a request it cannot parse: its undefinedError (127) form. */
function errorAnswer(tag: number): Bytes {
  switch (tag) {
    case 0xbf2d: // ProfileInfoListResponse: profileInfoListError [1]
    case 0xbf28: // ListNotificationResponse: listNotificationsResultError [1]
    case 0xbf2b: // RetrieveNotificationsListResponse: notificationsListResultError [1]
    case 0xbf56: // SGP.32 §5.9.10 GetCertsResponse: getCertsError [1]
    case 0xbf57: // SGP.32 §5.9.4 AddInitialEimResponse: addInitialEimError [1]
      return ber(tag, ber(0x81, derUint(UNDEFINED_ERROR)));
    case 0xbf55: // SGP.32 §5.9.18: no error form; an unreadable request matches no eIM
      return ber(tag, ber(0xa0));
    default:
      return resultOnly(tag, UNDEFINED_ERROR);
  }
}

const HANDLERS: Record<number, Handler> = {
  0xbf3e: getEid,
  0xbf20: getEuiccInfo1,
  0xbf22: getEuiccInfo2,
  0xbf2e: getEuiccChallenge,
  0xbf2d: listProfileInfo,
  0xbf31: (req, env) => enableOrDisable(req, env, true),
  0xbf32: (req, env) => enableOrDisable(req, env, false),
  0xbf33: deleteProfile,
  0xbf34: memoryReset,
  0xbf29: setNickname,
  0xbf43: getRat,
  0xbf38: (req, env, value) => authenticateServer(value, req, env),
  0xbf21: (req, env, value) => prepareDownload(value, req, env),
  0xbf41: (req, env, value) => cancelSession(value, req, env),
  0xbf28: listNotification,
  0xbf2b: retrieveNotificationsList,
  0xbf30: removeNotification,
  0xbf3c: getConfiguredAddresses,
  0xbf3f: setDefaultDpAddress,
  // SGP.32 (eSIM IoT) ES10b additions for the IPA (sgp32.ts).
  0xbf56: getCerts,
  0xbf55: getEimConfigurationData,
  0xbf57: addInitialEim,
};

// ---- ES10c.GetEID (§5.7.20), ES10b.GetEUICCInfo (§5.7.8/9), GetEUICCChallenge (§5.7.7) ----

function getEid(_req: Tlv[], env: Es10Env): Bytes {
  return ber(0xbf3e, ber(0x5a, env.config.eid));
}

function pkIdList(tag: number, ids: Bytes[]): Bytes {
  return ber(tag, ...ids.map((id) => ber(0x04, id)));
}

function getEuiccInfo1(_req: Tlv[], env: Es10Env): Bytes {
  const i = env.config.info;
  return ber(0xbf20, ber(0x82, i.svn), pkIdList(0xa9, i.ciPkIds), pkIdList(0xaa, i.ciPkIds));
}

function getEuiccInfo2(_req: Tlv[], env: Es10Env): Bytes {
  return euiccInfo2(env);
}

function getEuiccChallenge(_req: Tlv[], env: Es10Env): Bytes {
  const challenge = env.random(16);
  env.ram.set('challenge', challenge);
  return ber(0xbf2e, ber(0x80, challenge));
}

// ---- ES10c.GetProfilesInfo (§5.7.15) ----

const INCORRECT_INPUT = 1;

/** The tags of a tagList (5C): BER tags one after another. */
function tagList(b: Bytes): number[] | undefined {
  const out: number[] = [];
  let i = 0;
  while (i < b.length) {
    let tag = b[i++]!;
    if ((tag & 0x1f) === 0x1f) {
      let n = 0;
      do {
        if (i >= b.length || ++n > 2) return undefined;
        tag = tag * 256 + b[i]!;
      } while (b[i++]! & 0x80);
    }
    out.push(tag);
  }
  return out;
}

function listProfileInfo(req: Tlv[], env: Es10Env): Bytes {
  const fail = (code: number) => ber(0xbf2d, ber(0x81, derUint(code)));
  let list = readProfiles(env.nvm);
  const criteria = child(req, 0xa0);
  if (criteria) {
    const c = children(criteria.value);
    if (c?.length !== 1) return fail(INCORRECT_INPUT);
    const sel = c[0]!;
    if (sel.tag === PI.CLASS) {
      const cls = uint(sel.value);
      if (cls === undefined || cls > CLASS_OPERATIONAL) return fail(INCORRECT_INPUT);
      list = list.filter((p) => p.profileClass === cls);
    } else if (sel.tag === PI.ISDP_AID || sel.tag === PI.ICCID) {
      const p = findProfile(list, sel);
      list = p ? [p] : [];
    } else return fail(INCORRECT_INPUT);
  }
  const tl = child(req, 0x5c);
  const tags = tl ? tagList(tl.value) : undefined;
  if (tl && !tags) return fail(INCORRECT_INPUT);
  const infos = list.map((p) =>
    ber(0xe3, ...p.fields.filter((f) => !tags || tags.includes(f.tag)).map((f) => ber(f.tag, f.value))),
  );
  return ber(0xbf2d, ber(0xa0, ...infos));
}

// ---- ES10c.EnableProfile / DisableProfile (§5.7.16, §5.7.17), DeleteProfile (§5.7.18) ----

const NOT_FOUND = 1;
const WRONG_STATE = 2;
const DISALLOWED_BY_POLICY = 3;

/** The profile identifier of Enable/Disable: `A0 { 4F aid | 5A iccid }`. */
function identifier(req: Tlv[]): Tlv | undefined {
  const a0 = child(req, 0xa0);
  const c = a0 && children(a0.value);
  return c?.length === 1 ? c[0] : undefined;
}

function enableOrDisable(req: Tlv[], env: Es10Env, enable: boolean): Bytes {
  const tag = enable ? 0xbf31 : 0xbf32;
  const id = identifier(req);
  const flag = child(req, 0x81);
  if (!id || (id.tag !== PI.ISDP_AID && id.tag !== PI.ICCID) || !flag || flag.value.length !== 1)
    return resultOnly(tag, UNDEFINED_ERROR);
  const refresh = flag.value[0] !== 0;
  const list = readProfiles(env.nvm);
  const target = findProfile(list, id);
  if (!target) return resultOnly(tag, NOT_FOUND);
  const current = list.find((p) => p.state === STATE_ENABLED);
  if (enable) {
    if (target.state !== STATE_DISABLED) return resultOnly(tag, WRONG_STATE);
    // Enabling another profile disables the current one: its PPR1 forbids that (§2.9.1).
    if (current && disableForbidden(current)) return resultOnly(tag, DISALLOWED_BY_POLICY);
  } else {
    if (target.state !== STATE_ENABLED) return resultOnly(tag, WRONG_STATE);
    if (disableForbidden(target)) return resultOnly(tag, DISALLOWED_BY_POLICY);
  }
  env.nvm.transaction(() => {
    const next = list.map((p) => {
      if (p === target) return withField(p, PI.STATE, stateValue(enable ? STATE_ENABLED : STATE_DISABLED));
      if (enable && p === current) return withField(p, PI.STATE, stateValue(STATE_DISABLED));
      return p;
    });
    writeProfiles(env.nvm, next);
    if (enable && current) addNotification(env.nvm, current, EVENT.disable);
    addNotification(env.nvm, target, enable ? EVENT.enable : EVENT.disable);
  });
  if (refresh) env.refresh();
  return resultOnly(tag, 0);
}

function deleteProfile(req: Tlv[], env: Es10Env): Bytes {
  // DeleteProfileRequest is a CHOICE: the identifier itself (4F or 5A), no A0 around it.
  const id = req.length === 1 ? req[0] : undefined;
  if (!id || (id.tag !== PI.ISDP_AID && id.tag !== PI.ICCID)) return resultOnly(0xbf33, UNDEFINED_ERROR);
  const list = readProfiles(env.nvm);
  const target = findProfile(list, id);
  if (!target) return resultOnly(0xbf33, NOT_FOUND);
  if (target.state !== STATE_DISABLED) return resultOnly(0xbf33, WRONG_STATE);
  if (deleteForbidden(target)) return resultOnly(0xbf33, DISALLOWED_BY_POLICY);
  env.nvm.transaction(() => {
    writeProfiles(
      env.nvm,
      list.filter((p) => p !== target),
    );
    // A downloaded ISD-P's package goes with it (its memory is free again).
    if (env.nvm.has(uppKey(target.aid))) env.nvm.delete(uppKey(target.aid));
    addNotification(env.nvm, target, EVENT.delete);
  });
  return resultOnly(0xbf33, 0);
}

// ---- ES10c.eUICCMemoryReset (§5.7.19) ----

const NOTHING_TO_DELETE = 1;

function memoryReset(req: Tlv[], env: Es10Env): Bytes {
  const opts = child(req, 0x82)?.value;
  if (!opts || opts.length < 1 || opts[0]! > 7) return resultOnly(0xbf34, UNDEFINED_ERROR);
  // resetOptions bits: 0 deleteOperationalProfiles, 1 deleteFieldLoadedTestProfiles, 2 resetDefaultSmdpAddress.
  const delOperational = bitSet(opts, 0);
  const delTest = bitSet(opts, 1);
  const resetAddress = bitSet(opts, 2) && env.nvm.get(EUICC_DEFAULT_DP) !== undefined;
  const list = readProfiles(env.nvm);
  const gone = (p: ProfileRecord) =>
    (delOperational && p.profileClass !== CLASS_TEST) || (delTest && p.profileClass === CLASS_TEST);
  const keep = list.filter((p) => !gone(p));
  if (keep.length === list.length && !resetAddress) return resultOnly(0xbf34, NOTHING_TO_DELETE);
  env.nvm.transaction(() => {
    if (keep.length !== list.length) writeProfiles(env.nvm, keep);
    for (const p of list) if (gone(p) && env.nvm.has(uppKey(p.aid))) env.nvm.delete(uppKey(p.aid));
    if (resetAddress) env.nvm.delete(EUICC_DEFAULT_DP);
  });
  // A deleted enabled profile leaves the terminal without one: it must reset to see the change.
  if (list.some((p) => gone(p) && p.state === STATE_ENABLED)) env.refresh();
  return resultOnly(0xbf34, 0);
}

// ---- ES10c.SetNickname (§5.7.21) ----

function setNickname(req: Tlv[], env: Es10Env): Bytes {
  const iccid = child(req, PI.ICCID);
  const nick = child(req, PI.NICKNAME);
  if (!iccid || !nick || nick.value.length > 64) return resultOnly(0xbf29, UNDEFINED_ERROR);
  const list = readProfiles(env.nvm);
  const target = findProfile(list, iccid);
  if (!target) return resultOnly(0xbf29, NOT_FOUND);
  env.nvm.transaction(() =>
    writeProfiles(
      env.nvm,
      list.map((p) => (p === target ? withField(p, PI.NICKNAME, nick.value) : p)),
    ),
  );
  return resultOnly(0xbf29, 0);
}

// ---- ES10b.GetRAT (§5.7.22): this eUICC holds no PPR authorisations beyond the profiles' own ----

function getRat(_req: Tlv[], _env: Es10Env): Bytes {
  return ber(0xbf43, ber(0xa0));
}

// ---- ES10b notifications (§5.7.10, §5.7.11, §5.7.12) ----

function listNotification(req: Tlv[], env: Es10Env): Bytes {
  const pmo = child(req, 0x81)?.value;
  const list = readNotifications(env.nvm).filter((n) => !pmo || matches(pmo, n.event));
  return ber(0xbf28, ber(0xa0, ...list.map((n) => n.meta)));
}

/** Whether an event's one-bit string is among the bits of a pmo filter. */
function matches(filter: Bytes, event: Bytes): boolean {
  for (let bit = 0; bit < 8; bit++) if (bitSet(event, bit) && bitSet(filter, bit)) return true;
  return false;
}

const NO_RESULT = 1;

function retrieveNotificationsList(req: Tlv[], env: Es10Env): Bytes {
  let list = readNotifications(env.nvm);
  const criteria = child(req, 0xa0);
  if (criteria) {
    const c = children(criteria.value);
    const sel = c?.length === 1 ? c[0]! : undefined;
    if (sel?.tag === 0x80) {
      const seq = uint(sel.value);
      list = list.filter((n) => n.seq === seq);
    } else if (sel?.tag === 0x81) list = list.filter((n) => matches(sel.value, n.event));
    else return ber(0xbf2b, ber(0x81, derUint(UNDEFINED_ERROR)));
    if (list.length === 0) return ber(0xbf2b, ber(0x81, derUint(NO_RESULT)));
  }
  const s = env.config.signer;
  if (!s) return ber(0xbf2b, ber(0x81, derUint(UNDEFINED_ERROR)));
  // OtherSignedNotification: the eUICC signs the whole BF2F TLV (§5.7.11), r‖s as in BSI TR-03111.
  // A ProfileInstallationResult (BF37) was signed when it was made.
  const signed = list.map((n) =>
    n.tlv[1] === 0x37
      ? n.tlv
      : ber(
          0x30,
          n.tlv,
          ber(0x5f37, defaultP256.sign(n.tlv, s.privateKey, 'raw')),
          s.euiccCertificate,
          s.eumCertificate,
        ),
  );
  return ber(0xbf2b, ber(0xa0, ...signed));
}

function removeNotification(req: Tlv[], env: Es10Env): Bytes {
  const seq = uint(child(req, 0x80)?.value);
  if (seq === undefined) return resultOnly(0xbf30, UNDEFINED_ERROR);
  const list = readNotifications(env.nvm);
  const keep = list.filter((n) => n.seq !== seq);
  if (keep.length === list.length) return resultOnly(0xbf30, NOTHING_TO_DELETE);
  env.nvm.transaction(() => writeNotifications(env.nvm, keep));
  return resultOnly(0xbf30, 0);
}

// ---- ES10a (§5.7.3, §5.7.4) ----

function getConfiguredAddresses(_req: Tlv[], env: Es10Env): Bytes {
  const dp = env.nvm.get(EUICC_DEFAULT_DP);
  return ber(0xbf3c, ...(dp ? [ber(0x80, dp)] : []), ber(0x81, utf8(env.config.rootDsAddress)));
}

function setDefaultDpAddress(req: Tlv[], env: Es10Env): Bytes {
  const addr = child(req, 0x80)?.value;
  if (!addr || addr.length > 255) return resultOnly(0xbf3f, UNDEFINED_ERROR);
  env.nvm.transaction(() => {
    if (addr.length === 0) env.nvm.delete(EUICC_DEFAULT_DP);
    else env.nvm.set(EUICC_DEFAULT_DP, addr.slice());
  });
  return resultOnly(0xbf3f, 0);
}
