// Host (oce.ts) and card (scp11-card.ts) on fresh random PKIs, both EC implementations on either side,
// SCP11a with sub-CA chains on both sides, and SCP11b.

import { describe, expect, it } from 'vitest';
import { nobleP256, nodeP256, type P256 } from '../../applets/security-domain/ec.js';
import { KEY_USAGE } from '../../applets/security-domain/gp-certificate.js';
import { type Bytes, concat, fromHex, toHex } from '../../card-os/bytes.js';
import { openScp11 } from '../../host/scp11/oce.js';
import { createCa, issueCertificate } from '../../host/scp11/pki.js';
import { cardUnderTest, NOW } from './fixtures.js';

const VALID = { effective: 20250101, expiration: 20261231 };

/** A random two-level PKI: root -> sub-CA -> ECKA leaf, for each side. */
function randomWorld(signatureFormat: 'der' | 'raw') {
  const chain = (serial: number) => {
    const root = createCa();
    const sub = createCa();
    const leaf = nodeP256.generateKeyPair();
    const subCert = issueCertificate(root, {
      serial: Uint8Array.of(serial),
      publicKey: sub.keyPair.q,
      subjectId: sub.keyId,
      keyUsage: KEY_USAGE.SIGNATURE_VERIFICATION,
      signatureFormat,
      ...VALID,
    });
    const leafCert = issueCertificate(sub, {
      serial: Uint8Array.of(serial + 1),
      publicKey: leaf.q,
      keyUsage: KEY_USAGE.KEY_AGREEMENT,
      signatureFormat,
      ...VALID,
    });
    return { root, leaf, certs: [subCert, leafCert] };
  };
  return { card: chain(0x10), oce: chain(0x20) };
}

async function handshake(variant: 'a' | 'b', cardEc: P256, hostEc: P256, signatureFormat: 'der' | 'raw') {
  const w = randomWorld(signatureFormat);
  const cut = cardUnderTest({
    sdKeys: [
      { kid: variant === 'a' ? 0x11 : 0x13, kvn: 0x01, keyPair: w.card.leaf, certificates: w.card.certs },
    ],
    oceCas: [{ kid: 0x10, kvn: 0x01, publicKey: w.oce.root.keyPair.q, keyId: w.oce.root.keyId }],
    now: () => NOW,
    ec: cardEc,
  });
  const oce = await openScp11({
    transmit: async (c: Bytes) => cut.transmit(c),
    variant,
    certificates: w.oce.certs,
    keyPair: w.oce.leaf,
    cardCa: { publicKey: w.card.root.keyPair.q, keyId: w.card.root.keyId },
    sdKvn: 0x01,
    now: () => NOW,
    ec: hostEc,
  });
  return { ...cut, oce, w };
}

describe('host and card interoperate on fresh keys', () => {
  for (const variant of ['a', 'b'] as const)
    for (const [cardEc, hostEc] of [
      [nodeP256, nobleP256],
      [nobleP256, nodeP256],
    ] as const)
      it(`SCP11${variant}, card ${cardEc.name}, host ${hostEc.name}`, async () => {
        const { card, oce, seen } = await handshake(variant, cardEc, hostEc, variant === 'a' ? 'der' : 'raw');
        const s = card.session!;
        expect(s.protocol).toBe(`SCP11${variant}`);
        for (const k of ['sEnc', 'sMac', 'sRmac', 'sDek'] as const)
          expect(toHex(oce.session.keys[k])).toBe(toHex(s.keys[k]));
        expect(toHex(oce.session.ltkKey)).toBe(toHex(s.ltkKey));
        for (let i = 0; i < 5; i++) {
          expect(toHex((await oce.send(fromHex('80F22000024F00'))).data)).toBe('08A000000151000000019E');
          expect(toHex((await oce.send(fromHex('80CA0066'))).data)).toBe('7300');
        }
        expect(seen.length).toBe(10);
        expect(s.counter).toBe(10);
      });

  it('long answers through 61xx / GET RESPONSE on the command channel', async () => {
    const w = randomWorld('der');
    const cut = cardUnderTest({
      sdKeys: [{ kid: 0x11, kvn: 0x01, keyPair: w.card.leaf, certificates: w.card.certs }],
      oceCas: [{ kid: 0x10, kvn: 0x01, publicKey: w.oce.root.keyPair.q }],
      now: () => NOW,
    });
    // A transport that hands out at most 32 bytes at a time, as a T=0 card would with 61xx.
    let pending: Bytes = new Uint8Array(0);
    const getResponses: number[] = [];
    const chunked = async (c: Bytes): Promise<Bytes> => {
      if (c[1] === 0xc0) getResponses.push(c[0]!);
      const full = c[1] === 0xc0 ? pending : cut.transmit(c);
      if (full.length <= 2 + 32) return full;
      const data = full.subarray(0, full.length - 2);
      pending = concat(data.subarray(32), full.subarray(full.length - 2));
      const left = Math.min(pending.length - 2, 255);
      return concat(data.subarray(0, 32), Uint8Array.of(0x61, left));
    };
    const oce = await openScp11({
      transmit: chunked,
      certificates: w.oce.certs,
      keyPair: w.oce.leaf,
      cardCa: { publicKey: w.card.root.keyPair.q },
      sdKvn: 0x01,
      channel: 5,
      now: () => NOW,
    });
    expect(toHex((await oce.send(fromHex('C1F22000024F00'))).data)).toBe('08A000000151000000019E');
    expect(getResponses.length).toBeGreaterThan(8);
    expect(new Set(getResponses)).toEqual(new Set([0x41]));
  });

  it('the host refuses a card whose certificate chains to another CA, and a wrong receipt', async () => {
    const w = randomWorld('der');
    const cut = cardUnderTest({
      sdKeys: [{ kid: 0x11, kvn: 0x01, keyPair: w.card.leaf, certificates: w.card.certs }],
      oceCas: [{ kid: 0x10, kvn: 0x01, publicKey: w.oce.root.keyPair.q }],
      now: () => NOW,
    });
    const base = {
      certificates: w.oce.certs,
      keyPair: w.oce.leaf,
      sdKvn: 0x01,
      now: () => NOW,
    };
    await expect(
      openScp11({
        ...base,
        transmit: async (c) => cut.transmit(c),
        cardCa: { publicKey: createCa().keyPair.q },
      }),
    ).rejects.toThrow(/card certificate rejected \(6600\)/);
    const tamperReceipt = async (c: Bytes) => {
      const r = cut.transmit(c);
      if (c[1] === 0x82) r[r.length - 3]! ^= 0x01;
      return r;
    };
    await expect(
      openScp11({ ...base, transmit: tamperReceipt, cardCa: { publicKey: w.card.root.keyPair.q } }),
    ).rejects.toThrow(/receipt/);
    // An OCE chain from another CA (no CA key id configured, so the signature decides): 6600 from PSO.
    await expect(
      openScp11({
        ...base,
        certificates: [w.card.certs[0]!, w.oce.certs[1]!],
        transmit: async (c) => cut.transmit(c),
        cardCa: { publicKey: w.card.root.keyPair.q },
      }),
    ).rejects.toThrow(/PSO certificate 1 failed: SW 6600/);
  });
});
