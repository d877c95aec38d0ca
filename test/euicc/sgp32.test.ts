// GSMA SGP.32 v1.2 ES10b additions on the ISD-R (default eUICC, profiles/default-euicc.yaml): GetCerts
// (§5.9.10), GetEimConfigurationData (§5.9.18), AddInitialEim (§5.9.4). Answers pinned byte for byte
// against DER built here from the ASN.1 (module SGP32Definitions), every error code, nothing changed on
// error, and a power loss at each NVM write of AddInitialEim.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../card-os/bytes.js';
import { projectRoot } from '../../host/card-factory.js';
import { createEuicc, loadEuicc } from '../../host/euicc/load.js';
import { euiccTestPki } from '../../host/euicc/test-pki.js';
import { defaultEuiccTemplate, es10, ISD_R, newEuicc, openIsdR, runTornAt, txHex } from './support.js';

const EID = '89049032123451234512345678901235';
const pki = euiccTestPki(EID);
const CI = toHex(pki.ci.ski);

function tlv(tag: string, ...values: string[]): string {
  const v = values.join('');
  const n = v.length / 2;
  const len =
    n < 0x80
      ? n.toString(16).padStart(2, '0')
      : n < 0x100
        ? `81${n.toString(16).padStart(2, '0')}`
        : `82${n.toString(16).padStart(4, '0')}`;
  return `${tag}${len}${v}`.toUpperCase();
}
/** A certificate's DER with its SEQUENCE tag replaced by IMPLICIT [n] (constructed). */
const retag = (tag: string, der: string) => `${tag}${der.slice(2)}`;
const utf8hex = (s: string) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();

const CERTS = tlv('BF56', tlv('A0', retag('A5', toHex(pki.eum.der)), retag('A6', toHex(pki.euicc.der))));

describe('ES10b.GetCerts (SGP.32 §5.9.10)', () => {
  it('answers the EUM and eUICC certificates, [5] and [6] IMPLICIT inside certs [0]', () => {
    const c = newEuicc();
    const ch = openIsdR(c);
    expect(es10(c, ch, 'BF5600').answer).toBe(CERTS);
    // With the eUICC's CI key id, as OCTET STRING (04) or as the AUTOMATIC TAGS [0] (80).
    expect(es10(c, ch, tlv('BF56', tlv('04', CI))).answer).toBe(CERTS);
    expect(es10(c, ch, tlv('BF56', tlv('80', CI))).answer).toBe(CERTS);
  });

  it('pySim-shell detection: SELECT ISD-R and GetCerts on the basic channel (T=0: 61xx, GET RESPONSE)', () => {
    const c = newEuicc();
    expect(txHex(c, `00A4040410${ISD_R}`).sw).toMatch(/^(61|90)/);
    const r = es10(c, 0, 'BF5600');
    expect(r.apdus[0]).toBe('80E2910003BF5600');
    expect(r.apdus[1]).toMatch(/^80C00000/);
    expect(r.answer).toBe(CERTS);
  });

  it('an unknown CI key id: invalidCiPKId (1); a malformed request: undefinedError (127)', () => {
    const c = newEuicc();
    const ch = openIsdR(c);
    expect(es10(c, ch, tlv('BF56', tlv('04', '00'.repeat(20)))).answer).toBe('BF5603810101');
    expect(es10(c, ch, tlv('BF56', tlv('04', CI), tlv('04', CI))).answer).toBe('BF560381017F');
    expect(es10(c, ch, tlv('BF56', tlv('81', CI))).answer).toBe('BF560381017F');
    expect(es10(c, ch, 'BF56020401').answer).toBe('BF560381017F'); // truncated TLV inside
    // Not one whole TLV: no function at all (ISO 7816-4 §5.6 wrong data).
    expect(txHex(c, `8${ch}E2910004BF560204`).sw).toBe('6A80');
  });

  it('an eUICC without certificates (signNotifications: false) answers undefinedError (127)', () => {
    const t = defaultEuiccTemplate();
    const { signer: _unused, ...noSigner } = t;
    const c = createEuicc(noSigner);
    const ch = openIsdR(c);
    expect(es10(c, ch, 'BF5600').answer).toBe('BF560381017F');
  });
});

