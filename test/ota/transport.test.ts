// SMS-PP transport: ENVELOPE (D1), SMS-DELIVER, UDH and concatenation, SEND SHORT MESSAGE and SMS-SUBMIT.
// Malformed input must never throw: the card answers 6A80 (no state change) at the transport level, and
// intermediate segments of a concatenated message get 9000 with no data.

import { describe, expect, it } from 'vitest';
import { decodeSmsPpEnvelope, encodeSmsPpEnvelope } from '../../applets/ota/envelope-sms-pp.js';
import { handleSmsPpEnvelope } from '../../applets/ota/ota-applet-core.js';
import { decodeSendShortMessage, encodeSendShortMessage } from '../../applets/ota/send-short-message.js';
import {
  addressDigits,
  dcsAlphabet,
  decodeSmsDeliver,
  decodeSmsSubmit,
  encodeSmsDeliver,
  encodeSmsSubmit,
  smsAddress,
} from '../../applets/ota/sms-tpdu.js';
import type { Spi } from '../../applets/ota/spi.js';
import {
  buildUserData,
  concatInfo,
  parseUserData,
  splitUserData,
} from '../../applets/ota/user-data-header.js';
import { type Bytes, concat, fromHex, toHex } from '../../card-os/bytes.js';
import { ber, ctlv } from '../../card-os/tlv.js';
import { OtaServer } from '../../host/ota/ota-server.js';
import { KEYSETS, makeEnv, sendAll, snapshot } from './ota-harness.js';

const SPI: Spi = {
  integrity: 'cc',
  ciphered: true,
  counter: 'higher',
  por: 'always',
  porIntegrity: 'cc',
  porCiphered: true,
  porViaSubmit: false,
};
const SCTS = fromHex('22705200000000');

function validPacket(): Bytes {
  return new OtaServer().prepare({
    iccid: 'x',
    tar: 0xb00010,
    spi: SPI,
    kic: 0x22,
    kid: 0x22,
    keysets: KEYSETS,
    script: fromHex('00a4000c026f07'),
  }).packet;
}

function deliver(ud: Bytes, over: Partial<{ pid: number; dcs: number; udhi: boolean }> = {}): Bytes {
  return encodeSmsDeliver({
    udhi: over.udhi ?? true,
    oa: smsAddress('12345678'),
    pid: over.pid ?? 0x7f,
    dcs: over.dcs ?? 0xf6,
    scts: SCTS,
    ud,
  });
}

function env(tpdu: Bytes, smsc?: Bytes): Bytes {
  return encodeSmsPpEnvelope(smsc ? { smsc, tpdu } : { tpdu });
}

function expectRejected(data: Bytes): void {
  const t = makeEnv();
  const before = snapshot(t);
  expect(handleSmsPpEnvelope(data, t.env)).toEqual({ sw: 0x6a80 });
  expect(snapshot(t)).toBe(before);
  expect(t.env.session.reassembly.pending).toBeUndefined();
}

