// The default USIM profile: it compiles, its FIDs and SFIs are those of TS 102 221 / TS 31.102
// (TS 102 221 §13, TS 31.102 §4.2, §4.4 and Annex H), its UST matches its files, and its decoded contents round-trip.

import { describe, expect, it } from 'vitest';
import { equal, fromHex, toHex } from '../../card-os/bytes.js';
import { type FileSpec, LCSI, walk } from '../../card-os/fs/model.js';
import { codecFor, decodeFile, decodeServiceTable } from '../../host/codecs/index.js';
import { parseAtr } from '../../host/profile/atr.js';
import { describeProfile, loadDefaultProfile, loadProfile } from '../../host/profile/load.js';

const profile = loadDefaultProfile();
const mf = profile.spec.mf;
const byPath = new Map<string, FileSpec>([...walk(mf)].map((f) => [f.path, f]));

/**
 * Every EF of the default profile: FID path -> [name, SFI or null (FCP 88 00)] per TS 102 221 §13, TS 31.102 §4 and its Annex H (SFIs).
 * SFIs come from the spec tables (MF §1, ADF.USIM §2a, DF.GSM-ACCESS / DF.5GS §2b-2c), never from the FID.
 */
const EXPECTED_EFS: Record<string, [string, number | null]> = {
  '3F00/2F00': ['EF.DIR', 0x1e],
  '3F00/2FE2': ['EF.ICCID', 0x02],
  '3F00/2F05': ['EF.PL', 0x05],
  '3F00/2F06': ['EF.ARR', 0x06],
  '3F00/2F08': ['EF.UMPC', 0x08],
  '3F00/7F10/6F3A': ['EF.ADN', null],
  '3F00/7F10/6F4A': ['EF.EXT1', null],
  '3F00/7F10/5F50/4F20': ['EF.IMG', null],
  '3F00/7F10/5F3A/4F30': ['EF.PBR', null],
  '3F00/7F10/5F3A/4F3A': ['EF.ADN', 0x01], // the SFI EF.PBR gives it
  '3F00/7F10/5F3A/4F22': ['EF.PSC', null],
  '3F00/7F10/5F3A/4F23': ['EF.CC', null],
  '3F00/7F10/5F3A/4F24': ['EF.PUID', null],
  '3F00/7FF0/6F05': ['EF.LI', 0x02],
  '3F00/7FF0/6F06': ['EF.ARR', 0x17],
  '3F00/7FF0/6F07': ['EF.IMSI', 0x07],
  '3F00/7FF0/6F08': ['EF.Keys', 0x08],
  '3F00/7FF0/6F09': ['EF.KeysPS', 0x09],
  '3F00/7FF0/6F31': ['EF.HPPLMN', 0x12],
  '3F00/7FF0/6F37': ['EF.ACMmax', null],
  '3F00/7FF0/6F38': ['EF.UST', 0x04],
  '3F00/7FF0/6F39': ['EF.ACM', null],
  '3F00/7FF0/6F3B': ['EF.FDN', null],
  '3F00/7FF0/6F3C': ['EF.SMS', null],
  '3F00/7FF0/6F40': ['EF.MSISDN', null],
  '3F00/7FF0/6F41': ['EF.PUCT', null],
  '3F00/7FF0/6F42': ['EF.SMSP', null],
  '3F00/7FF0/6F43': ['EF.SMSS', null],
  '3F00/7FF0/6F45': ['EF.CBMI', null],
  '3F00/7FF0/6F46': ['EF.SPN', null],
  '3F00/7FF0/6F48': ['EF.CBMID', 0x0e],
  '3F00/7FF0/6F4B': ['EF.EXT2', null],
  '3F00/7FF0/6F50': ['EF.CBMIR', null],
  '3F00/7FF0/6F56': ['EF.EST', 0x05],
  '3F00/7FF0/6F5B': ['EF.START-HFN', 0x0f],
  '3F00/7FF0/6F5C': ['EF.THRESHOLD', 0x10],
  '3F00/7FF0/6F60': ['EF.PLMNwAcT', 0x0a],
  '3F00/7FF0/6F61': ['EF.OPLMNwAcT', 0x11],
  '3F00/7FF0/6F62': ['EF.HPLMNwAcT', 0x13],
  '3F00/7FF0/6F73': ['EF.PSLOCI', 0x0c],
  '3F00/7FF0/6F78': ['EF.ACC', 0x06],
  '3F00/7FF0/6F7B': ['EF.FPLMN', 0x0d],
  '3F00/7FF0/6F7E': ['EF.LOCI', 0x0b],
  '3F00/7FF0/6FAD': ['EF.AD', 0x03],
  '3F00/7FF0/6FB7': ['EF.ECC', 0x01],
  '3F00/7FF0/6FD9': ['EF.EHPLMN', 0x1d],
  '3F00/7FF0/6FE3': ['EF.EPSLOCI', 0x1e],
  '3F00/7FF0/6FE4': ['EF.EPSNSC', 0x18],
  '3F00/7FF0/5F3B/4F20': ['EF.Kc', 0x01],
  '3F00/7FF0/5F3B/4F52': ['EF.KcGPRS', 0x02],
  '3F00/7FF0/5FC0/4F01': ['EF.5GS3GPPLOCI', 0x01],
  '3F00/7FF0/5FC0/4F02': ['EF.5GSN3GPPLOCI', 0x02],
  '3F00/7FF0/5FC0/4F03': ['EF.5GS3GPPNSC', 0x03],
  '3F00/7FF0/5FC0/4F04': ['EF.5GSN3GPPNSC', 0x04],
  '3F00/7FF0/5FC0/4F05': ['EF.5GAUTHKEYS', 0x05],
  '3F00/7FF0/5FC0/4F06': ['EF.UAC_AIC', 0x06],
  '3F00/7FF0/5FC0/4F07': ['EF.SUCI_Calc_Info', 0x07],
  '3F00/7FF0/5FC0/4F08': ['EF.OPL5G', 0x08],
  '3F00/7FF0/5FC0/4F09': ['EF.SUPI_NAI', 0x09],
  '3F00/7FF0/5FC0/4F0A': ['EF.Routing_Indicator', 0x0a],
};

