// Every codec in the EF codec table against its vector (codec-vectors.ts): decode gives the value, encode
// gives the bytes back. A codec added to the table without a vector fails here.
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { EF_CODECS } from '../../host/codecs/table.js';
import { CODEC_VECTORS, vectorName } from './codec-vectors.js';

describe('EF codec table: a round-trip vector for every codec', () => {
  it.each(EF_CODECS.map((c) => [vectorName(c), c] as const))('%s', (name, c) => {
    const v = CODEC_VECTORS[name];
    expect(v, `${name} has no vector in test/profile/codec-vectors.ts`).toBeDefined();
    const bytes = fromHex(v!.hex.replace(/\s+/g, ''));
    expect(v!.source).toMatch(/TS \d|pySim|SAIP/);
    expect(c.decode(bytes)).toEqual(v!.value);
    expect(toHex(c.encode(v!.value, bytes.length))).toBe(toHex(bytes));
  });

  it('has no vector for a codec that does not exist', () => {
    const names = new Set(EF_CODECS.map(vectorName));
    expect(Object.keys(CODEC_VECTORS).filter((n) => !names.has(n))).toEqual([]);
  });
});

describe('malformed contents decode to nothing', () => {
  const bad: [string, string][] = [
    ['EF.LOCI', 'FFFFFFFF FFFFFF 0000 FF 07'], // update status 07 is reserved
    ['EF.LOCI', 'FFFFFFFF FFFFFF 0000 FF'], // 10 bytes, not 11
    ['EF.PSLOCI', 'C0A1B2C3 123456 A0F110 1234 05 00'], // MCC digit A
    ['EF.EPSLOCI', `${'FF'.repeat(15)} 000003`], // EPS update status 03 is reserved
    ['EF.EPSNSC', `A1 03 800102 ${'FF'.repeat(75)}`], // not an A0 template
    ['EF.EPSNSC', `A0 03 800102 ${'FF'.repeat(75)}`], // K_ASME missing
    ['EF.SMS', `02 ${'FF'.repeat(175)}`], // status 02 is not defined
    ['EF.SMSP', `${'FF'.repeat(10)} 01 ${'FF'.repeat(12)} 07 91 990900000010 FFFFFFFF 00 00 FF`], // b6-b8 not 1
    ['EF.SMSP', `${'FF'.repeat(10)} FD ${'FF'.repeat(12)} 09 91 990900000010 FFFFFFFF FF FF FF`], // SC length 9
    ['EF.EXT1', `05 ${'FF'.repeat(12)}`], // record type 05 is not defined
    ['EF.EXT1', `02 0B ${'00'.repeat(10)} FF`], // 11 data bytes do not fit
    ['EF.PBR', 'A0 05 C0 03 4F3A 01'], // not a type 1/2/3 template
    ['EF.IMG', '03 08 08 11 4F01 0000 000A'], // 3 instances announced, 1 present
    ['EF.Keys', '07 FF'], // too short
    ['EF.CBMIR', '1000 10FF 2000'], // half a range
  ];
  it.each(bad)('%s %s', (name, hex) => {
    const c = EF_CODECS.find((x) => x.name === name)!;
    expect(c.decode(fromHex(hex.replace(/\s+/g, '')))).toBeUndefined();
  });

  it('refuses values that do not fit', () => {
    const cbmi = EF_CODECS.find((x) => x.name === 'EF.CBMI')!;
    expect(() => cbmi.encode([1, 2, 3], 4)).toThrow(/do not fit/);
    const loci = EF_CODECS.find((x) => x.name === 'EF.LOCI')!;
    expect(() => loci.encode({ tmsi: '00', lai: { plmn: null, lac: 0 }, status: 'updated' })).toThrow();
    expect(() => loci.encode({ tmsi: '00000000', lai: { plmn: null, lac: 0 }, status: 'lost' })).toThrow();
  });
});
