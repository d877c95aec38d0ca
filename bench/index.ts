// `npm run bench`: every benchmark of the project, one table. Pass names to run a subset
// (e.g. `npm run bench -- card-os usim`).

import { type BenchRow, printTable } from './harness.js';

const SUITES: Record<string, () => Promise<{ bench: () => Promise<BenchRow[]> }>> = {
  'card-os': () => import('./card-os.js'),
  usim: () => import('./usim.js'),
  suci: () => import('./suci.js'),
  tuak: () => import('./tuak.js'),
  ota: () => import('./ota.js'),
  'card-apdus': () => import('./card-apdus.js'),
  scp11: () => import('./scp11.js'),
  'security-domain': () => import('./security-domain.js'),
  trace: () => import('./trace.js'),
  pcsc: () => import('./pcsc.js'),
  scenario: () => import('./scenario.js'),
  startup: () => import('./startup.js'),
  shell: () => import('./shell.js'),
  'card-image': () => import('./card-image.js'),
  smsc: () => import('./smsc.js'),
  euicc: () => import('./euicc.js'),
  bsp: () => import('./bsp.js'),
  download: () => import('./download.js'),
  smdp: () => import('./smdp.js'),
  saip: () => import('./saip.js'),
};

async function main(): Promise<void> {
  const want = process.argv.slice(2);
  const names = want.length ? want : Object.keys(SUITES);
  const rows: BenchRow[] = [];
  for (const n of names) {
    const load = SUITES[n];
    if (!load) {
      console.error(`bench: unknown suite "${n}" (known: ${Object.keys(SUITES).join(', ')})`);
      process.exit(2);
    }
    process.stderr.write(`bench: ${n}...\n`);
    rows.push(...(await (await load()).bench()));
  }
  console.log(`node ${process.version}, ${new Date().toISOString()}`);
  printTable(rows);
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
});
