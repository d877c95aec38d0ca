// EF codecs: worked examples computed with pySim's encoders (pySim/utils.py, ts_31_102.py) and the TCA profile templates' ARR_DEFINITION, in both directions, plus negative cases.

import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../card-os/bytes.js';
import {
  codecFor,
  completeIccid,
  decodeAcc,
  decodeAccessRule,
  decodeAct,
  decodeAd,
  decodeAlpha,
  decodeDiallingNumber,
  decodeDir,
  decodeEcc,
  decodeFile,
  decodeIccid,
  decodeImsi,
  decodeLanguages,
  decodePlmn,
  decodePlmnActList,
  decodePlmnList,
  decodeServiceTable,
  decodeSpn,
  EF_CODECS,
  encodeAcc,
  encodeAccessRule,
  encodeAct,
  encodeAd,
  encodeAlpha,
  encodeDiallingNumber,
  encodeDir,
  encodeEcc,
  encodeIccid,
  encodeImsi,
  encodeLanguages,
  encodePlmn,
  encodePlmnActList,
  encodePlmnList,
  encodeServiceTable,
  encodeSpn,
  encodeSwappedBcd,
  formatValue,
  luhnDigit,
  parseAccessRule,
} from '../../host/codecs/index.js';

const h = (s: string) => toHex(fromHex(s));

describe('EF.IMSI (TS 31.102 §4.2.2)', () => {
  const vectors: [string, string][] = [
    ['001010123456789', '080910101032547698'],
    ['26201123456789', '08212610214365 87F9'],
  ];
  it.each(vectors)('%s <-> %s', (imsi, hex) => {
    expect(toHex(encodeImsi(imsi))).toBe(h(hex));
    expect(decodeImsi(fromHex(hex))).toBe(imsi);
  });
  it('decodes the pySim vector', () => {
    expect(decodeImsi(fromHex('082926101160845740'))).toBe('262011106487504');
  });
  it('rejects malformed files', () => {
    expect(decodeImsi(fromHex('FFFFFFFFFFFFFFFFFF'))).toBeUndefined();
    expect(decodeImsi(fromHex('080110101032547698'))).toBeUndefined(); // parity says even, 15 digits
    expect(decodeImsi(fromHex('08091010103254769A'))).toBeUndefined(); // nibble A
    expect(decodeImsi(fromHex('080A10101032547698'))).toBeUndefined(); // identity type 010
    expect(() => encodeImsi('00101')).toThrow(/6 to 15/);
    expect(() => encodeImsi('0010101234567890')).toThrow(/6 to 15/);
  });
});

describe('EF.ICCID (TS 102 221 §13.2)', () => {
  it('encodes and decodes the 19-digit vector (valid Luhn)', () => {
    expect(toHex(encodeIccid('8988211000000430010'))).toBe(h('98 88 12 01 00 00 40 03 10 F0'));
    expect(decodeIccid(fromHex('98881201000040031 0F0'.replace(' ', '')))).toBe('8988211000000430010');
  });
  it('swaps the 20-digit vector (its last digit is not a Luhn digit, so the ICCID encoder refuses it)', () => {
    expect(toHex(encodeSwappedBcd('89490000001234567890', undefined, 10))).toBe(
      h('98 94 00 00 00 21 43 65 87 09'),
    );
    expect(decodeIccid(fromHex('98940000002143658709'))).toBe('89490000001234567890');
    expect(() => encodeIccid('89490000001234567890')).toThrow(/should be 4/);
  });
  it('handles the Luhn digit as §4.2 says', () => {
    expect(luhnDigit('898821100000000000')).toBe(3);
    expect(completeIccid('898821100000000000')).toBe('8988211000000000003'); // 18 -> Luhn appended
    expect(completeIccid('8988211000000000003')).toBe('8988211000000000003'); // 19, valid -> kept
    expect(completeIccid('8988211000000000000')).toBe('89882110000000000002'); // 19, not a Luhn digit -> appended
    expect(completeIccid('89882110000000000002')).toBe('89882110000000000002'); // 20, valid
    expect(() => completeIccid('1234')).toThrow(/18 to 20/);
  });
});

