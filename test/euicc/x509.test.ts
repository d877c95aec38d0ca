// The card's X.509 reader against the SGP.26 test certificates (test/vectors/sgp26, from pySim).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCertificate, KEY_USAGE, parseCertificate, RSP_ROLE } from '../../applets/euicc/x509.js';
import { toHex } from '../../card-os/bytes.js';

const dir = join(__dirname, '..', 'vectors', 'sgp26');
const load = (f: string) => new Uint8Array(readFileSync(join(dir, f)));
const NOW = Date.UTC(2026, 11, 3);

describe('X.509 of the RSP PKI (SGP.22 §4.5.2.1, SGP.26 test certificates)', () => {
  const ci = parseCertificate(load('CERT_CI_ECDSA_NIST.der'))!;

  it('reads the test CI: role ci, CA, its SKI', () => {
    expect(ci.roles).toEqual([RSP_ROLE.ci]);
    expect(ci.ca).toBe(true);
    expect(toHex(ci.ski!)).toBe('F54172BDF98A95D65CBEB88A38A1C11D800A85C3');
    expect(ci.keyUsage).toContain(KEY_USAGE.keyCertSign);
    expect(checkCertificate(ci, { role: RSP_ROLE.ci, issuerKey: ci.publicKey, now: NOW })).toBe('ok');
  });

  it('verifies DPauth and DPpb against the CI, with their roles and digitalSignature', () => {
    const auth = parseCertificate(load('CERT_S_SM_DPauth_ECDSA_NIST.der'))!;
    const pb = parseCertificate(load('CERT_S_SM_DPpb_ECDSA_NIST.der'))!;
    expect(auth.roles).toEqual([RSP_ROLE.dpAuth]);
    expect(pb.roles).toEqual([RSP_ROLE.dpPb]);
    expect(toHex(auth.aki!)).toBe(toHex(ci.ski!));
    const want = {
      keyUsage: KEY_USAGE.digitalSignature,
      issuerKey: ci.publicKey,
      issuerSki: ci.ski!,
      now: NOW,
    };
    expect(checkCertificate(auth, { ...want, role: RSP_ROLE.dpAuth })).toBe('ok');
    expect(checkCertificate(pb, { ...want, role: RSP_ROLE.dpPb })).toBe('ok');
    // A certificate for another purpose, a time outside its validity, another issuer key.
    expect(checkCertificate(pb, { ...want, role: RSP_ROLE.dpAuth })).toBe('role');
    expect(checkCertificate(auth, { ...want, role: RSP_ROLE.dpAuth, now: auth.notAfter + 1 })).toBe(
      'expired',
    );
    expect(checkCertificate(auth, { ...want, role: RSP_ROLE.dpAuth, issuerKey: pb.publicKey })).toBe(
      'signature',
    );
    expect(checkCertificate(auth, { ...want, role: RSP_ROLE.dpAuth, issuerSki: pb.ski! })).toBe('issuer');
  });

  it('a changed TBS byte breaks the signature; the TLS certificate has another role', () => {
    const der = load('CERT_S_SM_DPauth_ECDSA_NIST.der');
    const c = parseCertificate(der)!;
    const i = der.indexOf(c.publicKey[10]!, 200);
    const bad = der.slice();
    bad[i] ^= 1;
    const parsed = parseCertificate(bad);
    const r = checkCertificate(parsed, {
      role: RSP_ROLE.dpAuth,
      issuerKey: ci.publicKey,
      issuerSki: ci.ski!,
      now: NOW,
    });
    expect(r).not.toBe('ok');
    const tls = parseCertificate(load('CERT_S_SM_DP_TLS_NIST.der'))!;
    expect(tls.roles).toEqual([RSP_ROLE.dpTls]);
  });

  it('refuses brainpool keys and garbage without throwing', () => {
    expect(parseCertificate(load('CERT_S_SM_DPauth_ECDSA_BRP.der'))).toBeUndefined();
    const der = load('CERT_CI_ECDSA_NIST.der');
    for (let n = 0; n < der.length; n += 7) expect(parseCertificate(der.subarray(0, n))).toBeUndefined();
    expect(checkCertificate(undefined, { role: 0, issuerKey: ci.publicKey, now: NOW })).toBe('malformed');
  });
});
