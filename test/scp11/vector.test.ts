// A card-side SCP11a vector, byte for byte (keys, receipt, wrapped commands and responses). No public offline
// card-side SCP11 vector exists; this one was computed from the fixed keys below by an independent generator that
// first reproduced a published SCP11a host transcript byte for byte.

import { describe, expect, it } from 'vitest';
import { nobleP256, nodeP256 } from '../../applets/security-domain/ec.js';
import {
  buildCrt,
  computeReceipt,
  deriveScp11Keys,
  SCP11_I,
} from '../../applets/security-domain/scp11-keys.js';
import {
  unwrapCommand,
  unwrapResponse,
  wrapCommand,
  wrapResponse,
} from '../../applets/security-domain/secure-messaging.js';
import { buildCommand, parseCommand } from '../../card-os/apdu.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { ber } from '../../card-os/tlv.js';
import { openScp11 } from '../../host/scp11/oce.js';
import { TEST_PKI } from '../../host/scp11/pki.js';
import { cardUnderTest, fixedKey, testCardConfig, VECTOR } from './fixtures.js';

const hex = (b: Bytes) => toHex(b);
const MA_CMD =
  '8082031153' +
  'A60D' +
  '90021101' +
  '95013C' +
  '800188' +
  '810110' +
  '5F4941' +
  toHex(VECTOR.ePkOce) +
  '00';
const MA_RESP =
  '5F494104D65A93977CAA3D1B081852FF57A79E465F1660577304BAEAD505DD3A48589CF350185E895372DF6221EA3A137557E473FDDB6755F05BD507C3C533FCE9C91285' +
  '8610DAD6B686730EE5037677D60606DB6FFD' +
  '9000';
const KEYS = {
  receiptKey: '512EA46BEC0E5CBCF0FA5299161248BB',
  sEnc: '48598334C4D051BEB800A54D4D2BE583',
  sMac: '6FEDC060C0A2978842B1C498CE9DE440',
  sRmac: '47C7455C500BD1527958ADE1A81E23FC',
};
const CMD1 = { plain: '80CA0066', wrapped: '84CA00660817BD73DDD5460551' };
const RESP1 = { plain: '7300', wrapped: 'AF2ECFF9782866CA37BADD0DAAB8E18482540ADD0EB920D39000' };
const CMD2 = {
  plain: '80F22000024F00',
  wrapped: '84F2200018DF9F816D7A76AF0977448268C9F85A49D3ED4B81C0A86D65',
};
const RESP2 = {
  plain: '08A000000151000000019E',
  wrapped: '16AF0DA5BA4E075A1C73D6F9F0BA9DBA58F84328C6CFF60D9000',
};

