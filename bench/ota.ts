// OTA benchmark: secured packets per second through the pure card core (ENVELOPE SMS-PP DOWNLOAD in,
// PoR out), with one SELECT + UPDATE BINARY run by the test fixture executor. For information: the issue's
// target (50,000/s) is for the whole card path, measured in bench/card-apdus.ts.

import { createOtaSession, handleSmsPpEnvelope, type OtaEnv } from '../applets/ota/ota-applet-core.js';
import type { Spi } from '../applets/ota/spi.js';
import { fromHex } from '../card-os/bytes.js';
import { OtaServer } from '../host/ota/ota-server.js';
import { OTA_TEST_CONFIG, OTA_TEST_KEYSETS } from '../host/ota/test-keys.js';
import { FixtureCard } from '../test/ota/fixture-card.js';
import { type BenchRow, opsPerSecond } from './harness.js';

function packetRate(kic: number, spi: Spi): number {
  const card = new FixtureCard();
  card.addEf(0x6f07, new Uint8Array(16));
  // The counter is reset on every call so that one prepared packet (CNTR 1) passes the check each time.
  const env: OtaEnv = {
    config: OTA_TEST_CONFIG,
    session: createOtaSession(),
    loadCounter: () => 0,
    saveCounter: () => {},
    openRemoteSession: (ctx, grants) => card.open(ctx, grants),
    transaction: (fn) => fn(),
  };
  const script = fromHex('00a4000c026f07 00d600000c 0102030405060708090a0b0c');
  const p = new OtaServer().prepare({
    iccid: 'bench',
    tar: 0xb00010,
    spi,
    kic,
    kid: kic,
    keysets: OTA_TEST_KEYSETS,
    script,
  });
  const envelope = p.envelopes[0]!.subarray(5);
  if (!handleSmsPpEnvelope(envelope, env).data) throw new Error('benchmark packet was not accepted');
  return opsPerSecond(() => {
    handleSmsPpEnvelope(envelope, env);
    card.sessions.length = 0;
  });
}

export async function bench(): Promise<BenchRow[]> {
  const full: Spi = {
    integrity: 'cc',
    ciphered: true,
    counter: 'higher',
    por: 'always',
    porIntegrity: 'cc',
    porCiphered: true,
    porViaSubmit: false,
  };
  return [
    {
      name: 'OTA core: AES CC+cipher, counter, PoR CC+cipher, UPDATE BINARY',
      value: packetRate(0x22, full),
      unit: 'packets/s',
    },
    // For information (no target): 3DES runs on node:crypto, one cipher context per operation.
    {
      name: 'OTA core: 3DES CC+cipher, counter, PoR CC+cipher, UPDATE BINARY',
      value: packetRate(0x35, full),
      unit: 'packets/s',
    },
    {
      name: 'OTA core: AES as above, PoR by SMS-SUBMIT (SEND SHORT MESSAGE)',
      value: packetRate(0x22, { ...full, porViaSubmit: true }),
      unit: 'packets/s',
    },
  ];
}