describe('ENVELOPE (SMS-PP DOWNLOAD)', () => {
  it('round trips with and without the service centre address', () => {
    const tpdu = deliver(buildUserData([{ iei: 0x70, data: new Uint8Array(0) }], validPacket()));
    expect(decodeSmsPpEnvelope(env(tpdu))).toEqual({ tpdu });
    const smsc = fromHex('91448710');
    expect(decodeSmsPpEnvelope(env(tpdu, smsc))).toEqual({ smsc, tpdu });
    expect(toHex(env(tpdu, smsc).subarray(0, 12))).toBe(
      `D1${(tpdu.length + 12).toString(16).toUpperCase()}82028381860491448710`,
    );
  });

  it('a valid envelope is processed', () => {
    const t = makeEnv();
    const tpdu = deliver(buildUserData([{ iei: 0x70, data: new Uint8Array(0) }], validPacket()));
    const r = handleSmsPpEnvelope(env(tpdu), t.env);
    expect(r.sw).toBe(0x9000);
    expect(toHex(r.data!.subarray(0, 3))).toBe('027100');
  });

  it('rejects malformed envelopes with 6A80', () => {
    const tpdu = deliver(buildUserData([{ iei: 0x70, data: new Uint8Array(0) }], validPacket()));
    const good = env(tpdu);
    expectRejected(new Uint8Array(0));
    expectRejected(fromHex('d1'));
    expectRejected(good.subarray(0, good.length - 1));
    expectRejected(concat(good, fromHex('00')));
    expectRejected(concat(fromHex('d3'), good.subarray(1)));
    expectRejected(ber(0xd1, ctlv(0x0b, tpdu, true)));
    expectRejected(ber(0xd1, ctlv(0x02, fromHex('8281'), true), ctlv(0x0b, tpdu, true)));
    expectRejected(ber(0xd1, ctlv(0x02, fromHex('8381'), true)));
    expectRejected(ber(0xd1, ctlv(0x02, fromHex('8381'), true), fromHex('8b05'), tpdu.subarray(0, 3)));
  });
});

describe('SMS-DELIVER and UDH', () => {
  it('decodes the fields, including an odd-length international address', () => {
    const oa = smsAddress('+491701234');
    const t = encodeSmsDeliver({
      udhi: true,
      oa,
      pid: 0x7f,
      dcs: 0xf6,
      scts: SCTS,
      ud: fromHex('027000aabb'),
    });
    expect(toHex(t.subarray(0, 8))).toBe('40099194711032F4');
    const d = decodeSmsDeliver(t)!;
    expect(addressDigits(d.oa)).toBe('491701234');
    expect([d.pid, d.dcs, d.udhi, toHex(d.ud)]).toEqual([0x7f, 0xf6, true, '027000AABB']);
  });

  it('DCS alphabets (TS 23.038)', () => {
    expect(
      ['f6', '16', '04', '00', 'f2', '08', '24', 'c0', 'e0', '80'].map((h) =>
        dcsAlphabet(Number.parseInt(h, 16)),
      ),
    ).toEqual(['8bit', '8bit', '8bit', 'gsm7', 'gsm7', 'ucs2', 'reserved', 'gsm7', 'ucs2', 'reserved']);
  });

  it('rejects TPDUs that are no SMS-DELIVER of an 8-bit secured packet', () => {
    const packet = validPacket();
    const ud = buildUserData([{ iei: 0x70, data: new Uint8Array(0) }], packet);
    const good = deliver(ud);
    expectRejected(env(fromHex('')));
    expectRejected(env(good.subarray(0, 5)));
    expectRejected(env(good.subarray(0, good.length - 1)));
    const submit = good.slice();
    submit[0] = 0x41;
    expectRejected(env(submit));
    const longOa = good.slice();
    longOa[1] = 21;
    expectRejected(env(longOa));
    expectRejected(env(deliver(ud, { pid: 0x00 })));
    expectRejected(env(deliver(ud, { dcs: 0x00 })));
    expectRejected(env(deliver(packet, { udhi: false })));
    expectRejected(env(deliver(buildUserData([{ iei: 0x71, data: new Uint8Array(0) }], packet))));
    expectRejected(env(deliver(concat(fromHex('0a7000'), packet))));
    expectRejected(env(deliver(concat(fromHex('027001'), packet))));
    expectRejected(
      env(deliver(buildUserData([{ iei: 0x70, data: new Uint8Array(0) }], packet.subarray(0, 9)))),
    );
  });

  it('UDL over 140 is malformed', () => {
    const t = deliver(new Uint8Array(10));
    const big = concat(t.subarray(0, t.length - 11), Uint8Array.of(141), new Uint8Array(141));
    expect(decodeSmsDeliver(big)).toBeUndefined();
  });

  it('parseUserData rejects overrunning headers', () => {
    expect(parseUserData(fromHex('05000301'), true)).toBeUndefined();
    expect(parseUserData(fromHex('0300'), true)).toBeUndefined();
    expect(parseUserData(new Uint8Array(0), true)).toBeUndefined();
    expect(parseUserData(fromHex('00aa'), true)).toEqual({ ies: [], payload: fromHex('aa') });
  });

  it('concatenation IEs: 8- and 16-bit references; invalid ones are ignored (TS 23.040 §9.2.3.24.1)', () => {
    const ie = (h: string) => parseUserData(fromHex(h), true)!.ies;
    expect(concatInfo(ie('050003070302'))).toEqual({ ref: 7, total: 3, seq: 2 });
    expect(concatInfo(ie('0608041234030'.padEnd(14, '1')))).toEqual({ ref: 0x1234, total: 3, seq: 1 });
    expect(concatInfo(ie('050003070000'))).toBeUndefined();
    expect(concatInfo(ie('050003070300'))).toBeUndefined();
    expect(concatInfo(ie('050003070304'))).toBeUndefined();
    expect(concatInfo(ie('0400020703'))).toBeUndefined();
  });

  it('splitUserData: single SMS up to 140 octets, then segments of at most 140', () => {
    const cpi = [{ iei: 0x70, data: new Uint8Array(0) }];
    expect(splitUserData(cpi, new Uint8Array(137), 1)).toHaveLength(1);
    const two = splitUserData(cpi, new Uint8Array(138), 1)!;
    expect(two.map((s) => toHex(s.subarray(0, 8)))).toEqual([
      '0700030102017000',
      '050003010202'.padEnd(16, '0'),
    ]);
    expect(two.every((s) => s.length <= 140)).toBe(true);
    expect(splitUserData(cpi, new Uint8Array(255 * 134), 1)).toBeUndefined();
  });
});

