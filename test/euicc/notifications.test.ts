// Notifications signed by the eUICC (SGP.22 §5.7.11 RetrieveNotificationsList): each OtherSignedNotification
// carries the BF2F metadata, the eUICC's signature over it (r‖s) and the eUICC and EUM certificates; checked
// here with OpenSSL (node:crypto) up to the test CI, whose key id EUICCInfo1 announces.
import { verify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { parseBer } from '../../card-os/tlv.js';
import { euiccTestPki } from '../../host/euicc/test-pki.js';
import { es10, ICCID_A, ICCID_B, newEuicc, openIsdR } from './support.js';

const EID = '89049032123451234512345678901235';

function tlv(tag: string, ...values: string[]): string {
  const v = values.join('');
  return `${tag}${(v.length / 2).toString(16).padStart(2, '0')}${v}`.toUpperCase();
}

function signedList(answer: string) {
  const top = parseBer(fromHex(answer))![0]!;
  const a0 = parseBer(top.value)!.find((t) => t.tag === 0xa0)!;
  // Each item with the exact bytes it was sent as (a signature covers the exact DER).
  return parseBer(a0.value)!.map((n) =>
    parseBer(n.value)!.map((t) => ({ ...t, raw: n.value.subarray(t.offset, t.offset + t.length) })),
  );
}

describe('RetrieveNotificationsList', () => {
  it('EUICCInfo1 names the test CI; every notification verifies up to it', () => {
    const pki = euiccTestPki(EID);
    const c = newEuicc();
    const ch = openIsdR(c);
    expect(es10(c, ch, 'BF2000').answer).toContain(`A9160414${toHex(pki.ci.ski)}`);
    es10(c, ch, tlv('BF31', tlv('A0', tlv('5A', ICCID_B)), tlv('81', 'FF')));
    const list = signedList(es10(c, ch, 'BF2B00').answer);
    expect(list.length).toBe(2);
    const ci = new X509Certificate(Buffer.from(pki.ci.der));
    for (const [i, n] of list.entries()) {
      const [meta, sig, euiccCert, eumCert] = n;
      expect([meta!.tag, sig!.tag, euiccCert!.tag, eumCert!.tag]).toEqual([0xbf2f, 0x5f37, 0x30, 0x30]);
      const der = (t: typeof meta) => Buffer.from(t!.raw);
      const eum = new X509Certificate(der(eumCert));
      const eu = new X509Certificate(der(euiccCert));
      expect(eum.verify(ci.publicKey)).toBe(true);
      expect(eu.verify(eum.publicKey)).toBe(true);
      expect(eu.subject).toContain(`serialNumber=${EID}`);
      const signed = der(meta);
      const ok = verify(
        'sha256',
        signed,
        { key: eu.publicKey, dsaEncoding: 'ieee-p1363' },
        Buffer.from(sig!.value),
      );
      expect(ok, `notification ${i + 1}`).toBe(true);
      // A changed byte breaks the signature.
      signed[signed.length - 1]! ^= 1;
      expect(
        verify('sha256', signed, { key: eu.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig!.value)),
      ).toBe(false);
    }
    const iccids = list.map((n) => toHex(parseBer(n[0]!.value)!.find((t) => t.tag === 0x5a)!.value));
    expect(iccids).toEqual([ICCID_A, ICCID_B]);
  });

  it('search by sequence number and by event; an unknown number has no result (1)', () => {
    const c = newEuicc();
    const ch = openIsdR(c);
    es10(c, ch, tlv('BF31', tlv('A0', tlv('5A', ICCID_B)), tlv('81', 'FF')));
    expect(signedList(es10(c, ch, tlv('BF2B', tlv('A0', tlv('80', '02')))).answer).length).toBe(1);
    expect(signedList(es10(c, ch, tlv('BF2B', tlv('A0', tlv('81', '0640')))).answer).length).toBe(1);
    expect(es10(c, ch, tlv('BF2B', tlv('A0', tlv('80', '07')))).answer).toBe('BF2B03810101');
  });
});
