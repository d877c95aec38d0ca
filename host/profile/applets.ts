// The profile sections that applets consume: `subscriber` (USIM authentication, TS 35.206 / TS 33.102),
// `ota` (remote management keys and TARs, TS 102 225 / TS 102 226) and `securityDomain` (SCP11 keys,
// GPC Amd F). The schemas check lengths and consistency; the values come back typed, hex decoded.

import * as z from 'zod';
import { constantsProblem, type MilenageConstants } from '../../applets/aka/milenage.js';
import { DEFAULT_SQN_CONFIG, type SqnConfig, sqnConfigProblem } from '../../applets/aka/sqn.js';
import type { SubscriberKeys } from '../../applets/aka/subscriber-keys.js';
import type { AkaSubscription } from '../../applets/aka/subscription.js';
import { DEFAULT_TUAK_PARAMS, type TuakParams } from '../../applets/aka/tuak.js';
import type { KeySlotSection, KeySlotsSection } from '../../applets/keyslots/package.js';
import { APPLET_PACKAGES } from '../../applets/registry.js';
import { splitCertificates } from '../../applets/security-domain/certificate-list.js';
import { nodeP256 } from '../../applets/security-domain/ec.js';
import { parseGpCertificate } from '../../applets/security-domain/gp-certificate.js';
import type { SecurityDomainSection } from '../../applets/security-domain/package.js';
import { OCE_CA_KID } from '../../applets/security-domain/scp11-keys.js';
import { applicationName } from '../../card-os/applet-registry.js';
import { type Bytes, equal } from '../../card-os/bytes.js';
import { keyRefValue } from '../codecs/key-ref.js';
import { bool, decimal, hexBytes, hexNumber, list, mapOrScalar, oneOf } from '../codecs/values.js';

// ---- subscriber ----

export type SubscriberProfile = AkaSubscription;

const key16 = hexBytes(16, 16);
const key32 = hexBytes(32, 32);

/** TUAK's operator choices (TS 35.231 §4), in bits; absent ones take DEFAULT_TUAK_PARAMS. */
const tuakSchema = z
  .strictObject({
    mac: decimal(64, 256)
      .refine((n) => [64, 128, 256].includes(n), 'mac must be 64, 128 or 256 (bits)')
      .optional(),
    res: decimal(32, 256)
      .refine((n) => [32, 64, 128, 256].includes(n), 'res must be 32, 64, 128 or 256 (bits)')
      .optional(),
    ck: decimal(128, 256)
      .refine((n) => [128, 256].includes(n), 'ck must be 128 or 256 (bits)')
      .optional(),
    ik: decimal(128, 256)
      .refine((n) => [128, 256].includes(n), 'ik must be 128 or 256 (bits)')
      .optional(),
    iterations: decimal(1, 255).optional(),
  })
  .transform((t): TuakParams => ({ ...DEFAULT_TUAK_PARAMS, ...t }) as TuakParams);

/** Fields of a section that may hold TUAK keys (`subscriber`, a key slot). */
interface TuakFields {
  k?: Bytes | undefined;
  topc?: Bytes | undefined;
  top?: Bytes | undefined;
  tuak?: TuakParams | undefined;
  opc?: Bytes | undefined;
  op?: Bytes | undefined;
  constants?: unknown;
}

/** The TUAK key record of a section with `algorithm: tuak`; problems are reported through `bad`. */
function tuakKeys(s: TuakFields, bad: (message: string, path: PropertyKey[]) => void): SubscriberKeys {
  for (const f of ['opc', 'op', 'constants'] as const)
    if (s[f] !== undefined) bad(`${f} belongs to algorithm milenage; TUAK takes topc or top`, [f]);
  const k = s.k ?? new Uint8Array(32);
  if (k.length !== 16 && k.length !== 32) bad(`is ${k.length} bytes long, expected 16 or 32`, ['k']);
  if ((s.topc === undefined) === (s.top === undefined)) bad('give exactly one of topc and top', []);
  const tuak = s.tuak ?? DEFAULT_TUAK_PARAMS;
  return s.topc
    ? { algorithm: 'tuak', k, topc: s.topc, tuak }
    : { algorithm: 'tuak', k, top: s.top ?? new Uint8Array(32), tuak };
}

