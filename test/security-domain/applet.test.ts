// The security domain applet through the real card (default profile): SELECT, GET DATA in and out of a
// session, the card-side SCP11a vector (test/scp11/vector.test.ts) through the card's APDU interface, the host OCE on fresh keys, session
// rules (plain commands in a session, reset, re-select, channel close) and logical channels 0-19.

import { describe, expect, it } from 'vitest';
import { buildCommand, dataOf, swOf } from '../../card-os/apdu.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { ber, findTag, parseBer, readBer } from '../../card-os/tlv.js';
import { send } from '../../host/network/attach.js';
import { openScp11 } from '../../host/scp11/oce.js';
import { createCa, issueCertificate, KEY_USAGE, TEST_PKI } from '../../host/scp11/pki.js';
import {
  claFor,
  fixedKey,
  KLOC,
  oceLeaf,
  openSd,
  SD_AID,
  sdCard,
  selectSd,
  TEST_OCE,
  transport,
} from './support.js';

const hex = (b: Bytes) => toHex(b);
const GET_CRD = fromHex('80CA0066');
const GET_KEY_INFO = fromHex('80CA00E000');
const CERT_STORE = hex(ber(0xbf21, TEST_PKI.sd.certificate));

/** The card-side SCP11a vector of test/scp11/vector.test.ts. */
const VECTOR = {
  eSkOce: fromHex('b69d2d4a2544b5938ed3c4f6319810837e4dbbeff115bd9955607e8cdbbbace5'),
  eSkSd: new Uint8Array(32).fill(0x22),
  maCommand:
    '808203115' +
    '3A60D90021101' +
    '95013C80018881011' +
    '05F49410470B0BD7863E90E32DA5401188354D1F41999442FDFDCBA7472B7F1E5DBBF8A32F92D9D4F9D55C60D57D39BD6D7973306CEA55F7A86884096651A9CCAC8239C9200',
  maResponse:
    '5F494104D65A93977CAA3D1B081852FF57A79E465F1660577304BAEAD505DD3A48589CF350185E895372DF6221EA3A137557E473FDDB6755F05BD507C3C533FCE9C91285' +
    '8610DAD6B686730EE5037677D60606DB6FFD9000',
  keys: {
    sEnc: '48598334C4D051BEB800A54D4D2BE583',
    sMac: '6FEDC060C0A2978842B1C498CE9DE440',
    sRmac: '47C7455C500BD1527958ADE1A81E23FC',
  },
  receipt: 'DAD6B686730EE5037677D60606DB6FFD',
  cmd1: { plain: '80CA0066', wrapped: '84CA00660817BD73DDD5460551' },
  cmd2: { plain: '80F22000024F00', wrapped: '84F2200018DF9F816D7A76AF0977448268C9F85A49D3ED4B81C0A86D65' },
};

/** GET DATA 0066 in the clear on a fresh card. */
async function plainCardData(): Promise<string> {
  const t = transport(sdCard());
  await selectSd(t);
  return hex(dataOf(await send(t, fromHex('80CA006600'))));
}

describe('SELECT and GET DATA outside a session', () => {
  it('SELECT by AID answers the FCI: 84 AID, A5 { 73 SD management data, 9F65 }', async () => {
    const card = sdCard();
    const r = await send(transport(card), buildCommand(0x00, 0xa4, 0x04, 0x00, SD_AID, 256));
    expect(swOf(r)).toBe(0x9000);
    const fci = readBer(dataOf(r))!;
    expect(fci.tag).toBe(0x6f);
    const items = parseBer(fci.value)!;
    expect(hex(findTag(items, 0x84)!)).toBe('A000000151000000');
    const a5 = parseBer(findTag(items, 0xa5)!)!;
    expect(hex(findTag(a5, 0x9f65)!)).toBe('FF');
    const sdm = parseBer(findTag(a5, 0x73)!)!;
    // {globalPlatform 1}, GP v2.3.1, card identification scheme, SCP11a (i 01) and SCP11b (i 00).
    expect(hex(findTag(sdm, 0x06)!)).toBe('2A864886FC6B01');
    expect(hex(findTag(sdm, 0x60)!)).toBe('060A2A864886FC6B02020301');
    expect(sdm.filter((t) => t.tag === 0x64).map((t) => hex(t.value))).toEqual([
      '06092A864886FC6B041101',
      '06092A864886FC6B041100',
    ]);
    // STATUS (the OS's) names the current application.
    expect(hex(dataOf(await send(transport(card), fromHex('80F2000100'))))).toBe('8408A000000151000000');
  });

  it('GET DATA 0066, 00E0 and BF21 answer in the clear; other tags 6A88', async () => {
    const t = transport(sdCard());
    expect(await selectSd(t)).toBe(0x9000);
    const crd = await send(t, fromHex('80CA006600'));
    expect(hex(crd)).toMatch(
      /^663E733C06072A864886FC6B01600C060A2A864886FC6B02020301630906072A864886FC6B03640B/,
    );
    expect(hex(await send(t, fromHex('00CA006600')))).toBe(hex(crd));
    // Key information: SCP11a and SCP11b keys (private EC, P-256), the OCE CA key KID 10 (public EC).
    expect(hex(await send(t, GET_KEY_INFO))).toBe('E018C0061103B120F001C0061303B120F001C0061003B041F0019000');
    const bf21 = await send(t, fromHex('80CABF2106A6048302110300'));
    expect(hex(bf21)).toBe(`${CERT_STORE}9000`);
    expect(swOf(await send(t, fromHex('80CABF2106A6048302110400')))).toBe(0x6a88);
    expect(swOf(await send(t, fromHex('80CA004200')))).toBe(0x6a88);
    expect(swOf(await send(t, fromHex('80CA00660100')))).toBe(0x6700);
  });

  it('the profile update in the clear is refused (6982)', async () => {
    const t = transport(sdCard());
    await selectSd(t);
    expect(swOf(await send(t, fromHex('80D40000058301000000')))).toBe(0x6982);
  });
});

