// Interop vectors from real sysmoISIM-SJA5 cards (pySim tests/unittests/test_ota.py):
// our server builds the command packets byte for byte, our card core answers with the very PoRs the real
// cards sent, and our decoder verifies those PoRs.

import { describe, expect, it } from 'vitest';
import { createOtaSession, handleSmsPpEnvelope, type OtaEnv } from '../../applets/ota/ota-applet-core.js';
import { smsAddress } from '../../applets/ota/sms-tpdu.js';
import { decodeSpi } from '../../applets/ota/spi.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { OtaServer } from '../../host/ota/ota-server.js';
import { OTA_TEST_CONFIG, OTA_TEST_KEYSETS } from '../../host/ota/test-keys.js';
import { FixtureCard } from './fixture-card.js';

const SELECT_MF = fromHex('00a40004023f00');
const SPI_0619 = decodeSpi(0x06, 0x19)!;
const SMS = { originator: smsAddress('12345678'), scts: fromHex('22705200000000') };

const VECTORS = [
  {
    name: '3DES',
    kic: 0x35,
    command: '00201506193535b00011ae733256918d050b87c94fbfe12e4dc402f262c41cf67f2f',
    por: '027100001c12b000118bb989492c632529326a2f4681feb37c825bc9021c9f6d0b',
  },
  {
    name: 'AES',
    kic: 0x22,
    command: '00281506192222b00011e87cceebb2d93083011ce294f93fc4d8de80da1abae8c37ca3e72ec4432e5058',
    por: '027100002412b00011ebc6b497e2cad7aedf36ace0e3a29b38853f0fe9ccde81913be5702b73abce1f',
  },
];

function prepare(kic: number) {
  const server = new OtaServer();
  const prepared = server.prepare(
    {
      iccid: '8949000000000000001',
      tar: 0xb00011,
      spi: SPI_0619,
      kic,
      kid: kic,
      keysets: OTA_TEST_KEYSETS,
      script: SELECT_MF,
      cntr: 0,
    },
    SMS,
  );
  return { server, prepared };
}

function env(card: FixtureCard): OtaEnv {
  return {
    config: OTA_TEST_CONFIG,
    session: createOtaSession(),
    loadCounter: () => 0,
    saveCounter: () => {},
    openRemoteSession: (ctx, grants) => card.open(ctx, grants),
    transaction: (fn) => fn(),
  };
}

describe('OTA interop vectors (sysmoISIM-SJA5)', () => {
  for (const v of VECTORS) {
    it(`${v.name}: the server builds the published command packet`, () => {
      const { prepared } = prepare(v.kic);
      expect(toHex(prepared.packet).toLowerCase()).toBe(v.command);
      expect(prepared.tpdus).toHaveLength(1);
    });

    it(`${v.name}: the published real-card PoR verifies`, () => {
      const { server, prepared } = prepare(v.kic);
      const r = server.readPorFromEnvelopeResponse(prepared.expect, fromHex(v.por));
      expect(r).toMatchObject({ ok: true, status: 0, tar: 0xb00011, cntr: 0, secured: true });
      if (r.ok) expect(toHex(r.data)).toBe('016132');
    });

    it(`${v.name}: a tampered real-card PoR does not verify`, () => {
      const { server, prepared } = prepare(v.kic);
      const por = fromHex(v.por);
      por[por.length - 1]! ^= 0x01;
      expect(server.readPorFromEnvelopeResponse(prepared.expect, por).ok).toBe(false);
    });

    it(`${v.name}: our card core answers with the same PoR as the real card`, () => {
      const { prepared } = prepare(v.kic);
      const card = new FixtureCard();
      const r = handleSmsPpEnvelope(prepared.envelopes[0]!.subarray(5), env(card));
      expect(r.sw).toBe(0x9000);
      expect(toHex(r.data!).toLowerCase()).toBe(v.por);
      expect(card.sessions).toHaveLength(1);
      expect(card.sessions[0]!.context).toBe('usim');
    });
  }

  it('AES: the TPDU and ENVELOPE of test_ota.py with the UDL corrected to 2D', () => {
    const { prepared } = prepare(0x22);
    expect(toHex(prepared.tpdus[0]!).toLowerCase()).toBe(
      `400881214365877ff6227052000000002d027000${VECTORS[1]!.command}`,
    );
    expect(toHex(prepared.envelopes[0]!).toLowerCase()).toBe(
      `80c2000046d144820283818b3e400881214365877ff6227052000000002d027000${VECTORS[1]!.command}`,
    );
  });

  it('unciphered packets keep their CPL (the pySim quirk of dropping it is not copied)', () => {
    const server = new OtaServer();
    const spi = decodeSpi(0x02, 0x19)!;
    const p = server.prepare(
      {
        iccid: 'x',
        tar: 0xb00011,
        spi,
        kic: 0x35,
        kid: 0x35,
        keysets: OTA_TEST_KEYSETS,
        script: SELECT_MF,
        cntr: 0,
      },
      SMS,
    );
    // CPL 001D = CHL(1) + 21 header bytes + 7 data bytes; then CHL 15, SPI 0219, KIc/KID 35 35, TAR, CNTR, PCNTR 00.
    expect(toHex(p.packet.subarray(0, 16)).toLowerCase()).toBe('001d1502193535b00011000000000000');
    expect(toHex(p.packet.subarray(p.packet.length - 7)).toLowerCase()).toBe('00a40004023f00');
    expect(p.packet.length).toBe(2 + 0x1d);
  });
});
