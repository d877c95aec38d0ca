// scp11-card.ts: GET DATA BF21, the PSO chain upload (chaining, key usage, CA reference, allow-list),
// MUTUAL / INTERNAL AUTHENTICATE checks. Every refusal leaves the previous state as it was.

import { describe, expect, it } from 'vitest';
import { nodeP256 } from '../../applets/security-domain/ec.js';
import { KEY_USAGE } from '../../applets/security-domain/gp-certificate.js';
import { createScp11Card } from '../../applets/security-domain/scp11-card.js';
import { buildCrt } from '../../applets/security-domain/scp11-keys.js';
import { buildCommand, type Command, parseCommand } from '../../card-os/apdu.js';
import { type Bytes, concat, fromHex, toHex } from '../../card-os/bytes.js';
import { ber } from '../../card-os/tlv.js';
import { createCa, issueCertificate, TEST_PKI } from '../../host/scp11/pki.js';
import { testCardConfig } from './fixtures.js';

const cmd = (raw: Bytes): Command => parseCommand(raw).cmd!;
const pso = (cert: Bytes, more = false, p1 = 0x03, kid = 0x10) =>
  cmd(buildCommand(0x80, 0x2a, p1, kid | (more ? 0x80 : 0), cert));
const CRT_A = buildCrt({ i: 0x01, kuq: 0x3c, keyType: 0x88, keyLength: 16 });
const ma = (crt = CRT_A, epk = nodeP256.generateKeyPair().q, p1 = 0x03, p2 = 0x11, ins = 0x82) =>
  cmd(buildCommand(0x80, ins, p1, p2, concat(crt, ber(0x5f49, epk)), 256));

const KLOC = { keyPair: TEST_PKI.klocCa.keyPair, keyId: TEST_PKI.klocCa.keyId };
const VALID = { effective: 20240101, expiration: 20301231 };

function oceLeaf(issuer = KLOC, extra: Partial<Parameters<typeof issueCertificate>[1]> = {}) {
  const key = nodeP256.generateKeyPair();
  return issueCertificate(issuer, {
    serial: fromHex('C0FFEE'),
    publicKey: key.q,
    keyUsage: KEY_USAGE.KEY_AGREEMENT,
    ...VALID,
    ...extra,
  });
}

function subCa(issuer = KLOC) {
  const sub = createCa();
  const cert = issueCertificate(issuer, {
    serial: fromHex('5B'),
    publicKey: sub.keyPair.q,
    subjectId: sub.keyId,
    keyUsage: KEY_USAGE.SIGNATURE_VERIFICATION,
    ...VALID,
  });
  return { sub, cert };
}

describe('GET DATA BF21', () => {
  it('returns the SD certificate chain of the referenced key', () => {
    const card = createScp11Card(testCardConfig());
    const r = card.process(cmd(fromHex('80CABF2106A6048302110300')));
    expect(r.sw).toBe(0x9000);
    expect(toHex(r.data!)).toBe(toHex(ber(0xbf21, TEST_PKI.sd.certificate)));
    expect(card.process(cmd(fromHex('00CABF2100'))).sw).toBe(0x9000);
    expect(card.process(cmd(fromHex('80CABF2106A6048302110400'))).sw).toBe(0x6a88);
    expect(card.process(cmd(fromHex('80CABF2104A602830100'))).sw).toBe(0x6a80);
    expect(card.process(cmd(fromHex('80CABF2002A60000'))).sw).toBe(0x6a88);
  });
});

