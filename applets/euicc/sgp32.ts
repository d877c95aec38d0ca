// The ES10b functions GSMA SGP.32 (eSIM IoT, v1.2) adds to the ISD-R for the IPA: GetCerts (§5.9.10),
// GetEimConfigurationData (§5.9.18) and AddInitialEim (§5.9.4). They reuse the SGP.22 pieces: the eUICC's
// test certificates (the notification signer) and the eUICC's own NVM. The eIM configuration is stored as
// the DER of its EimConfigurationData SEQUENCEs (§2.11.1.1.1), one after another, under EUICC_EIMS.

import { type Bytes, concat, equal } from '../../card-os/bytes.js';
import type { Nvm } from '../../card-os/nvm.js';
import { ber, type Tlv } from '../../card-os/tlv.js';
import { child, children, derUint, records, UNDEFINED_ERROR, whole } from './der.js';
import type { Es10Env } from './es10.js';

export const EUICC_EIMS = 'euicc/eims';
/** The last association token the eUICC handed out (SGP.32 §5.9.4). */
export const EUICC_EIM_TOKEN = 'euicc/eim-token';

/** EimConfigurationData fields (SGP.32 §2.11.1.1.1, AUTOMATIC TAGS). */
export const EIM = {
  ID: 0x80,
  FQDN: 0x81,
  ID_TYPE: 0x82,
  COUNTER: 0x83,
  TOKEN: 0x84,
  PUBLIC_KEY: 0xa5,
  TLS_KEY: 0xa6,
  PROTOCOL: 0x87,
  CI_PKID: 0x88,
  INDIRECT_DOWNLOAD: 0x89,
} as const;

/** How many eIMs this eUICC keeps: a bound on NVM use (SGP.32 §5.9.4 insufficientMemory). */
export const MAX_EIMS = 8;
const MAX_EIM_DATA = 4096;

// ---- ES10b.GetCerts (SGP.32 §5.9.10) ----

const INVALID_CI_PKID = 1;

/** A Certificate SEQUENCE re-tagged IMPLICIT [n] (constructed context tag): `30 L V` -> `An L V`. */
function implicitCert(tag: number, der: Bytes): Bytes | undefined {
  const t = whole(der);
  return t?.tag === 0x30 ? ber(tag, t.value) : undefined;
}

export function getCerts(req: Tlv[], env: Es10Env): Bytes {
  const fail = (code: number) => ber(0xbf56, ber(0x81, derUint(code)));
  // GetCertsRequest holds at most euiccCiPKId: [0] under the module's AUTOMATIC TAGS (80), or the
  // universal OCTET STRING (04) as SGP.32's table and pySim's encoder write it.
  if (req.length > 1) return fail(UNDEFINED_ERROR);
  const id = req[0];
  if (id && id.tag !== 0x04 && id.tag !== 0x80) return fail(UNDEFINED_ERROR);
  if (id && !env.config.info.ciPkIds.some((k) => equal(k, id.value))) return fail(INVALID_CI_PKID);
  const s = env.config.signer;
  // One certificate chain: the eUICC signs for the CI keys of EUICCInfo1's euiccCiPKIdListForSigning.
  const eum = s && implicitCert(0xa5, s.eumCertificate);
  const euicc = s && implicitCert(0xa6, s.euiccCertificate);
  if (!eum || !euicc) return fail(UNDEFINED_ERROR);
  return ber(0xbf56, ber(0xa0, eum, euicc));
}

// ---- eIM configuration (SGP.32 §2.11.1.1.1) ----

/** The stored EimConfigurationData SEQUENCEs, each with its fields. */
export function readEims(nvm: Nvm): { tlv: Bytes; fields: Tlv[]; eimId: Bytes }[] {
  const out: { tlv: Bytes; fields: Tlv[]; eimId: Bytes }[] = [];
  for (const t of records(nvm.get(EUICC_EIMS))) {
    const fields = children(t.value) ?? [];
    out.push({ tlv: ber(0x30, t.value), fields, eimId: child(fields, EIM.ID)?.value ?? new Uint8Array(0) });
  }
  return out;
}

// ---- ES10b.GetEimConfigurationData (SGP.32 §5.9.18) ----

export function getEimConfigurationData(req: Tlv[], env: Es10Env): Bytes {
  let list = readEims(env.nvm);
  // searchCriteria [0] CHOICE { eimId [0] }: `A0 { 80 eimId }`. The response has no error form: a
  // criterion we cannot read, like an unknown eimId, matches nothing.
  const crit = child(req, 0xa0);
  if (crit) {
    const c = children(crit.value);
    const id = c?.length === 1 && c[0]!.tag === EIM.ID ? c[0]!.value : undefined;
    list = id ? list.filter((e) => equal(e.eimId, id)) : [];
  }
  return ber(0xbf55, ber(0xa0, ...list.map((e) => e.tlv)));
}