describe('PLMN and access technology (TS 31.102 §4.2.5, TS 24.008 §10.5.1.13)', () => {
  const plmns: [string, string, string][] = [
    ['001', '01', '00F110'],
    ['262', '01', '62F210'],
    ['310', '410', '130014'],
  ];
  it.each(plmns)('%s/%s <-> %s', (mcc, mnc, hex) => {
    expect(toHex(encodePlmn({ mcc, mnc }))).toBe(hex);
    expect(decodePlmn(fromHex(hex))).toEqual({ mcc, mnc });
  });
  it('recognises the empty entry and malformed ones', () => {
    expect(decodePlmn(fromHex('FFFFFF'))).toBeNull();
    expect(decodePlmn(fromHex('0AF110'))).toBeUndefined();
  });
  it('codes access technologies as the examples', () => {
    expect(encodeAct(['utran', 'eutran', 'ngran', 'gsm'])).toBe(0xc884);
    expect(encodeAct(['utran'])).toBe(0x8000);
    expect(encodeAct(['eutran-wb'])).toBe(0x6000);
    expect(encodeAct(['eutran-nb'])).toBe(0x5000);
    expect(encodeAct(['ec-gsm-iot'])).toBe(0x0088);
    expect(encodeAct(['gsm', 'ec-gsm-iot'])).toBe(0x008c);
    expect(decodeAct(0xc884)).toEqual(['utran', 'eutran', 'ngran', 'gsm']);
    expect(decodeAct(0x0080)).toEqual(['gsm', 'ec-gsm-iot']);
    expect(decodeAct(0x0088)).toEqual(['ec-gsm-iot']);
    expect(decodeAct(0x0001)).toBeUndefined(); // RFU bit
    expect(decodeAct(0x2000)).toBeUndefined(); // WB-S1 without E-UTRAN
  });
  it('xPLMNwAcT: 001/01 with UTRAN + E-UTRAN + NG-RAN + GSM, padded with empty entries', () => {
    const e = [{ mcc: '001', mnc: '01', act: ['utran', 'eutran', 'ngran', 'gsm'] as const }];
    const b = encodePlmnActList(
      e.map((x) => ({ ...x, act: [...x.act] })),
      15,
    );
    expect(toHex(b)).toBe(h('00F110C884 FFFFFF0000 FFFFFF0000'));
    expect(decodePlmnActList(b)).toEqual([
      { mcc: '001', mnc: '01', act: ['utran', 'eutran', 'ngran', 'gsm'] },
    ]);
  });
  it('FPLMN / EHPLMN lists', () => {
    const b = encodePlmnList(
      [
        { mcc: '001', mnc: '01' },
        { mcc: '310', mnc: '410' },
      ],
      12,
    );
    expect(toHex(b)).toBe(h('00F110 130014 FFFFFF FFFFFF'));
    expect(decodePlmnList(b)).toEqual([
      { mcc: '001', mnc: '01' },
      { mcc: '310', mnc: '410' },
    ]);
    expect(decodePlmnList(fromHex('00F1'))).toBeUndefined();
  });
});

describe('service tables (TS 31.102 §4.2.8)', () => {
  it('encodes and decodes the worked example', () => {
    expect(toHex(encodeServiceTable([1, 2, 3, 4, 5, 9, 10, 12, 15]))).toBe('1F4B');
    expect(toHex(encodeServiceTable([1, 2, 3, 4, 5, 9, 10, 12, 15], 3))).toBe('1F4B00');
    expect(decodeServiceTable(fromHex('1F4B00'))).toEqual([1, 2, 3, 4, 5, 9, 10, 12, 15]);
    expect(decodeServiceTable(fromHex('0180'))).toEqual([1, 16]);
  });
  it('refuses services beyond the table and duplicates', () => {
    expect(() => encodeServiceTable([137], 17)).toThrow(/does not fit in a 17-byte table/);
    expect(() => encodeServiceTable([27, 27])).toThrow(/twice/);
  });
});

