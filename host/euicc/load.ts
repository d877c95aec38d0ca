// eUICC definitions (profiles/default-euicc.yaml): the eUICC's own file system in the profile format, its
// EID and addresses, and the installed profiles, each a profile file of the existing format plus its
// SGP.22 metadata (ISD-P AID, state, class, names, policy rules, notification addresses). Loading makes the
// template every emulated eUICC is built from; errors name the file, line and place.

import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import type { UppInstaller } from '../../applets/euicc/bpp-load.js';
import { eidValid, encodeEid } from '../../applets/euicc/eid.js';
import type { EuiccInfo } from '../../applets/euicc/es10.js';
import { ecasdApplet, isdRApplet } from '../../applets/euicc/isd-r.js';
import type { TrustedCi } from '../../applets/euicc/rsp.js';
import { encodeEuiccResponse, installUpp } from '../../applets/euicc/saip/install.js';
import { EUICC_EIMS, eimConfigProblem, MAX_EIMS } from '../../applets/euicc/sgp32.js';
import {
  CLASS_OPERATIONAL,
  CLASS_PROVISIONING,
  CLASS_TEST,
  EUICC_DEFAULT_DP,
  EUICC_PROFILES,
  EVENT,
  encodeProfile,
  eventBits,
  PI,
  readProfiles,
  STATE_ENABLED,
  uppKey,
} from '../../applets/euicc/store.js';
import { type Bytes, concat, fromHex } from '../../card-os/bytes.js';
import { EuiccCard, type EuiccProfileSpec, type EuiccSnapshot } from '../../card-os/euicc-card.js';
import { contentKey } from '../../card-os/fs/model.js';
import { ber, parseBer, readBer, type Tlv } from '../../card-os/tlv.js';
import { bool, decimal, hexBytes, list, oneOf, text } from '../codecs/values.js';
import { personalise } from '../personalise.js';
import type { CompiledProfile } from '../profile/compile.js';
import { ProfileError } from '../profile/error.js';
import { compileProfile, loadProfile } from '../profile/load.js';
import { profileSchema } from '../profile/schema.js';
import { parseYaml } from '../profile/source.js';
import { cryptoRandom } from '../random.js';
import { EIM_ID_TYPES, EIM_PROTOCOLS, encodeEimConfig } from './eim.js';
import { euiccTestPki } from './test-pki.js';

const CLASSES = {
  test: CLASS_TEST,
  provisioning: CLASS_PROVISIONING,
  operational: CLASS_OPERATIONAL,
} as const;
const PPRS = { ppr1: 1, ppr2: 2 } as const;

const profileEntry = z.strictObject({
  profile: text,
  isdpAid: hexBytes(5, 16),
  state: oneOf(['enabled', 'disabled']),
  class: oneOf(['test', 'provisioning', 'operational']).optional(),
  serviceProvider: text.optional(),
  name: text.optional(),
  nickname: text.optional(),
  ppr: list(oneOf(['ppr1', 'ppr2'])).optional(),
  /** SM-DP+ address that receives the install/enable/disable/delete notifications of this profile. */
  notificationAddress: text.optional(),
  events: list(oneOf(['install', 'enable', 'disable', 'delete'])).optional(),
});

/** An eIM the eUICC is associated with from the factory (SGP.32 §2.11.1.1.1 EimConfigurationData). */
const eimEntry = z.strictObject({
  eimId: text,
  eimFqdn: text.optional(),
  eimIdType: oneOf(EIM_ID_TYPES).optional(),
  counterValue: decimal(0, 0x7fffffff).optional(),
  associationToken: decimal(0, 0x7fffffff).optional(),
  eimSupportedProtocol: list(oneOf(EIM_PROTOCOLS)).optional(),
  euiccCiPKId: hexBytes(1, 32).optional(),
  indirectProfileDownload: bool.optional(),
});

const euiccSchema = z.strictObject({
  description: text.optional(),
  eid: text,
  rootDsAddress: text,
  defaultDpAddress: text.optional(),
  /** Whether the eUICC signs notifications with the test PKI (host/euicc/test-pki.ts); default yes. */
  signNotifications: bool.optional(),
  own: z.unknown(),
  profiles: list(profileEntry),
  /** SGP.32 (eSIM IoT): the eIMs configured in the eUICC (none: AddInitialEim may add the first). */
  eims: list(eimEntry).optional(),
});