const EIM1 = tlv(
  '30',
  tlv('80', utf8hex('eim-1')),
  tlv('81', utf8hex('eim.example.com')),
  tlv('82', '02'),
  tlv('83', '00'),
  tlv('87', '0780'), // eimRetrieveHttps only: DER drops trailing zero bits (X.690 §11.2.2)
  tlv('88', CI),
);
const EIM2 = tlv('30', tlv('80', utf8hex('eim-2')), tlv('84', '00'));
const add = (...eims: string[]) => tlv('BF57', tlv('A0', ...eims));

describe('ES10b.AddInitialEim (SGP.32 §5.9.4) and GetEimConfigurationData (§5.9.18)', () => {
  it('the default eUICC has no eIM: an empty list', () => {
    const c = newEuicc();
    expect(es10(c, openIsdR(c), 'BF5500').answer).toBe('BF5502A000');
  });

  it('adds the initial eIMs in one go: addOk, or a fresh associationToken when one is asked for', () => {
    const c = newEuicc();
    const ch = openIsdR(c);
    expect(es10(c, ch, add(EIM1, EIM2)).answer).toBe(tlv('BF57', tlv('A0', '0500', tlv('84', '01'))));
    const stored2 = tlv('30', tlv('80', utf8hex('eim-2')), tlv('84', '01'));
    expect(es10(c, ch, 'BF5500').answer).toBe(tlv('BF55', tlv('A0', EIM1, stored2)));
    // searchCriteria eimId
    expect(es10(c, ch, tlv('BF55', tlv('A0', tlv('80', utf8hex('eim-2'))))).answer).toBe(
      tlv('BF55', tlv('A0', stored2)),
    );
    expect(es10(c, ch, tlv('BF55', tlv('A0', tlv('80', utf8hex('nope'))))).answer).toBe('BF5502A000');
    // §5.9.4: once an eIM is configured, AddInitialEim is refused.
    expect(es10(c, ch, add(tlv('30', tlv('80', utf8hex('eim-3'))))).answer).toBe('BF5703810102');
  });

  it.each([
    ['no eimId', add(tlv('30', tlv('81', utf8hex('x')))), 7],
    ['empty list', add(), 7],
    ['eimId of 129 bytes', add(tlv('30', tlv('80', '41'.repeat(129)))), 7],
    ['eimIdType 4', add(tlv('30', tlv('80', '41'), tlv('82', '04'))), 7],
    ['negative counterValue', add(tlv('30', tlv('80', '41'), tlv('83', 'FF'))), 6],
    ['counterValue of 5 bytes', add(tlv('30', tlv('80', '41'), tlv('83', '0100000000'))), 6],
    ['unknown euiccCiPKId', add(tlv('30', tlv('80', '41'), tlv('88', '00'.repeat(20)))), 3],
    ['associationToken of 5 bytes', add(tlv('30', tlv('80', '41'), tlv('84', '0100000000'))), 5],
    ['two eIMs with one eimId', add(tlv('30', tlv('80', '41')), tlv('30', tlv('80', '41'))), 7],
    ['a field twice', add(tlv('30', tlv('80', '41'), tlv('80', '42'))), 7],
    ['nine eIMs', add(...Array.from({ length: 9 }, (_, i) => tlv('30', tlv('80', `4${i}`)))), 1],
    ['not a SEQUENCE OF', tlv('BF57', tlv('30', tlv('80', '41'))), 7],
    ['a truncated TLV', 'BF57028001', 127],
  ])('%s: error %i, nothing stored', (_what, request, code) => {
    const c = newEuicc();
    const ch = openIsdR(c);
    const before = c.storage.snapshot();
    expect(es10(c, ch, request).answer).toBe(tlv('BF57', tlv('81', code.toString(16).padStart(2, '0'))));
    expect(c.storage.snapshot()).toEqual(before);
    expect(es10(c, ch, 'BF5500').answer).toBe('BF5502A000');
  });

  it('a malformed GetEimConfigurationData matches nothing (the response has no error form)', () => {
    const c = newEuicc();
    const ch = openIsdR(c);
    es10(c, ch, add(EIM1));
    expect(es10(c, ch, 'BF5503A00180').answer).toBe('BF5502A000');
    expect(es10(c, ch, tlv('BF55', tlv('A0', tlv('81', '41')))).answer).toBe('BF5502A000');
  });

  it('a power loss at each NVM write of AddInitialEim leaves all the eIMs or none', () => {
    const full = fullList();
    let k = 1;
    for (; k < 50; k++) {
      const c = newEuicc();
      const ch = openIsdR(c);
      const completed = runTornAt(c, k, () => es10(c, ch, add(EIM1, EIM2)));
      const back = newEuicc({ nvm: c.snapshot() });
      const ch2 = openIsdR(back);
      const list = es10(back, ch2, 'BF5500').answer;
      if (completed) {
        expect(list).toBe(full);
        break;
      }
      // Struck before the commit: nothing; after it: everything.
      expect(['BF5502A000', full]).toContain(list);
    }
    expect(k).toBeGreaterThan(1);
  });
});