export const subscriberSchema = z
  .strictObject({
    algorithm: oneOf(['milenage', 'tuak']).optional(),
    // Milenage: 128 bits; TUAK: 128 or 256 (TS 35.231 §4).
    k: hexBytes(16, 32),
    opc: key16.optional(),
    op: key16.optional(),
    topc: key32.optional(),
    top: key32.optional(),
    tuak: tuakSchema.optional(),
    amf: hexBytes(2, 2).optional(),
    constants: z
      .strictObject({
        r: list(decimal(0, 127)).refine((a) => a.length === 5, 'r needs 5 values (r1..r5)'),
        c: list(key16).refine((a) => a.length === 5, 'c needs 5 values (c1..c5)'),
      })
      .optional(),
    sqn: z
      .strictObject({
        indBits: decimal(0, 10).optional(),
        delta: decimal(1, Number.MAX_SAFE_INTEGER).optional(),
        ageLimit: decimal(1, Number.MAX_SAFE_INTEGER).optional(),
      })
      .optional(),
  })
  .transform((s, ctx): SubscriberProfile => {
    const sqn: Partial<SqnConfig> = {};
    if (s.sqn?.indBits !== undefined) Object.assign(sqn, { indBits: s.sqn.indBits });
    if (s.sqn?.delta !== undefined) Object.assign(sqn, { delta: s.sqn.delta });
    if (s.sqn?.ageLimit !== undefined) Object.assign(sqn, { ageLimit: s.sqn.ageLimit });
    const sqnProblem = sqnConfigProblem({ ...DEFAULT_SQN_CONFIG, ...sqn });
    if (sqnProblem) ctx.addIssue({ code: 'custom', message: sqnProblem, path: ['sqn'] });
    const extra = s.amf ? { amf: s.amf, sqn } : { sqn };
    if (s.algorithm === 'tuak')
      return { ...tuakKeys(s, (message, path) => ctx.addIssue({ code: 'custom', message, path })), ...extra };
    for (const f of ['topc', 'top', 'tuak'] as const)
      if (s[f] !== undefined)
        ctx.addIssue({ code: 'custom', message: `${f} belongs to algorithm tuak`, path: [f] });
    if (s.k.length !== 16)
      ctx.addIssue({ code: 'custom', message: `is ${s.k.length} bytes long, expected 16`, path: ['k'] });
    if ((s.opc === undefined) === (s.op === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of opc and op', path: s.opc ? ['op'] : [] });
    }
    let constants: MilenageConstants | undefined;
    if (s.constants) {
      constants = {
        r: s.constants.r as [number, number, number, number, number],
        c: s.constants.c as [Bytes, Bytes, Bytes, Bytes, Bytes],
      };
      const problem = constantsProblem(constants);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['constants'] });
    }
    const keys = s.opc
      ? { algorithm: 'milenage' as const, k: s.k, opc: s.opc, constants }
      : { algorithm: 'milenage' as const, k: s.k, op: s.op!, constants };
    return { ...keys, ...extra };
  });

// ---- ota ----

/** Block cipher of an OTA key (TS 102 225 §5.1.2): DES, 3DES with 2 or 3 keys (outer CBC), AES. */
export type OtaBlockAlg = 'des' | '3des2' | '3des3' | 'aes';
export interface OtaKeyProfile {
  alg: OtaBlockAlg;
  key: Bytes;
}
export interface OtaKeysetProfile {
  /** Key version number, the high nibble of KIc / KID. */
  kvn: number;
  kic?: OtaKeyProfile;
  kid?: OtaKeyProfile;
}
/** The OTA contexts: the MF, and every application whose package declares its ADF (TS 102 226 §6). */
const OTA_CONTEXTS = ['uicc', ...APPLET_PACKAGES.filter((p) => p.adfAid).map(applicationName)] as const;

