// The SM-DP+ TLS certificate CERT.DPtls (SGP.22 §4.5.2.1.0.2 and §2.6.6.1: the ES9+ server's TLS identity),
// issued by the eUICC test CI of host/euicc/test-pki.ts, so an LPA that trusts that CI as its TLS root
// reaches our SM-DP+ the way a real LPA trusts the GSMA CI. Profile as in the SGP.26 test certificates:
// certificatePolicies id-rspRole-dp-tls (2.23.146.1.2.1.3, not critical), keyUsage digitalSignature,
// extendedKeyUsage serverAuth + clientAuth, subjectAltName dNSName = the SM-DP+ host name.
// PUBLIC TEST KEY: anyone can serve as this SM-DP+. Never use it outside tests.

import { createPrivateKey } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { type Bytes, concat, fromHex } from '../../card-os/bytes.js';
import { ber } from '../../card-os/tlv.js';
import { euiccTestPki, extension, name, oid, type TestCertificate } from '../euicc/test-pki.js';

const seq = (...parts: Bytes[]) => ber(0x30, ...parts);
const ascii = (s: string) => new TextEncoder().encode(s);
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const ROLE_DP_TLS = '2.23.146.1.2.1.3';
// PUBLIC TEST KEY of the TLS server.
const TLS_KEY = fromHex('D7'.repeat(32));
/** The CI does not depend on the EID: same key and name in every chain of test-pki.ts. */
const CI_EID = '89049032123451234512345678901235';

export interface TlsCredentials {
  /** PEM of CERT.DPtls (the server's certificate chain: the leaf, issued directly by the CI). */
  cert: string;
  /** PEM (PKCS #8) of the server's private key. */
  key: string;
  /** PEM of the test CI, the LPA's trust anchor. */
  ca: string;
  der: Bytes;
}

const pem = (label: string, der: Bytes) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`;

/** The test CI certificate (the TLS trust anchor of our LPA). */
export function testCi(): TestCertificate {
  return euiccTestPki(CI_EID).ci;
}

/** PEM of the test CI. */
export const testCiPem = (): string => pem('CERTIFICATE', testCi().der);

const cache = new Map<string, TlsCredentials>();

/** CERT.DPtls for `host` (a DNS name, without port) and its key, signed by the test CI. */
export function dpTlsCredentials(host: string): TlsCredentials {
  const hit = cache.get(host);
  if (hit) return hit;
  const ci = testCi();
  const publicKey = p256.getPublicKey(TLS_KEY, false);
  const exts = [
    extension('2.5.29.14', false, ber(0x04, sha1(publicKey))),
    extension('2.5.29.35', false, seq(ber(0x80, ci.ski))),
    extension('2.5.29.32', false, seq(seq(oid(ROLE_DP_TLS)))),
    extension('2.5.29.15', true, ber(0x03, Uint8Array.of(0x07, 0x80))), // digitalSignature
    // RFC 5280 §4.2.1.12: id-kp-serverAuth, id-kp-clientAuth.
    extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'), oid('1.3.6.1.5.5.7.3.2'))),
    // RFC 5280 §4.2.1.6: GeneralName dNSName [2] IA5String.
    extension('2.5.29.17', false, seq(ber(0x82, ascii(host)))),
  ];
  const tbs = seq(
    ber(0xa0, ber(0x02, Uint8Array.of(2))),
    ber(0x02, Uint8Array.of(0x13)),
    ECDSA_SHA256,
    name('uicc test CI'),
    seq(ber(0x17, ascii('240101000000Z')), ber(0x18, ascii('20991231235959Z'))),
    name(host),
    seq(
      seq(oid('1.2.840.10045.2.1'), oid('1.2.840.10045.3.1.7')),
      ber(0x03, concat(Uint8Array.of(0), publicKey)),
    ),
    ber(0xa3, seq(...exts)),
  );
  const sig = p256.sign(tbs, ci.privateKey, { format: 'der' });
  const der = seq(tbs, ECDSA_SHA256, ber(0x03, concat(Uint8Array.of(0), sig)));
  const b64u = (b: Bytes) => Buffer.from(b).toString('base64url');
  const key = createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: b64u(TLS_KEY),
      x: b64u(publicKey.subarray(1, 33)),
      y: b64u(publicKey.subarray(33)),
    },
    format: 'jwk',
  })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const creds = { cert: pem('CERTIFICATE', der), key, ca: testCiPem(), der };
  cache.set(host, creds);
  return creds;
}