function fullList(): string {
  const c = newEuicc();
  const ch = openIsdR(c);
  es10(c, ch, add(EIM1, EIM2));
  return es10(c, ch, 'BF5500').answer;
}

describe('eUICC definition: eims (SGP.32 §2.11.1.1.1)', () => {
  const file = join(projectRoot(), 'profiles', 'default-euicc.yaml');
  const base = `${readFileSync(file, 'utf8')}\n`;

  it('stores the listed eIMs as EimConfigurationData, and AddInitialEim is then refused', () => {
    const yaml = `${base}eims:\n  - eimId: eim-1\n    eimFqdn: eim.example.com\n    eimIdType: fqdn\n    counterValue: 0\n    eimSupportedProtocol: [retrieveHttps]\n    euiccCiPKId: "${CI}"\n`;
    const c = createEuicc(loadEuicc(file, yaml));
    const ch = openIsdR(c);
    expect(es10(c, ch, 'BF5500').answer).toBe(tlv('BF55', tlv('A0', EIM1)));
    expect(es10(c, ch, add(EIM2)).answer).toBe('BF5703810102');
  });

  it.each([
    ['eimIdType: url', 'eims.0.eimIdType'],
    ['euiccCiPKId: "0011"', 'eims.0.euiccCiPKId'],
    ['counterValue: -1', 'eims.0.counterValue'],
  ])('%s is an error naming the place', (line, where) => {
    const yaml = `${base}eims:\n  - eimId: eim-1\n    ${line}\n`;
    expect(() => loadEuicc(file, yaml)).toThrow(where);
  });
});

describe('hostile input (SGP.32 requests, mutated)', () => {
  it('every mutation of GetCerts / GetEimConfigurationData / AddInitialEim answers an SW; a refusal stores nothing', () => {
    let seed = 0x5eed;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const requests = ['BF5600', tlv('BF56', tlv('04', CI)), 'BF5500', add(EIM1, EIM2)];
    const c = newEuicc();
    const ch = openIsdR(c);
    for (let i = 0; i < 400; i++) {
      const bytes = Buffer.from(requests[i % requests.length]!, 'hex');
      for (let m = 0; m <= rnd(3); m++) bytes[rnd(bytes.length)] = rnd(256);
      const req = bytes.subarray(0, bytes.length - (rnd(4) === 0 ? rnd(bytes.length) : 0));
      const before = c.storage.snapshot();
      const apdu = `8${ch}E29100${req.length.toString(16).padStart(2, '0')}${req.toString('hex')}`;
      let r = txHex(c, apdu);
      let answer = '';
      while (r.sw.startsWith('61')) {
        r = txHex(c, `8${ch}C00000${r.sw.slice(2)}`);
        answer += r.data;
      }
      expect(r.sw).toMatch(/^(9000|6A80|6700)$/);
      if (!answer.startsWith('BF57') || !answer.slice(4).match(/^..A0/))
        expect(c.storage.snapshot()).toEqual(before);
    }
  });
});
