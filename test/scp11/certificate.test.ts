// GP certificates (GPC v2.3 Amd F Table 6-12): parsing, signature over the TLVs before 5F37 (DER and raw), key usage,
// validity dates, chains; the test PKI constant.

import { describe, expect, it } from 'vitest';
import { nobleP256, nodeP256 } from '../../applets/security-domain/ec.js';
import {
  CERT_SW,
  checkGpCertificate,
  decodeDate,
  KEY_USAGE,
  parseGpCertificate,
  verifyGpChain,
} from '../../applets/security-domain/gp-certificate.js';
import { concat, fromHex, toHex } from '../../card-os/bytes.js';
import { ber, readBer } from '../../card-os/tlv.js';
import {
  createCa,
  issueCertificate,
  subjectKeyId,
  TEST_PKI,
  TEST_PKI_VALIDITY,
} from '../../host/scp11/pki.js';
import { NOW } from './fixtures.js';

const opts = { ec: nodeP256, now: NOW };
const VALID = { effective: 20240101, expiration: 20301231 };

function leafFor(ca = createCa(), extra: Partial<Parameters<typeof issueCertificate>[1]> = {}) {
  const key = nodeP256.generateKeyPair();
  const cert = issueCertificate(ca, {
    serial: fromHex('0A0B'),
    publicKey: key.q,
    keyUsage: KEY_USAGE.KEY_AGREEMENT,
    ...VALID,
    ...extra,
  });
  return { ca, key, cert };
}

function parse(b: Uint8Array) {
  const r = parseGpCertificate(b);
  if ('sw' in r) throw new Error(`parse ${r.sw.toString(16)}`);
  return r.cert;
}

describe('GP certificate parsing', () => {
  it('reads every field of an issued certificate', () => {
    const { ca, key, cert } = leafFor(undefined, { discretionary: fromHex('0102') });
    const c = parse(cert);
    expect(toHex(c.serial)).toBe('0A0B');
    expect(toHex(c.issuerId)).toBe(toHex(ca.keyId));
    expect(toHex(c.subjectId)).toBe(toHex(subjectKeyId(key.q)));
    expect(c.keyUsage).toBe(0x0080);
    expect(c.effective).toBe(20240101);
    expect(c.expiration).toBe(20301231);
    expect(toHex(c.discretionary!)).toBe('0102');
    expect(toHex(c.publicKey)).toBe(toHex(key.q));
    // The signed part: from 93 up to (not including) 5F37, the 7F21 header left out.
    const outer = readBer(cert)!;
    expect(toHex(c.tbs)).toBe(toHex(outer.value.subarray(0, c.tbs.length)));
    expect(c.tbs[0]).toBe(0x93);
    const tbsEnd = c.tbs.byteOffset - cert.byteOffset + c.tbs.length;
    expect(toHex(cert.subarray(tbsEnd, tbsEnd + 2))).toBe('5F37');
  });

  it('date encodings: BCD and the binary form of the OS test certificates', () => {
    expect(decodeDate(fromHex('20281231'))).toBe(20281231);
    expect(decodeDate(fromHex('141C0C1F'))).toBe(20281231);
    expect(decodeDate(fromHex('19991231'))).toBe(19991231);
    expect(decodeDate(fromHex('20250230'))).toBeUndefined();
    expect(decodeDate(fromHex('20251301'))).toBeUndefined();
    expect(decodeDate(fromHex('202401'))).toBeUndefined();
    expect(decodeDate(fromHex('20240229'))).toBe(20240229);
    expect(decodeDate(fromHex('20230229'))).toBeUndefined();
  });

  it('malformed certificates give 6A80', () => {
    const { cert } = leafFor();
    const c = parse(cert);
    const body = c.tbs;
    const sig = ber(0x5f37, c.signature);
    const cases = [
      new Uint8Array(0),
      fromHex('7F2100'),
      cert.subarray(0, cert.length - 1), // truncated
      concat(cert, fromHex('00')), // trailing byte
      ber(0x7f22, body, sig), // wrong outer tag
      ber(0x7f21, body), // no signature
      ber(0x7f21, sig, body), // signature not last
      ber(0x7f21, body.subarray(readBer(body)!.length), sig), // no CSN
      ber(0x7f21, body, ber(0x93, fromHex('01')), sig), // duplicate tag
    ];
    for (const b of cases) expect(parseGpCertificate(b)).toEqual({ sw: CERT_SW.MALFORMED });
  });

  it('BF20 is refused in a CA certificate and kept in an ECKA one', () => {
    const ca = createCa();
    const k = nodeP256.generateKeyPair();
    const make = (usage: number) => {
      const tbs = concat(
        ber(0x93, fromHex('01')),
        ber(0x42, ca.keyId),
        ber(0x5f20, fromHex('01')),
        ber(0x95, Uint8Array.of(0, usage)),
        ber(0x5f24, fromHex('20991231')),
        ber(0xbf20, ber(0x80, fromHex('01'))),
        ber(0x7f49, ber(0xb0, k.q)),
      );
      return ber(0x7f21, tbs, ber(0x5f37, nodeP256.sign(tbs, ca.keyPair.d, 'raw')));
    };
    expect(parseGpCertificate(make(0x82))).toEqual({ sw: CERT_SW.MALFORMED });
    expect(toHex(parse(make(0x80)).authorizations!)).toBe('800101');
  });

  it('an unsupported curve reference or a bad point gives 6A80', () => {
    const ca = createCa();
    const k = nodeP256.generateKeyPair();
    const build = (pk: Uint8Array) => {
      const tbs = concat(
        ber(0x93, fromHex('01')),
        ber(0x42, ca.keyId),
        ber(0x5f20, fromHex('01')),
        ber(0x95, fromHex('0080')),
        ber(0x5f24, fromHex('20991231')),
        ber(0x7f49, pk),
      );
      return ber(0x7f21, tbs, ber(0x5f37, nodeP256.sign(tbs, ca.keyPair.d, 'der')));
    };
    expect(parseGpCertificate(build(concat(ber(0xb0, k.q), ber(0xf0, fromHex('01')))))).toEqual({
      sw: 0x6a80,
    });
    expect(parseGpCertificate(build(ber(0xb0, k.q.subarray(0, 33))))).toEqual({ sw: 0x6a80 });
    const offCurve = new Uint8Array(k.q);
    offCurve[64]! ^= 1;
    const c = parse(build(ber(0xb0, offCurve)));
    expect(checkGpCertificate(c, { publicKey: ca.keyPair.q }, 0x80, opts)).toBe(0x6a80);
  });
});

