// Remote download into an eUICC behind a real pcscd (vsmartcard vpcd): `uicc serve --card IMAGE` puts the
// eUICC in a reader of a private pcscd, `uicc smdp serve` runs the SM-DP+, and `uicc euicc download
// --reader` installs and enables the ordered profile through PC/SC; the terminal then reads the new
// profile's EF.IMSI through the reader, and after the serve ends the image holds it. Skipped with the
// reason when pcscd/vpcd are missing, failing under CI=true (test/pcsc-bridge/support.ts).
// Profile package: TS.48 Generic eUICC Test Profile from osmocom pySim (commit
// 597f1e0398bb81d6832dc92ee4dfdcada59d3d82, smdpp-data/upp/TS48V1-A-UNIQUE.der).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForReader } from '../../pcsc-bridge/pcsc-transport.js';
import { type PcscdHarness, startPcscd } from '../../pcsc-bridge/pcscd-harness.js';
import { needs, pcscdGate } from '../pcsc-bridge/support.js';
import { CACHE_DIR, ROOT, uiccProcess as uicc } from '../support/cli.js';
import {
  acOf,
  expectTs48InUse,
  expectYamlProfileAuthenticates,
  type SmdpChild,
  startSmdpChild,
  stopChild,
  ts48ImsiAndAuthScript,
} from './support.js';

const gate = await pcscdGate();
const BIN = join(ROOT, 'bin', 'uicc.js');

describe.sequential('remote download through pcscd: uicc euicc download --reader', () => {
  let harness: PcscdHarness | undefined;
  let serve: ChildProcess | undefined;
  let smdp: SmdpChild | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'uicc-smdp-pcscd-'));
  const card = join(dir, 'device.euicc');

  async function stopServe(): Promise<void> {
    await stopChild(serve);
    serve = undefined;
  }

  beforeAll(async () => {
    if (!gate.ok) return;
    harness = await startPcscd();
    smdp = await startSmdpChild(join(dir, 'smdp.json'));
    writeFileSync(join(dir, 'imsi.apdu'), ts48ImsiAndAuthScript());
  });

  afterAll(async () => {
    await stopServe();
    await smdp?.stop();
    await harness?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs, enables, and the terminal uses the new profile through the reader', async (ctx) => {
    needs(ctx, gate);
    const made = await uicc('card', 'new', '--profile', 'profiles/default-euicc.yaml', '--out', card);
    expect(made.code, made.stderr).toBe(0);
    serve = spawn('node', [BIN, 'serve', '--port', String(harness!.port), '--card', card], {
      cwd: ROOT,
      env: { ...process.env, UICC_CACHE_DIR: CACHE_DIR },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000, // stopServe ends it; this bounds its life if the test dies first
      killSignal: 'SIGKILL',
    });
    const reader = harness!.readerName;
    await waitForReader(reader, { cardPresent: true, timeoutMs: 15_000 });

    const order = await uicc(
      'smdp',
      'order',
      '--state',
      join(dir, 'smdp.json'),
      '--profile',
      'test/vectors/ts48/TS48V1-A-UNIQUE.der',
    );
    expect(order.code, order.stderr).toBe(0);
    const ac = acOf(order.stdout);

    const dl = await uicc('euicc', 'download', '--reader', reader, '--ac', ac, '--enable');
    expect(dl.code, dl.stdout + dl.stderr).toBe(0);
    expect(dl.stdout).toContain('installed 8949449999999990023');
    expect(dl.stdout).toContain('enabled 8949449999999990023');

    await expectTs48InUse(join(dir, 'imsi.apdu'), '--reader', reader);

    // One of our YAML profiles, encoded as a package by the SM-DP+: downloaded and enabled through the
    // reader, then `uicc auth` authenticates it against an HSS holding its keys (Milenage).
    await expectYamlProfileAuthenticates(join(dir, 'smdp.json'), dir, '--reader', reader);

    await stopServe();
    const after = await uicc('euicc', 'list', '--card', card);
    expect(after.stdout).toMatch(/^\* 8988211000000000003 /m);
    expect(after.stdout).toMatch(/^ {2}8949449999999990023 /m);
  });
});