describe('concatenated command packets', () => {
  function segments(ref: number, packet: Bytes, oa = '12345678'): Bytes[] {
    return splitUserData([{ iei: 0x70, data: new Uint8Array(0) }], packet, ref)!.map((ud) =>
      env(encodeSmsDeliver({ udhi: true, oa: smsAddress(oa), pid: 0x7f, dcs: 0xf6, scts: SCTS, ud })),
    );
  }
  const long = () =>
    new OtaServer().prepare({
      iccid: 'x',
      tar: 0xb00010,
      spi: SPI,
      kic: 0x22,
      kid: 0x22,
      keysets: KEYSETS,
      script: fromHex(`00a4000c026f08 00d60000c8${'77'.repeat(200)}`),
    }).packet;

  it('a segment of another message (other originator or reference) starts over', () => {
    const t = makeEnv();
    const p = long();
    const a = segments(1, p);
    const b = segments(2, p, '999');
    expect(handleSmsPpEnvelope(a[0]!, t.env)).toEqual({ sw: 0x9000 });
    expect(handleSmsPpEnvelope(b[1]!, t.env)).toEqual({ sw: 0x9000 });
    expect(handleSmsPpEnvelope(a[1]!, t.env)).toEqual({ sw: 0x9000 });
    expect(t.card.sessions).toHaveLength(0);
    expect(handleSmsPpEnvelope(a[0]!, t.env).data).toBeDefined();
    expect(t.card.sessions).toHaveLength(1);
  });

  it('a reassembled message without IEI 70 in its first segment is rejected', () => {
    const t = makeEnv();
    const p = long();
    const uds = splitUserData([], p, 5)!;
    const r = uds.map((ud) =>
      handleSmsPpEnvelope(
        env(encodeSmsDeliver({ udhi: true, oa: smsAddress('1'), pid: 0x7f, dcs: 0xf6, scts: SCTS, ud })),
        t.env,
      ),
    );
    expect(r.map((x) => x.sw)).toEqual([0x9000, 0x6a80]);
    expect(t.card.sessions).toHaveLength(0);
  });
});