describe('EF.AD (TS 31.102 §4.2.18)', () => {
  it.each([
    ['00000002', { mode: 'normal', mncLength: 2 }],
    ['00000003', { mode: 'normal', mncLength: 3 }],
    ['80000103', { mode: 'type-approval', mncLength: 3, flags: ['ciphering-indicator'] }],
  ] as const)('%s', (hex, v) => {
    expect(decodeAd(fromHex(hex))).toEqual(v);
    expect(toHex(encodeAd({ ...v, flags: 'flags' in v ? [...v.flags] : undefined }))).toBe(hex);
  });
  it('rejects unknown modes and MNC lengths', () => {
    expect(decodeAd(fromHex('07000002'))).toBeUndefined();
    expect(decodeAd(fromHex('00000004'))).toBeUndefined();
    expect(decodeAd(fromHex('000000'))).toBeUndefined();
  });
});

describe('EF.ACC (TS 31.102 §4.2.15)', () => {
  it('codes class n as bit n', () => {
    expect(toHex(encodeAcc([0]))).toBe('0001');
    expect(toHex(encodeAcc([15]))).toBe('8000');
    expect(decodeAcc(fromHex('0201'))).toEqual([0, 9]);
    expect(() => encodeAcc([16])).toThrow(/access class/);
  });
});

describe('EF.SPN (TS 31.102 §4.2.12)', () => {
  it('decodes and encodes the pySim test vector', () => {
    const hex = `01${toHex(new TextEncoder().encode('GSM-R CH'))}${'FF'.repeat(8)}`;
    expect(decodeSpn(fromHex(hex))).toEqual({ name: 'GSM-R CH', showPlmnName: true });
    expect(toHex(encodeSpn({ name: 'GSM-R CH', showPlmnName: true }))).toBe(hex);
  });
  it('uses UCS2 when a character is not in the default alphabet', () => {
    const b = encodeSpn({ name: 'Ωmega ✓' });
    expect(b[1]).toBe(0x80);
    expect(decodeSpn(b)).toEqual({ name: 'Ωmega ✓' });
  });
  it('rejects a name that does not fit and reserved condition bits', () => {
    expect(() => encodeSpn({ name: 'a name that is far too long' })).toThrow(/only 16/);
    expect(decodeSpn(fromHex(`04${'41'.repeat(16)}`))).toBeUndefined();
  });
});

describe('alpha identifiers (TS 102 221 Annex A)', () => {
  it('maps the default alphabet, its extension table and the UCS2 forms', () => {
    expect(toHex(encodeAlpha('@_$'))).toBe('001102');
    expect(toHex(encodeAlpha('[€]'))).toBe('1B3C1B651B3E');
    expect(decodeAlpha(fromHex('1B3C1B651B3EFFFF'))).toBe('[€]');
    expect(decodeAlpha(fromHex('80 0041 0042 FFFF'))).toBe('AB');
    // 81: 2 characters, base pointer 08 -> 0x0400; 0x95 -> U+0415 (Cyrillic Е), 0x41 = GSM 'A'.
    expect(decodeAlpha(fromHex('8102089541FF'))).toBe('ЕA');
    expect(decodeAlpha(fromHex('820204009541'))).toBe('ЕA');
    expect(decodeAlpha(fromHex('41FF42'))).toBeUndefined();
  });
});

