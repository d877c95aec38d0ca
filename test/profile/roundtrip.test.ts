// Round trips of decoded values: value -> bytes -> value for generated values, and the profile's own
// written values read back from the compiled card.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../card-os/bytes.js';
import {
  ACCESS_TECHNOLOGIES,
  decodeAcc,
  decodeAccessRule,
  decodeAlpha,
  decodeDiallingNumber,
  decodeDir,
  decodeIccid,
  decodeImsi,
  decodePlmnActList,
  decodePlmnList,
  decodeServiceTable,
  encodeAcc,
  encodeAccessRule,
  encodeAlpha,
  encodeDiallingNumber,
  encodeDir,
  encodeIccid,
  encodeImsi,
  encodePlmnActList,
  encodePlmnList,
  encodeServiceTable,
  KEY_REFS,
} from '../../host/codecs/index.js';
import { parseProfileText } from '../../host/profile/load.js';

const digit = fc.constantFrom(...'0123456789');
const digitsOf = (min: number, max: number) =>
  fc.array(digit, { minLength: min, maxLength: max }).map((a) => a.join(''));
const plmn = fc.record({ mcc: digitsOf(3, 3), mnc: digitsOf(2, 3) });
const runs = { numRuns: 200 };

describe('codec round trips (generated values)', () => {
  it('IMSI', () => {
    fc.assert(
      fc.property(digitsOf(6, 15), (imsi) => decodeImsi(encodeImsi(imsi)) === imsi),
      runs,
    );
  });
  it('ICCID (18 digits + Luhn)', () => {
    fc.assert(
      fc.property(digitsOf(18, 18), (body) => {
        const full = decodeIccid(encodeIccid(body));
        return (
          full?.startsWith(body) &&
          full.length === 19 &&
          toHex(encodeIccid(full)) === toHex(encodeIccid(body))
        );
      }),
      runs,
    );
  });
  it('PLMN lists and xPLMNwAcT lists', () => {
    fc.assert(
      fc.property(fc.array(plmn, { maxLength: 8 }), (list) => {
        expect(decodePlmnList(encodePlmnList(list, 24))).toEqual(list);
      }),
      runs,
    );
    // Canonical access-technology sets: the ones decodeAct gives back.
    // Canonical access-technology sets (what decodeAct gives back): at most one E-UTRAN variant.
    const act = fc
      .subarray([...ACCESS_TECHNOLOGIES])
      .filter((a) => a.filter((x) => x.startsWith('eutran')).length <= 1);
    fc.assert(
      fc.property(
        fc.array(fc.record({ mcc: digitsOf(3, 3), mnc: digitsOf(2, 3), act }), { maxLength: 8 }),
        (list) => {
          expect(decodePlmnActList(encodePlmnActList(list, 40))).toEqual(list);
        },
      ),
      runs,
    );
  });
  it('service tables', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 136 })), (s) => {
        expect(decodeServiceTable(encodeServiceTable(s, 17))).toEqual([...s].sort((a, b) => a - b));
      }),
      runs,
    );
  });
  it('access classes', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 15 })), (s) => {
        expect(decodeAcc(encodeAcc(s))).toEqual([...s].sort((a, b) => a - b));
      }),
      runs,
    );
  });
  it('alpha identifiers (default alphabet and UCS2)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 12 }),
        fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
        (u, a) => {
          for (const s of [u, a]) {
            if ([...s].some((ch) => ch.codePointAt(0)! > 0xffff || ch === '\uffff')) continue;
            expect(decodeAlpha(encodeAlpha(s, 40))).toBe(s);
          }
        },
      ),
      runs,
    );
  });
  it('dialling numbers', () => {
    const number = fc
      .tuple(fc.boolean(), fc.array(fc.constantFrom(...'0123456789*#'), { minLength: 1, maxLength: 20 }))
      .map(([plus, d]) => (plus ? '+' : '') + d.join(''));
    fc.assert(
      fc.property(
        number,
        fc.option(fc.stringMatching(/^[A-Za-z0-9 ]{1,10}$/), { nil: undefined }),
        (n, alpha) => {
          const v = alpha ? { alpha, number: n } : { number: n };
          expect(decodeDiallingNumber(encodeDiallingNumber(v, 24))).toEqual(v);
        },
      ),
      runs,
    );
  });
  it('EF.DIR records', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 5, maxLength: 16 }),
        fc.stringMatching(/^[A-Za-z0-9]{0,8}$/),
        (aid, label) => {
          const v = { aid: toHex(aid), label };
          expect(decodeDir(encodeDir(v, 40))).toEqual(v);
        },
      ),
      runs,
    );
  });
  it('access rules: text -> record -> text, and record -> text -> record', () => {
    const ops = ['read', 'update', 'write', 'activate', 'deactivate', 'terminate', 'delete'];
    const keyName = fc.constantFrom(...KEY_REFS.map((k) => k.name));
    const cond = fc.oneof(
      fc.constant('always'),
      fc.constant('never'),
      keyName,
      fc.uniqueArray(keyName, { minLength: 2, maxLength: 3 }).map((k) => k.join('|')),
      fc.uniqueArray(keyName, { minLength: 2, maxLength: 3 }).map((k) => k.join('&')),
    );
    const rule = fc
      .tuple(
        fc.subarray(ops, { minLength: 1 }),
        fc.array(cond, { minLength: 7, maxLength: 7 }),
        fc.option(cond),
      )
      .map(([o, c, inc]) => {
        const items = o.map((op, i) => `${op}: ${c[i]}`);
        if (inc) items.push(`increase: ${inc}`);
        return items.join(', ');
      });
    fc.assert(
      fc.property(rule, (text) => {
        const bytes = encodeAccessRule(text);
        const back = decodeAccessRule(bytes);
        expect(back).toBeDefined();
        expect(toHex(encodeAccessRule(back!))).toBe(toHex(bytes));
        expect(back!.split(', ').sort()).toEqual(text.split(', ').sort());
      }),
      runs,
    );
  });
});

