// Profile download figures (SGP.22 §3.1.3), all in process with every signature, certificate check, ECDH
// and BSP segment of both ends: the LPA (host/euicc/download.ts) drives the default eUICC and the SM-DP+
// core (host/smdp/core.ts) with a TS.48 test profile (GSMA TS.48 v5, SAIP 2.3, as pySim ships it).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EuiccCard } from '../card-os/euicc-card.js';
import { projectRoot } from '../host/card-factory.js';
import { downloadProfile } from '../host/euicc/download.js';
import { createEuicc, loadEuicc } from '../host/euicc/load.js';
import { MemoryInventory } from '../host/smdp/memory-inventory.js';
import { createTestSmdp } from '../host/smdp/test-smdp.js';
import { atLeast, atMost, type BenchRow, percentile } from './harness.js';

const ADDRESS = 'smdp.uicc.test';

export async function bench(): Promise<BenchRow[]> {
  const file = join(projectRoot(), 'profiles', 'default-euicc.yaml');
  const template = loadEuicc(file, readFileSync(file, 'utf8'));
  const upp = new Uint8Array(
    readFileSync(join(projectRoot(), 'test', 'vectors', 'ts48', 'TS48V5-SAIP2-3-NOBERTLV-UNIQUE.der')),
  );
  const inventory = new MemoryInventory();
  const smdp = createTestSmdp(ADDRESS, inventory);
  let n = 0;
  const download = async (card: EuiccCard) => {
    const matchingId = `M${++n}`;
    inventory.add({
      matchingId,
      iccid: '8949449999999990171',
      upp,
      metadata: { spn: 'bench', name: 'TS.48' },
    });
    await downloadProfile({
      transmit: async (c) => card.transmit(c),
      es9: smdp,
      smdpAddress: ADDRESS,
      matchingId,
    });
  };
  const fresh = () => {
    const c = createEuicc(template);
    c.reset();
    return c;
  };
  // Warm-up, then one download at a time into a fresh eUICC.
  for (let i = 0; i < 20; i++) await download(fresh());
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    const card = fresh();
    const t = performance.now();
    await download(card);
    times.push(performance.now() - t);
  }
  // A fleet: 1,000 eUICCs, one download each, one after another on one core.
  const fleet = Array.from({ length: 1000 }, fresh);
  const start = performance.now();
  for (const card of fleet) await download(card);
  const perSecond = (fleet.length * 1000) / (performance.now() - start);
  return [
    atMost(
      `profile download in process (${upp.length} B TS.48 package, median)`,
      percentile(times, 50),
      'ms',
      20,
    ),
    atLeast('profile downloads, fleet of 1,000 eUICCs, one core', perSecond, 'downloads/s', 100),
  ];
}
