// The OTA side of a profile package: the security domain's SCP80 keysets (PE-SecurityDomain keyList) and the
// remote file management instances (PE-RFM: TARs, minimum security level, access domains) read into the OTA
// record format (applets/subscriptions/ota-records.ts), so the OTA applet of a downloaded profile answers RFM
// over SMS-PP (TS 102 225, TS 102 226) as it does for our YAML profiles.

import type { Bytes } from '../../../card-os/bytes.js';
import type { Tlv } from '../../../card-os/tlv.js';
import type { OtaKey, OtaKeyset, TarConfig } from '../../subscriptions/ota-records.js';
import { child, children, uint } from '../der.js';

export type Read<T> = { ok: true; value: T } | { ok: false; message: string };
const bad = (message: string): { ok: false; message: string } => ({ ok: false, message });

/**
 * The SCP80 keysets of a PE-SecurityDomain keyList: per key version number, key identifier 1 (ENC) is KIc
 * and 2 (MAC) is KID (GlobalPlatform's key identifiers of a keyset; 3, the DEK, has no SMS-PP use). Key type
 * 80 is DES (8 bytes DES, 16 two-key 3DES, 24 three-key 3DES), 88 AES.
 */
export function readSdKeysets(fields: Tlv[]): Read<OtaKeyset[]> {
  const list = child(fields, 0xa2);
  if (!list) return { ok: true, value: [] };
  const objects = children(list.value);
  if (!objects) return bad('securityDomain: malformed keyList');
  const byKvn = new Map<number, OtaKeyset>();
  for (const o of objects) {
    const f = o.tag === 0x30 ? children(o.value) : undefined;
    const id = uint(f && child(f, 0x82)?.value);
    const kvn = uint(f && child(f, 0x83)?.value);
    const comps = f && child(f, 0x30);
    const first = comps && children(comps.value)?.[0];
    const cf = first?.tag === 0x30 ? children(first.value) : undefined;
    const type = cf && child(cf, 0x80)?.value;
    const data = cf && child(cf, 0x86)?.value;
    if (id === undefined || kvn === undefined || !type || type.length !== 1 || !data)
      return bad('securityDomain: a key object lacks its identifier, version, type or data');
    if (kvn < 1 || kvn > 15 || (id !== 1 && id !== 2)) continue;
    const key = otaKey(type[0]!, data);
    if (!key) continue;
    const set = byKvn.get(kvn) ?? { kvn };
    if (id === 1) set.kic = key;
    else set.kid = key;
    byKvn.set(kvn, set);
  }
  return { ok: true, value: [...byKvn.values()] };
}

function otaKey(type: number, key: Bytes): OtaKey | undefined {
  if (type === 0x88 && (key.length === 16 || key.length === 24 || key.length === 32))
    return { alg: 'aes', key: key.slice() };
  if (type !== 0x80) return undefined;
  const alg = ({ 8: 'des', 16: '3des2', 24: '3des3' } as const)[key.length as 8 | 16 | 24];
  return alg && { alg, key: key.slice() };
}

export interface RfmInstance {
  tars: number[];
  msl: number;
  /** The ADF the commands start in (adfRFMAccess), else the MF. */
  adfAid?: Bytes;
  /** The access domain that applies (the ADF's, else the UICC's access domain parameter, TS 102 226). */
  accessDomain: Bytes;
}

/**
 * PE-RFM `{A0 header, 4F instanceAID, 4F securityDomainAID?, A0 tarList {04 TAR…}?, 81 MSL, 04 uiccAccessDomain,
 * 04 uiccAdminAccessDomain, 30 adfRFMAccess {80 AID, 81 access, 82 admin}?}`.
 */
export function readRfm(fields: Tlv[]): Read<RfmInstance> {
  const rest = fields.slice(1);
  const tarList = rest.find((t) => t.tag === 0xa0);
  const tarItems = tarList ? children(tarList.value) : [];
  if (!tarItems || tarItems.some((t) => t.tag !== 0x04 || t.value.length !== 3))
    return bad('rfm: malformed tarList');
  const msl = uint(child(rest, 0x81)?.value);
  const domains = rest.filter((t) => t.tag === 0x04);
  if (msl === undefined || msl > 0xff || domains.length !== 2)
    return bad('rfm: no minimumSecurityLevel or access domains');
  const r: RfmInstance = {
    tars: tarItems.map((t) => (t.value[0]! << 16) | (t.value[1]! << 8) | t.value[2]!),
    msl,
    accessDomain: domains[0]!.value,
  };
  const adf = child(rest, 0x30);
  if (adf) {
    const a = children(adf.value);
    const aid = a && child(a, 0x80)?.value;
    const access = a && child(a, 0x81)?.value;
    if (!aid || aid.length < 5 || aid.length > 16 || !access) return bad('rfm: malformed adfRFMAccess');
    r.adfAid = aid.slice();
    r.accessDomain = access;
  }
  return { ok: true, value: r };
}

/**
 * The key references an access domain parameter grants (TS 102 226): '00' full access (every key of the
 * profile), 'FF' no access; other codings are not interpreted (undefined).
 */
export function accessDomainGrants(domain: Bytes, keyRefs: readonly number[]): number[] | undefined {
  if (domain.length === 1 && domain[0] === 0x00) return [...keyRefs];
  if (domain.length === 1 && domain[0] === 0xff) return [];
  return undefined;
}

/** TAR entries for an RFM instance: every keyset of the security domain is accepted with the instance's grants. */
export function tarConfigs(
  r: RfmInstance,
  context: string,
  keysets: readonly OtaKeyset[],
  grants: number[],
): TarConfig[] {
  return r.tars.map((tar) => ({
    tar,
    context,
    msl: r.msl,
    keysets: keysets.map((k) => ({ kvn: k.kvn, grants })),
  }));
}
