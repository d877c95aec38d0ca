// SMSC benchmark: submit_sm -> SMS-PP download ENVELOPE -> PoR deliver_sm round trips over one SMPP bind
// on loopback (our ESME and SMSC in one process, the OTA server building and verifying every packet with
// AES CC + ciphering both ways): one card one message at a time, then a fleet of 10,000 cards, each with its
// own MSISDN, 64 messages in flight. Also the heap the 10,000 cards take once each has run a command.

import { decodeSpi } from '../applets/ota/spi.js';
import { fromHex } from '../card-os/bytes.js';
import { defaultProfilePath } from '../host/card-factory.js';
import { OtaServer } from '../host/ota/ota-server.js';
import { deliverOtaSmpp } from '../host/ota/smpp-delivery.js';
import { OTA_TEST_KEYSETS } from '../host/ota/test-keys.js';
import { Esme } from '../host/smpp/esme.js';
import { CardFleet, msisdnRange, readProfile } from '../host/smsc/fleet.js';
import { DEFAULT_CONFIG, Smsc } from '../host/smsc/smsc.js';
import type { BenchRow } from './harness.js';

const FIRST = '999010000000';
const ACCOUNT = { systemId: 'bench', password: 'bench' };

function request(iccid: string) {
  return {
    iccid,
    tar: 0xb00011,
    spi: decodeSpi(0x16, 0x19)!,
    kic: 0x22,
    kid: 0x22,
    keysets: OTA_TEST_KEYSETS,
    script: fromHex('00A40004026F0700B0000009'),
  };
}

async function setup(count: number) {
  const fleet = new CardFleet({
    profile: readProfile(defaultProfilePath()),
    msisdns: msisdnRange(FIRST, count),
  });
  const smsc = new Smsc(fleet, { ...DEFAULT_CONFIG, accounts: [ACCOUNT] });
  const port = await smsc.listen(0);
  const esme = await Esme.connect({ host: '127.0.0.1', port, ...ACCOUNT, timeoutMs: 60_000 });
  return { fleet, smsc, esme, msisdns: msisdnRange(FIRST, count) };
}

async function roundTrip(esme: Esme, ota: OtaServer, msisdn: string): Promise<void> {
  const r = await deliverOtaSmpp(esme, ota, request(msisdn), { msisdn, timeoutMs: 60_000 });
  if (!r.por?.ok || r.por.status !== 0) throw new Error(`bench: no PoR OK from ${msisdn}`);
}

async function oneCard(ms: number): Promise<number> {
  const s = await setup(1);
  const ota = new OtaServer();
  try {
    for (let i = 0; i < 50; i++) await roundTrip(s.esme, ota, FIRST);
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < ms) {
      await roundTrip(s.esme, ota, FIRST);
      n++;
    }
    return (n * 1000) / (performance.now() - start);
  } finally {
    await s.esme.close();
    await s.smsc.close();
  }
}

async function fleet(count: number, inFlight: number): Promise<{ rate: number; bytesPerCard: number }> {
  const before = process.memoryUsage().heapUsed;
  const s = await setup(count);
  const ota = new OtaServer();
  try {
    let next = 0;
    const start = performance.now();
    const worker = async () => {
      while (next < count) {
        const m = s.msisdns[next++]!;
        await roundTrip(s.esme, ota, m);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const rate = (count * 1000) / (performance.now() - start);
    if (s.fleet.active !== count) throw new Error('bench: not every card ran');
    (globalThis as { gc?: () => void }).gc?.();
    const bytesPerCard = (process.memoryUsage().heapUsed - before) / count;
    return { rate, bytesPerCard };
  } finally {
    await s.esme.close();
    await s.smsc.close();
  }
}

export async function bench(): Promise<BenchRow[]> {
  const one = await oneCard(2000);
  const many = await fleet(10_000, 64);
  return [
    {
      name: 'SMSC: submit_sm -> PoR deliver_sm, one bind, one card, 1 in flight',
      value: one,
      unit: 'round trips/s',
    },
    {
      name: 'SMSC: submit_sm -> PoR deliver_sm, one bind, 10,000 cards, 64 in flight',
      value: many.rate,
      unit: 'round trips/s',
    },
    {
      name: 'SMSC: heap per card after a command (10,000 cards)',
      value: many.bytesPerCard / 1024,
      unit: 'KB/card',
    },
  ];
}
