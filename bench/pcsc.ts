// APDU round trips through the real PC/SC stack: smartcard transport -> libpcsclite -> pcscd -> vpcd (TCP on
// loopback) -> the emulated card (default profile) in this process, and back. Starts its own pcscd.
// For scale: vsmartcard's Python vicc was measured at ~48 ms per APDU (Nagle + delayed ACK); target < 1 ms.

import { fromHex } from '../card-os/bytes.js';
import { openCard } from '../host/card-factory.js';
import { openReader, waitForReader } from '../pcsc-bridge/pcsc-transport.js';
import { pcscdAvailability, startPcscd } from '../pcsc-bridge/pcscd-harness.js';
import { connectCardToVpcd } from '../pcsc-bridge/vpcd-card.js';
import { atMost, type BenchRow, latencies, percentile } from './harness.js';

export async function bench(): Promise<BenchRow[]> {
  const available = await pcscdAvailability();
  if (!available.ok) {
    process.stderr.write(`bench pcsc: skipped: ${available.reason}\n`);
    return [];
  }
  const harness = await startPcscd();
  const { card } = openCard();
  const conn = await connectCardToVpcd({ card, mode: 'client', port: harness.port });
  try {
    await waitForReader(harness.readerName, { cardPresent: true });
    const t = await openReader(harness.readerName);
    try {
      const select = fromHex('00A4000C022FE2');
      const read = fromHex('00B000000A');
      const sw = await t.transmit(select);
      if (sw[sw.length - 2] !== 0x90) throw new Error('bench pcsc: SELECT EF.ICCID did not answer 9000');
      // One READ BINARY = one PC/SC transmit = one vpcd frame each way.
      const lat = await latencies(async () => {
        await t.transmitRaw(read);
      }, 3000);
      let n = 0;
      const start = performance.now();
      while (performance.now() - start < 1500) {
        await t.transmitRaw(read);
        n++;
      }
      const rate = (n * 1000) / (performance.now() - start);
      // The T=0 path a host tool takes for SELECT with FCP: two PC/SC transmits (61xx, GET RESPONSE).
      const fcpLat = await latencies(async () => {
        await t.transmit(fromHex('00A40004023F0000'));
      }, 1000);
      return [
        atMost('pcsc: READ BINARY round trip via pcscd+vpcd, median', percentile(lat, 50), 'ms', 1),
        { name: 'pcsc: READ BINARY round trip via pcscd+vpcd, p99', value: percentile(lat, 99), unit: 'ms' },
        { name: 'pcsc: sequential READ BINARY via pcscd+vpcd', value: rate, unit: 'APDU/s' },
        {
          name: 'pcsc: SELECT MF with FCP (T=0: + GET RESPONSE), median',
          value: percentile(fcpLat, 50),
          unit: 'ms',
        },
      ];
    } finally {
      await t.close();
    }
  } finally {
    await conn.close();
    await harness.stop();
  }
}
