// `uicc shell` in a real pseudo-terminal (tmux): Tab completion, the path prompt, decoded reads and writes,
// and an export that `uicc run` replays on a fresh card to give it the same contents.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { needs, toolGate } from '../pcsc-bridge/support.js';
import { pySimStyleSession, replayExportOnFreshCard, startPtyShell } from '../support/pty-shell.js';

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
    const { run: r, spn: after } = await replayExportOnFreshCard(dir, exported);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/expectations passed, 0 failed/);
    expect(r.code).toBe(0);
    expect(after).toContain('"name": "PTY Net"');
  }, 120_000);
});
