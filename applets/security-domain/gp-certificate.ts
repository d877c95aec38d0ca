// GlobalPlatform certificates for SCP11 (GPC v2.3 Amd F §6.3, Table 6-12):
//
//   7F21 L { 93 CSN | 42 issuer (CA-KLOC / CA-KLCC) identifier | 5F20 subject identifier | 95 key usage
//            | [5F25 effective date] | 5F24 expiration date | [53 / 73 discretionary data]
//            | [BF20 SCP11c authorizations] | 7F49 { B0 04||X||Y, [F0 01 curve] } | 5F37 signature }
//
// The signature is ECDSA-SHA256 over the TLVs inside 7F21 that come before 5F37 (the 7F21 header excluded),
// DER or raw r||s. Shared by the card (PSO, OCE chain) and the host (the card's chain from GET DATA BF21).
//
// Status words (GPC v2.3 Amd F, as the SCP11 commands use them):
// - 6A80 the bytes are no valid certificate (malformed TLV, a mandatory field missing, a bad date or key,
//   an unsupported curve, BF20 in a CA certificate, where §1.5 says it must be absent);
// - 6A88 the certificate names an issuer (tag 42) the verifier does not hold: "referenced key not found";
// - 6600 the certificate does not verify: bad signature, wrong key usage for its place in the chain, not yet
//   effective or expired ("verification of the certificate failed");
// - 6640 the CSN of the first OCE certificate is not on the allow-list (checked by the card, scp11-card.ts).

import { type Bytes, equal, readUintBE } from '../../card-os/bytes.js';
import { findTag, parseBer, readBer } from '../../card-os/tlv.js';
import type { P256 } from './ec.js';

export const CERT_SW = {
  MALFORMED: 0x6a80,
  ISSUER_NOT_FOUND: 0x6a88,
  VERIFICATION_FAILED: 0x6600,
  NOT_ALLOWED: 0x6640,
} as const;

/** Key usage (tag 95), Amd F Table 6-12. */
export const KEY_USAGE = {
  KEY_AGREEMENT: 0x0080,
  SIGNATURE_VERIFICATION: 0x0082,
  ENCIPHERMENT: 0x0088,
} as const;

/** Curve reference 00 = P-256 (GPC v2.3.1 Table B-2), the only one this card implements. */
export const CURVE_P256 = 0x00;

export const TAG = {
  CERTIFICATE: 0x7f21,
  CSN: 0x93,
  ISSUER_ID: 0x42,
  SUBJECT_ID: 0x5f20,
  KEY_USAGE: 0x95,
  EFFECTIVE_DATE: 0x5f25,
  EXPIRATION_DATE: 0x5f24,
  DISCRETIONARY: 0x53,
  DISCRETIONARY_CONSTRUCTED: 0x73,
  AUTHORIZATIONS: 0xbf20,
  PUBLIC_KEY: 0x7f49,
  PUBLIC_POINT: 0xb0,
  CURVE: 0xf0,
  SIGNATURE: 0x5f37,
} as const;

export interface GpCertificate {
  serial: Bytes;
  /** Tag 42: identifier of the key that signed this certificate. */
  issuerId: Bytes;
  /** Tag 5F20: identifier of the key this certificate carries. */
  subjectId: Bytes;
  keyUsage: number;
  /** Dates as yyyymmdd integers (UTC calendar days). */
  effective?: number;
  expiration: number;
  discretionary?: Bytes;
  authorizations?: Bytes;
  /** 04||X||Y */
  publicKey: Bytes;
  curve: number;
  /** The signed bytes: every TLV inside 7F21 before 5F37. */
  tbs: Bytes;
  signature: Bytes;
  /** The whole 7F21 TLV. */
  encoded: Bytes;
}

export type CertResult<T> = T | { sw: number };

const MANDATORY = [
  TAG.CSN,
  TAG.ISSUER_ID,
  TAG.SUBJECT_ID,
  TAG.KEY_USAGE,
  TAG.EXPIRATION_DATE,
  TAG.PUBLIC_KEY,
];

export function parseGpCertificate(bytes: Bytes): CertResult<{ cert: GpCertificate }> {
  const malformed = { sw: CERT_SW.MALFORMED };
  const outer = readBer(bytes);
  if (!outer || outer.tag !== TAG.CERTIFICATE || outer.length !== bytes.length) return malformed;
  const valueStart = outer.length - outer.value.length;
  const tlvs = parseBer(bytes, valueStart, bytes.length);
  if (!tlvs || tlvs.length === 0) return malformed;
  const sigTlv = tlvs[tlvs.length - 1]!;
  if (sigTlv.tag !== TAG.SIGNATURE) return malformed;
  const body = tlvs.slice(0, -1);
  const seen = new Set<number>();
  for (const t of body) {
    if (seen.has(t.tag) || t.tag === TAG.SIGNATURE) return malformed;
    seen.add(t.tag);
  }
  if (MANDATORY.some((tag) => !seen.has(tag))) return malformed;

  const usage = findTag(body, TAG.KEY_USAGE)!;
  if (usage.length < 1 || usage.length > 2) return malformed;
  const keyUsage = readUintBE(usage);

  const expiration = decodeDate(findTag(body, TAG.EXPIRATION_DATE)!);
  const effectiveRaw = findTag(body, TAG.EFFECTIVE_DATE);
  const effective = effectiveRaw ? decodeDate(effectiveRaw) : undefined;
  if (expiration === undefined || (effectiveRaw && effective === undefined)) return malformed;

  const pk = parseBer(findTag(body, TAG.PUBLIC_KEY)!);
  const point = findTag(pk, TAG.PUBLIC_POINT);
  const curveRef = findTag(pk, TAG.CURVE);
  if (point?.length !== 65 || point[0] !== 0x04) return malformed;
  if (curveRef && (curveRef.length !== 1 || curveRef[0] !== CURVE_P256)) return malformed;

  const authorizations = findTag(body, TAG.AUTHORIZATIONS);
  if (authorizations && keyUsage === KEY_USAGE.SIGNATURE_VERIFICATION) return malformed;

  const cert: GpCertificate = {
    serial: findTag(body, TAG.CSN)!,
    issuerId: findTag(body, TAG.ISSUER_ID)!,
    subjectId: findTag(body, TAG.SUBJECT_ID)!,
    keyUsage,
    expiration,
    publicKey: point,
    curve: CURVE_P256,
    tbs: bytes.subarray(valueStart, sigTlv.offset),
    signature: sigTlv.value,
    encoded: bytes,
  };
  if (effective !== undefined) cert.effective = effective;
  const discretionary = findTag(body, TAG.DISCRETIONARY) ?? findTag(body, TAG.DISCRETIONARY_CONSTRUCTED);
  if (discretionary) cert.discretionary = discretionary;
  if (authorizations) cert.authorizations = authorizations;
  return { cert };
}