describe('card-side SCP11a vector through the card (eSK.SD pinned through the applet options)', () => {
  for (const protocol of [0, 1] as const)
    it(`T=${protocol}: MUTUAL AUTHENTICATE answer, session keys and the wrapped commands, byte for byte`, async () => {
      const card = sdCard({ sd: { ephemeralKey: fixedKey(VECTOR.eSkSd) }, protocol });
      const t = transport(card);
      expect(await selectSd(t)).toBe(0x9000);
      const wire: string[] = [];
      const oce = await openScp11({
        transmit: async (c) => {
          const r = await send(t, c);
          wire.push(`${hex(c)} -> ${hex(r)}`);
          return r;
        },
        ...TEST_OCE,
        sdKvn: 0x03,
        ephemeralKey: fixedKey(VECTOR.eSkOce),
      });
      expect(wire[0]).toBe(`80CABF2106A6048302110300 -> ${CERT_STORE}9000`);
      expect(wire[1]).toBe(`${hex(buildCommand(0x80, 0x2a, 0x03, 0x10, TEST_PKI.oce.certificate))} -> 9000`);
      expect(wire[2]).toBe(`${VECTOR.maCommand} -> ${VECTOR.maResponse}`);
      expect(hex(oce.session.keys.sEnc)).toBe(VECTOR.keys.sEnc);
      expect(hex(oce.session.keys.sMac)).toBe(VECTOR.keys.sMac);
      expect(hex(oce.session.keys.sRmac)).toBe(VECTOR.keys.sRmac);
      expect(hex(oce.session.chain)).toBe(VECTOR.receipt);

      // Command 1: the vector's wrapped bytes; the card's own card recognition data comes back under the
      // vector's S-ENC / S-RMAC (the vector's stand-in card answered 7300, so those response bytes differ).
      const a1 = await oce.send(fromHex(VECTOR.cmd1.plain));
      expect(wire[3]!.split(' -> ')[0]).toBe(VECTOR.cmd1.wrapped);
      expect(a1.sw).toBe(0x9000);
      expect(hex(a1.data)).toBe(await plainCardData());
      // Command 2: the vector's wrapped GET STATUS passes the C-MAC check (counter 2); this SD has no
      // GET STATUS, so it answers 6D00 without R-MAC, and the chain has moved on as the vector's did.
      const a2 = await oce.send(fromHex(VECTOR.cmd2.plain));
      expect(wire[4]).toBe(`${VECTOR.cmd2.wrapped} -> 6D00`);
      expect(a2.sw).toBe(0x6d00);
      const a3 = await oce.send(GET_KEY_INFO);
      expect(a3.sw).toBe(0x9000);
      expect(hex(a3.data)).toBe('E018C0061103B120F001C0061303B120F001C0061003B041F001');
    });
});