describe('EF.DIR records (TS 102 221 §13.1)', () => {
  const usim = '61184F10A0000000871002FFFFFFFF890709000050045553494D';
  it('encodes the USIM record and pads it', () => {
    const b = encodeDir({ aid: 'A0000000871002FFFFFFFF8907090000', label: 'USIM' }, 32);
    expect(toHex(b)).toBe(usim + 'FF'.repeat(6));
    expect(decodeDir(b)).toEqual({ aid: 'A0000000871002FFFFFFFF8907090000', label: 'USIM' });
  });
  it('keeps the discretionary template of the pySim vector', () => {
    const hex = '61294F10A0000000871002FFFFFFFF8907090000500555 53696D31730EA00C80011781025F608203454150';
    const v = decodeDir(fromHex(hex));
    expect(v).toEqual({
      aid: 'A0000000871002FFFFFFFF8907090000',
      label: 'USim1',
      extra: '730EA00C80011781025F608203454150',
    });
    expect(toHex(encodeDir(v!))).toBe(h(hex));
  });
  it('rejects other templates, short AIDs and garbage after the template', () => {
    expect(decodeDir(fromHex('FFFFFFFF'))).toBeUndefined();
    expect(decodeDir(fromHex('61064F04A0000000'))).toBeUndefined();
    expect(decodeDir(fromHex(`${usim}00`))).toBeUndefined();
    expect(() => encodeDir({ aid: 'A000' })).toThrow(/5 to 16/);
  });
});

describe('EF.ARR records (TS 102 221 §9.2.4, TCA ARR_DEFINITION)', () => {
  // The 14 standard rules: raw record, and the text the decoder gives (the table's columns).
  const rules: [number, string, string][] = [
    [
      1,
      '8001019000 800102A406830101950108 800158A40683010A950108',
      'read: always, update: PIN1, activate: ADM1, deactivate: ADM1, delete: ADM1',
    ],
    [
      2,
      '800101A406830101950108 80015AA40683010A950108',
      'read: PIN1, update: ADM1, activate: ADM1, deactivate: ADM1, delete: ADM1',
    ],
    [3, '80015BA40683010A950108', 'read: ADM1, update: ADM1, activate: ADM1, deactivate: ADM1, delete: ADM1'],
    [
      4,
      '8001019000 80011A9700 800140A40683010A950108',
      'read: always, update: never, activate: never, deactivate: never, delete: ADM1',
    ],
    [
      5,
      '800103A406830101950108 800158A40683010A950108',
      'read: PIN1, update: PIN1, activate: ADM1, deactivate: ADM1, delete: ADM1',
    ],
    [
      6,
      '800111A406830101950108 80014AA40683010A950108',
      'read: PIN1, update: ADM1, activate: PIN1, deactivate: ADM1, delete: ADM1',
    ],
    [
      7,
      '800103A406830101950108 800158A40683010A950108 840132A406830101950108',
      'read: PIN1, update: PIN1, activate: ADM1, deactivate: ADM1, delete: ADM1, increase: PIN1',
    ],
    [
      8,
      '800101A406830101950108 800102A406830181950108 800158A40683010A950108',
      'read: PIN1, update: 2PIN1, activate: ADM1, deactivate: ADM1, delete: ADM1',
    ],
    [
      9,
      '8001019000 80011AA406830101950108 800140A40683010A950108',
      'read: always, update: PIN1, activate: PIN1, deactivate: PIN1, delete: ADM1',
    ],
    [
      10,
      '8001019000 80015AA40683010A950108',
      'read: always, update: ADM1, activate: ADM1, deactivate: ADM1, delete: ADM1',
    ],
    [
      11,
      '8001019000 800118A40683010A950108 8001429700',
      'read: always, update: never, activate: ADM1, deactivate: ADM1, delete: never',
    ],
    [
      12,
      '800101A406830101950108 80015A9700',
      'read: PIN1, update: never, activate: never, deactivate: never, delete: never',
    ],
    [
      13,
      '800113A406830101950108 800148A40683010A950108',
      'read: PIN1, update: PIN1, activate: PIN1, deactivate: ADM1, delete: ADM1',
    ],
    [
      14,
      '80015EA40683010A950108',
      'update: ADM1, write: ADM1, activate: ADM1, deactivate: ADM1, delete: ADM1',
    ],
  ];
  it.each(rules)('rule %i', (_n, raw, text) => {
    expect(decodeAccessRule(fromHex(raw))).toBe(text);
    expect(toHex(encodeAccessRule(text))).toBe(h(raw));
    // Padded to a record length, and decoded back from the padded record.
    const padded = encodeAccessRule(text, 40);
    expect(padded.length).toBe(40);
    expect(decodeAccessRule(padded)).toBe(text);
  });
  it('writes the brief example in any order and groups equal conditions', () => {
    expect(toHex(encodeAccessRule('activate: ADM1, read: always, update: PIN1'))).toBe(
      h('8001019000 800102A406830101950108 800110A40683010A950108'),
    );
  });
  it('codes OR as several SC DOs and AND as an AF template, and reads an A0 OR template', () => {
    expect(toHex(encodeAccessRule('update: PIN1|ADM1'))).toBe(h('800102 A406830101950108 A40683010A950108'));
    expect(toHex(encodeAccessRule('update: PIN1 & ADM1'))).toBe(
      h('800102 AF10 A406830101950108 A40683010A950108'),
    );
    expect(decodeAccessRule(fromHex('800102 A010 A406830101950108 A40683010A950108'))).toBe(
      'update: PIN1|ADM1',
    );
    expect(decodeAccessRule(fromHex('800102 AF10 A406830101950108 A40683010A950108'))).toBe(
      'update: PIN1&ADM1',
    );
    expect(decodeAccessRule(fromHex('8001029000 8401D4A40683010A950108'))).toBe(
      'update: always, resize: ADM1',
    );
  });
  it('accepts DF aliases and generic INS rules', () => {
    expect(toHex(encodeAccessRule('create-ef: ADM1, create-df: ADM1, delete-child: ADM1'))).toBe(
      h('800107A40683010A950108'),
    );
    expect(toHex(encodeAccessRule('ins-CB: always'))).toBe(h('8401CB9000'));
  });
  it('refuses bad text', () => {
    expect(() => parseAccessRule('read always')).toThrow(/operation: condition/);
    expect(() => parseAccessRule('view: always')).toThrow(/unknown operation "view"/);
    expect(() => parseAccessRule('read: PIN9')).toThrow(/"PIN9" is not/);
    expect(() => parseAccessRule('read: always, read: PIN1')).toThrow(/twice/);
    expect(() => parseAccessRule('read: PIN1|ADM1&ADM2')).toThrow(/mixes/);
  });
  it('leaves records it cannot show as text undecoded', () => {
    expect(decodeAccessRule(fromHex('FFFFFFFF'))).toBeUndefined();
    expect(decodeAccessRule(fromHex('8001019E0140'))).toBeUndefined(); // SC byte DO
    expect(decodeAccessRule(fromHex('800101A406830101950180'))).toBeUndefined(); // other usage qualifier
    expect(decodeAccessRule(fromHex('8001019000 8001019000'))).toBeUndefined(); // read twice
    expect(decodeAccessRule(fromHex('800101'))).toBeUndefined(); // no condition
    expect(decodeAccessRule(fromHex('8001819000'))).toBeUndefined(); // AM b8 = 1
  });
});

