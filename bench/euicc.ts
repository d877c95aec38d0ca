// eUICC figures: ListProfileInfo (one STORE DATA, three profiles, GET RESPONSE under T=0) and a full profile
// switch (EnableProfile, the reset its REFRESH asks for, SELECT ADF.USIM) on the default eUICC, in-process.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { swOf } from '../card-os/apdu.js';
import { fromHex } from '../card-os/bytes.js';
import { projectRoot } from '../host/card-factory.js';
import { createEuicc, loadEuicc } from '../host/euicc/load.js';
import { type BenchRow, opsPerSecond } from './harness.js';

const ICCID = { A: '98881201000000000020', B: '98881201000000001010' };

export async function bench(): Promise<BenchRow[]> {
  const file = join(projectRoot(), 'profiles', 'default-euicc.yaml');
  const card = createEuicc(loadEuicc(file, readFileSync(file, 'utf8')));
  card.transmit(fromHex('0070000001'));
  card.transmit(fromHex('01A4040010A0000005591010FFFFFFFF8900000100'));
  const list = fromHex('81E2910003BF2D00');
  const rows: BenchRow[] = [];
  rows.push({
    name: 'eUICC ListProfileInfo (STORE DATA + 3 GET RESPONSE, 3 profiles, 572 bytes)',
    value: opsPerSecond(() => {
      let r = card.transmit(list);
      // 572 bytes of answer: GET RESPONSE while 61xx (T=0).
      while (r[r.length - 2] === 0x61) r = card.transmit(Uint8Array.of(0x81, 0xc0, 0, 0, r[r.length - 1]!));
      if (swOf(r) !== 0x9000) throw new Error('bench: ListProfileInfo failed');
    }),
    unit: 'calls/s',
  });
  // Enable the other profile, reset (REFRESH), select the USIM of the new profile: one switch.
  const enable = (iccid: string) => fromHex(`81E2910014BF3111A00C5A0A${iccid}8101FF`);
  let to: 'A' | 'B' = 'B';
  rows.push({
    name: 'eUICC profile switch (EnableProfile + reset + SELECT ADF.USIM)',
    value: opsPerSecond(() => {
      card.transmit(fromHex('0070000001'));
      card.transmit(fromHex('01A4040010A0000005591010FFFFFFFF8900000100'));
      const r = card.transmit(enable(ICCID[to]));
      card.transmit(Uint8Array.of(0x81, 0xc0, 0, 0, r[r.length - 1]!));
      card.reset();
      if (swOf(card.transmit(fromHex('00A4040C07A0000000871002'))) !== 0x9000)
        throw new Error('bench: switch failed');
      to = to === 'A' ? 'B' : 'A';
    }, 1000),
    unit: 'switches/s',
  });
  return rows;
}