export interface OtaTarProfile {
  /** TAR as a 24-bit number, e.g. 0xB00010. */
  tar: number;
  /**
   * Remote file management runs on the UICC file system (MF, `uicc`) or in the ADF of an application, named
   * by its package's name in lower case (`usim`, `isim`: every package of applets/registry.ts that declares
   * an ADF).
   */
  context: string;
  /** Minimum security level, coded like SPI byte 1 (TS 102 226 §8.2.1.3.2.4.1 / TS 102 225 §5.1.1). */
  msl: number;
  /** Keysets accepted for this TAR and the key references each one's commands are granted. */
  keysets: { kvn: number; grants: number[] }[];
}
export interface OtaProfile {
  keysets: OtaKeysetProfile[];
  tars: OtaTarProfile[];
  /** Initial replay counter (last accepted CNTR) per TAR, for TARs that give one. */
  counters: Map<number, number>;
}

const KEY_LENGTHS: Record<OtaBlockAlg, number[]> = {
  des: [8],
  '3des2': [16],
  '3des3': [24],
  aes: [16, 24, 32],
};

const otaKey = z
  .strictObject({ algorithm: oneOf(['des', '3des2', '3des3', 'aes']), key: hexBytes(8, 32) })
  .transform((k, ctx): OtaKeyProfile => {
    const ok = KEY_LENGTHS[k.algorithm];
    if (!ok.includes(k.key.length)) {
      ctx.addIssue({
        code: 'custom',
        path: ['key'],
        message: `a ${k.algorithm} key is ${ok.join(', ')} bytes long, not ${k.key.length}`,
      });
    }
    return { alg: k.algorithm, key: k.key };
  });

/** SPI byte 1 coding (TS 102 225 §5.1.1): b2b1 RC/CC/DS, b3 ciphering, b5b4 counter mode; b8..b6 = 0. */
const MSL_CHECK = { none: 0, rc: 1, cc: 2, ds: 3 } as const;
const MSL_COUNTER = { none: 0, available: 1, higher: 2, 'one-higher': 3 } as const;

const mslByte = hexNumber(2, 0, 0x1f);
const mslObject = z
  .strictObject({
    check: oneOf(Object.keys(MSL_CHECK) as (keyof typeof MSL_CHECK)[]),
    cipher: bool.optional(),
    counter: oneOf(Object.keys(MSL_COUNTER) as (keyof typeof MSL_COUNTER)[]).optional(),
  })
  .transform((m) => MSL_CHECK[m.check] | (m.cipher ? 0x04 : 0) | (MSL_COUNTER[m.counter ?? 'none'] << 3));

export const otaSchema = z
  .strictObject({
    keysets: list(
      z.strictObject({ kvn: hexNumber(1, 0, 15), kic: otaKey.optional(), kid: otaKey.optional() }),
    ),
    tars: list(
      z.strictObject({
        tar: hexBytes(3, 3),
        context: oneOf(OTA_CONTEXTS),
        msl: mapOrScalar(mslObject, mslByte),
        keysets: list(z.strictObject({ kvn: hexNumber(1, 0, 15), grants: list(keyRefValue).optional() })),
        counter: decimal(0, 2 ** 40 - 1).optional(),
      }),
    ),
  })
  .transform((o, ctx): OtaProfile => {
    const kvns = new Set<number>();
    o.keysets.forEach((k, i) => {
      if (kvns.has(k.kvn))
        ctx.addIssue({
          code: 'custom',
          message: `keyset ${k.kvn} is defined twice`,
          path: ['keysets', i, 'kvn'],
        });
      if (!k.kic && !k.kid)
        ctx.addIssue({ code: 'custom', message: 'a keyset needs kic, kid or both', path: ['keysets', i] });
      kvns.add(k.kvn);
    });
    const tars = new Set<number>();
    const counters = new Map<number, number>();
    const out: OtaTarProfile[] = o.tars.map((t, i) => {
      const tar = (t.tar[0]! << 16) | (t.tar[1]! << 8) | t.tar[2]!;
      if (tars.has(tar))
        ctx.addIssue({ code: 'custom', message: 'this TAR is given twice', path: ['tars', i, 'tar'] });
      tars.add(tar);
      t.keysets.forEach((k, j) => {
        if (!kvns.has(k.kvn)) {
          ctx.addIssue({
            code: 'custom',
            message: `there is no keyset ${k.kvn}`,
            path: ['tars', i, 'keysets', j, 'kvn'],
          });
        }
      });
      if (t.counter !== undefined) counters.set(tar, t.counter);
      return {
        tar,
        context: t.context,
        msl: t.msl,
        keysets: t.keysets.map((k) => ({ kvn: k.kvn, grants: k.grants ?? [] })),
      };
    });
    const keysets = o.keysets.map((k) => {
      const ks: OtaKeysetProfile = { kvn: k.kvn };
      if (k.kic) ks.kic = k.kic;
      if (k.kid) ks.kid = k.kid;
      return ks;
    });
    return { keysets, tars: out, counters };
  });

