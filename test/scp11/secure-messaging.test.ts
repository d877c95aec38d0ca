// Secure messaging inside an SCP11a session: tampering, replay, counters, empty data, error status words,
// logical channels, extended length.

import { describe, expect, it } from 'vitest';
import { aesBlock, aesCbcEncrypt, aesCmac } from '../../applets/security-domain/aes.js';
import {
  macClass,
  unwrapCommand,
  unwrapResponse,
  wrapCommand,
  wrapResponse,
} from '../../applets/security-domain/secure-messaging.js';
import { buildCommand, parseCommand } from '../../card-os/apdu.js';
import { type Bytes, concat, fromHex, toHex } from '../../card-os/bytes.js';
import { openScp11 } from '../../host/scp11/oce.js';
import { TEST_PKI } from '../../host/scp11/pki.js';
import { cardUnderTest, fixedKey, testCardConfig, VECTOR } from './fixtures.js';

async function connect(opts: { channel?: number; pinned?: boolean; kuq?: number } = {}) {
  const pinned = opts.pinned ?? false;
  const cut = cardUnderTest(testCardConfig(pinned ? { ephemeralKey: fixedKey(VECTOR.eSkSd) } : {}));
  const wire: Bytes[] = [];
  const oce = await openScp11({
    transmit: async (c) => {
      wire.push(c);
      return cut.transmit(c);
    },
    certificates: [TEST_PKI.oce.certificate],
    keyPair: TEST_PKI.oce.keyPair,
    cardCa: { publicKey: TEST_PKI.klccCa.keyPair.q, keyId: TEST_PKI.klccCa.keyId },
    sdKvn: 0x03,
    ...(opts.channel === undefined ? {} : { channel: opts.channel }),
    ...(opts.kuq === undefined ? {} : { kuq: opts.kuq }),
    ...(pinned ? { ephemeralKey: fixedKey(VECTOR.eSkOce) } : {}),
  });
  return { ...cut, oce, wire };
}

const GET_DATA = fromHex('80CA0066');
const hex = toHex;

describe('secure messaging failures close the session', () => {
  it('tampered C-MAC: 6982, session closed, later protected commands refused', async () => {
    const { card, transmit, oce } = await connect();
    expect((await oce.send(GET_DATA)).sw).toBe(0x9000);
    const wrapped = wrapCommand(oce.session, GET_DATA);
    wrapped[wrapped.length - 1]! ^= 0x01;
    expect(hex(transmit(wrapped))).toBe('6982');
    expect(card.session).toBeUndefined();
    const good = wrapCommand(oce.session, GET_DATA);
    expect(hex(transmit(good))).toBe('6982');
  });

  it('tampered encrypted data: the C-MAC fails, 6982', async () => {
    const { card, transmit, oce } = await connect();
    const wrapped = wrapCommand(oce.session, fromHex('80F22000024F00'));
    wrapped[6]! ^= 0x80;
    expect(hex(transmit(wrapped))).toBe('6982');
    expect(card.session).toBeUndefined();
  });

  it('a replayed command: 6982 and the session is gone', async () => {
    const { card, transmit, oce, seen } = await connect();
    const wrapped = wrapCommand(oce.session, GET_DATA);
    expect(hex(unwrapResponse(oce.session, transmit(wrapped)).data)).toBe('7300');
    expect(hex(transmit(wrapped))).toBe('6982');
    expect(card.session).toBeUndefined();
    expect(seen.length).toBe(1);
  });

  it('a command wrapped with the wrong counter: 6982 (data does not decrypt)', async () => {
    const { card, transmit, oce, seen } = await connect({ pinned: true });
    oce.session.counter += 1;
    expect(hex(transmit(wrapCommand(oce.session, fromHex('80F22000024F00'))))).toBe('6982');
    expect(card.session).toBeUndefined();
    expect(seen.length).toBe(0);
  });

  it('a command without SM indication or too short for a MAC: 6982, closed', async () => {
    for (const raw of ['80CA0066', '84CA006604AABBCCDD']) {
      const { card } = await connect();
      const s = card.session!;
      expect(unwrapCommand(s, parseCommand(fromHex(raw)).cmd!)).toEqual({ sw: 0x6982 });
      expect(card.session).toBeUndefined();
    }
  });

  it('the host refuses a tampered R-MAC', async () => {
    const { transmit, oce } = await connect();
    const resp = transmit(wrapCommand(oce.session, GET_DATA));
    resp[resp.length - 3]! ^= 0x01;
    expect(() => unwrapResponse(oce.session, resp)).toThrow(/R-MAC/);
  });
});