/** EUICCInfo values of this emulator (SGP.22 v2.5, §5.7.8/§5.7.9); the CI key id is the test PKI's. */
export function defaultEuiccInfo(ciPkId: Bytes): EuiccInfo {
  return {
    svn: fromHex('020500'),
    ciPkIds: [ciPkId],
    profileVersion: fromHex('020300'),
    firmwareVersion: fromHex('010000'),
    extCardResource: fromHex('810108820400045BF8830224 19'.replace(/ /g, '')),
    uiccCapability: fromHex('067F36F3C0'),
    rspCapability: fromHex('0398'),
    ppVersion: fromHex('000000'),
    sasAccreditationNumber: 'UICC-EMULATOR-TEST',
  };
}

export interface EuiccTemplate {
  file: string;
  description?: string;
  eid: Bytes;
  own: EuiccProfileSpec['spec'];
  profiles: (EuiccProfileSpec & { iccid: Bytes; imsiHint?: string; profile: CompiledProfile })[];
  info: EuiccInfo;
  rootDsAddress: string;
  signer?: { privateKey: Bytes; euiccCertificate: Bytes; eumCertificate: Bytes };
  /** The CI keys the eUICC trusts for SM-DP+ certificates (SGP.22 §4.5.2): the test CI. */
  trustedCis: TrustedCi[];
}

const utf8 = (s: string) => new TextEncoder().encode(s);

function profileInfo(e: z.output<typeof profileEntry>, iccid: Bytes): Bytes {
  const f: [number, Bytes][] = [
    [PI.ICCID, iccid],
    [PI.ISDP_AID, e.isdpAid],
    [PI.STATE, Uint8Array.of(e.state === 'enabled' ? STATE_ENABLED : 0)],
  ];
  if (e.nickname !== undefined) f.push([PI.NICKNAME, utf8(e.nickname)]);
  if (e.serviceProvider !== undefined) f.push([PI.SP_NAME, utf8(e.serviceProvider)]);
  if (e.name !== undefined) f.push([PI.NAME, utf8(e.name)]);
  f.push([PI.CLASS, Uint8Array.of(CLASSES[e.class ?? 'operational'])]);
  if (e.notificationAddress) {
    const events = e.events ?? ['install', 'enable', 'disable', 'delete'];
    const items = events.map((ev) =>
      ber(0x30, ber(0x80, eventBits(EVENT[ev])), ber(0x81, utf8(e.notificationAddress!))),
    );
    f.push([PI.NOTIFICATION_CONFIG, concat(...items)]);
  }
  if (e.ppr?.length) {
    let bits = 0;
    for (const p of e.ppr) bits |= 0x80 >> PPRS[p];
    // DER named BIT STRING: trailing zero bits dropped (X.690 §11.2.2).
    const highest = Math.max(...e.ppr.map((p) => PPRS[p]));
    f.push([PI.PPR, Uint8Array.of(7 - highest, bits)]);
  }
  return encodeProfile(f.map(([tag, value]): Tlv => ({ tag, value, offset: 0, length: 0 })));
}

/** Loads an eUICC definition; throws ProfileError naming the file and line of every problem. */
export function loadEuicc(path: string, text: string): EuiccTemplate {
  const src = parseYaml(text, path);
  const bad = (where: (string | number)[], problem: string): never => {
    const line = src.lineOf(where);
    throw new ProfileError([{ file: path, path: where.join('.'), problem, ...(line ? { line } : {}) }]);
  };
  const r = euiccSchema.safeParse(src.data);
  if (!r.success) {
    const i = r.error.issues[0]!;
    return bad(i.path as (string | number)[], i.message);
  }
  const d = r.data;
  if (!eidValid(d.eid))
    bad(['eid'], 'is not 32 digits with valid check digits (SGP.29: the number mod 97 must be 1)');
  const ownDoc = profileSchema.safeParse(d.own);
  if (!ownDoc.success)
    return bad(['own', ...(ownDoc.error.issues[0]!.path as string[])], ownDoc.error.issues[0]!.message);
  const own = compileProfile(ownDoc.data).spec;
  if (d.profiles.filter((p) => p.state === 'enabled').length > 1)
    bad(['profiles'], 'at most one profile can be enabled (SGP.22 §2.4)');
  const profiles: EuiccTemplate['profiles'] = [];
  const infos: Bytes[] = [];
  const aids = new Set<string>();
  d.profiles.forEach((e, i) => {
    const aid = Buffer.from(e.isdpAid).toString('hex');
    if (aids.has(aid)) bad(['profiles', i, 'isdpAid'], 'two profiles have this ISD-P AID');
    aids.add(aid);
    const p = personalise(loadProfile(resolve(dirname(path), e.profile)));
    const iccidFile = p.spec.mf.children.find((f) => f.type === 'EF' && f.fid === 0x2fe2);
    if (!iccidFile) bad(['profiles', i, 'profile'], 'the profile has no EF.ICCID (2FE2) under the MF');
    const iccid = p.spec.nvm.get(contentKey(iccidFile!)) ?? iccidFile!.initial;
    profiles.push({ aid: e.isdpAid, spec: p.spec, applets: p.applets, iccid, profile: p.profile });
    infos.push(profileInfo(e, iccid));
  });
  // The test PKI (host/euicc/test-pki.ts): the eUICC certificate names this EID.
  const pki = euiccTestPki(d.eid);
  const nvm = new Map(own.nvm);
  nvm.set(EUICC_PROFILES, concat(...infos));
  if (d.defaultDpAddress) nvm.set(EUICC_DEFAULT_DP, utf8(d.defaultDpAddress));
  if (d.eims?.length) nvm.set(EUICC_EIMS, eimConfigs(d.eims, pki.ci.ski, bad));
  const out: EuiccTemplate = {
    file: path,
    eid: encodeEid(d.eid),
    own: { ...own, nvm },
    profiles,
    info: defaultEuiccInfo(pki.ci.ski),
    rootDsAddress: d.rootDsAddress,
    trustedCis: [{ ski: pki.ci.ski, publicKey: pki.ci.publicKey }],
  };
  if (d.description) out.description = d.description;
  if (d.signNotifications !== false)
    out.signer = {
      privateKey: pki.euicc.privateKey,
      euiccCertificate: pki.euicc.der,
      eumCertificate: pki.eum.der,
    };
  return out;
}