// ---- securityDomain ----

export type SecurityDomainProfile = SecurityDomainSection;

const onCurve = (b: Bytes) => nodeP256.isValidPublicKey(b);

export const securityDomainSchema = z
  .strictObject({
    aid: hexBytes(5, 16),
    kvn: hexNumber(2, 1, 0x7f),
    keyPair: z.strictObject({ private: hexBytes(32, 32), public: hexBytes(65, 65) }),
    certificate: hexBytes(1),
    caPublicKey: hexBytes(65, 65),
    caKeyId: hexBytes(1, 32).optional(),
    caKid: hexNumber(2, 1, 0x7f).optional(),
    caKvn: hexNumber(2, 1, 0x7f).optional(),
    scp11b: bool.optional(),
  })
  .transform((s, ctx): SecurityDomainProfile => {
    const bad = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', message, path });
    // OpenSSL derives Q = d.G in well under a millisecond, with no precomputed tables to build first.
    const q = nodeP256.publicKeyOf(s.keyPair.private);
    if (!q) bad(['keyPair', 'private'], 'is not a valid P-256 private key');
    else if (!equal(q, s.keyPair.public)) {
      bad(['keyPair', 'public'], 'does not belong to the private key');
    }
    if (!onCurve(s.keyPair.public)) bad(['keyPair', 'public'], 'is not an uncompressed P-256 point');
    if (!onCurve(s.caPublicKey)) bad(['caPublicKey'], 'is not an uncompressed P-256 point');
    const certs = splitCertificates(s.certificate);
    if (typeof certs === 'string') bad(['certificate'], certs);
    else {
      // A GP leaf certificate carries PK.SD.ECKA (7F49 / B0): it must be this key pair's.
      const leaf = parseGpCertificate(certs[certs.length - 1]!);
      if (!('sw' in leaf) && !equal(leaf.cert.publicKey, s.keyPair.public))
        bad(['certificate'], 'the last certificate does not carry keyPair.public');
    }
    const out: SecurityDomainProfile = {
      aid: s.aid,
      kvn: s.kvn,
      privateKey: s.keyPair.private,
      publicKey: s.keyPair.public,
      certificate: s.certificate,
      caPublicKey: s.caPublicKey,
      caKid: s.caKid ?? OCE_CA_KID,
      caKvn: s.caKvn ?? s.kvn,
      scp11b: s.scp11b ?? true,
    };
    if (s.caKeyId) out.caKeyId = s.caKeyId;
    return out;
  });

// ---- keySlots ----

export type KeySlotProfile = KeySlotSection;
export type KeySlotsProfile = KeySlotsSection;

const kikBytes = hexBytes(16, 32).refine(
  (b) => [16, 24, 32].includes(b.length),
  'an AES key is 16, 24 or 32 bytes',
);
const otaKeysetSchema = z.strictObject({
  kvn: hexNumber(1, 0, 15),
  kic: otaKey.optional(),
  kid: otaKey.optional(),
});

