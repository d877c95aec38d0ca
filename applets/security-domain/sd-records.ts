// The security domain's keys as NVM records, written at personalisation and read by the applet:
//
//   secret/sd/ecka   the SD's ECKA key sets (GPC v2.3 Amd F: SK.SD.ECKA, KID 11 for SCP11a, 13 for SCP11b):
//                    A0 { 83 KID KVN | 81 SK.SD.ECKA (32) | 82 PK.SD.ECKA (65) | BF21 { CERT.SD.ECKA chain } }...
//   sd/oce-ca        the trusted OCE CA keys PK.CA-KLOC.ECDSA (public, referenced by PSO P1/P2):
//                    A1 { 83 KID KVN | B0 public point (65) | [42 key identifier] }...
//
// The private keys live under "secret/", which no command reads. Decoding never throws: a malformed record
// decodes to undefined and the applet answers as a card without keys.

import { type Bytes, concat } from '../../card-os/bytes.js';
import { ber, findTag, parseBer } from '../../card-os/tlv.js';
import type { OceCaKey, SdKey } from './scp11-card.js';

export const SD_ECKA_RECORD = 'secret/sd/ecka';
export const SD_OCE_CA_RECORD = 'sd/oce-ca';

const TAG = {
  SD_KEY: 0xa0,
  OCE_CA: 0xa1,
  KEY_REF: 0x83,
  PRIVATE: 0x81,
  PUBLIC: 0x82,
  CERTIFICATES: 0xbf21,
  CA_POINT: 0xb0,
  CA_KEY_ID: 0x42,
} as const;

const ref = (kid: number, kvn: number) => ber(TAG.KEY_REF, Uint8Array.of(kid, kvn));

export function encodeSdKeys(keys: readonly SdKey[]): Bytes {
  return concat(
    ...keys.map((k) =>
      ber(
        TAG.SD_KEY,
        ref(k.kid, k.kvn),
        ber(TAG.PRIVATE, k.keyPair.d),
        ber(TAG.PUBLIC, k.keyPair.q),
        ber(TAG.CERTIFICATES, ...k.certificates),
      ),
    ),
  );
}

export function decodeSdKeys(b: Bytes): SdKey[] | undefined {
  const entries = parseBer(b);
  if (!entries) return undefined;
  const out: SdKey[] = [];
  for (const e of entries) {
    const items = e.tag === TAG.SD_KEY ? parseBer(e.value) : undefined;
    const r = findTag(items, TAG.KEY_REF);
    const d = findTag(items, TAG.PRIVATE);
    const q = findTag(items, TAG.PUBLIC);
    const certs = findTag(items, TAG.CERTIFICATES);
    const chain = certs && parseBer(certs);
    if (r?.length !== 2 || d?.length !== 32 || q?.length !== 65 || !chain) return undefined;
    out.push({
      kid: r[0]!,
      kvn: r[1]!,
      keyPair: { d, q },
      certificates: chain.map((c) => certs!.subarray(c.offset, c.offset + c.length)),
    });
  }
  return out;
}

export function encodeOceCas(cas: readonly OceCaKey[]): Bytes {
  return concat(
    ...cas.map((c) =>
      ber(
        TAG.OCE_CA,
        ref(c.kid, c.kvn),
        ber(TAG.CA_POINT, c.publicKey),
        c.keyId ? ber(TAG.CA_KEY_ID, c.keyId) : new Uint8Array(0),
      ),
    ),
  );
}

export function decodeOceCas(b: Bytes): OceCaKey[] | undefined {
  const entries = parseBer(b);
  if (!entries) return undefined;
  const out: OceCaKey[] = [];
  for (const e of entries) {
    const items = e.tag === TAG.OCE_CA ? parseBer(e.value) : undefined;
    const r = findTag(items, TAG.KEY_REF);
    const q = findTag(items, TAG.CA_POINT);
    const keyId = findTag(items, TAG.CA_KEY_ID);
    if (r?.length !== 2 || q?.length !== 65) return undefined;
    out.push({ kid: r[0]!, kvn: r[1]!, publicKey: q, ...(keyId ? { keyId } : {}) });
  }
  return out;
}
