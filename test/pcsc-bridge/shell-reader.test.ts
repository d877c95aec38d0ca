// `uicc shell --reader` against the emulator behind a private pcscd (`uicc serve` + vpcd): the shell finds
// the file tree through EF.DIR and FCPs, and the same pySim-shell session as on the embedded card works,
// typed into a real pseudo-terminal.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForReader } from '../../pcsc-bridge/pcsc-transport.js';
import { type PcscdHarness, startPcscd } from '../../pcsc-bridge/pcscd-harness.js';
import { ROOT } from '../support/cli.js';
import {
  pipedShell,
  pySimStyleSession,
  replayExportOnFreshCard,
  startPtyShell,
} from '../support/pty-shell.js';
import { needs, pcscdGate, toolGate } from './support.js';

const gate = await pcscdGate();
const tmux = await toolGate('tmux', ['-V'], 'tmux');

describe.sequential('uicc shell --reader behind pcscd', () => {
  let harness: PcscdHarness | undefined;
  let serve: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'uicc-shell-reader-'));

  beforeAll(async () => {
    if (!gate.ok || !tmux.ok) return;
    harness = await startPcscd();
    serve = spawn('node', [join(ROOT, 'bin', 'uicc.js'), 'serve', '--port', String(harness.port)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 180_000,
    });
    await waitForReader(harness.readerName, { cardPresent: true, timeoutMs: 15_000 });
  }, 30_000);

  afterAll(async () => {
    if (serve && serve.exitCode === null) {
      const done = new Promise((r) => serve!.once('exit', r));
      serve.kill('SIGTERM');
      await done;
    }
    await harness?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the card tree found through EF.DIR and FCPs', async (ctx) => {
    needs(ctx, gate, tmux);
    const out = await pipedShell(dir, ['--reader', harness!.readerName], ['tree', 'exit']);
    expect(out).toMatch(/ADF\.USIM\s+7FF0\s+ADF A0000000871002/);
    expect(out).toMatch(/EF\.IMSI\s+6F07\s+transparent 9 bytes/);
    expect(out).toMatch(/EF\.ECC\s+6FB7\s+linear-fixed 3 x 4 bytes/);
    expect(out).toMatch(/DF\.PHONEBOOK\s+5F3A/);
  }, 60_000);

  it('runs the pySim-shell session through the reader, and its export recreates the card', async (ctx) => {
    needs(ctx, gate, tmux);
    const sh = await startPtyShell(dir, ['--reader', harness!.readerName]);
    const exported = join(dir, 'export.apdu');
    try {
      await pySimStyleSession(sh, exported, 40_000);
    } finally {
      await sh.stop();
    }
    expect(readFileSync(exported, 'utf8')).toContain('select-aid A0000000871002FFFFFFFF8907090000');
    const { run: r, spn: after } = await replayExportOnFreshCard(dir, exported);
    expect(r.stdout).toMatch(/expectations passed, 0 failed/);
    expect(r.code).toBe(0);
    expect(after).toContain('"name": "PTY Net"');
  }, 180_000);
});