/** The eUICC's profile package installer (SAIP, applets/euicc/saip/install.ts). */
const INSTALLER: UppInstaller = { install: installUpp, euiccResponse: encodeEuiccResponse };

/**
 * A downloaded ISD-P rebuilt from the package the eUICC keeps (SGP.22 §3.1.3.3): installUpp is a pure
 * function of those bytes, and the profile's own NVM holds its changes over the template.
 */
function downloadedProfile(aid: Bytes, nvm: { get(k: string): Bytes | undefined }) {
  const upp = nvm.get(uppKey(aid));
  const r = upp && installUpp(upp);
  return r?.ok ? { spec: r.profile.spec, applets: r.profile.applets } : undefined;
}

/** The `eims:` list as the eUICC stores it, checked as AddInitialEim checks it (SGP.32 §5.9.4). */
function eimConfigs(
  eims: z.output<typeof eimEntry>[],
  ciPkId: Bytes,
  bad: (where: (string | number)[], problem: string) => never,
): Bytes {
  if (eims.length > MAX_EIMS) bad(['eims'], `at most ${MAX_EIMS} eIMs fit in this eUICC`);
  const ids = new Set<string>();
  const out = eims.map((e, i) => {
    if (e.eimId.length < 1 || utf8(e.eimId).length > 128)
      bad(['eims', i, 'eimId'], 'must be 1 to 128 bytes (SGP.32 §2.11.1.1.1)');
    if (ids.has(e.eimId)) bad(['eims', i, 'eimId'], 'two eIMs have this eimId');
    ids.add(e.eimId);
    const der = encodeEimConfig(e);
    const fields = parseBer(readBer(der)?.value ?? new Uint8Array(0)) ?? [];
    if (eimConfigProblem(fields, [ciPkId]) !== undefined)
      bad(
        ['eims', i, 'euiccCiPKId'],
        `is not the eUICC's CI key id (${Buffer.from(ciPkId).toString('hex')})`,
      );
    return der;
  });
  return concat(...out);
}

/** A fresh (or restored) emulated eUICC from a template. */
export function createEuicc(
  t: EuiccTemplate,
  opts: { nvm?: EuiccSnapshot; protocol?: 0 | 1 } = {},
): EuiccCard {
  return new EuiccCard({
    own: t.own,
    applets: (nvm) => [
      isdRApplet({
        nvm,
        eid: t.eid,
        info: t.info,
        rootDsAddress: t.rootDsAddress,
        random: cryptoRandom(256),
        trustedCis: t.trustedCis,
        installer: INSTALLER,
        ...(t.signer ? { signer: t.signer } : {}),
      }),
      ecasdApplet(),
    ],
    profiles: t.profiles,
    enabled: (nvm) => readProfiles(nvm).find((p) => p.state === STATE_ENABLED)?.aid,
    installed: (nvm) => readProfiles(nvm).map((p) => p.aid),
    build: downloadedProfile,
    ...opts,
  });
}
