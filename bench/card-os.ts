// Card OS throughput: SELECT + READ BINARY on EF.IMSI in-process (issue: >= 500,000 APDU/s on one core).

import { fromHex } from '../card-os/bytes.js';
import { openCard } from '../host/card-factory.js';
import { atLeast, type BenchRow, opsPerSecond } from './harness.js';

export async function bench(): Promise<BenchRow[]> {
  const card = openCard().card;
  card.protocol = 1;
  const verify = fromHex('002000010831323334FFFFFFFF');
  card.transmit(fromHex('00A4040C07A0000000871002'));
  card.transmit(verify);
  const select = fromHex('00A4000C026F07');
  const read = fromHex('00B0000009');
  card.transmit(select);
  const check = card.transmit(read);
  if (check[check.length - 2] !== 0x90)
    throw new Error('bench set-up failed: READ BINARY did not answer 9000');
  const rate = opsPerSecond(
    () => {
      card.transmit(select);
      card.transmit(read);
    },
    2000,
    2,
  );
  const t0 = openCard().card;
  t0.protocol = 0;
  t0.transmit(fromHex('00A4040C07A0000000871002'));
  t0.transmit(verify);
  const selFcp = fromHex('00A40004026F07');
  const rateT0 = opsPerSecond(
    () => {
      const r = t0.transmit(selFcp);
      t0.transmit(Uint8Array.of(0x00, 0xc0, 0x00, 0x00, r[1]!));
    },
    1500,
    2,
  );
  return [
    atLeast('card-os: SELECT (no data) + READ BINARY EF.IMSI, T=1', rate, 'APDU/s', 500_000),
    { name: 'card-os: SELECT (FCP, 61xx) + GET RESPONSE, T=0', value: rateT0, unit: 'APDU/s' },
  ];
}
