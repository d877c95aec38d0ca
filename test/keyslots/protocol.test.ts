// The key-slot data objects: codecs both ways, strict decoding (a card must not guess), the rotation
// payload and its key wrap (RFC 5649 vectors).
import { describe, expect, it } from 'vitest';
import {
  decodeChangeAnswer,
  decodeRotationData,
  decodeStageData,
  decodeStatus,
  decodeTxidData,
  encodeChangeAnswer,
  encodeRotationData,
  encodeStageData,
  encodeStatus,
  isImsiContent,
} from '../../applets/keyslots/protocol.js';
import {
  decodeRotationPayload,
  encodeRotationPayload,
  unwrapPayload,
  wrapPayload,
} from '../../applets/keyslots/rotation.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { decodeRefresh, encodeRefresh } from '../../card-os/cat-refresh.js';
import { encodeImsi } from '../../host/codecs/imsi.js';

const IMSI = encodeImsi('001020000000007');
const TXID = fromHex('0102030405060708');

describe('EF.IMSI content check (TS 31.102 §4.2.2)', () => {
  it('accepts what the IMSI codec writes, 6 to 15 digits', () => {
    for (const imsi of ['001010', '0010100', '00101012345678', '001010123456789'])
      expect(isImsiContent(encodeImsi(imsi)), imsi).toBe(true);
  });
  it('rejects wrong lengths, identity types, parity, non-BCD digits and missing FF padding', () => {
    const good = encodeImsi('001010123456789');
    const bad = (f: (b: Uint8Array) => void) => {
      const b = good.slice();
      f(b);
      return isImsiContent(b);
    };
    expect(isImsiContent(good.subarray(0, 8))).toBe(false);
    expect(bad((b) => (b[0] = 9))).toBe(false); // more bytes used than the file holds
    expect(bad((b) => (b[0] = 3))).toBe(false); // fewer than 6 digits
    expect(bad((b) => (b[1] = (b[1]! & 0xf8) | 0x02))).toBe(false); // identity type 010
    expect(bad((b) => (b[1] = b[1]! & 0xf7))).toBe(false); // even parity with 15 digits: last nibble must be F
    expect(bad((b) => (b[4] = 0xa1))).toBe(false);
    const short = encodeImsi('0010101');
    short[8] = 0x00;
    expect(isImsiContent(short)).toBe(false);
  });
});

describe('command data', () => {
  it('STAGE data round-trips; unknown, repeated or missing objects are refused', () => {
    const data = encodeStageData({ imsi: IMSI, index: 3, txid: TXID });
    expect(toHex(data)).toBe(`8009${toHex(IMSI)}810103820801${'02030405060708'}`);
    expect(decodeStageData(data)).toEqual({ imsi: IMSI, index: 3, txid: TXID });
    expect(decodeStageData(fromHex(`${toHex(data)}850100`))).toBeUndefined();
    expect(decodeStageData(fromHex(`${toHex(data)}810104`))).toBeUndefined();
    expect(
      decodeStageData(encodeStageData({ imsi: IMSI, index: 3, txid: new Uint8Array(0) })),
    ).toBeUndefined();
    expect(
      decodeStageData(encodeStageData({ imsi: IMSI, index: 3, txid: new Uint8Array(17) })),
    ).toBeUndefined();
    expect(decodeStageData(fromHex('8009FF'))).toBeUndefined();
    expect(decodeTxidData(fromHex('820101'))).toEqual(fromHex('01'));
    expect(decodeTxidData(fromHex('8201'))).toBeUndefined();
  });

  it('answers and STATUS round-trip', () => {
    const a = { index: 1, txid: TXID, state: 2 };
    expect(decodeChangeAnswer(encodeChangeAnswer(a))).toEqual(a);
    const s = {
      states: [2, 1, 0],
      active: 1,
      staged: { index: 2, txid: TXID, state: 1 },
      lastChange: fromHex('AA'),
      lastRotation: fromHex('BB'),
    };
    expect(decodeStatus(encodeStatus(s))).toEqual(s);
    expect(decodeStatus(encodeStatus({ states: [1] }))).toEqual({ states: [1] });
    expect(decodeStatus(fromHex('A1028000'))).toBeUndefined();
  });

  it('ROTATE data round-trips', () => {
    const r = { txid: TXID, wrapped: fromHex('00112233445566778899AABBCCDDEEFF0011223344556677') };
    expect(decodeRotationData(encodeRotationData(r))).toEqual(r);
    expect(decodeRotationData(fromHex('820101'))).toBeUndefined();
  });
});

