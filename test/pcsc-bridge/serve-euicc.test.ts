// `uicc serve` of an eUICC (a definition or a --card image of one) behind a real pcscd + vpcd, managed with
// `uicc euicc ... --reader`: the host LPA (host/euicc/lpa.ts) over PC/SC, the profile switch seen by the
// next terminal session, and an image's state carried from the reader session to the next process.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForReader } from '../../pcsc-bridge/pcsc-transport.js';
import { type PcscdHarness, startPcscd } from '../../pcsc-bridge/pcscd-harness.js';
import { ROOT, uiccProcess } from '../support/cli.js';
import { pipedShell } from '../support/pty-shell.js';
import { needs, pcscdGate } from './support.js';

const BIN = join(ROOT, 'bin', 'uicc.js');
const gate = await pcscdGate();
const uicc = uiccProcess;

// Operator B of profiles/default-euicc.yaml: ICCID 89882110000000000101, IMSI 001010000000002.
const READ_IMSI = `00 A4 04 04 07 A0 00 00 00 87 10 02 => 61xx
00 20 00 01 08 31 32 33 34 FF FF FF FF => 9000
00 A4 00 0C 02 6F 07 => 9000
00 B0 00 00 09 => * 9000
`;

describe.sequential('uicc serve of an eUICC, managed with uicc euicc --reader', () => {
  let harness: PcscdHarness | undefined;
  let serve: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'uicc-serve-euicc-'));
  const readImsi = join(dir, 'imsi.apdu');
  writeFileSync(readImsi, READ_IMSI);

  async function startServe(...args: string[]): Promise<void> {
    await stopServe(); // one card in the reader: a test that failed midway leaves its serve running
    serve = spawn('node', [BIN, 'serve', '--port', String(harness!.port), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000, // stopServe ends it; this bounds its life if the test dies first
      killSignal: 'SIGKILL',
    });
    await waitForReader(harness!.readerName, { cardPresent: true, timeoutMs: 15_000 });
  }

  async function stopServe(): Promise<void> {
    if (serve && serve.exitCode === null) {
      const done = new Promise((r) => serve!.once('exit', r));
      serve.kill('SIGTERM');
      await done;
    }
    serve = undefined;
  }

  beforeAll(async () => {
    if (!gate.ok) return;
    harness = await startPcscd();
  });

  afterAll(async () => {
    await stopServe();
    await harness?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves profiles/default-euicc.yaml: info, list, enable and the shell through the reader', async (ctx) => {
    needs(ctx, gate);
    await startServe('--profile', 'profiles/default-euicc.yaml');
    const reader = harness!.readerName;
    const info = await uicc('euicc', 'info', '--reader', reader);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toContain('EID                89049032123451234512345678901235');
    expect(info.stdout).toContain('SGP.22 version     2.5.0');
    const list = await uicc('euicc', 'list', '--reader', reader);
    expect(list.stdout).toMatch(/^\* 89882110000000000002 /m);
    const en = await uicc('euicc', 'enable', '89882110000000000101', '--reader', reader);
    expect(en.stdout).toContain('enable 89882110000000000101: 0 (ok)');
    expect(en.stdout).toMatch(/^\* 89882110000000000101 /m);
    // A new terminal session (a reset of the card) sees Operator B's files.
    const run = await uicc('run', '--reader', reader, readImsi);
    expect(run.stdout).toContain('6F07: 001010000000002');
    // The shell through the reader finds the ISD-R by SELECT and runs pySim's eUICC commands.
    const shell = await pipedShell(
      dir,
      ['--reader', reader],
      ['dir', 'select ISD-R', 'get_eid', 'get_profiles_info'],
    );
    expect(shell).toContain('----  ADF.ISD-R');
    expect(shell).toContain('"eid_value": "89049032123451234512345678901235"');
    expect(shell).toMatch(
      /"iccid": "89882110000000000101",\s+"isdp_aid": "[0-9a-f]+",\s+"profile_state": "enabled"/,
    );
    await stopServe();
  });

  it('serves an eUICC --card image: its state in, the changes made through the reader out', async (ctx) => {
    needs(ctx, gate);
    const card = join(dir, 'euicc.card');
    expect((await uicc('euicc', 'enable', '89882110000000000101', '--card', card)).code).toBe(0);
    await startServe('--card', card);
    const reader = harness!.readerName;
    const list = await uicc('euicc', 'list', '--reader', reader);
    expect(list.stdout).toMatch(/^\* 89882110000000000101 /m);
    const nick = await uicc('euicc', 'nickname', '89882110000000000283', 'Lab', '--reader', reader);
    expect(nick.stdout).toContain('nickname 89882110000000000283: 0 (ok)');
    expect((await uicc('euicc', 'enable', '89882110000000000002', '--reader', reader)).code).toBe(0);
    await stopServe();
    const after = await uicc('euicc', 'list', '--card', card);
    expect(after.stdout).toMatch(/^\* 89882110000000000002 /m);
    expect(after.stdout).toMatch(/^ {2}89882110000000000283 .*"Lab"/m);
  });
});