const keySlotSchema = z
  .strictObject({
    algorithm: oneOf(['milenage', 'tuak']).optional(),
    k: hexBytes(16, 32).optional(),
    opc: key16.optional(),
    op: key16.optional(),
    topc: key32.optional(),
    top: key32.optional(),
    tuak: tuakSchema.optional(),
    ota: list(otaKeysetSchema).optional(),
    kik: kikBytes.optional(),
    master: hexBytes(16, 64).optional(),
  })
  .transform((s, ctx): KeySlotProfile => {
    const bad = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', message, path });
    if (s.master) {
      for (const k of ['algorithm', 'k', 'opc', 'op', 'topc', 'top', 'tuak', 'ota', 'kik'] as const)
        if (s[k] !== undefined) bad([k], 'a slot with a master secret derives its keys: give master alone');
      return { mode: 'derive', master: s.master };
    }
    const tuak = s.algorithm === 'tuak';
    if (!s.k) bad([], tuak ? 'give k with topc or top, or master' : 'give k with opc or op, or master');
    if (!tuak) {
      if ((s.opc === undefined) === (s.op === undefined)) bad([], 'give exactly one of opc and op');
      for (const f of ['topc', 'top', 'tuak'] as const)
        if (s[f] !== undefined) bad([f], `${f} belongs to algorithm tuak`);
      if (s.k && s.k.length !== 16) bad(['k'], `is ${s.k.length} bytes long, expected 16`);
    }
    if (!s.ota?.length) bad(['ota'], 'a slot needs the OTA keyset(s) of its subscription');
    const kvns = new Set<number>();
    (s.ota ?? []).forEach((k, i) => {
      if (kvns.has(k.kvn)) bad(['ota', i, 'kvn'], `keyset ${k.kvn} is given twice`);
      if (!k.kic && !k.kid) bad(['ota', i], 'a keyset needs kic, kid or both');
      kvns.add(k.kvn);
    });
    const k = s.k ?? new Uint8Array(16);
    const subscriber: SubscriberKeys = tuak
      ? tuakKeys(s, (message, path) => bad(path, message))
      : s.op
        ? { algorithm: 'milenage', k, op: s.op }
        : { algorithm: 'milenage', k, opc: s.opc ?? new Uint8Array(16) };
    const ota = (s.ota ?? []).map((o) => {
      const ks: OtaKeysetProfile = { kvn: o.kvn };
      if (o.kic) ks.kic = o.kic;
      if (o.kid) ks.kid = o.kid;
      return ks;
    });
    return s.kik ? { mode: 'keys', subscriber, ota, kik: s.kik } : { mode: 'keys', subscriber, ota };
  });

export const keySlotsSchema = z
  .strictObject({
    aid: hexBytes(5, 16).optional(),
    admin: keyRefValue.optional(),
    deriveKvn: hexNumber(1, 0, 15).optional(),
    kik: kikBytes.optional(),
    slots: list(keySlotSchema).optional(),
  })
  .transform((s): KeySlotsProfile => {
    const out: KeySlotsProfile = {
      admin: s.admin ?? 0x0a,
      deriveKvn: s.deriveKvn ?? 1,
      slots: s.slots ?? [],
    };
    if (s.aid) out.aid = s.aid;
    if (s.kik) out.kik = s.kik;
    return out;
  });

// ---- the applet sections of a profile ----

/**
 * Each applet package's profile section (applets/registry.ts names the section a package reads): the
 * profile schema and the compiled profile take these keys, optional, with these schemas.
 */
export const APPLET_SECTIONS = {
  subscriber: subscriberSchema,
  ota: otaSchema,
  securityDomain: securityDomainSchema,
  keySlots: keySlotsSchema,
  /** ISIM (TS 31.103) AKA keys, coded like `subscriber`. */
  isim: subscriberSchema,
} as const;

export type AppletSections = { [K in keyof typeof APPLET_SECTIONS]?: z.output<(typeof APPLET_SECTIONS)[K]> };
