// IPA framing, the CCM identity answer and GSUP Send Auth Info messages (Osmocom GSUP protocol; IMSI TBCD
// per TS 29.002 §17.7.8), byte for byte and against malformed input.
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex } from '../../card-os/bytes.js';
import {
  ccmIdResponse,
  decodeGsup,
  decodeImsiTbcd,
  decodeSendAuthInfoAnswer,
  encodeImsiTbcd,
  IPA_STREAM,
  ipaFrame,
  ipaParser,
  sendAuthInfoRequest,
} from '../../host/network/gsup.js';

const hex = (b: Uint8Array) => toHex(b).toLowerCase();

describe('IPA and CCM', () => {
  it('frames and re-assembles split and joined frames', () => {
    const a = ipaFrame(IPA_STREAM.CCM, Uint8Array.of(0x00));
    const b = ipaFrame(IPA_STREAM.OSMO, fromHex('0508010800010100000000f1'));
    expect(hex(a)).toBe('0001fe00');
    const parse = ipaParser();
    const all = concat(a, b);
    expect(parse(all.subarray(0, 5))).toHaveLength(1);
    const rest = parse(all.subarray(5));
    expect(rest).toEqual([{ stream: 0xee, payload: fromHex('0508010800010100000000f1') }]);
  });

  it('ID_RESP: length (value + tag) ‖ tag ‖ NUL-terminated value, per tag', () => {
    const r = ccmIdResponse([
      { tag: 0x00, value: 'SIM-EMU' },
      { tag: 0x08, value: '0/0/0' },
      { tag: 0x01, value: 'SIM-EMU' },
    ]);
    expect(hex(ipaFrame(IPA_STREAM.CCM, r))).toBe(
      `0020fe05` +
        `000900${hex(new TextEncoder().encode('SIM-EMU'))}00` +
        `000708${hex(new TextEncoder().encode('0/0/0'))}00` +
        `000901${hex(new TextEncoder().encode('SIM-EMU'))}00`,
    );
  });
});

describe('GSUP Send Auth Info', () => {
  it('IMSI in TBCD', () => {
    expect(hex(encodeImsiTbcd('001010000000001'))).toBe('00010100000000f1');
    expect(decodeImsiTbcd(fromHex('00010100000000f1'))).toBe('001010000000001');
    expect(decodeImsiTbcd(fromHex('0a'))).toBeUndefined();
    expect(() => encodeImsiTbcd('12')).toThrow(/IMSI/);
  });

  it('requests with and without AUTS + RAND', () => {
    expect(hex(sendAuthInfoRequest({ imsi: '001010000000001', count: 2 }))).toBe(
      '08010800010100000000f1520102',
    );
    const auts = fromHex('0102030405060708090a0b0c0d0e');
    const rand = fromHex('00112233445566778899aabbccddeeff');
    expect(hex(sendAuthInfoRequest({ imsi: '001010000000001', resync: { auts, rand } }))).toBe(
      `08010800010100000000f1260e${hex(auts)}2010${hex(rand)}`,
    );
    expect(() =>
      sendAuthInfoRequest({ imsi: '001010000000001', resync: { auts: auts.subarray(1), rand } }),
    ).toThrow();
  });

  it('decodes results (skipping 2G-only tuples) and errors; refuses malformed ones', () => {
    const tuple = (n: number) =>
      concat(
        fromHex(`2010${'a'.repeat(31)}${n}`),
        fromHex(`2104${'11'.repeat(4)}2208${'22'.repeat(8)}`),
        fromHex(`2310${'33'.repeat(16)}2410${'44'.repeat(16)}2510${'55'.repeat(16)}2708${'66'.repeat(8)}`),
      );
    const t1 = tuple(1);
    const twoG = fromHex(`2010${'b'.repeat(32)}2104${'11'.repeat(4)}2208${'22'.repeat(8)}`);
    const msg = concat(
      fromHex('0a010800010100000000f1'),
      Uint8Array.of(3, t1.length),
      t1,
      Uint8Array.of(3, twoG.length),
      twoG,
    );
    const a = decodeSendAuthInfoAnswer(decodeGsup(msg)!)!;
    expect(a.ok && a.vectors.length).toBe(1);
    expect(a.ok && hex(a.vectors[0]!.xres)).toBe('66'.repeat(8));
    expect(decodeSendAuthInfoAnswer(decodeGsup(fromHex('09010800010100000000f1020102'))!)).toEqual({
      imsi: '001010000000001',
      ok: false,
      cause: 2,
    });
    expect(decodeGsup(fromHex('0a0108000101'))).toBeUndefined(); // IE runs past the end
    const shortRand = concat(fromHex('0a010800010100000000f1'), fromHex('0306200400000000'));
    // An incomplete tuple (a 4-byte RAND only) is no vector.
    expect(decodeSendAuthInfoAnswer(decodeGsup(shortRand)!)).toEqual({
      imsi: '001010000000001',
      ok: true,
      vectors: [],
    });
    expect(decodeSendAuthInfoAnswer(decodeGsup(fromHex('0a'))!)).toBeUndefined(); // no IMSI
  });
});