describe('PERFORM SECURITY OPERATION', () => {
  it('accepts a single ECKA certificate and then MUTUAL AUTHENTICATE', () => {
    const card = createScp11Card(testCardConfig());
    expect(card.process(ma()).sw).toBe(0x6985); // no OCE key yet
    expect(card.session).toBeUndefined();
    expect(card.process(pso(TEST_PKI.oce.certificate)).sw).toBe(0x9000);
    const r = card.process(ma());
    expect(r.sw).toBe(0x9000);
    expect(r.data!.length).toBe(3 + 65 + 2 + 16);
    expect(card.session?.protocol).toBe('SCP11a');
  });

  it('accepts a sub-CA chain; refuses wrong usage in either place (6600)', () => {
    const { sub, cert: subCert } = subCa();
    const leaf = oceLeaf(sub);
    const card = createScp11Card(testCardConfig());
    expect(card.process(pso(subCert, true)).sw).toBe(0x9000);
    expect(card.process(pso(leaf)).sw).toBe(0x9000);
    expect(card.process(ma()).sw).toBe(0x9000);

    const fresh = createScp11Card(testCardConfig());
    expect(fresh.process(pso(subCert, false)).sw).toBe(0x6600); // 0082 as the last certificate
    expect(fresh.process(pso(TEST_PKI.oce.certificate, true)).sw).toBe(0x6600); // 0080 with more to come
    expect(fresh.process(ma()).sw).toBe(0x6985);
  });

  it('refuses unknown CA reference / issuer id (6A88), forged signature (6600), tampering', () => {
    const card = createScp11Card(testCardConfig());
    expect(card.process(pso(TEST_PKI.oce.certificate, false, 0x04)).sw).toBe(0x6a88); // KVN 04
    expect(card.process(pso(TEST_PKI.oce.certificate, false, 0x03, 0x11)).sw).toBe(0x6a88); // KID 11
    const rogue = createCa();
    expect(card.process(pso(oceLeaf(rogue))).sw).toBe(0x6a88);
    expect(card.process(pso(oceLeaf({ keyPair: rogue.keyPair, keyId: TEST_PKI.klocCa.keyId }))).sw).toBe(
      0x6600,
    );
    const tampered = new Uint8Array(TEST_PKI.oce.certificate);
    tampered[tampered.length - 80]! ^= 0x01;
    expect(card.process(pso(tampered)).sw).toBe(0x6600);
    expect(card.process(pso(TEST_PKI.oce.certificate.subarray(0, 100))).sw).toBe(0x6a80);
    expect(card.process(ma()).sw).toBe(0x6985);
  });

  it('refuses expired and not-yet-valid certificates against the injected clock (6600)', () => {
    const card = createScp11Card(testCardConfig());
    expect(card.process(pso(oceLeaf(KLOC, { effective: 20200101, expiration: 20250531 }))).sw).toBe(0x6600);
    expect(card.process(pso(oceLeaf(KLOC, { effective: 20250602, expiration: 20300101 }))).sw).toBe(0x6600);
    const later = createScp11Card(testCardConfig({ now: () => new Date(Date.UTC(2031, 0, 1)) }));
    expect(later.process(pso(oceLeaf())).sw).toBe(0x6600);
  });

  it('checks only the first certificate against the allow-list (6640)', () => {
    const { sub, cert: subCert } = subCa();
    const leaf = oceLeaf(sub);
    const card = createScp11Card(testCardConfig({ allowList: new Set(['5B']) }));
    expect(card.process(pso(subCert, true)).sw).toBe(0x9000);
    expect(card.process(pso(leaf)).sw).toBe(0x9000);
    const strict = createScp11Card(testCardConfig({ allowList: new Set(['01']) }));
    expect(strict.process(pso(subCert, true)).sw).toBe(0x6640);
    expect(strict.process(pso(TEST_PKI.oce.certificate)).sw).toBe(0x6640);
  });

  it('a failed upload keeps the OCE key accepted before, and the open session', () => {
    const card = createScp11Card(testCardConfig());
    expect(card.process(pso(TEST_PKI.oce.certificate)).sw).toBe(0x9000);
    expect(card.process(ma()).sw).toBe(0x9000);
    const session = card.session;
    expect(card.process(pso(oceLeaf(KLOC, { expiration: 20200101, effective: undefined }))).sw).toBe(0x6600);
    expect(card.session).toBe(session);
    expect(card.process(ma()).sw).toBe(0x9000);
  });

  it('ISO command chaining, with P1 b8 on the chained blocks tolerated (OS)', () => {
    const big = oceLeaf(KLOC, { discretionary: new Uint8Array(300).fill(0x5a) });
    expect(big.length).toBeGreaterThan(255);
    const card = createScp11Card(testCardConfig());
    const first = cmd(buildCommand(0x90, 0x2a, 0x83, 0x10, big.subarray(0, 255)));
    const second = cmd(buildCommand(0x90, 0x2a, 0x83, 0x10, big.subarray(255, 400)));
    const last = cmd(buildCommand(0x80, 0x2a, 0x03, 0x10, big.subarray(400)));
    expect(card.process(first).sw).toBe(0x9000);
    expect(card.process(second).sw).toBe(0x9000);
    expect(card.process(last).sw).toBe(0x9000);
    expect(card.process(ma()).sw).toBe(0x9000);

    // Another command between the blocks drops the partial certificate.
    const other = createScp11Card(testCardConfig());
    other.process(first);
    other.process(cmd(fromHex('80CABF2100')));
    expect(other.process(last).sw).toBe(0x6a80);
    // Too long for the card.
    const huge = createScp11Card(testCardConfig());
    for (let i = 0; i < 4; i++) huge.process(cmd(buildCommand(0x90, 0x2a, 0x03, 0x10, new Uint8Array(255))));
    expect(huge.process(cmd(buildCommand(0x90, 0x2a, 0x03, 0x10, new Uint8Array(255)))).sw).toBe(0x6a84);
  });
});

