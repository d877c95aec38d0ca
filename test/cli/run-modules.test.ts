// What a cached `uicc run` loads (issue #12, CLI start-up): a one-APDU script on the default profile, whose
// compiled form `npm run build` caches, must not load zod. The EF codecs' schemas are built on first use
// (card-os/lazy-schema.ts) and the trace writers load only with --trace (host/cli/transport-options.ts);
// an import added at the top of a module on this path would bring zod's ~95 modules back, and this test
// fails. The module log is a preload (test/support/module-log.js); the last two tests show that it does
// see zod, loaded by `import` and by the lazy `require`, where a command needs it.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultProfilePath } from '../../host/card-factory.js';
import { ROOT, uiccWith } from '../support/cli.js';

const PRELOAD = join(ROOT, 'test', 'support', 'module-log.js');
const ZOD = /[\\/]node_modules[\\/]zod[\\/]/;

let dir: string;
let script: string;
let runs = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'uicc-run-modules-'));
  script = join(dir, 'one.apdu');
  writeFileSync(script, '00 A4 00 04 02 3F 00 => 61XX\n');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `uicc ARGS` under the module log; returns the modules it loaded. */
async function loadedBy(...args: string[]): Promise<string[]> {
  const log = join(dir, `modules-${++runs}.txt`);
  writeFileSync(log, '');
  const r = await uiccWith({ env: { NODE_OPTIONS: `--import ${PRELOAD}`, UICC_MODULE_LOG: log } }, ...args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

describe('modules a cached uicc run loads', () => {
  it('a one-APDU script on the default profile loads no zod', async () => {
    const mods = await loadedBy('run', script);
    // The log saw the run itself (the command module, the card OS, the codec table that decodes answers).
    for (const m of ['host/cli/run.js', 'card-os/card.js', 'host/codecs/table.js']) {
      expect(mods.some((u) => u.endsWith(`/dist/${m}`))).toBe(true);
    }
    expect(mods.filter((u) => ZOD.test(u))).toEqual([]);
  });

  it('writing a trace (--trace, both formats) loads no zod either', async () => {
    const jsonl = join(dir, 'run.jsonl');
    const mods = await loadedBy('run', '--trace', jsonl, '--trace', join(dir, 'run.pcap'), script);
    expect(mods.some((u) => u.endsWith('/dist/host/trace/jsonl.js'))).toBe(true);
    expect(mods.filter((u) => ZOD.test(u))).toEqual([]);
  });

  it('reading a trace validates it with zod, loaded on first use: the log sees it', async () => {
    const jsonl = join(dir, 'read.jsonl');
    await loadedBy('run', '--trace', jsonl, script);
    const mods = await loadedBy('trace', 'show', jsonl);
    expect(mods.filter((u) => ZOD.test(u)).length).toBeGreaterThan(0);
  });

  it('a profile no cache holds is compiled with zod: the log sees it', async () => {
    const cold = join(dir, 'cold.yaml');
    writeFileSync(cold, `${readFileSync(defaultProfilePath(), 'utf8')}\n# not cached\n`);
    const mods = await loadedBy('run', '--profile', cold, script);
    expect(mods.filter((u) => ZOD.test(u)).length).toBeGreaterThan(0);
  });
});
