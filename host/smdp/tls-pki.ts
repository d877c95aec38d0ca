// The SM-DP+ TLS certificate CERT.DPtls (SGP.22 §4.5.2.1.0.2 and §2.6.6.1: the ES9+ server's TLS identity),
// issued by the eUICC test CI of host/euicc/test-pki.ts, so an LPA that trusts that CI as its TLS root
// reaches our SM-DP+ the way a real LPA trusts the GSMA CI. Profile as in the SGP.26 test certificates:
// certificatePolicies id-rspRole-dp-tls (2.23.146.1.2.1.3; critical here, as in our other test
// certificates), keyUsage digitalSignature, extendedKeyUsage serverAuth + clientAuth, subjectAltName
// dNSName = the SM-DP+ host name.
// PUBLIC TEST KEY: anyone can serve as this SM-DP+. Never use it outside tests.

import { createPrivateKey } from 'node:crypto';
import { type Bytes, fromHex } from '../../card-os/bytes.js';
import { ber } from '../../card-os/tlv.js';
import { CI_KEY, CI_NAME, certificate, extension, name, oid, seq, testCi } from '../euicc/test-pki.js';

// PUBLIC TEST KEY of the TLS server.
const TLS_KEY = fromHex('D7'.repeat(32));

export interface TlsCredentials {
  /** PEM of CERT.DPtls (issued directly by the CI). */
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

/** PEM of the test CI. */
export const testCiPem = (): string => pem('CERTIFICATE', testCi().der);

const cache = new Map<string, TlsCredentials>();

/** CERT.DPtls for `host` (a DNS name, without port) and its key, signed by the test CI. */
export function dpTlsCredentials(host: string): TlsCredentials {
  const hit = cache.get(host);
  if (hit) return hit;
  const cert = certificate({
    serial: 3,
    subject: name(host),
    issuer: CI_NAME,
    privateKey: TLS_KEY,
    issuerKey: CI_KEY,
    issuerSki: testCi().ski,
    role: 'dpTls',
    ca: false,
    extra: [
      // RFC 5280 §4.2.1.12: id-kp-serverAuth, id-kp-clientAuth.
      extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'), oid('1.3.6.1.5.5.7.3.2'))),
      // RFC 5280 §4.2.1.6: GeneralName dNSName [2] IA5String.
      extension('2.5.29.17', false, seq(ber(0x82, new TextEncoder().encode(host)))),
    ],
  });
  const b64u = (b: Bytes) => Buffer.from(b).toString('base64url');
  const key = createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: b64u(TLS_KEY),
      x: b64u(cert.publicKey.subarray(1, 33)),
      y: b64u(cert.publicKey.subarray(33)),
    },
    format: 'jwk',
  })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const creds = { cert: pem('CERTIFICATE', cert.der), key, ca: testCiPem(), der: cert.der };
  cache.set(host, creds);
  return creds;
}
