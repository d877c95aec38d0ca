// The eUICC test PKI (SGP.22 §4.5.2, certificate profiles of SGP.22 §4.5.2.1): a CI, an EUM certified by it
// and an eUICC certified by the EUM, and the SM-DP+'s CERT.DPauth and CERT.DPpb under the same CI, X.509 v3
// with ECDSA P-256 / SHA-256, built here with the card's DER writer. Signatures are deterministic (RFC 6979),
// so the same inputs give the same certificates; each set is built once per process. The eUICC signs
// notifications with its key (SGP.22 §5.7.11). Like host/scp11/pki.ts these are PUBLIC TEST KEYS: anyone can
// sign as this CI, EUM, eUICC or SM-DP+. Never use them outside tests.

import { p256 } from '@noble/curves/nist.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { type Bytes, concat, fromHex } from '../../card-os/bytes.js';
import { ber } from '../../card-os/tlv.js';

/** DER OBJECT IDENTIFIER TLV from dotted text. */
export function oid(dotted: string): Bytes {
  const p = dotted.split('.').map(Number);
  const out: number[] = [40 * p[0]! + p[1]!];
  for (const n of p.slice(2)) {
    const b: number[] = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) b.unshift((v & 0x7f) | 0x80);
    out.push(...b);
  }
  return ber(0x06, Uint8Array.from(out));
}

const utf8 = (s: string) => new TextEncoder().encode(s);
export const seq = (...parts: Bytes[]) => ber(0x30, ...parts);
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
/** id-rspRole (SGP.22 §4.5.2.1.0.2): ci 0, euicc 1, eum 2, dp-tls 3, dp-auth 4, dp-pb 5. */
export const ROLE = {
  ci: '2.23.146.1.2.1.0',
  euicc: '2.23.146.1.2.1.1',
  eum: '2.23.146.1.2.1.2',
  dpTls: '2.23.146.1.2.1.3',
  dpAuth: '2.23.146.1.2.1.4',
  dpPb: '2.23.146.1.2.1.5',
} as const;

/** An X.501 Name with a commonName and optionally a serialNumber (the EID of an eUICC certificate). */
export function name(cn: string, serialNumber?: string): Bytes {
  const rdns = [ber(0x31, seq(oid('2.5.4.3'), ber(0x0c, utf8(cn))))];
  if (serialNumber) rdns.push(ber(0x31, seq(oid('2.5.4.5'), ber(0x0c, utf8(serialNumber)))));
  return seq(...rdns);
}

export function extension(id: string, critical: boolean, value: Bytes): Bytes {
  return seq(oid(id), ...(critical ? [ber(0x01, Uint8Array.of(0xff))] : []), ber(0x04, value));
}

export interface TestCertificate {
  der: Bytes;
  privateKey: Bytes;
  publicKey: Bytes;
  ski: Bytes;
}

export interface CertificateOptions {
  serial: number;
  subject: Bytes;
  issuer: Bytes;
  privateKey: Bytes;
  issuerKey: Bytes;
  issuerSki?: Bytes;
  role: keyof typeof ROLE;
  ca: boolean;
  /** Validity as UTCTime/GeneralizedTime text; default 2024-01-01 to 2099-12-31. */
  notBefore?: string;
  notAfter?: string;
  /** EID prefixes the (EUM) certificate may certify: nameConstraints permittedSubtrees (SGP.22 §4.5.2.1.0.2). */
  permittedEids?: string[];
  /** More extensions (e.g. a TLS certificate's subjectAltName and extKeyUsage). */
  extra?: Bytes[];
}

/** Time TLV: UTCTime up to 2049 (RFC 5280 §4.1.2.5), GeneralizedTime after. */
function time(t: string): Bytes {
  return t.length === 13 ? ber(0x17, utf8(t)) : ber(0x18, utf8(t));
}

/** One X.509 v3 certificate of the RSP PKI, signed by `issuerKey` (ECDSA-SHA256, deterministic). */
export function certificate(o: CertificateOptions): TestCertificate {
  const publicKey = p256.getPublicKey(o.privateKey, false);
  const ski = sha1(publicKey); // RFC 5280 §4.2.1.2 method (1)
  const exts = [
    extension('2.5.29.14', false, ber(0x04, ski)),
    ...(o.issuerSki ? [extension('2.5.29.35', false, seq(ber(0x80, o.issuerSki)))] : []),
    extension('2.5.29.32', true, seq(seq(oid(ROLE[o.role])))),
    // keyUsage: keyCertSign for the CAs, digitalSignature for the eUICC.
    extension('2.5.29.15', true, ber(0x03, o.ca ? Uint8Array.of(0x01, 0x06) : Uint8Array.of(0x07, 0x80))),
    ...(o.ca ? [extension('2.5.29.19', true, seq(ber(0x01, Uint8Array.of(0xff))))] : []),
    ...(o.permittedEids
      ? [
          extension(
            '2.5.29.30',
            true,
            seq(ber(0xa0, ...o.permittedEids.map((p) => seq(ber(0xa4, name('uicc test EUM', p)))))),
          ),
        ]
      : []),
    ...(o.extra ?? []),
  ];
  const tbs = seq(
    ber(0xa0, ber(0x02, Uint8Array.of(2))),
    ber(0x02, Uint8Array.of(o.serial)),
    ECDSA_SHA256,
    o.issuer,
    seq(time(o.notBefore ?? '240101000000Z'), time(o.notAfter ?? '20991231235959Z')),
    o.subject,
    seq(
      seq(oid('1.2.840.10045.2.1'), oid('1.2.840.10045.3.1.7')),
      ber(0x03, concat(Uint8Array.of(0), publicKey)),
    ),
    ber(0xa3, seq(...exts)),
  );
  const sig = p256.sign(tbs, o.issuerKey, { format: 'der' });
  return {
    der: seq(tbs, ECDSA_SHA256, ber(0x03, concat(Uint8Array.of(0), sig))),
    privateKey: o.privateKey,
    publicKey,
    ski,
  };
}

