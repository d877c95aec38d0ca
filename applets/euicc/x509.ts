// The X.509 v3 certificates of the RSP PKI (SGP.22 §4.5.2.1: CI, EUM, eUICC, SM-DP+ auth and pb), read with
// the card's own BER-TLV codec: the TBS bytes as signed, names, validity, subject/authority key ids, the
// role in certificatePolicies (id-rspRole, SGP.22 §4.5.2.1.0.2), keyUsage, the P-256 public key, and the
// permitted EID prefixes of an EUM (nameConstraints). `parseCertificate` never throws: malformed input gives
// undefined. Only ecdsa-with-SHA256 over NIST P-256 is accepted (SGP.22 §2.6.5: the curves the eUICC
// announces; brainpoolP256r1 is not supported here, so its certificates are refused).

import type { Bytes } from '../../card-os/bytes.js';
import { defaultP256 } from '../../card-os/crypto/p256.js';
import { readBer, type Tlv } from '../../card-os/tlv.js';
import { children } from './der.js';

/** DER content of the OIDs read here (hex), compared as bytes. */
const OID = {
  ecdsaWithSha256: '2a8648ce3d040302', // 1.2.840.10045.4.3.2
  ecPublicKey: '2a8648ce3d0201', // 1.2.840.10045.2.1
  prime256v1: '2a8648ce3d030107', // 1.2.840.10045.3.1.7
  subjectKeyIdentifier: '551d0e',
  keyUsage: '551d0f',
  basicConstraints: '551d13',
  nameConstraints: '551d1e',
  certificatePolicies: '551d20',
  authorityKeyIdentifier: '551d23',
  subjectAltName: '551d11',
  serialNumber: '550405', // 2.5.4.5
} as const;

/** id-rspRole (SGP.22 §4.5.2.1.0.2): 2.23.146.1.2.1.x. */
export const RSP_ROLE = {
  ci: 0,
  euicc: 1,
  eum: 2,
  dpTls: 3,
  dpAuth: 4,
  dpPb: 5,
} as const;
const RSP_ROLE_PREFIX = '678112010201'; // 2.23.146.1.2.1

/** keyUsage bits (RFC 5280 §4.2.1.3). */
export const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5 } as const;

export interface Certificate {
  /** The whole certificate, DER. */
  der: Bytes;
  /** TBSCertificate TLV: the bytes the issuer signed. */
  tbs: Bytes;
  /** The issuer's signature, DER ECDSA-Sig-Value. */
  signature: Bytes;
  issuer: Bytes;
  subject: Bytes;
  /** subject serialNumber attribute (the EID of an eUICC certificate), if any. */
  subjectSerialNumber?: string;
  notBefore: number;
  notAfter: number;
  /** The P-256 public key, uncompressed point. */
  publicKey: Bytes;
  ski?: Bytes;
  aki?: Bytes;
  /** Roles (x of 2.23.146.1.2.1.x) named in certificatePolicies; the EUM's variant .0.0.0 counts as eum. */
  roles: number[];
  /** keyUsage bits set (undefined: no keyUsage extension). */
  keyUsage?: number[];
  ca: boolean;
  /** serialNumber prefixes permitted by nameConstraints (EUM: the EIDs it may certify). */
  permittedSerialNumbers: string[];
  /** subjectAltName registeredID (an SM-DP+'s OID, SGP.22 §4.5.2.1.0.4), OID content bytes. */
  rid?: Bytes;
}

const hex = (b: Bytes) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
const text = (b: Bytes) => new TextDecoder().decode(b);

function tlvBytes(parent: Bytes, t: Tlv): Bytes {
  return parent.subarray(t.offset, t.offset + t.length);
}

/** UTCTime / GeneralizedTime (RFC 5280 §4.1.2.5: Z form, seconds present) as ms since the epoch. */
function time(t: Tlv | undefined): number | undefined {
  if (!t) return undefined;
  const s = text(t.value);
  const m =
    t.tag === 0x17
      ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s)
      : t.tag === 0x18
        ? /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s)
        : null;
  if (!m) return undefined;
  let y = Number(m[1]);
  if (t.tag === 0x17) y += y >= 50 ? 1900 : 2000;
  const ms = Date.UTC(y, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(ms) ? undefined : ms;
}

