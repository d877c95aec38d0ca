// `uicc shell` in a real pseudo-terminal (tmux): Tab completion, the path prompt, decoded reads and writes,
// and an export that `uicc run` replays on a fresh card to give it the same contents.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { needs, toolGate } from '../pcsc-bridge/support.js';
import { uiccProcess } from '../support/cli.js';
import { pipedShell, pySimStyleSession, startPtyShell } from '../support/pty-shell.js';

const gate = await toolGate('tmux', ['-V'], 'tmux');
const dir = mkdtempSync(join(tmpdir(), 'uicc-pty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('uicc shell through a pseudo-terminal', () => {
  it('completes, shows the path, decodes, writes, and exports a script that recreates the contents', async (ctx) => {
    needs(ctx, gate);
    const sh = await startPtyShell(dir, []);
    const exported = join(dir, 'export.apdu');
    try {
      const screen = await pySimStyleSession(sh, exported);
      expect(screen).toContain('MF/ADF.USIM/EF.IMSI> read_binary_decoded');
    } finally {
      await sh.stop();
    }
    const script = readFileSync(exported, 'utf8');
    expect(script).not.toMatch(/1234|3132333435363738/); // no PIN or ADM value in an export
    const fresh = join(dir, 'fresh.json');
    const r = await uiccProcess(
      'run',
      '--set',
      'PIN1=1234',
      '--set',
      'ADM1=12345678',
      '--card',
      fresh,
      exported,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/expectations passed, 0 failed/);
    expect(r.code).toBe(0);
    const after = await pipedShell(
      dir,
      ['--card', fresh],
      ['select ADF.USIM', 'select EF.SPN', 'read_binary_decoded', 'exit'],
    );
    expect(after).toContain('"name": "PTY Net"');
  }, 120_000);
});