describe('secure messaging details', () => {
  it('error status words go back bare; the session and counter go on', async () => {
    const { card, oce } = await connect();
    const r = await oce.send(fromHex('80500000'));
    expect(r).toEqual({ data: new Uint8Array(0), sw: 0x6d00 });
    expect(card.session!.counter).toBe(1);
    expect(hex((await oce.send(GET_DATA)).data)).toBe('7300');
    const direct = wrapResponse(card.session!, fromHex('0102'), 0x6a82);
    expect(direct).toEqual({ data: new Uint8Array(0), sw: 0x6a82 });
    expect(hex(wrapResponse(card.session!, fromHex('0102'), 0x6310).data).length).toBe(2 * (16 + 8));
  });

  it('an empty successful response carries only the R-MAC', async () => {
    const { card, oce } = await connect();
    const c = parseCommand(wrapCommand(oce.session, fromHex('80E2000000'))).cmd!;
    const s = card.session!;
    expect('cmd' in unwrapCommand(s, c)).toBe(true);
    const r = wrapResponse(s, new Uint8Array(0), 0x9000);
    expect(r.data.length).toBe(8);
    expect(unwrapResponse(oce.session, concat(r.data, fromHex('9000')))).toEqual({
      data: new Uint8Array(0),
      sw: 0x9000,
    });
  });

  it('empty command data encrypted as one padding block (YK style) is accepted as empty', async () => {
    const { card, oce } = await connect();
    const s = card.session!;
    const host = oce.session;
    host.counter++;
    const icv = aesBlock(host.keys.sEnc, fromHex('00000000000000000000000000000001'));
    const enc = aesCbcEncrypt(host.keys.sEnc, icv, fromHex('80000000000000000000000000000000'));
    const mac = aesCmac(host.keys.sMac, concat(host.chain, fromHex('84CA006618'), enc));
    host.chain = mac;
    const un = unwrapCommand(s, parseCommand(concat(fromHex('84CA006618'), enc, mac.subarray(0, 8))).cmd!);
    if ('sw' in un) throw new Error('refused');
    expect(hex(un.cmd.raw)).toBe('80CA0066');
  });

  it('logical channels: the channel bits stay on the wire and out of the MAC', async () => {
    for (const [channel, cla] of [
      [1, 0x85],
      [3, 0x87],
      [4, 0xe0],
      [19, 0xef],
    ] as const) {
      const { oce, wire, seen } = await connect({ channel });
      const plainCla = cla & ~(channel < 4 ? 0x04 : 0x20);
      expect(wire[0]![0]).toBe(plainCla); // GET DATA BF21 on the channel, no SM
      const r = await oce.send(concat(Uint8Array.of(plainCla), fromHex('CA0066')));
      expect(r.sw).toBe(0x9000);
      expect(wire[wire.length - 1]![0]).toBe(cla);
      expect(seen[0]![0]).toBe(plainCla);
      expect(macClass(cla)).toBe(0x84);
    }
    expect(macClass(0x94)).toBe(0x94);
    expect(macClass(0xf3)).toBe(0x94);
  });

  it('the same command on two channels carries the same C-MAC', async () => {
    const a = await connect({ pinned: true });
    const b = await connect({ pinned: true, channel: 6 });
    const wa = wrapCommand(a.oce.session, fromHex('80F22000024F00'));
    const wb = wrapCommand(b.oce.session, fromHex('C2F22000024F00'));
    expect(hex(wb.subarray(1))).toBe(hex(wa.subarray(1)));
    expect(wb[0]).toBe(0xe2);
  });

  it('long commands switch to extended length, MAC over the extended header', async () => {
    const { oce, transmit, seen } = await connect();
    const data = new Uint8Array(250).fill(0x4f);
    const wrapped = wrapCommand(oce.session, buildCommand(0x80, 0xf2, 0x20, 0x00, data, 256));
    expect(wrapped[4]).toBe(0x00);
    expect((wrapped[5]! << 8) | wrapped[6]!).toBe(256 + 8);
    expect(unwrapResponse(oce.session, transmit(wrapped)).sw).toBe(0x9000);
    expect(hex(seen[0]!)).toBe(hex(buildCommand(0x80, 0xf2, 0x20, 0x00, data, 256)));
  });

  it('response decryption and R-MAC with KUQ 34 (MAC only) and 1C (no R-MAC)', async () => {
    for (const kuq of [0x34, 0x1c]) {
      const { oce, wire } = await connect({ kuq });
      const r = await oce.send(fromHex('80F22000024F00'));
      expect(hex(r.data)).toBe('08A000000151000000019E');
      const sent = wire[wire.length - 1]!;
      if (kuq === 0x34)
        expect(hex(sent.subarray(5, 7))).toBe('4F00'); // data in clear
      else expect(sent[4]).toBe(16 + 8);
    }
  });
});