/** The serialNumber attribute values of a Name (SEQUENCE OF SET OF AttributeTypeAndValue). */
function serialNumbers(name: Bytes): string[] {
  const out: string[] = [];
  for (const rdn of children(name) ?? []) {
    for (const atv of children(rdn.value) ?? []) {
      const f = children(atv.value);
      if (f?.length === 2 && f[0]!.tag === 0x06 && hex(f[0]!.value) === OID.serialNumber)
        out.push(text(f[1]!.value));
    }
  }
  return out;
}

function bits(v: Bytes): number[] {
  const out: number[] = [];
  for (let i = 1; i < v.length; i++)
    for (let b = 0; b < 8; b++) if (v[i]! & (0x80 >> b)) out.push((i - 1) * 8 + b);
  return out;
}

interface Extensions {
  ski?: Bytes;
  aki?: Bytes;
  roles: number[];
  keyUsage?: number[];
  ca: boolean;
  permitted: string[];
  rid?: Bytes;
}

function extensions(list: Tlv[]): Extensions | undefined {
  const e: Extensions = { roles: [], ca: false, permitted: [] };
  for (const ext of list) {
    const f = ext.tag === 0x30 ? children(ext.value) : undefined;
    if (!f || f.length < 2 || f[0]!.tag !== 0x06) return undefined;
    const value = f[f.length - 1]!;
    if (value.tag !== 0x04) return undefined;
    const inner = readBer(value.value);
    if (!inner || inner.length !== value.value.length) return undefined;
    switch (hex(f[0]!.value)) {
      case OID.subjectKeyIdentifier:
        if (inner.tag !== 0x04) return undefined;
        e.ski = inner.value;
        break;
      case OID.authorityKeyIdentifier:
        e.aki = children(inner.value)?.find((x) => x.tag === 0x80)?.value;
        break;
      case OID.subjectAltName: {
        const rid = children(inner.value)?.find((x) => x.tag === 0x88);
        if (rid) e.rid = rid.value;
        break;
      }
      case OID.keyUsage:
        if (inner.tag !== 0x03 || inner.value.length < 1) return undefined;
        e.keyUsage = bits(inner.value);
        break;
      case OID.basicConstraints:
        e.ca = children(inner.value)?.find((x) => x.tag === 0x01)?.value[0] === 0xff;
        break;
      case OID.certificatePolicies:
        for (const pi of children(inner.value) ?? []) {
          const id = children(pi.value)?.[0];
          if (id?.tag !== 0x06) continue;
          const h = hex(id.value);
          if (!h.startsWith(RSP_ROLE_PREFIX)) continue;
          // 2.23.146.1.2.1.x, and the EUM variant 2.23.146.1.2.1.0.0.0 (SGP.22 v3 EUM certificate).
          if (h === `${RSP_ROLE_PREFIX}000000`) e.roles.push(RSP_ROLE.eum);
          else if (h.length === RSP_ROLE_PREFIX.length + 2) e.roles.push(id.value[id.value.length - 1]!);
        }
        break;
      case OID.nameConstraints: {
        // permittedSubtrees [0] { GeneralSubtree { base directoryName [4] { Name } } }
        const permitted = children(inner.value)?.find((x) => x.tag === 0xa0);
        for (const sub of (permitted && children(permitted.value)) ?? []) {
          const dn = children(sub.value)?.find((x) => x.tag === 0xa4);
          const name = dn && readBer(dn.value);
          if (name) e.permitted.push(...serialNumbers(name.value));
        }
        break;
      }
    }
  }
  return e;
}

/**
 * Whether a certificate's key is an EC key on a curve other than P-256 (e.g. brainpoolP256r1, which SGP.22
 * also allows): the eUICC answers unsupportedCurve for it rather than invalidCertificate.
 */
export function otherCurve(der: Bytes): boolean {
  const top = readBer(der);
  const tbs = top && children(top.value)?.[0];
  const f = tbs && children(tbs.value);
  const spki = f?.[6];
  const alg = spki && children(spki.value)?.[0];
  const ids = alg && children(alg.value);
  return ids?.length === 2 && hex(ids[0]!.value) === OID.ecPublicKey && hex(ids[1]!.value) !== OID.prime256v1;
}