// PUBLIC TEST KEYS.
/** SK.CI.ECDSA of the test CI: exported so that other test certificates (the SM-DP+ TLS one) chain to it. */
export const CI_KEY = fromHex('C1'.repeat(32));
const EUM_KEY = fromHex('E1'.repeat(32));
const EUICC_KEY = fromHex('EC'.repeat(32));

const DP_AUTH_KEY = fromHex('DA'.repeat(32));
const DP_PB_KEY = fromHex('DB'.repeat(32));

export const CI_NAME = name('uicc test CI');
/** The test SM-DP+'s OID (OID content bytes of 2.999.10). */
export const SMDP_OID = oid('2.999.10').subarray(2);
const EUM_NAME = name('uicc test EUM');
const cache = new Map<string, TestCertificate>();

function once(key: string, make: () => TestCertificate): TestCertificate {
  let c = cache.get(key);
  if (!c) cache.set(key, (c = make()));
  return c;
}

/** The test CI certificate (self-signed, role ci). */
export function testCi(): TestCertificate {
  return once('ci', () =>
    certificate({
      serial: 1,
      subject: CI_NAME,
      issuer: CI_NAME,
      privateKey: CI_KEY,
      issuerKey: CI_KEY,
      role: 'ci',
      ca: true,
    }),
  );
}

/** The EID prefix the test EUM may certify (its nameConstraints): the first 8 digits of the EID. */
export const eumPrefix = (eid: string) => eid.slice(0, 8);

/** The test chain for an eUICC with this EID (the eUICC certificate's serialNumber, SGP.22 §4.5.2.1.0.3). */
export function euiccTestPki(eid: string): {
  ci: TestCertificate;
  eum: TestCertificate;
  euicc: TestCertificate;
} {
  const ci = testCi();
  const eum = once(`eum/${eumPrefix(eid)}`, () =>
    certificate({
      serial: 2,
      subject: EUM_NAME,
      issuer: CI_NAME,
      privateKey: EUM_KEY,
      issuerKey: CI_KEY,
      issuerSki: ci.ski,
      role: 'eum',
      ca: true,
      permittedEids: [eumPrefix(eid)],
    }),
  );
  const euicc = once(`euicc/${eid}`, () =>
    certificate({
      serial: 3,
      subject: name('uicc test eUICC', eid),
      issuer: EUM_NAME,
      privateKey: EUICC_KEY,
      issuerKey: EUM_KEY,
      issuerSki: eum.ski,
      role: 'euicc',
      ca: false,
    }),
  );
  return { ci, eum, euicc };
}

/** A test SM-DP+ certificate under the test CI (SGP.22 §4.5.2.1.0.4: CERT.DPauth.ECDSA, CERT.DPpb.ECDSA). */
function dpCertificate(
  role: 'dpAuth' | 'dpPb',
  o: { notBefore?: string; notAfter?: string } = {},
): TestCertificate {
  return certificate({
    serial: role === 'dpAuth' ? 4 : 5,
    subject: name(role === 'dpAuth' ? 'uicc test SM-DP+ auth' : 'uicc test SM-DP+ pb'),
    issuer: CI_NAME,
    privateKey: role === 'dpAuth' ? DP_AUTH_KEY : DP_PB_KEY,
    issuerKey: CI_KEY,
    issuerSki: testCi().ski,
    role,
    ca: false,
    // subjectAltName registeredID: the SM-DP+ OID (SGP.22 §4.5.2.1.0.4), as SGP.26's 2.999.10.
    extra: [extension('2.5.29.17', false, seq(ber(0x88, SMDP_OID)))],
    ...o,
  });
}

/** The test SM-DP+'s DPauth and DPpb certificates with their keys (PUBLIC TEST KEYS). */
export function smdpTestPki(): { ci: TestCertificate; dpAuth: TestCertificate; dpPb: TestCertificate } {
  return {
    ci: testCi(),
    dpAuth: once('dpAuth', () => dpCertificate('dpAuth')),
    dpPb: once('dpPb', () => dpCertificate('dpPb')),
  };
}

/** Certificates for the negative tests: an expired DPauth, a DPauth with the DPpb role. */
export function smdpBadCertificates(): { expiredDpAuth: TestCertificate; dpPbAsAuth: TestCertificate } {
  return {
    expiredDpAuth: once('dpAuth/expired', () =>
      dpCertificate('dpAuth', { notBefore: '200101000000Z', notAfter: '210101000000Z' }),
    ),
    dpPbAsAuth: smdpTestPki().dpPb,
  };
}