describe('GP certificate verification', () => {
  it('accepts DER and raw signatures, with either EC implementation', () => {
    for (const signatureFormat of ['der', 'raw'] as const) {
      const { ca, cert } = leafFor(undefined, { signatureFormat });
      for (const ec of [nodeP256, nobleP256])
        expect(
          checkGpCertificate(parse(cert), { publicKey: ca.keyPair.q, keyId: ca.keyId }, 0x80, {
            ec,
            now: NOW,
          }),
        ).toBe(0x9000);
    }
  });

  it('a certificate signed by an unknown CA: 6600 (same key id claimed) or 6A88 (other key id)', () => {
    const trusted = createCa();
    const rogue = createCa();
    const forged = leafFor({ keyPair: rogue.keyPair, keyId: trusted.keyId }).cert;
    expect(
      checkGpCertificate(parse(forged), { publicKey: trusted.keyPair.q, keyId: trusted.keyId }, 0x80, opts),
    ).toBe(0x6600);
    const other = leafFor(rogue).cert;
    expect(
      checkGpCertificate(parse(other), { publicKey: trusted.keyPair.q, keyId: trusted.keyId }, 0x80, opts),
    ).toBe(0x6a88);
  });

  it('a tampered certificate: 6600', () => {
    const { ca, cert } = leafFor();
    const c = parse(cert);
    const pkOffset = toHex(cert).indexOf(toHex(c.publicKey)) / 2;
    const tampered = new Uint8Array(cert);
    tampered[pkOffset + 10]! ^= 0x01;
    // Still a point? Whatever it is, the signature no longer matches.
    const t = parseGpCertificate(tampered);
    expect('sw' in t ? t.sw : checkGpCertificate(t.cert, { publicKey: ca.keyPair.q }, 0x80, opts)).toBe(
      0x6600,
    );
    const serialTampered = new Uint8Array(cert);
    serialTampered[toHex(cert).indexOf('93020A0B') / 2 + 3]! ^= 0xff;
    expect(checkGpCertificate(parse(serialTampered), { publicKey: ca.keyPair.q }, 0x80, opts)).toBe(0x6600);
  });

  it('wrong key usage for the place in the chain: 6600', () => {
    const { ca, cert } = leafFor(undefined, { keyUsage: KEY_USAGE.SIGNATURE_VERIFICATION });
    expect(checkGpCertificate(parse(cert), { publicKey: ca.keyPair.q }, KEY_USAGE.KEY_AGREEMENT, opts)).toBe(
      0x6600,
    );
    const enc = leafFor(ca, { keyUsage: KEY_USAGE.ENCIPHERMENT }).cert;
    expect(checkGpCertificate(parse(enc), { publicKey: ca.keyPair.q }, KEY_USAGE.KEY_AGREEMENT, opts)).toBe(
      0x6600,
    );
  });

  it('validity dates against the injected now: 6600 outside, inclusive bounds', () => {
    const ca = createCa();
    const check = (v: { effective?: number; expiration: number }, now: Date) =>
      checkGpCertificate(
        parse(leafFor(ca, { effective: undefined, ...v }).cert),
        { publicKey: ca.keyPair.q },
        0x80,
        {
          ec: nodeP256,
          now,
        },
      );
    const day = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d, 12));
    expect(check({ expiration: 20250531 }, day(2025, 6, 1))).toBe(0x6600); // expired
    expect(check({ expiration: 20250601 }, day(2025, 6, 1))).toBe(0x9000); // last day
    expect(check({ effective: 20250602, expiration: 20300101 }, day(2025, 6, 1))).toBe(0x6600); // not yet
    expect(check({ effective: 20250601, expiration: 20300101 }, day(2025, 6, 1))).toBe(0x9000); // first day
  });

  it('chains: sub-CA (0082) then leaf (0080), each against the previous key', () => {
    const root = createCa();
    const sub = createCa();
    const subCert = issueCertificate(root, {
      serial: fromHex('11'),
      publicKey: sub.keyPair.q,
      keyUsage: KEY_USAGE.SIGNATURE_VERIFICATION,
      subjectId: sub.keyId,
      ...VALID,
    });
    const { key, cert } = leafFor(sub);
    const anchor = { publicKey: root.keyPair.q, keyId: root.keyId };
    const ok = verifyGpChain([subCert, cert], anchor, opts);
    expect('leaf' in ok && toHex(ok.leaf.publicKey)).toBe(toHex(key.q));
    expect(verifyGpChain([cert, subCert], anchor, opts)).toEqual({ sw: 0x6a88 });
    expect(verifyGpChain([subCert], anchor, opts)).toEqual({ sw: 0x6600 }); // last one is no ECKA key
    expect(verifyGpChain([cert], { publicKey: sub.keyPair.q }, opts)).toHaveProperty('leaf');
    expect(verifyGpChain([], anchor, opts)).toEqual({ sw: 0x6a80 });
  });
});