describe('REFRESH (TS 102 223 §6.6.13)', () => {
  it('UICC reset: command details 01 01 04, device identities UICC -> terminal', () => {
    expect(toHex(encodeRefresh())).toBe('D009810301010482028182');
    expect(decodeRefresh(encodeRefresh())).toEqual({ commandNumber: 1, qualifier: 4 });
    expect(decodeRefresh(fromHex('D009810301130082028183'))).toBeUndefined(); // SEND SHORT MESSAGE
  });
});

describe('rotation payload and key wrap', () => {
  // RFC 5649 §6: the two published examples (192-bit KEK).
  const kek = fromHex('5840DF6E29B02AF1AB493B705BF16EA1AE8338F4DCC176A8');
  it('AES key wrap with padding matches RFC 5649 §6', () => {
    expect(toHex(wrapPayload(kek, fromHex('C37B7E6492584340BED12207808941155068F738')))).toBe(
      '138BDEAA9B8FA7FC61F97742E72248EE5AE6AE5360D1AE6A5F54F373FA543B6A',
    );
    expect(toHex(wrapPayload(kek, fromHex('466F7250617369')))).toBe('AFBEB0F07DFBF5419200F2CCB50BB24F');
    expect(toHex(unwrapPayload(kek, fromHex('AFBEB0F07DFBF5419200F2CCB50BB24F'))!)).toBe('466F7250617369');
  });

  it('a wrong KIK or a changed bit fails the integrity check', () => {
    const kik = fromHex('000102030405060708090A0B0C0D0E0F');
    const w = wrapPayload(kik, encodeRotationPayload({ keysets: [], kik: kik }));
    const other = kik.slice();
    other[15]! ^= 1;
    expect(unwrapPayload(other, w)).toBeUndefined();
    const flipped = w.slice();
    flipped[3]! ^= 0x10;
    expect(unwrapPayload(kik, flipped)).toBeUndefined();
    expect(unwrapPayload(kik, w.subarray(0, 8))).toBeUndefined();
  });

  it('payload: K needs exactly one of OPc and OP, something must change, lengths are checked', () => {
    const k = new Uint8Array(16).fill(1);
    const opc = new Uint8Array(16).fill(2);
    const p = { k, opc, keysets: [fromHex('800101')], kik: new Uint8Array(16).fill(3) };
    expect(decodeRotationPayload(encodeRotationPayload(p))).toEqual(p);
    expect(decodeRotationPayload(encodeRotationPayload({ k, keysets: [] }))).toBeUndefined();
    expect(decodeRotationPayload(encodeRotationPayload({ k, opc, op: opc, keysets: [] }))).toBeUndefined();
    expect(decodeRotationPayload(encodeRotationPayload({ opc, keysets: [] }))).toBeUndefined();
    expect(decodeRotationPayload(encodeRotationPayload({ keysets: [] }))).toBeUndefined();
    expect(
      decodeRotationPayload(encodeRotationPayload({ k: k.subarray(0, 8), opc, keysets: [] })),
    ).toBeUndefined();
    expect(
      decodeRotationPayload(encodeRotationPayload({ keysets: [], kik: new Uint8Array(20) })),
    ).toBeUndefined();
    expect(decodeRotationPayload(fromHex('A503950100'))).toBeUndefined();
  });
});
