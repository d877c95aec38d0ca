// CERT.DPtls (SGP.22 §4.5.2.1.0.2): issued by the test CI, for the SM-DP+ host name, serverAuth; a TLS
// client that trusts only the test CI accepts it for that name and refuses it for another.
import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:https';
import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { dpTlsCredentials, testCiPem } from '../../host/smdp/tls-pki.js';

describe('CERT.DPtls', () => {
  it('is issued by the test CI with the role, SAN and EKU of SGP.22', () => {
    const c = dpTlsCredentials('smdp.test.example');
    const x = new X509Certificate(c.cert);
    const ci = new X509Certificate(testCiPem());
    expect(x.verify(ci.publicKey)).toBe(true);
    expect(x.checkIssued(ci)).toBe(true);
    expect(x.subjectAltName).toBe('DNS:smdp.test.example');
    expect(x.checkHost('smdp.test.example')).toBe('smdp.test.example');
    expect(x.checkHost('other.example')).toBeUndefined();
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(x.ca).toBe(false);
    expect(ci.ca).toBe(true);
    // certificatePolicies with id-rspRole-dp-tls (2.23.146.1.2.1.3): 06 07 67 81 12 01 02 01 03.
    expect(Buffer.from(c.der).toString('hex')).toContain('0607678112010201' + '03');
  });

  it('a TLS client trusting the test CI connects by name; another name is refused', async () => {
    const c = dpTlsCredentials('localhost');
    const server = createServer({ key: c.key, cert: c.cert }, (_q, r) => r.end());
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as { port: number }).port;
    const handshake = (servername: string) =>
      new Promise<string>((ok) => {
        const s = connect({ host: '127.0.0.1', port, servername, ca: c.ca }, () => {
          s.end();
          ok('ok');
        });
        s.on('error', (e: NodeJS.ErrnoException) => ok(e.code ?? e.message));
      });
    try {
      expect(await handshake('localhost')).toBe('ok');
      expect(await handshake('smdp.elsewhere.example')).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      server.close();
    }
  });
});