describe('MUTUAL / INTERNAL AUTHENTICATE', () => {
  function ready() {
    const card = createScp11Card(testCardConfig());
    card.process(pso(TEST_PKI.oce.certificate));
    return card;
  }

  it('refuses a bad CRT, a bad ePK.OCE, an unknown key (6A80, 6A88, 6A86)', () => {
    const card = ready();
    const crt = (i: number, kuq: number, type = 0x88, len = 16) =>
      buildCrt({ i, kuq, keyType: type, keyLength: len });
    expect(card.process(ma(crt(0x00, 0x3c))).sw).toBe(0x6a80); // SCP11b parameter on INS 82
    expect(card.process(ma(crt(0x05, 0x3c))).sw).toBe(0x6a80); // HostID requested
    expect(card.process(ma(crt(0x01, 0x74))).sw).toBe(0x6a80);
    expect(card.process(ma(crt(0x01, 0x3c, 0x80))).sw).toBe(0x6a80);
    expect(card.process(ma(crt(0x01, 0x3c, 0x88, 15))).sw).toBe(0x6a80);
    expect(card.process(ma(CRT_A, new Uint8Array(65))).sw).toBe(0x6a80); // not a point
    expect(card.process(ma(CRT_A, nodeP256.generateKeyPair().q.subarray(0, 64))).sw).toBe(0x6a80);
    expect(card.process(cmd(buildCommand(0x80, 0x82, 0x03, 0x11, CRT_A, 256))).sw).toBe(0x6a80);
    expect(
      card.process(
        cmd(
          buildCommand(
            0x80,
            0x82,
            0x03,
            0x11,
            concat(CRT_A, ber(0x5f49, nodeP256.generateKeyPair().q), fromHex('9000')),
            256,
          ),
        ),
      ).sw,
    ).toBe(0x6a80);
    expect(card.process(ma(CRT_A, undefined, 0x04)).sw).toBe(0x6a88);
    expect(card.process(ma(CRT_A, undefined, 0x03, 0x13)).sw).toBe(0x6a86);
    expect(card.session).toBeUndefined();
    for (const keyLength of [16, 24, 32]) {
      expect(card.process(ma(crt(0x01, 0x3c, 0x88, keyLength))).sw).toBe(0x9000);
      expect(card.session!.keys.sEnc.length).toBe(keyLength);
    }
  });

  it('KVN 00 means the first key with that KID', () => {
    expect(ready().process(ma(CRT_A, undefined, 0x00)).sw).toBe(0x9000);
  });

  it('security levels from the key usage qualifier', () => {
    const card = ready();
    for (const [kuq, level] of [
      [0x3c, 0xb3],
      [0x34, 0x91],
      [0x1c, 0x83],
    ] as const) {
      expect(card.process(ma(buildCrt({ i: 1, kuq, keyType: 0x88, keyLength: 16 }))).sw).toBe(0x9000);
      expect(card.session!.securityLevel).toBe(level);
    }
  });

  it('SCP11b: INTERNAL AUTHENTICATE needs no OCE certificate; OCE not authenticated', () => {
    const card = createScp11Card(testCardConfig());
    const crt = buildCrt({ i: 0x00, kuq: 0x3c, keyType: 0x88, keyLength: 16 });
    expect(card.process(ma(CRT_A, undefined, 0x03, 0x13, 0x88)).sw).toBe(0x6a80); // i = 01 on INS 88
    expect(card.process(ma(crt, undefined, 0x03, 0x11, 0x88)).sw).toBe(0x6a86);
    const r = card.process(ma(crt, undefined, 0x03, 0x13, 0x88));
    expect(r.sw).toBe(0x9000);
    expect(card.session?.protocol).toBe('SCP11b');
    expect(card.session!.securityLevel & 0x80).toBe(0);
  });

  it('a new authentication ends the open session; reset drops everything', () => {
    const card = ready();
    card.process(ma());
    const first = card.session!;
    expect(card.process(ma(CRT_A, new Uint8Array(65))).sw).toBe(0x6a80);
    expect(first.open).toBe(false);
    expect(card.session).toBeUndefined();
    card.process(ma());
    card.reset();
    expect(card.session).toBeUndefined();
    expect(card.process(ma()).sw).toBe(0x6985);
  });

  it('unknown instructions: 6D00; ISO class on a GP command: 6E00', () => {
    const card = createScp11Card(testCardConfig());
    expect(card.process(cmd(fromHex('80500000'))).sw).toBe(0x6d00);
    expect(card.process(cmd(buildCommand(0x00, 0x2a, 0x03, 0x10, TEST_PKI.oce.certificate))).sw).toBe(0x6e00);
    expect(card.process(cmd(buildCommand(0x00, 0x88, 0x03, 0x13, CRT_A))).sw).toBe(0x6e00);
  });

  it('fresh ephemeral keys: two handshakes give different keys and receipts', () => {
    const card = ready();
    const a = card.process(ma()).data!;
    const b = card.process(ma()).data!;
    expect(toHex(a)).not.toBe(toHex(b));
  });
});
