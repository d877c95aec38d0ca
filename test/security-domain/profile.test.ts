// The securityDomain profile section: the default profile carries the TEST_PKI material, personalisation
// writes the SD records, and the optional fields (caKeyId, caKid, caKvn, scp11b) reach the card.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeOceCas,
  decodeSdKeys,
  SD_ECKA_RECORD,
  SD_OCE_CA_RECORD,
} from '../../applets/security-domain/sd-records.js';
import { buildCommand, swOf } from '../../card-os/apdu.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { createCard } from '../../card-os/card.js';
import { defaultProfilePath, openCard, prepareProfile } from '../../host/card-factory.js';
import { send } from '../../host/network/attach.js';
import { describeProfile, parseProfileText } from '../../host/profile/load.js';
import { TEST_PKI } from '../../host/scp11/pki.js';
import { embeddedTransport } from '../../host/transport/embedded.js';
import { openSd, selectSd, TEST_OCE } from './support.js';

const DEFAULT_TEXT = readFileSync(defaultProfilePath(), 'utf8');

/** The default profile with its securityDomain section's last lines replaced. */
function variant(replace: [string, string][], name: string) {
  let text = DEFAULT_TEXT;
  for (const [from, to] of replace) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  return { text, name };
}

function cardFrom(text: string, name: string) {
  const p = prepareProfile(text, name);
  return embeddedTransport(createCard(p.spec, { applets: p.applets }));
}

describe('default profile', () => {
  it('carries the TEST_PKI security domain', () => {
    const sd = openCard().profile.securityDomain!;
    expect(toHex(sd.aid)).toBe('A000000151000000');
    expect(sd.kvn).toBe(3);
    expect(toHex(sd.privateKey)).toBe(toHex(TEST_PKI.sd.keyPair.d));
    expect(toHex(sd.publicKey)).toBe(toHex(TEST_PKI.sd.keyPair.q));
    expect(toHex(sd.certificate)).toBe(toHex(TEST_PKI.sd.certificate));
    expect(toHex(sd.caPublicKey)).toBe(toHex(TEST_PKI.klocCa.keyPair.q));
    expect(toHex(sd.caKeyId!)).toBe(toHex(TEST_PKI.klocCa.keyId));
    expect([sd.caKid, sd.caKvn, sd.scp11b]).toEqual([TEST_PKI.klocCa.kid, TEST_PKI.klocCa.kvn, true]);
    const described = describeProfile(openCard().profile);
    expect(described).toContain(
      'Security domain: AID A000000151000000, KVN 03 (SCP11a, SCP11b), private key (set)',
    );
    expect(described).toContain('OCE CA key KID 10 KVN 03 id 3C8FAEE34602BE64FD41016219121821F562DFCA');
    expect(described.toUpperCase()).not.toContain(toHex(TEST_PKI.sd.keyPair.d));
  });

  it('personalisation writes the SD key sets (KID 11 and 13) and the OCE CA key as NVM records', () => {
    const card = openCard().card;
    const keys = decodeSdKeys(card.nvm.get(SD_ECKA_RECORD)!)!;
    expect(keys.map((k) => [k.kid, k.kvn])).toEqual([
      [0x11, 3],
      [0x13, 3],
    ]);
    expect(toHex(keys[0]!.keyPair.d)).toBe(toHex(TEST_PKI.sd.keyPair.d));
    expect(keys[0]!.certificates.map((c) => toHex(c))).toEqual([toHex(TEST_PKI.sd.certificate)]);
    expect(decodeOceCas(card.nvm.get(SD_OCE_CA_RECORD)!)).toEqual([
      { kid: 0x10, kvn: 3, publicKey: TEST_PKI.klocCa.keyPair.q, keyId: TEST_PKI.klocCa.keyId },
    ]);
  });
});

describe('securityDomain section options', () => {
  it('scp11b: false offers SCP11a only; caKid / caKvn set the PSO key reference', async () => {
    const v = variant([['  caKid: 10\n', '  caKid: 12\n  caKvn: 05\n  scp11b: false\n']], 'sd-options.yaml');
    const t = cardFrom(v.text, v.name);
    await selectSd(t);
    expect(toHex(await send(t, fromHex('80CA00E000')))).toBe('E010C0061103B120F001C0061205B041F0019000');
    await expect(openSd(t, { variant: 'b' })).rejects.toThrow('GET DATA BF21 failed: SW 6A88');
    await expect(openSd(t)).rejects.toThrow('PSO certificate 1 failed: SW 6A88');
    const oce = await openSd(t, { oceCaKid: 0x12, oceCaKvn: 0x05 });
    expect((await oce.send(fromHex('80CA0066'))).sw).toBe(0x9000);
  });

  it('without caKeyId the issuer id is not checked, only the signature', async () => {
    const v = variant([['  caKeyId: 3C8FAEE34602BE64FD41016219121821F562DFCA', '']], 'sd-nokeyid.yaml');
    const t = cardFrom(v.text, v.name);
    expect((await (await openSd(t)).send(fromHex('80CA0066'))).sw).toBe(0x9000);
  });

  it('a certificate that does not carry keyPair.public is an error naming the place, not the key', () => {
    const other = TEST_OCE.certificates[0]!;
    const v = variant([[toHex(TEST_PKI.sd.certificate), toHex(other)]], 'sd-badcert.yaml');
    expect(() => parseProfileText(v.text, v.name)).toThrow(
      /sd-badcert\.yaml:\d+: securityDomain\.certificate: the last certificate does not carry keyPair\.public/,
    );
  });

  it('a profile without the section has no security domain (SELECT 6A82)', async () => {
    const start = DEFAULT_TEXT.indexOf('\n# GlobalPlatform issuer security domain');
    expect(start).toBeGreaterThan(0);
    const t = cardFrom(DEFAULT_TEXT.slice(0, start + 1), 'no-sd.yaml');
    expect(swOf(await send(t, buildCommand(0x00, 0xa4, 0x04, 0x00, fromHex('A000000151000000'), 256)))).toBe(
      0x6a82,
    );
  });
});