// ---- ES10b.AddInitialEim (SGP.32 §5.9.4) ----

export const ADD_EIM_ERROR = {
  insufficientMemory: 1,
  associatedEimAlreadyExists: 2,
  ciPKUnknown: 3,
  invalidAssociationToken: 5,
  counterValueOutOfRange: 6,
  commandError: 7,
} as const;

/** The reason an EimConfigurationData cannot be taken, or undefined when it can (SGP.32 §2.11.1.1.1). */
export function eimConfigProblem(fields: Tlv[], ciPkIds: Bytes[]): number | undefined {
  const tags = fields.map((f) => f.tag);
  if (new Set(tags).size !== tags.length) return ADD_EIM_ERROR.commandError;
  const id = child(fields, EIM.ID)?.value;
  // eimId UTF8String (SIZE(1..128)).
  if (!id || id.length < 1 || id.length > 128) return ADD_EIM_ERROR.commandError;
  const type = child(fields, EIM.ID_TYPE)?.value;
  if (type && (type.length !== 1 || type[0]! < 1 || type[0]! > 3)) return ADD_EIM_ERROR.commandError;
  const counter = child(fields, EIM.COUNTER)?.value;
  // counterValue: a non-negative INTEGER the eUICC can count up from (at most 31 bits here).
  if (counter && (counter.length === 0 || counter.length > 4 || counter[0]! & 0x80))
    return ADD_EIM_ERROR.counterValueOutOfRange;
  const token = child(fields, EIM.TOKEN)?.value;
  if (token && (token.length === 0 || token.length > 4)) return ADD_EIM_ERROR.invalidAssociationToken;
  const ci = child(fields, EIM.CI_PKID)?.value;
  if (ci && !ciPkIds.some((k) => equal(k, ci))) return ADD_EIM_ERROR.ciPKUnknown;
  const proto = child(fields, EIM.PROTOCOL)?.value;
  if (proto && (proto.length < 1 || proto[0]! > 7)) return ADD_EIM_ERROR.commandError;
  return undefined;
}

export function addInitialEim(req: Tlv[], env: Es10Env): Bytes {
  const fail = (code: number) => ber(0xbf57, ber(0x81, derUint(code)));
  // eimConfigurationDataList [0] SEQUENCE OF EimConfigurationData.
  const listT = req.length === 1 && req[0]!.tag === 0xa0 ? req[0] : undefined;
  const entries = listT && children(listT.value);
  if (!entries || entries.length === 0 || entries.some((e) => e.tag !== 0x30))
    return fail(ADD_EIM_ERROR.commandError);
  // §5.9.4: only the initial eIM is added this way; once one is configured, the eIM adds others (eCO).
  if (readEims(env.nvm).length > 0) return fail(ADD_EIM_ERROR.associatedEimAlreadyExists);
  const parsed: Tlv[][] = [];
  const ids = new Set<string>();
  for (const e of entries) {
    const fields = children(e.value);
    if (!fields) return fail(ADD_EIM_ERROR.commandError);
    const problem = eimConfigProblem(fields, env.config.info.ciPkIds);
    if (problem !== undefined) return fail(problem);
    const id = new TextDecoder().decode(child(fields, EIM.ID)!.value);
    if (ids.has(id)) return fail(ADD_EIM_ERROR.commandError);
    ids.add(id);
    parsed.push(fields);
  }
  if (entries.length > MAX_EIMS || listT.value.length > MAX_EIM_DATA)
    return fail(ADD_EIM_ERROR.insufficientMemory);
  // An associationToken in the request asks the eUICC for one (§5.9.4): it assigns the next number and
  // returns it; an entry without one answers addOk (NULL).
  let token = uintOf(env.nvm.get(EUICC_EIM_TOKEN));
  const results: Bytes[] = [];
  const stored: Bytes[] = [];
  for (const fields of parsed) {
    if (child(fields, EIM.TOKEN)) {
      token += 1;
      const t = derUint(token);
      stored.push(ber(0x30, ...fields.map((f) => ber(f.tag, f.tag === EIM.TOKEN ? t : f.value))));
      results.push(ber(0x84, t));
    } else {
      stored.push(ber(0x30, ...fields.map((f) => ber(f.tag, f.value))));
      results.push(Uint8Array.of(0x05, 0x00));
    }
  }
  env.nvm.transaction(() => {
    env.nvm.set(EUICC_EIMS, concat(...stored));
    if (results.some((r) => r[0] === 0x84)) env.nvm.set(EUICC_EIM_TOKEN, derUint(token));
  });
  return ber(0xbf57, ber(0xa0, ...results));
}

function uintOf(b: Bytes | undefined): number {
  let n = 0;
  for (const x of b ?? []) n = n * 256 + x;
  return n;
}
