// The eUICC test PKI (SGP.22 §4.5.2, certificate profiles of SGP.22 §4.5.2.1): a CI, an EUM certified by it
// and an eUICC certified by the EUM, X.509 v3 with ECDSA P-256 / SHA-256, built here with the card's DER
// writer. The eUICC signs notifications with its key (SGP.22 §5.7.11). Like host/scp11/pki.ts these are
// PUBLIC TEST KEYS: anyone can sign as this CI, EUM or eUICC. Never use them outside tests.

import { p256 } from '@noble/curves/nist.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { type Bytes, concat, fromHex } from '../../card-os/bytes.js';
import { ber } from '../../card-os/tlv.js';

/** DER OBJECT IDENTIFIER content from dotted text. */
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
const seq = (...parts: Bytes[]) => ber(0x30, ...parts);
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
/** id-rspRole (SGP.22 §4.5.2.1.0.2): ci 0, euicc 1, eum 2. */
const ROLE = { ci: '2.23.146.1.2.1.0', euicc: '2.23.146.1.2.1.1', eum: '2.23.146.1.2.1.2' } as const;

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

function certificate(o: {
  serial: number;
  subject: Bytes;
  issuer: Bytes;
  privateKey: Bytes;
  issuerKey: Bytes;
  issuerSki?: Bytes;
  role: keyof typeof ROLE;
  ca: boolean;
}): TestCertificate {
  const publicKey = p256.getPublicKey(o.privateKey, false);
  const ski = sha1(publicKey); // RFC 5280 §4.2.1.2 method (1)
  const exts = [
    extension('2.5.29.14', false, ber(0x04, ski)),
    ...(o.issuerSki ? [extension('2.5.29.35', false, seq(ber(0x80, o.issuerSki)))] : []),
    extension('2.5.29.32', true, seq(seq(oid(ROLE[o.role])))),
    // keyUsage: keyCertSign for the CAs, digitalSignature for the eUICC.
    extension('2.5.29.15', true, ber(0x03, o.ca ? Uint8Array.of(0x01, 0x06) : Uint8Array.of(0x07, 0x80))),
    ...(o.ca ? [extension('2.5.29.19', true, seq(ber(0x01, Uint8Array.of(0xff))))] : []),
  ];
  const tbs = seq(
    ber(0xa0, ber(0x02, Uint8Array.of(2))),
    ber(0x02, Uint8Array.of(o.serial)),
    ECDSA_SHA256,
    o.issuer,
    seq(ber(0x17, utf8('240101000000Z')), ber(0x18, utf8('20991231235959Z'))),
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
const CI_KEY = fromHex('C1'.repeat(32));
const EUM_KEY = fromHex('E1'.repeat(32));
const EUICC_KEY = fromHex('EC'.repeat(32));

/** The test chain for an eUICC with this EID (the eUICC certificate's serialNumber, SGP.22 §4.5.2.1.0.3). */
export function euiccTestPki(eid: string): {
  ci: TestCertificate;
  eum: TestCertificate;
  euicc: TestCertificate;
} {
  const ciName = name('uicc test CI');
  const eumName = name('uicc test EUM');
  const ci = certificate({
    serial: 1,
    subject: ciName,
    issuer: ciName,
    privateKey: CI_KEY,
    issuerKey: CI_KEY,
    role: 'ci',
    ca: true,
  });
  const eum = certificate({
    serial: 2,
    subject: eumName,
    issuer: ciName,
    privateKey: EUM_KEY,
    issuerKey: CI_KEY,
    issuerSki: ci.ski,
    role: 'eum',
    ca: true,
  });
  const euicc = certificate({
    serial: 3,
    subject: name('uicc test eUICC', eid),
    issuer: eumName,
    privateKey: EUICC_KEY,
    issuerKey: EUM_KEY,
    issuerSki: eum.ski,
    role: 'euicc',
    ca: false,
  });
  return { ci, eum, euicc };
}
