import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { ber, ctlv, parseBer, parseCtlv, readBer } from '../../card-os/tlv.js';

describe('BER-TLV', () => {
  it('reads one- two- and three-byte tags and long lengths', () => {
    expect(readBer(fromHex('8302 6F07'))).toMatchObject({ tag: 0x83, length: 4 });
    expect(readBer(fromHex('5F49 02 0102'))).toMatchObject({ tag: 0x5f49 });
    expect(readBer(fromHex('BF21 01 00'))).toMatchObject({ tag: 0xbf21 });
    const long = fromHex(`7F21 81 80 ${'00'.repeat(128)}`);
    expect(readBer(long)?.value.length).toBe(128);
    expect(toHex(ber(0x7f21, new Uint8Array(128)).subarray(0, 4))).toBe('7F218180');
  });
  it('skips 00/FF padding between objects and rejects truncation', () => {
    expect(parseBer(fromHex('8001 01 FFFF 9000'))?.map((t) => t.tag)).toEqual([0x80, 0x90]);
    expect(parseBer(fromHex('8005 0102'))).toBeUndefined();
    expect(parseBer(fromHex('5F'))).toBeUndefined();
    expect(parseBer(fromHex('80 84 00000001'))).toBeUndefined();
  });
  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        parseBer(b);
        parseCtlv(b);
      }),
      { numRuns: 3000 },
    );
  });
  it('round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0x80, max: 0x9e }), fc.uint8Array({ maxLength: 300 }), (tag, v) => {
        const t = readBer(ber(tag, v))!;
        expect(t.tag).toBe(tag);
        expect(toHex(t.value)).toBe(toHex(v));
      }),
    );
  });
});

describe('COMPREHENSION-TLV (TS 101 220 §7.1.1)', () => {
  it('parses the SMS-PP download device identities and CR bit', () => {
    const t = parseCtlv(fromHex('82 02 83 81 06 03 91 11 22'))!;
    expect(t[0]).toMatchObject({ tag: 0x02, cr: true });
    expect(t[1]).toMatchObject({ tag: 0x06, cr: false });
    expect(toHex(ctlv(0x02, fromHex('8381'), true))).toBe('82028381');
  });
  it('handles 0x81 lengths', () => {
    const v = new Uint8Array(140);
    const enc = ctlv(0x0b, v, true);
    expect(toHex(enc.subarray(0, 3))).toBe('8B818C');
    expect(parseCtlv(enc)![0]!.value.length).toBe(140);
    expect(parseCtlv(fromHex('8B 81 05 0102030405'))).toBeUndefined(); // 0x81 form must be >= 0x80
  });
});