describe('written values read back from a compiled profile', () => {
  it('gives back what the profile says', () => {
    const text = `atr: 3B9796801FC78031E073FE211FBB
pins:
  - {ref: 01, value: "1234"}
  - {ref: 0A, value: "12345678"}
mf:
  arr: 1
  files:
    - {name: EF.ARR, fid: 2F06, structure: linear-fixed, recordLength: 24, recordCount: 1, arr: 1, rules: ["read: always, update: ADM1"]}
    - name: EF.DIR
      fid: 2F00
      structure: linear-fixed
      recordLength: 20
      recordCount: 2
      arr: 1
      dir: [{aid: A0000000871002}, {aid: A0000000871004, label: ISIM}]
  adf:
    - name: USIM
      aid: A0000000871002
      fid: 7FF0
      arr: 1
      files:
        - {name: EF.IMSI, fid: 6F07, structure: transparent, size: 9, arr: 1, imsi: "26201123456789"}
        - {name: EF.SPN, fid: 6F46, structure: transparent, size: 17, arr: 1, spn: {name: "Ünï ✓", showPlmnName: true}}
        - name: EF.OPLMNwAcT
          fid: 6F61
          structure: transparent
          size: 15
          arr: 1
          oplmnwact:
            - {mcc: "262", mnc: "01", act: [eutran-nb, gsm]}
            - {mcc: "310", mnc: "410", act: [utran]}
        - {name: EF.ECC, fid: 6FB7, structure: linear-fixed, recordLength: 9, recordCount: 2, arr: 1, ecc: [{code: "112", alpha: "SOS", categories: [police, fire-brigade]}]}
    - name: ISIM
      aid: A0000000871004
      fid: 7FF1
      arr: 1
`;
    const p = parseProfileText(text, 'roundtrip.yaml');
    const usim = p.spec.mf.children.find((c) => c.name === 'ADF.USIM')!;
    const get = (fid: number) => usim.children.find((c) => c.fid === fid)!;
    expect(decodeImsi(get(0x6f07).initial)).toBe('26201123456789');
    expect(toHex(get(0x6f07).initial)).toBe('08212610214365 87F9'.replace(' ', ''));
    expect(decodePlmnActList(get(0x6f61).initial)).toEqual([
      { mcc: '262', mnc: '01', act: ['eutran-nb', 'gsm'] },
      { mcc: '310', mnc: '410', act: ['utran'] },
    ]);
    expect(toHex(get(0x6f61).initial)).toBe('62F2105084 1300148000 FFFFFF0000'.replaceAll(' ', ''));
    expect(decodeAlpha(get(0x6f46).initial.subarray(1))).toBe('Ünï ✓');
    const ecc = get(0x6fb7);
    expect(toHex(ecc.initial)).toBe(`11F2FF534F53FFFF05${'FF'.repeat(9)}`);
    const dir = p.spec.mf.children.find((c) => c.fid === 0x2f00)!;
    expect(decodeDir(dir.initial.subarray(20))).toEqual({ aid: 'A0000000871004', label: 'ISIM' });
  });
});