describe('TEST_PKI', () => {
  it('keys match, certificates verify, and re-issuing gives the same bytes', () => {
    for (const kp of [
      TEST_PKI.klocCa.keyPair,
      TEST_PKI.klccCa.keyPair,
      TEST_PKI.sd.keyPair,
      TEST_PKI.oce.keyPair,
    ])
      expect(toHex(nodeP256.publicKeyOf(kp.d)!)).toBe(toHex(kp.q));
    expect(toHex(TEST_PKI.klocCa.keyId)).toBe(toHex(subjectKeyId(TEST_PKI.klocCa.keyPair.q)));
    expect(toHex(TEST_PKI.klccCa.keyId)).toBe(toHex(subjectKeyId(TEST_PKI.klccCa.keyPair.q)));
    const sd = verifyGpChain([TEST_PKI.sd.certificate], { publicKey: TEST_PKI.klccCa.keyPair.q }, opts);
    expect('leaf' in sd && toHex(sd.leaf.publicKey)).toBe(toHex(TEST_PKI.sd.keyPair.q));
    const oce = verifyGpChain(
      [TEST_PKI.oce.certificate],
      { publicKey: TEST_PKI.klocCa.keyPair.q, keyId: TEST_PKI.klocCa.keyId },
      opts,
    );
    expect('leaf' in oce && toHex(oce.leaf.publicKey)).toBe(toHex(TEST_PKI.oce.keyPair.q));
    const again = (ca: typeof TEST_PKI.klccCa, serial: number, q: Uint8Array) =>
      issueCertificate(
        { keyPair: ca.keyPair, keyId: ca.keyId },
        {
          serial: Uint8Array.of(serial),
          publicKey: q,
          keyUsage: KEY_USAGE.KEY_AGREEMENT,
          ...TEST_PKI_VALIDITY,
        },
        nobleP256,
      );
    expect(toHex(again(TEST_PKI.klccCa, 1, TEST_PKI.sd.keyPair.q))).toBe(toHex(TEST_PKI.sd.certificate));
    expect(toHex(again(TEST_PKI.klocCa, 2, TEST_PKI.oce.keyPair.q))).toBe(toHex(TEST_PKI.oce.certificate));
  });
});
