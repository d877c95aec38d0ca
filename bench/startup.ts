// CLI start-up as a ratio to `node -e 0` measured in the same run (so the machine's speed and load cancel
// out): `uicc --version`, `uicc run` of a one-APDU script on the default profile (compiled at build time, the
// cached case), and the same run on a profile no cache has seen (cold: YAML, schema, checks). The runs are
// interleaved and each figure is the median of its runs.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProfilePath, projectRoot } from '../host/card-factory.js';
import { atMost, type BenchRow, percentile } from './harness.js';

const ROUNDS = 11;

function timed(args: string[], env: NodeJS.ProcessEnv): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: projectRoot(), env, timeout: 60_000, stdio: 'pipe' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export async function bench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'uicc-bench-startup-'));
  const bin = join(projectRoot(), 'bin', 'uicc.js');
  const script = join(dir, 'one.apdu');
  writeFileSync(script, '00 A4 00 04 02 3F 00 => 61XX\n');
  const profileText = readFileSync(defaultProfilePath(), 'utf8');
  const env = { ...process.env, NO_COLOR: '1', UICC_CACHE_DIR: join(dir, 'cache') };
  const times: Record<'node' | 'version' | 'run' | 'cold', number[]> = {
    node: [],
    version: [],
    run: [],
    cold: [],
  };
  try {
    for (let i = 0; i < ROUNDS; i++) {
      times.node.push(timed(['-e', '0'], env));
      times.version.push(timed([bin, '--version'], env));
      times.run.push(timed([bin, 'run', script], env));
      // A profile text no cache holds, and no user cache to write to: every round compiles.
      const cold = join(dir, `cold-${i}.yaml`);
      writeFileSync(cold, `${profileText}\n# round ${i}\n`);
      times.cold.push(timed([bin, 'run', '--profile', cold, script], { ...env, UICC_CACHE_DIR: '' }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const med = (k: keyof typeof times) => percentile(times[k], 50);
  const base = med('node');
  const ratio = (k: keyof typeof times) => Number((med(k) / base).toFixed(2));
  return [
    { name: 'start-up: node -e 0 (the reference)', value: base, unit: 'ms' },
    atMost('start-up: uicc --version / node -e 0', ratio('version'), 'x', 3),
    atMost('start-up: uicc run, one APDU, default profile cached / node -e 0', ratio('run'), 'x', 4),
    {
      name: 'start-up: uicc run, one APDU, profile not cached (cold) / node -e 0',
      value: ratio('cold'),
      unit: 'x',
    },
    { name: 'start-up: uicc run, one APDU, cached', value: med('run'), unit: 'ms' },
    { name: 'start-up: uicc run, one APDU, cold', value: med('cold'), unit: 'ms' },
  ];
}
