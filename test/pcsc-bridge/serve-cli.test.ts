// `uicc serve` behind a real pcscd + vpcd, and the same scripts and flows through `--reader`:
// one script, identical transcripts in-process and through PC/SC; `uicc auth` and `uicc ota` on the reader.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hssFromProfile } from '../../host/cli/auth.js';
import { formatSubscriberFile } from '../../host/network/subscribers.js';
import { loadDefaultProfile } from '../../host/profile/load.js';
import { waitForReader } from '../../pcsc-bridge/pcsc-transport.js';
import { type PcscdHarness, startPcscd } from '../../pcsc-bridge/pcscd-harness.js';
import { ROOT, uiccProcess } from '../support/cli.js';
import { needs, pcscdGate } from './support.js';

const BIN = join(ROOT, 'bin', 'uicc.js');
const gate = await pcscdGate();

const uicc = uiccProcess;

const exchanges = (jsonl: string) =>
  jsonl
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === 'exchange')
    .map((e) => `${e.command} -> ${e.response}`);

describe.sequential('uicc serve behind pcscd, and --reader', () => {
  let harness: PcscdHarness | undefined;
  let serve: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'uicc-serve-'));

  beforeAll(async () => {
    if (!gate.ok) return;
    harness = await startPcscd();
    serve = spawn('node', [BIN, 'serve', '--port', String(harness.port), '--card', join(dir, 'card.json')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000, // afterAll stops it; this bounds its life if the test dies first
      killSignal: 'SIGKILL',
    });
    await waitForReader(harness.readerName, { cardPresent: true, timeoutMs: 15_000 });
  });

  afterAll(async () => {
    if (serve && serve.exitCode === null) {
      const done = new Promise((r) => serve!.once('exit', r));
      serve.kill('SIGTERM');
      await done;
    }
    await harness?.stop();
  });

  it('runs every example script with the same transcript as in-process', async (ctx) => {
    needs(ctx, gate);
    for (const script of ['examples/read-imsi.apdu', 'examples/walk-fs.apdu']) {
      const local = await uicc('run', '--json', script);
      const remote = await uicc('run', '--json', '--reader', harness!.readerName, script);
      expect(remote.code, remote.stderr).toBe(0);
      expect(exchanges(remote.stdout)).toEqual(exchanges(local.stdout));
    }
  });

  it('authenticates through PC/SC with an HSS file', async (ctx) => {
    needs(ctx, gate);
    const hss = join(dir, 'hss.json');
    writeFileSync(hss, formatSubscriberFile([hssFromProfile(loadDefaultProfile())]));
    const r = await uicc(
      'auth',
      '--reader',
      harness!.readerName,
      '--hss',
      hss,
      '--pin',
      '1234',
      '--count',
      '3',
    );
    expect(r.stdout).toContain('3 of 3 authentications succeeded');
    expect(r.code).toBe(0);
  });

  it('updates EF.IMSI over OTA through PC/SC, with the keys from the profile file', async (ctx) => {
    needs(ctx, gate);
    const imsi = '080910101032547611';
    const r = await uicc(
      'ota',
      '--reader',
      harness!.readerName,
      '--keys',
      'profiles/default-usim.yaml',
      '00A40004026F07',
      `00D6000009${imsi}`,
      '00B0000009',
    );
    expect(r.stdout).toContain('PoR 00 PoR OK');
    expect(r.stdout).toContain(`data ${imsi}`);
  });
});