/** Parses one DER certificate (the whole input); undefined if it is not a P-256 / ECDSA-SHA256 X.509 v3. */
export function parseCertificate(der: Bytes): Certificate | undefined {
  const top = readBer(der);
  if (top?.tag !== 0x30 || top.length !== der.length) return undefined;
  const parts = children(top.value);
  if (parts?.length !== 3) return undefined;
  const [tbsT, alg, sig] = parts as [Tlv, Tlv, Tlv];
  if (tbsT.tag !== 0x30 || alg.tag !== 0x30 || sig.tag !== 0x03) return undefined;
  if (hex(children(alg.value)?.[0]?.value ?? new Uint8Array(0)) !== OID.ecdsaWithSha256) return undefined;
  if (sig.value.length < 2 || sig.value[0] !== 0) return undefined;
  const f = children(tbsT.value);
  if (!f || f.length < 7 || f[0]!.tag !== 0xa0) return undefined;
  const [, , , issuer, validity, subject, spki] = f as Tlv[];
  const v = validity && children(validity.value);
  const notBefore = time(v?.[0]);
  const notAfter = time(v?.[1]);
  if (!issuer || !subject || notBefore === undefined || notAfter === undefined) return undefined;
  const k = spki && children(spki.value);
  const kAlg = k?.[0] && children(k[0].value);
  if (
    k?.length !== 2 ||
    hex(kAlg?.[0]?.value ?? new Uint8Array(0)) !== OID.ecPublicKey ||
    hex(kAlg?.[1]?.value ?? new Uint8Array(0)) !== OID.prime256v1 ||
    k[1]!.tag !== 0x03 ||
    k[1]!.value[0] !== 0
  )
    return undefined;
  const publicKey = k[1]!.value.subarray(1);
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) return undefined;
  const extT = f.find((x) => x.tag === 0xa3);
  const extList = extT ? children(extT.value) : [];
  const seqOfExt = extT ? extList?.[0] && children(extList[0].value) : [];
  if (!seqOfExt) return undefined;
  const e = extensions(seqOfExt);
  if (!e) return undefined;
  const serial = serialNumbers(subject.value)[0];
  return {
    der,
    tbs: tlvBytes(top.value, tbsT),
    signature: sig.value.subarray(1),
    issuer: tlvBytes(tbsT.value, issuer),
    subject: tlvBytes(tbsT.value, subject),
    ...(serial === undefined ? {} : { subjectSerialNumber: serial }),
    notBefore,
    notAfter,
    publicKey,
    ...(e.ski ? { ski: e.ski } : {}),
    ...(e.aki ? { aki: e.aki } : {}),
    roles: e.roles,
    ...(e.keyUsage ? { keyUsage: e.keyUsage } : {}),
    ca: e.ca,
    permittedSerialNumbers: e.permitted,
    ...(e.rid ? { rid: e.rid } : {}),
  };
}

/** Whether `issuerKey` (uncompressed P-256 point) signed this certificate (ECDSA-SHA256 over the TBS). */
export function signedBy(cert: Certificate, issuerKey: Bytes): boolean {
  return defaultP256.verify(cert.tbs, cert.signature, issuerKey);
}

export type CertificateCheck = 'ok' | 'malformed' | 'role' | 'keyUsage' | 'expired' | 'issuer' | 'signature';

/**
 * SGP.22 §4.5.2.2 checks of a certificate against the issuer key it must chain to: the role policy, the
 * keyUsage, validity at `now`, the AKI naming the issuer's key id (when the issuer's SKI is known) and the
 * issuer's signature.
 */
export function checkCertificate(
  cert: Certificate | undefined,
  want: { role: number; keyUsage?: number; issuerKey: Bytes; issuerSki?: Bytes; now: number },
): CertificateCheck {
  if (!cert) return 'malformed';
  if (!cert.roles.includes(want.role)) return 'role';
  if (want.keyUsage !== undefined && !cert.keyUsage?.includes(want.keyUsage)) return 'keyUsage';
  if (want.now < cert.notBefore || want.now > cert.notAfter) return 'expired';
  if (want.issuerSki && (!cert.aki || hex(cert.aki) !== hex(want.issuerSki))) return 'issuer';
  return signedBy(cert, want.issuerKey) ? 'ok' : 'signature';
}
