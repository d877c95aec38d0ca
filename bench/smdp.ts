// Remote profile download over ES9+ HTTPS (SGP.22 §3.1.3, §6.5): the SM-DP+ service (host/smdp/service.ts:
// core, HTTPS server on loopback, orders in a durable state file) and the LPA (host/euicc/download.ts over
// host/smdp/es9-client.ts: a TLS handshake per request, as the CLI does) in one process, each download into
// a fresh default eUICC. The inventory holds the 18 TS.48 packages with their own ICCIDs (pySim
// smdpp-data/upp/*-UNIQUE.der): one for warm-up, 17 measured.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../host/card-factory.js';
import { downloadProfile } from '../host/euicc/download.js';
import { createEuicc, loadEuicc } from '../host/euicc/load.js';
import { createEs9Client } from '../host/smdp/es9-client.js';
import { startSmdp } from '../host/smdp/service.js';
import { SmdpStore } from '../host/smdp/store.js';
import { type BenchRow, percentile } from './harness.js';

export async function bench(): Promise<BenchRow[]> {
  const file = join(projectRoot(), 'profiles', 'default-euicc.yaml');
  const template = loadEuicc(file, readFileSync(file, 'utf8'));
  const folder = join(projectRoot(), 'test', 'vectors', 'ts48');
  const dir = mkdtempSync(join(tmpdir(), 'bench-smdp-'));
  const store = SmdpStore.open(join(dir, 'state.json'));
  const iccids = readdirSync(folder)
    .filter((f) => f.endsWith('-UNIQUE.der'))
    .map((f) => store.addProfile(new Uint8Array(readFileSync(join(folder, f))), f));
  const smdp = await startSmdp({ store });
  const es9 = createEs9Client({ smdpAddress: smdp.address });
  try {
    const times: number[] = [];
    for (const [i, iccid] of iccids.entries()) {
      const { matchingId } = store.reserve({ iccid });
      const card = createEuicc(template);
      card.reset();
      const t = performance.now();
      await downloadProfile({
        transmit: async (c) => card.transmit(c),
        es9,
        smdpAddress: smdp.address,
        matchingId: matchingId!,
      });
      if (i > 0) times.push(performance.now() - t);
    }
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    return [
      {
        name: `remote download over ES9+ HTTPS + state file, TS.48 package, p50 (${times.length} downloads)`,
        value: percentile(times, 50),
        unit: 'ms',
      },
      {
        name: 'remote download over ES9+ HTTPS + state file, throughput',
        value: 1000 / mean,
        unit: 'downloads/s',
      },
    ];
  } finally {
    await smdp.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