/** The key a certificate is checked against: a trusted CA key, or the key of the previous certificate. */
export interface IssuerKey {
  publicKey: Bytes;
  /** When known, tag 42 of the certificate must equal it (else 6A88). */
  keyId?: Bytes;
}

export interface CertCheckOptions {
  ec: P256;
  now: Date;
}

/** Checks one parsed certificate against its issuer and the usage its place in the chain requires. */
export function checkGpCertificate(
  cert: GpCertificate,
  issuer: IssuerKey,
  expectedUsage: number,
  opts: CertCheckOptions,
): number {
  if (issuer.keyId && !equal(issuer.keyId, cert.issuerId)) return CERT_SW.ISSUER_NOT_FOUND;
  if (!opts.ec.verify(cert.tbs, cert.signature, issuer.publicKey)) return CERT_SW.VERIFICATION_FAILED;
  if (cert.keyUsage !== expectedUsage) return CERT_SW.VERIFICATION_FAILED;
  const today = dayOf(opts.now);
  if (cert.effective !== undefined && today < cert.effective) return CERT_SW.VERIFICATION_FAILED;
  if (today > cert.expiration) return CERT_SW.VERIFICATION_FAILED;
  // The point must be usable (ECKA or ECDSA) before anyone relies on it.
  if (!opts.ec.isValidPublicKey(cert.publicKey)) return CERT_SW.MALFORMED;
  return 0x9000;
}

/**
 * Verifies a chain, issuer-side first and the key-agreement certificate last (the order of GET DATA BF21 and
 * of the PSO sequence, GPC v2.3 Amd F): every certificate but the last must carry key usage 0082, the last
 * 0080.
 */
export function verifyGpChain(
  encoded: readonly Bytes[],
  anchor: IssuerKey,
  opts: CertCheckOptions,
): CertResult<{ leaf: GpCertificate }> {
  if (encoded.length === 0) return { sw: CERT_SW.MALFORMED };
  let issuer = anchor;
  let leaf: GpCertificate | undefined;
  for (let i = 0; i < encoded.length; i++) {
    const parsed = parseGpCertificate(encoded[i]!);
    if ('sw' in parsed) return parsed;
    const last = i === encoded.length - 1;
    const usage = last ? KEY_USAGE.KEY_AGREEMENT : KEY_USAGE.SIGNATURE_VERIFICATION;
    const sw = checkGpCertificate(parsed.cert, issuer, usage, opts);
    if (sw !== 0x9000) return { sw };
    issuer = { publicKey: parsed.cert.publicKey, keyId: parsed.cert.subjectId };
    leaf = parsed.cert;
  }
  return { leaf: leaf! };
}

/** yyyymmdd of a JS date in UTC, the scale certificate dates are compared on. */
export function dayOf(d: Date): number {
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/**
 * Decodes a 4-byte certificate date. Amd F (as AND reads it) codes YYYYMMDD in BCD; the OS test certificates
 * code each of century, year, month and day as one binary byte (`14 1C 0C 1F` = 2028-12-31). The two are told
 * apart by the first byte: BCD centuries 19..29 are 0x19..0x29, binary century 20 is 0x14.
 */
export function decodeDate(v: Bytes): number | undefined {
  if (v.length !== 4) return undefined;
  const bcd = (b: number) => (b >> 4 > 9 || (b & 0x0f) > 9 ? -1 : (b >> 4) * 10 + (b & 0x0f));
  const digits = Array.from(v, bcd);
  const isBcd = digits.every((x) => x >= 0) && digits[0]! >= 19 && digits[0]! <= 29;
  const [c, y, m, d] = isBcd ? digits : Array.from(v);
  if (y! > 99) return undefined;
  const year = c! * 100 + y!;
  if (m! < 1 || m! > 12 || d! < 1 || d! > new Date(Date.UTC(year, m!, 0)).getUTCDate()) return undefined;
  return year * 10000 + m! * 100 + d!;
}

/** BCD YYYYMMDD, the encoding the host PKI issues. */
export function encodeDate(yyyymmdd: number): Bytes {
  const s = String(yyyymmdd).padStart(8, '0');
  return Uint8Array.from([0, 2, 4, 6], (i) => Number.parseInt(s.substr(i, 2), 16));
}