describe('host OCE and the card on fresh random ephemeral keys', () => {
  for (const protocol of [0, 1] as const)
    it(`T=${protocol}: SCP11a, then wrapped GET DATA 0066 / 00E0 / BF21 many times`, async () => {
      const t = transport(sdCard({ protocol }));
      const oce = await openSd(t);
      expect(oce.session.protocol).toBe('SCP11a');
      const crd = await plainCardData();
      for (let i = 0; i < 20; i++) {
        const r = await oce.send(GET_CRD);
        expect(r.sw).toBe(0x9000);
        expect(hex(r.data)).toBe(crd);
      }
      expect(hex((await oce.send(GET_KEY_INFO)).data)).toMatch(/^E018/);
      expect(hex((await oce.send(fromHex('80CABF2106A6048302110300'))).data)).toBe(CERT_STORE);
      expect(oce.session.counter).toBe(22);
    });

  it('an OCE chain of two certificates (sub-CA, then the leaf): one PSO each, P2 b8 on the first', async () => {
    const sub = createCa();
    const subCert = issueCertificate(KLOC, {
      serial: fromHex('5B'),
      publicKey: sub.keyPair.q,
      subjectId: sub.keyId,
      keyUsage: KEY_USAGE.SIGNATURE_VERIFICATION,
      effective: 20240101,
      expiration: 20991231,
    });
    const leaf = oceLeaf(sub);
    const t = transport(sdCard());
    const sent: string[] = [];
    await selectSd(t);
    const oce = await openScp11({
      transmit: (c) => {
        sent.push(hex(c.subarray(0, 4)));
        return send(t, c);
      },
      ...TEST_OCE,
      certificates: [subCert, leaf.certificate],
      keyPair: leaf.keyPair,
      sdKvn: 3,
    });
    expect(sent.slice(1, 3)).toEqual(['802A0390', '802A0310']);
    expect((await oce.send(GET_CRD)).sw).toBe(0x9000);
    // The leaf alone does not chain to CA-KLOC: its issuer id is the sub-CA's (6A88).
    await selectSd(t);
    await expect(
      openScp11({
        transmit: (c) => send(t, c),
        ...TEST_OCE,
        certificates: [leaf.certificate],
        keyPair: leaf.keyPair,
        sdKvn: 3,
      }),
    ).rejects.toThrow('PSO certificate 1 failed: SW 6A88');
  });

  it('SCP11b (INTERNAL AUTHENTICATE): GET DATA works, the profile update is refused (6982)', async () => {
    const t = transport(sdCard());
    const oce = await openSd(t, { variant: 'b' });
    expect(oce.session.protocol).toBe('SCP11b');
    expect((await oce.send(GET_CRD)).sw).toBe(0x9000);
    const r = await oce.updateProfile(Uint8Array.of(0), { derive: true });
    expect(r).toEqual({ ok: false, sw: 0x6982 });
  });
});

describe('session rules', () => {
  it('a plain GET DATA while a session is open is refused (6982) and ends the session', async () => {
    const t = transport(sdCard());
    const oce = await openSd(t);
    expect(swOf(await send(t, fromHex('80CA006600')))).toBe(0x6982);
    expect((await oce.send(GET_CRD)).sw).toBe(0x6982);
    // Outside a session the plain GET DATA is fine again.
    expect(swOf(await send(t, fromHex('80CA006600')))).toBe(0x9000);
  });

  it('a plain profile update while a session is open is refused (6982) and ends the session', async () => {
    const t = transport(sdCard());
    const oce = await openSd(t);
    expect(swOf(await send(t, fromHex('80D40000058301000000')))).toBe(0x6982);
    expect((await oce.send(GET_CRD)).sw).toBe(0x6982);
  });

  it('handshake commands inside a session: 6985; unknown INS: 6D00; the session goes on', async () => {
    const t = transport(sdCard());
    const oce = await openSd(t);
    expect((await oce.send(buildCommand(0x80, 0x2a, 0x03, 0x10, TEST_PKI.oce.certificate))).sw).toBe(0x6985);
    expect((await oce.send(fromHex('8082031100'))).sw).toBe(0x6985);
    expect((await oce.send(fromHex('80E2900000'))).sw).toBe(0x6d00);
    expect((await oce.send(GET_CRD)).sw).toBe(0x9000);
  });

  it('a new handshake in the clear (PSO) replaces the session', async () => {
    const t = transport(sdCard());
    const first = await openSd(t);
    const pso = buildCommand(0x80, 0x2a, 0x03, 0x10, TEST_PKI.oce.certificate);
    expect(swOf(await send(t, pso))).toBe(0x9000);
    expect((await first.send(GET_CRD)).sw).toBe(0x6982);
    // The OCE's first step, GET DATA BF21 in the clear, is fine again once no session is open.
    const second = await openScp11({ transmit: (c) => send(t, c), ...TEST_OCE, sdKvn: 3 });
    expect((await second.send(GET_CRD)).sw).toBe(0x9000);
  });

  it('a wrapped command without a session: 6982', async () => {
    const t = transport(sdCard());
    await selectSd(t);
    expect(swOf(await send(t, fromHex('84CA00660817BD73DDD5460551')))).toBe(0x6982);
  });

  it('reset, re-SELECT of the SD and SELECT of another application end the session', async () => {
    const card = sdCard();
    const t = transport(card);
    let oce = await openSd(t);
    card.reset();
    expect(await selectSd(t)).toBe(0x9000);
    expect((await oce.send(GET_CRD)).sw).toBe(0x6982);

    oce = await openSd(t);
    expect(await selectSd(t)).toBe(0x9000);
    expect((await oce.send(GET_CRD)).sw).toBe(0x6982);

    oce = await openSd(t);
    expect(swOf(await send(t, fromHex('00A4040C07A0000000871002')))).toBe(0x9000);
    expect(await selectSd(t)).toBe(0x9000);
    expect((await oce.send(GET_CRD)).sw).toBe(0x6982);
  });

  it('a tampered C-MAC: 6982, the session is closed, later correct commands are refused', async () => {
    const t = transport(sdCard());
    const oce = await openSd(t);
    const { wrapCommand } = await import('../../applets/security-domain/secure-messaging.js');
    const wire = wrapCommand(oce.session, GET_CRD);
    wire[wire.length - 1]! ^= 0x01;
    expect(swOf(await send(t, wire))).toBe(0x6982);
    expect((await oce.send(GET_CRD)).sw).toBe(0x6982);
    // A fresh handshake works again.
    expect((await (await openSd(t)).send(GET_CRD)).sw).toBe(0x9000);
  });

  it('a replayed command: 6982 and the session is closed', async () => {
    const t = transport(sdCard());
    const oce = await openSd(t);
    const { wrapCommand, unwrapResponse } = await import('../../applets/security-domain/secure-messaging.js');
    const wire = wrapCommand(oce.session, GET_CRD);
    expect(unwrapResponse(oce.session, await send(t, wire)).sw).toBe(0x9000);
    expect(swOf(await send(t, wire))).toBe(0x6982);
    expect((await oce.send(GET_CRD)).sw).toBe(0x6982);
  });
});