describe('EF.MSISDN records (ADN layout, TS 31.102 §4.4.2.3)', () => {
  it('encodes an international number with an alpha identifier', () => {
    const b = encodeDiallingNumber({ alpha: 'Me', number: '+999000000001' }, 24);
    expect(toHex(b)).toBe(h(`4D65${'FF'.repeat(8)} 07 91 99 09 00 00 00 10 FFFFFFFF FF FF`));
    expect(decodeDiallingNumber(b)).toEqual({ alpha: 'Me', number: '+999000000001' });
  });
  it('keeps * # and other TON/NPI values', () => {
    const v = { number: '*100#', tonNpi: 0xa1 };
    expect(decodeDiallingNumber(encodeDiallingNumber(v, 14))).toEqual(v);
  });
  it('sees empty and extension records as undecodable', () => {
    expect(decodeDiallingNumber(new Uint8Array(24).fill(0xff))).toBeUndefined();
    const ext = encodeDiallingNumber({ number: '123' }, 14);
    ext[13] = 0x01;
    expect(decodeDiallingNumber(ext)).toBeUndefined();
    expect(() => encodeDiallingNumber({ number: '12a' })).toThrow(/not a dialling number/);
  });
});

describe('EF.ECC records (TS 31.102 §4.2.21)', () => {
  it('decodes "911, police" and encodes it back', () => {
    expect(decodeEcc(fromHex('19F1FF01'))).toEqual({ code: '911', categories: ['police'] });
    expect(toHex(encodeEcc({ code: '911', categories: ['police'] }, 4))).toBe('19F1FF01');
    expect(toHex(encodeEcc({ code: '112', alpha: 'SOS', categories: ['fire-brigade'] }, 8))).toBe(
      '11F2FF534F53FF04',
    );
    expect(decodeEcc(fromHex('FFFFFFFF'))).toBeUndefined();
  });
});

