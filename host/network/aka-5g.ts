// 5G AKA key derivation on the network side (TS 33.501 §6.1.3.2, Annex A) from a 3G vector: what the
// AUSF/SEAF derive from CK, IK, RAND, RES and SQN ⊕ AK, shown by `uicc auth --5g`.
//
// KDF (TS 33.220 Annex B.2.2): HMAC-SHA-256(key, FC ‖ P0 ‖ L0 ‖ P1 ‖ L1 ‖ ...), Li = length of Pi, 2 bytes.
//   KAUSF  (A.2): FC 6A, key CK ‖ IK, P0 = serving network name, P1 = SQN ⊕ AK
//   RES*   (A.4): FC 6B, key CK ‖ IK, P0 = SNN, P1 = RAND, P2 = RES; the 128 least significant bits
//   HXRES* (A.5): the 128 least significant bits of SHA-256(RAND ‖ XRES*)
//   KSEAF  (A.6): FC 6C, key KAUSF, P0 = SNN
//   KAMF   (A.7): FC 6D, key KSEAF, P0 = SUPI (IMSI digits), P1 = ABBA
// Serving network name (TS 24.501 §9.12.1, TS 33.501 §6.1.1.4): "5G:mnc<MNC>.mcc<MCC>.3gppnetwork.org"
// with the MNC on three digits (a 2-digit MNC gets a leading 0).

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { type Bytes, concat } from '../../card-os/bytes.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** TS 33.220 Annex B.2.2 key derivation function. */
export function kdf(key: Bytes, fc: number, ...params: Bytes[]): Bytes {
  const parts: Bytes[] = [Uint8Array.of(fc)];
  for (const p of params) parts.push(p, Uint8Array.of(p.length >> 8, p.length & 0xff));
  return hmac(sha256, key, concat(...parts));
}

export function servingNetworkName(mcc: string, mnc: string): string {
  if (!/^\d{3}$/.test(mcc) || !/^\d{2,3}$/.test(mnc)) throw new Error(`bad PLMN ${mcc}/${mnc}`);
  return `5G:mnc${mnc.padStart(3, '0')}.mcc${mcc}.3gppnetwork.org`;
}

export interface Keys5g {
  snn: string;
  kausf: Bytes;
  /** RES* on the UE side, XRES* on the network side: the same derivation. */
  resStar: Bytes;
  hxresStar: Bytes;
  kseaf: Bytes;
  /** Only when a SUPI is given. */
  kamf?: Bytes;
}

export interface Aka5gInput {
  ck: Bytes;
  ik: Bytes;
  rand: Bytes;
  res: Bytes;
  /** SQN ⊕ AK, the first 6 bytes of AUTN. */
  sqnXorAk: Bytes;
  snn: string;
  /** IMSI digits for KAMF. */
  supi?: string;
  /** Anti-bidding-down between architectures (TS 33.501 §6.7.2); default 0000. */
  abba?: Bytes;
}

export function derive5gKeys(i: Aka5gInput): Keys5g {
  const ckik = concat(i.ck, i.ik);
  const snn = utf8(i.snn);
  const kausf = kdf(ckik, 0x6a, snn, i.sqnXorAk);
  const resStar = kdf(ckik, 0x6b, snn, i.rand, i.res).slice(16);
  const hxresStar = sha256(concat(i.rand, resStar)).slice(16);
  const kseaf = kdf(kausf, 0x6c, snn);
  const out: Keys5g = { snn: i.snn, kausf, resStar, hxresStar, kseaf };
  if (i.supi) out.kamf = kdf(kseaf, 0x6d, utf8(i.supi), i.abba ?? new Uint8Array(2));
  return out;
}