describe('PoR by SMS-SUBMIT', () => {
  it('the card issues SEND SHORT MESSAGE to the originator; the ENVELOPE response says 0B', () => {
    const t = makeEnv();
    const server = new OtaServer();
    const p = server.prepare(
      {
        iccid: 'x',
        tar: 0xb00010,
        spi: { ...SPI, porViaSubmit: true },
        kic: 0x22,
        kid: 0x22,
        keysets: KEYSETS,
        script: fromHex('00a4000c026f07'),
      },
      { originator: smsAddress('1234') },
    );
    const r = sendAll(t, p.envelopes)[0]!;
    expect(server.readPorFromEnvelopeResponse(p.expect, r.data!)).toMatchObject({
      ok: true,
      status: 0x0b,
      data: new Uint8Array(0),
    });
    expect(r.proactive).toHaveLength(1);
    const cmd = r.proactive![0]!;
    // D0 L | 81 03 01 13 00 | 82 02 81 83 | 8B L SMS-SUBMIT 41 00 04 81 2143 7F F6 UDL 027100...
    const tpduLen = cmd[12]!;
    expect(toHex(cmd.subarray(0, 13))).toBe(
      `D0${toHex(Uint8Array.of(cmd.length - 2))}8103011300820281838B${toHex(Uint8Array.of(tpduLen))}`,
    );
    expect(cmd.length).toBe(13 + tpduLen);
    expect(toHex(cmd.subarray(13, 25))).toBe(`4100048121437FF6${toHex(Uint8Array.of(tpduLen - 9))}027100`);
    expect(server.readPorFromSendShortMessages(p.expect, r.proactive!)).toMatchObject({
      ok: true,
      status: 0,
    });
  });

  it('SEND SHORT MESSAGE and SMS-SUBMIT codecs', () => {
    const tpdu = encodeSmsSubmit({
      da: smsAddress('+4912'),
      pid: 0x7f,
      dcs: 0xf6,
      udhi: true,
      ud: fromHex('027100aa'),
    });
    const cmd = encodeSendShortMessage({ commandNumber: 1, address: fromHex('9121'), tpdu });
    expect(decodeSendShortMessage(cmd)).toEqual({ commandNumber: 1, address: fromHex('9121'), tpdu });
    expect(decodeSendShortMessage(cmd.subarray(0, cmd.length - 1))).toBeUndefined();
    expect(decodeSendShortMessage(fromHex('d0098103011400820281838b00'))).toBeUndefined();
    const s = decodeSmsSubmit(tpdu)!;
    expect([s.mr, addressDigits(s.da), s.da.type, toHex(s.ud)]).toEqual([0, '4912', 0x91, '027100AA']);
    // With a relative validity period (TP-VPF 10) the VP byte is skipped.
    expect(decodeSmsSubmit(fromHex('5100048121437ff6'))).toBeUndefined();
    expect(decodeSmsSubmit(fromHex('5100048121437ff6a703027100'))).toMatchObject({
      vp: fromHex('a7'),
      ud: fromHex('027100'),
    });
    expect(decodeSmsSubmit(fromHex('01'))).toBeUndefined();
  });

  it('the server rejects what is not a SEND SHORT MESSAGE or an incomplete concatenated PoR', () => {
    const server = new OtaServer();
    const p = server.prepare({
      iccid: 'x',
      tar: 0xb00010,
      spi: SPI,
      kic: 0x22,
      kid: 0x22,
      keysets: KEYSETS,
      script: new Uint8Array(0),
    });
    expect(server.readPorFromSendShortMessages(p.expect, [fromHex('d000')])).toMatchObject({ ok: false });
    expect(server.readPorFromSendShortMessages(p.expect, [])).toMatchObject({ ok: false });
    expect(server.readPorFromEnvelopeResponse(p.expect, fromHex('027000'))).toMatchObject({ ok: false });
  });
});