describe('EF.LI / EF.PL', () => {
  it('codes 2-letter codes and pads with FF FF', () => {
    expect(toHex(encodeLanguages(['en', 'de'], 6))).toBe('656E6465FFFF');
    expect(decodeLanguages(fromHex('656E6465FFFF'))).toEqual(['en', 'de']);
    expect(decodeLanguages(fromHex('FFFF'))).toEqual([]);
    expect(() => encodeLanguages(['eng'])).toThrow(/2-letter/);
  });
});

describe('codec table and decodeFile', () => {
  it('has one entry per EF and FID (a 4Fxx FID once per DF, the FIDs of an application once per ADF)', () => {
    const fids = EF_CODECS.map((c) => `${c.application?.name ?? ''}/${c.df ?? ''}/${c.fid}`);
    expect(new Set(fids).size).toBe(fids.length);
  });
  it('tells EFs with the same FID in different DFs apart by the path', () => {
    expect(codecFor('3F00/7FF0/5F3B/4F20')?.name).toBe('EF.Kc');
    expect(codecFor('3F00/7F10/5F50/4F20')?.name).toBe('EF.IMG');
    expect(codecFor(0x4f20)).toBeUndefined();
  });
  it('finds codecs by name, FID and path', () => {
    expect(codecFor('EF.IMSI')?.fid).toBe(0x6f07);
    expect(codecFor('imsi')?.fid).toBe(0x6f07);
    expect(codecFor(0x6f38)?.name).toBe('EF.UST');
    expect(codecFor('6FAD')?.name).toBe('EF.AD');
    expect(codecFor('3F00/7FF0/6F07')?.name).toBe('EF.IMSI');
    expect(codecFor('EF.NOPE')).toBeUndefined();
  });
  it('decodes files, single records and whole record files', () => {
    expect(decodeFile('6F07', fromHex('080910101032547698'))).toBe('001010123456789');
    expect(decodeFile('EF.HPPLMN', fromHex('0A'))).toBe(10);
    expect(decodeFile('EF.ARR', fromHex('80015EA40683010A950108FFFF'))).toBe(
      'update: ADM1, write: ADM1, activate: ADM1, deactivate: ADM1, delete: ADM1',
    );
    const two = fromHex('19F1FF01FFFFFFFF');
    expect(decodeFile(0x6fb7, two, 4)).toEqual([{ code: '911', categories: ['police'] }, undefined]);
    expect(decodeFile('EF.UNKNOWN', fromHex('00'))).toBeUndefined();
    expect(decodeFile('EF.IMSI', fromHex('FF'))).toBeUndefined();
  });
  it('encodes through the table with validation of the value', () => {
    expect(toHex(codecFor('EF.UST')!.encode(['1', '2', '27'], 4))).toBe('03000004');
    expect(() => codecFor('EF.ACC')!.encode(['x'])).toThrow();
  });
  it('formats values on one line', () => {
    expect(formatValue({ mcc: '001', mnc: '01', act: ['utran', 'gsm'] })).toBe(
      '{mcc: 001, mnc: 01, act: [utran, gsm]}',
    );
    expect(formatValue('a, b')).toBe('"a, b"');
    expect(formatValue(fromHex('0102'))).toBe('0102');
  });
});