/** Sizes from TS 102 221 §13 / TS 31.102 §4 (fixed-size EFs): transparent size, or [record length, records] where fixed. */
const EXPECTED_SIZES: Record<string, number> = {
  '3F00/2FE2': 10,
  '3F00/7FF0/6F07': 9,
  '3F00/7FF0/6F08': 33,
  '3F00/7FF0/6F09': 33,
  '3F00/7FF0/6F31': 1,
  '3F00/7FF0/6F37': 3,
  '3F00/7FF0/6F46': 17,
  '3F00/7FF0/6F5B': 6,
  '3F00/7FF0/6F5C': 3,
  '3F00/7FF0/6F73': 14,
  '3F00/7FF0/6F78': 2,
  '3F00/7FF0/6F7E': 11,
  '3F00/7FF0/6FAD': 4,
  '3F00/7FF0/6FE3': 18,
  '3F00/7FF0/5F3B/4F20': 9,
  '3F00/7FF0/5F3B/4F52': 9,
  '3F00/7FF0/5FC0/4F01': 20,
  '3F00/7FF0/5FC0/4F02': 20,
};

describe('default profile', () => {
  it('compiles into a CardSpec', () => {
    const s = profile.spec;
    expect(s.mf.type).toBe('MF');
    expect(s.mf.fid).toBe(0x3f00);
    expect(s.mf.path).toBe('3F00');
    expect(s.nvm.size).toBe(0);
    expect(s.description).toMatch(/001010123456789/);
    for (const f of walk(s.mf)) {
      for (const c of f.children) expect(c.parent).toBe(f);
      if (f.type === 'EF') expect(f.initial.length).toBe(f.size);
      expect(f.lcsi).toBe(LCSI.ACTIVATED);
      expect(f.arr).toBeDefined();
    }
  });

  it('has the ADF.USIM with its AID, FID 7FF0 and PIN status references', () => {
    const usim = byPath.get('3F00/7FF0')!;
    expect(usim.type).toBe('ADF');
    expect(usim.name).toBe('ADF.USIM');
    expect(toHex(usim.aid!)).toBe('A0000000871002FFFFFFFF8907090000');
    expect(usim.pinRefs).toEqual([0x01, 0x81, 0x0a]);
    expect(mf.pinRefs).toEqual([0x01, 0x0a]);
    expect(byPath.get('3F00/7FF0/5FC0')!.pinRefs).toEqual([0x01, 0x81, 0x0a]); // inherited
  });

  it('gives every EF the SFI of its own spec entry (TS 31.102 Annex H)', () => {
    const efs = [...walk(mf)].filter((f) => f.type === 'EF');
    expect(efs.map((f) => f.path).sort()).toEqual(Object.keys(EXPECTED_EFS).sort());
    for (const f of efs) {
      const [name, sfi] = EXPECTED_EFS[f.path]!;
      expect({ path: f.path, name: f.name, sfi: f.sfi ?? null }).toEqual({ path: f.path, name, sfi });
    }
  });

  it('avoids the SFI = FID & 1F trap: EF.AD is SFI 03, EF.EPSLOCI is SFI 1E (TS 31.102 Annex H)', () => {
    expect(byPath.get('3F00/7FF0/6FAD')!.sfi).toBe(0x03);
    expect(byPath.get('3F00/7FF0/6FE3')!.sfi).toBe(0x1e);
    const usimSfis = byPath.get('3F00/7FF0')!.children.filter((c) => c.sfi !== undefined);
    expect(new Set(usimSfis.map((c) => c.sfi)).size).toBe(usimSfis.length);
  });

  it('has the fixed sizes of the spec', () => {
    for (const [path, size] of Object.entries(EXPECTED_SIZES))
      expect([path, byPath.get(path)!.size]).toEqual([path, size]);
    expect(byPath.get('3F00/7FF0/6F38')!.size).toBe(17); // UST: services 1..136
  });

  it('writes the identities as TS 31.102 §4.2.2 and TS 102 221 §13.2 encode them', () => {
    expect(toHex(byPath.get('3F00/7FF0/6F07')!.initial)).toBe('080910101032547698');
    expect(decodeFile('EF.ICCID', byPath.get('3F00/2FE2')!.initial)).toBe('89882110000000000002');
    expect(toHex(byPath.get('3F00/2F00')!.initial.subarray(0, 26))).toBe(
      '61184F10A0000000871002FFFFFFFF890709000050045553494D',
    );
    expect(toHex(byPath.get('3F00/7FF0/6F62')!.initial)).toBe('00F110C884');
    expect(toHex(byPath.get('3F00/7FF0/6FAD')!.initial)).toBe('00000002');
    expect(toHex(byPath.get('3F00/7FF0/6F08')!.initial)).toBe(`07${'FF'.repeat(32)}`);
  });

  it('holds the 14 standard access rules in both EF.ARR files (TCA eUICC Profile Package ARR_DEFINITION)', () => {
    const rule1 = fromHex('8001019000800102A406830101950108800158A40683010A950108');
    for (const p of ['3F00/2F06', '3F00/7FF0/6F06']) {
      const arr = byPath.get(p)!;
      expect(arr.recordCount).toBe(14);
      expect(equal(arr.initial.subarray(0, rule1.length), rule1)).toBe(true);
    }
    // Files point at their DF's EF.ARR; the ADF at its own.
    expect(byPath.get('3F00/7FF0/6F07')!.arr).toEqual({ fid: 0x6f06, record: 2 });
    expect(byPath.get('3F00/2FE2')!.arr).toEqual({ fid: 0x2f06, record: 11 });
    expect(byPath.get('3F00/7F10/5F3A/4F3A')!.arr).toEqual({ fid: 0x2f06, record: 5 });
  });

  it('has the files its UST announces (TS 31.102 §4.2.8, the files each service needs)', () => {
    const needs: Record<number, string[]> = {
      2: ['6F3B'],
      3: ['6F4B'],
      10: ['6F3C', '6F43'],
      12: ['6F42'],
      13: ['6F37', '6F39', '6F41'],
      15: ['6F45'],
      16: ['6F50'],
      19: ['6F46'],
      20: ['6F60'],
      21: ['6F40'],
      27: ['5F3B', '5F3B/4F20', '5F3B/4F52'],
      29: ['6F48'],
      34: ['6F56'],
      42: ['6F61'],
      43: ['6F62'],
      71: ['6FD9'],
      85: ['6FE3', '6FE4'],
      122: ['5FC0', '5FC0/4F01', '5FC0/4F02', '5FC0/4F03', '5FC0/4F04'],
      123: ['5FC0', '5FC0/4F05'],
      124: ['5FC0', '5FC0/4F07', '5FC0/4F0A'],
      125: ['5FC0', '5FC0/4F07', '5FC0/4F0A'],
    };
    const ust = decodeServiceTable(byPath.get('3F00/7FF0/6F38')!.initial);
    expect(ust).toContain(27);
    for (const n of ust)
      for (const p of needs[n] ?? []) expect([n, byPath.has(`3F00/7FF0/${p}`)]).toEqual([n, true]);
  });

  it('pads PIN values with FF to 8 bytes and keeps the ADM key as given', () => {
    const pins = new Map(profile.spec.pins.map((p) => [p.ref, p]));
    expect(toHex(pins.get(0x01)!.value)).toBe('31323334FFFFFFFF');
    expect(toHex(pins.get(0x01)!.puk!)).toBe('3132333435363738');
    expect(pins.get(0x01)).toMatchObject({
      maxTries: 3,
      maxUnblockTries: 10,
      enabled: true,
      canDisable: true,
    });
    expect(pins.get(0x81)!.name).toBe('PIN2');
    expect(toHex(pins.get(0x0a)!.value)).toBe('3132333435363738');
    expect(pins.get(0x0a)).toMatchObject({ canDisable: false, maxUnblockTries: 0, enabled: true });
    expect(pins.get(0x0a)!.puk).toBeUndefined();
  });

  it('has a well-formed ATR offering T=0 then T=1', () => {
    const atr = parseAtr(profile.spec.atr);
    expect(typeof atr).not.toBe('string');
    expect(atr).toMatchObject({ protocols: [0, 1], ta1: 0x96, t15: 0xc7, t1: { ifsc: 254, bwi: 4, cwi: 5 } });
    let x = 0;
    for (const b of profile.spec.atr.subarray(1)) x ^= b;
    expect(x).toBe(0); // TCK
  });

  it('returns the subscriber section typed, with Milenage test set 1', () => {
    const s = profile.subscriber!;
    expect(s.algorithm).toBe('milenage');
    expect(toHex(s.k)).toBe('465B5CE8B199B49FAA5F0A2EE238A6BC');
    expect(toHex(s.opc!)).toBe('CD63CB71954A9F4E48A5994E37A02BAF');
    expect(s.op).toBeUndefined();
    expect(toHex(s.amf!)).toBe('B9B9');
    expect(s.sqn).toEqual({ indBits: 5, delta: 2 ** 28 });
  });

  it('round-trips every decodable content through its codec', () => {
    let checked = 0;
    for (const f of walk(mf)) {
      if (f.type !== 'EF') continue;
      const c = codecFor(f.name);
      if (!c) continue;
      if (c.unit === 'file') {
        const v = c.decode(f.initial);
        expect(v, f.path).toBeDefined();
        expect(toHex(c.encode(v, f.size)), f.path).toBe(toHex(f.initial));
      } else {
        const n = f.recordLength!;
        for (let i = 0; i < f.recordCount!; i++) {
          const rec = f.initial.subarray(i * n, (i + 1) * n);
          const v = c.decode(rec);
          if (v === undefined) expect(rec.every((b) => b === 0xff)).toBe(true);
          else expect(toHex(c.encode(v, n)), `${f.path} record ${i + 1}`).toBe(toHex(rec));
        }
      }
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(18);
  });

  it('is shown as a tree without any secret', () => {
    const text = describeProfile(profile);
    expect(text).toMatch(/7FF0 ADF\.USIM {2}AID A0000000871002FFFFFFFF8907090000/);
    expect(text).toMatch(/6FAD EF\.AD {2}transparent 4 {2}SFI 03 {2}ARR 6F06#10/);
    expect(text).toContain('= 001010123456789');
    expect(text).toContain('rule 8: read: PIN1, update: 2PIN1');
    expect(text).toContain('K (set), OPc (set)');
    expect(text).toContain('  01 PIN1, value (set), 3 tries, PUK (set), 10 tries, enabled\n');
    expect(text).toContain('  0A ADM1, value (set), 10 tries, enabled, cannot be disabled\n');
    // Key and PIN values in any of the forms the profile holds them (hex, ASCII hex, ASCII with PUKs).
    const secrets = [
      '465B5CE8B199B49F',
      'CD63CB71954A9F4E',
      '3132333435363738',
      '31323334',
      '35363738',
      '87654321',
    ];
    // OTA and security-domain keys, when the profile has them.
    for (const k of profile.ota?.keysets ?? [])
      for (const key of [k.kic, k.kid]) if (key) secrets.push(toHex(key.key));
    if (profile.securityDomain) secrets.push(toHex(profile.securityDomain.privateKey));
    for (const s of secrets) expect(text.toUpperCase()).not.toContain(s);
  });
});

describe('example profiles', () => {
  it('profiles/examples/minimal.yaml compiles', () => {
    const p = loadProfile('profiles/examples/minimal.yaml');
    const adf = p.spec.mf.children.find((c) => c.type === 'ADF')!;
    expect(adf.arr).toEqual({ fid: 0x2f06, record: 3 });
    expect(decodeFile('EF.ICCID', p.spec.mf.children.find((c) => c.fid === 0x2fe2)!.initial)).toBe(
      '8988211000000000003',
    );
    const pin1 = p.spec.pins.find((x) => x.ref === 1)!;
    expect(pin1.enabled).toBe(false);
    expect(toHex(p.spec.pins.find((x) => x.ref === 0x0a)!.value)).toBe('3838383838383838');
    expect(p.subscriber!.op).toBeDefined();
    const acm = adf.children.find((c) => c.fid === 0x6f39)!;
    expect(toHex(acm.initial)).toBe('000010000000');
    expect(describeProfile(p)).not.toContain('000102030405');
  });
});
