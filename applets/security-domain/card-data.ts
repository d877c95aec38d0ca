// The data objects a security domain hands out without authentication (GPC v2.3.1 §11.3, §11.9.3, Annex H):
//
//   66  Card Data { 73 Card Recognition Data }                      GET DATA 0066, Annex H.2
//   6F  FCI { 84 AID | A5 { 73 SD Management Data | 9F65 max Lc } }  SELECT answer, §11.9.3.1 (Annex H.3)
//   E0  Key Information Template { C0 KID KVN (type length)... }     GET DATA 00E0, §11.3.3.1
//
// Card Recognition Data and SD Management Data share one structure: OIDs under {globalPlatform} =
// 1.2.840.114283 (2A 86 48 86 FC 6B):
//   06 {globalPlatform 1}                 the data is GP card recognition data
//   60 { 06 {globalPlatform 2 v} }        card management type and version: GPC v2.3.1 (v = 2 3 1)
//   63 { 06 {globalPlatform 3} }          card identification scheme
//   64 { 06 {globalPlatform 4 scp i} }    one per secure channel protocol offered: SCP11 (scp = 11) with the
//                                         `i` of its tag 90 (GPC v2.3 Amd F: 01 = SCP11a, 00 = SCP11b)

import { type Bytes, concat } from '../../card-os/bytes.js';
import { ber } from '../../card-os/tlv.js';
import type { OceCaKey, SdKey } from './scp11-card.js';
import { SCP11_I, SCP11_KID } from './scp11-keys.js';

const GP_OID = [0x2a, 0x86, 0x48, 0x86, 0xfc, 0x6b];
const oid = (...arcs: number[]) => ber(0x06, Uint8Array.from([...GP_OID, ...arcs]));

/** Key type coding, GPC v2.3.1 Table 11-16: ECC public key, ECC private key, ECC key parameters reference. */
const KEY_TYPE = { EC_PUBLIC: 0xb0, EC_PRIVATE: 0xb1, EC_PARAMETERS: 0xf0 } as const;
const P256_PRIVATE_LEN = 32;
const P256_POINT_LEN = 65;
/** The key parameter reference (the curve, GPC v2.3 Amd F key parameter reference) is one byte. */
const PARAMETER_REF_LEN = 1;
/** Largest command data field this SD takes in one short APDU. */
const MAX_COMMAND_DATA = 0xff;

/** The contents of tag 73, for the SCP11 variants the SD has keys for. */
function recognitionContents(sdKeys: readonly SdKey[]): Bytes {
  const scps: Bytes[] = [];
  if (sdKeys.some((k) => k.kid === SCP11_KID.A)) scps.push(ber(0x64, oid(4, 0x11, SCP11_I.A)));
  if (sdKeys.some((k) => k.kid === SCP11_KID.B)) scps.push(ber(0x64, oid(4, 0x11, SCP11_I.B)));
  return concat(oid(1), ber(0x60, oid(2, 2, 3, 1)), ber(0x63, oid(3)), ...scps);
}

/** GET DATA 0066: 66 { 73 { ... } } (Annex H.2). */
export function cardRecognitionData(sdKeys: readonly SdKey[]): Bytes {
  return ber(0x66, ber(0x73, recognitionContents(sdKeys)));
}

/** SELECT answer of a security domain (§11.9.3.1). */
export function securityDomainFci(aid: Bytes, sdKeys: readonly SdKey[]): Bytes {
  return ber(
    0x6f,
    ber(0x84, aid),
    ber(0xa5, ber(0x73, recognitionContents(sdKeys)), ber(0x9f65, Uint8Array.of(MAX_COMMAND_DATA))),
  );
}

/** GET DATA 00E0: the SD's private ECKA keys and the OCE CA public keys it trusts, with their curve. */
export function keyInformation(sdKeys: readonly SdKey[], oceCas: readonly OceCaKey[]): Bytes {
  const entry = (kid: number, kvn: number, type: number, len: number) =>
    ber(0xc0, Uint8Array.of(kid, kvn, type, len, KEY_TYPE.EC_PARAMETERS, PARAMETER_REF_LEN));
  return ber(
    0xe0,
    ...sdKeys.map((k) => entry(k.kid, k.kvn, KEY_TYPE.EC_PRIVATE, P256_PRIVATE_LEN)),
    ...oceCas.map((c) => entry(c.kid, c.kvn, KEY_TYPE.EC_PUBLIC, P256_POINT_LEN)),
  );
}