describe('secure messaging on logical channels', () => {
  async function openChannel(t: ReturnType<typeof transport>, n: number) {
    expect(swOf(await send(t, Uint8Array.of(0x00, 0x70, 0x00, n)))).toBe(0x9000);
  }

  it('sessions on channels 0, 1 and 5 at once, each with its own state', async () => {
    const t = transport(sdCard());
    await openChannel(t, 1);
    await openChannel(t, 5);
    const s0 = await openSd(t, { channel: 0 });
    const s1 = await openSd(t, { channel: 1 });
    const s5 = await openSd(t, { channel: 5 });
    const crd = await plainCardData();
    const getCrd = (channel: number) => Uint8Array.of(claFor(0x80, channel), 0xca, 0x00, 0x66);
    for (let i = 0; i < 3; i++)
      for (const [s, channel] of [
        [s5, 5],
        [s0, 0],
        [s1, 1],
      ] as const) {
        const r = await s.send(getCrd(channel));
        expect(r.sw).toBe(0x9000);
        expect(hex(r.data)).toBe(crd);
      }
    const { wrapCommand } = await import('../../applets/security-domain/secure-messaging.js');
    // A failure on channel 1 ends only channel 1's session.
    const bad = wrapCommand(s1.session, Uint8Array.of(0x81, 0xca, 0x00, 0x66));
    bad[bad.length - 1]! ^= 0x80;
    expect(swOf(await send(t, bad))).toBe(0x6982);
    expect((await s1.send(Uint8Array.of(0x81, 0xca, 0x00, 0x66))).sw).toBe(0x6982);
    expect((await s0.send(GET_CRD)).sw).toBe(0x9000);
    // On channel 5 the wire class byte is E1: further interindustry coding, SM in b6.
    const wire = wrapCommand(s5.session, getCrd(5));
    expect(wire[0]).toBe(0xe1);
    expect(swOf(await send(t, wire))).toBe(0x9000);
  });

  it('the profile update works on channel 2 too', async () => {
    const t = transport(sdCard());
    await openChannel(t, 2);
    const oce = await openSd(t, { channel: 2 });
    const r = await oce.updateProfile(Uint8Array.of(0), { derive: true });
    expect(r.ok).toBe(true);
  });

  it('closing a channel ends its session; a re-opened channel starts without one', async () => {
    const t = transport(sdCard());
    await openChannel(t, 1);
    const oce = await openSd(t, { channel: 1 });
    expect(swOf(await send(t, fromHex('00708001')))).toBe(0x9000);
    expect((await oce.send(Uint8Array.of(0x81, 0xca, 0x00, 0x66))).sw).toBe(0x6881);
    await openChannel(t, 1);
    expect(await selectSd(t, 1)).toBe(0x9000);
    expect((await oce.send(Uint8Array.of(0x81, 0xca, 0x00, 0x66))).sw).toBe(0x6982);
  });
});