describe('SCP11a card-side vector', () => {
  it('PK.SD.ECKA and ePK.OCE follow from the private keys', () => {
    for (const ec of [nodeP256, nobleP256]) {
      expect(hex(ec.publicKeyOf(TEST_PKI.sd.keyPair.d)!)).toBe(
        '040217E617F0B6443928278F96999E69A23A4F2C152BDF6D6CDF66E5B80282D4ED194A7DEBCB97712D2DDA3CA85AA8765A56F45FC758599652F2897C65306E5794',
      );
      expect(hex(ec.publicKeyOf(VECTOR.eSkOce)!)).toBe(hex(VECTOR.ePkOce));
    }
  });

  it('the KDF gives the listed receipt key and session keys, and the receipt', () => {
    const ePkSd = nodeP256.publicKeyOf(VECTOR.eSkSd)!;
    const shSee = nodeP256.ecdh(VECTOR.eSkOce, ePkSd)!;
    const shSs = nodeP256.ecdh(TEST_PKI.oce.keyPair.d, TEST_PKI.sd.keyPair.q)!;
    const params = { i: SCP11_I.A, kuq: 0x3c, keyType: 0x88, keyLength: 16 };
    const d = deriveScp11Keys(shSee, shSs, params);
    expect(hex(d.receiptKey)).toBe(KEYS.receiptKey);
    expect(hex(d.keys.sEnc)).toBe(KEYS.sEnc);
    expect(hex(d.keys.sMac)).toBe(KEYS.sMac);
    expect(hex(d.keys.sRmac)).toBe(KEYS.sRmac);
    const receipt = computeReceipt(
      d.receiptKey,
      buildCrt(params),
      ber(0x5f49, VECTOR.ePkOce),
      ber(0x5f49, ePkSd),
    );
    expect(hex(receipt)).toBe('DAD6B686730EE5037677D60606DB6FFD');
  });

  it('card: MUTUAL AUTHENTICATE answer, session keys and the wrapped exchanges', () => {
    const { card, transmit } = cardUnderTest(testCardConfig({ ephemeralKey: fixedKey(VECTOR.eSkSd) }));
    // PSO with CERT.OCE.ECKA first (the vector is silent on it; it only supplies PK.OCE.ECKA).
    const pso = buildCommand(0x80, 0x2a, 0x03, 0x10, TEST_PKI.oce.certificate);
    expect(hex(transmit(pso))).toBe('9000');
    expect(MA_CMD.length).toBe((5 + 0x53 + 1) * 2);
    expect(hex(transmit(fromHex(MA_CMD)))).toBe(MA_RESP);

    const s = card.session!;
    expect(s.protocol).toBe('SCP11a');
    expect(hex(s.keys.sEnc)).toBe(KEYS.sEnc);
    expect(hex(s.keys.sMac)).toBe(KEYS.sMac);
    expect(hex(s.keys.sRmac)).toBe(KEYS.sRmac);
    expect(hex(s.chain)).toBe('DAD6B686730EE5037677D60606DB6FFD');
    expect(s.securityLevel).toBe(0x80 | 0x33);

    // Command 1, card side step by step.
    const u1 = unwrapCommand(s, parseCommand(fromHex(CMD1.wrapped)).cmd!);
    if ('sw' in u1) throw new Error(`unwrap ${u1.sw}`);
    expect(hex(u1.cmd.raw)).toBe(CMD1.plain);
    const r1 = wrapResponse(s, fromHex(RESP1.plain), 0x9000);
    expect(hex(r1.data) + '9000').toBe(RESP1.wrapped);

    // Command 2 through the stand-in applet.
    expect(hex(transmit(fromHex(CMD2.wrapped)))).toBe(RESP2.wrapped);
    expect(s.counter).toBe(2);
  });

  it('host (OCE): sends exactly the vector bytes and reads the plain answers', async () => {
    const { transmit } = cardUnderTest(testCardConfig({ ephemeralKey: fixedKey(VECTOR.eSkSd) }));
    const sent: string[] = [];
    const oce = await openScp11({
      transmit: async (c) => {
        sent.push(hex(c));
        return transmit(c);
      },
      certificates: [TEST_PKI.oce.certificate],
      keyPair: TEST_PKI.oce.keyPair,
      cardCa: { publicKey: TEST_PKI.klccCa.keyPair.q, keyId: TEST_PKI.klccCa.keyId },
      sdKvn: 0x03,
      now: () => new Date(Date.UTC(2025, 0, 1)),
      ephemeralKey: fixedKey(VECTOR.eSkOce),
    });
    expect(sent[0]).toBe('80CABF2106A6048302110300');
    expect(sent[1]).toBe(hex(buildCommand(0x80, 0x2a, 0x03, 0x10, TEST_PKI.oce.certificate)));
    expect(sent[2]).toBe(MA_CMD);
    const a1 = await oce.send(fromHex(CMD1.plain));
    expect(sent[3]).toBe(CMD1.wrapped);
    expect(hex(a1.data)).toBe(RESP1.plain);
    const a2 = await oce.send(fromHex(CMD2.plain));
    expect(sent[4]).toBe(CMD2.wrapped);
    expect(hex(a2.data)).toBe(RESP2.plain);
  });

  it('host unwraps the vector responses on its own session object', () => {
    const { card, transmit } = cardUnderTest(testCardConfig({ ephemeralKey: fixedKey(VECTOR.eSkSd) }));
    transmit(buildCommand(0x80, 0x2a, 0x03, 0x10, TEST_PKI.oce.certificate));
    transmit(fromHex(MA_CMD));
    const s = card.session!;
    // A host session with the same keys and receipt.
    const host = {
      ...s,
      keys: { ...s.keys },
      chain: new Uint8Array(fromHex('DAD6B686730EE5037677D60606DB6FFD')),
    };
    expect(hex(wrapCommand(host, fromHex(CMD1.plain)))).toBe(CMD1.wrapped);
    expect(hex(unwrapResponse(host, fromHex(RESP1.wrapped)).data)).toBe(RESP1.plain);
    expect(hex(wrapCommand(host, fromHex(CMD2.plain)))).toBe(CMD2.wrapped);
    expect(hex(unwrapResponse(host, fromHex(RESP2.wrapped)).data)).toBe(RESP2.plain);
  });
});
