// A write answered by the card survives the process being killed right after the answer (SIGKILL: no
// close, no exit handler): the journal entry was fsynced before the answer was printed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, uiccProcess } from '../support/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'uicc-crash-'));
  writeFileSync(join(dir, 'tries.apdu'), 'select-usim => 61xx\nverify pin1\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a process killed right after an answer', () => {
  it('uicc shell: a wrong PIN answered 63C2, then SIGKILL; the next run counts it', async () => {
    const img = join(dir, 'c.img');
    expect((await uiccProcess('card', 'new', '--out', img)).code).toBe(0);
    const before = readFileSync(img);
    const shell = spawn('node', [join(ROOT, 'bin', 'uicc.js'), 'shell', '--card', img], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 30_000,
      killSignal: 'SIGKILL',
    });
    let out = '';
    const answered = new Promise<void>((resolve, reject) => {
      shell.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('< 63 C2')) resolve(); // the VERIFY's answer line (the ATR also ends in 63 C2)
      });
      shell.once('exit', () => reject(new Error(`shell ended before answering:\n${out}`)));
    });
    shell.stdin!.write('select-usim\nverify pin1 9999\n');
    await answered;
    const exited = new Promise((r) => shell.once('exit', r));
    shell.kill('SIGKILL');
    await exited;
    // Killed: the image was not rewritten, the lock is left behind (stale), the journal holds the try.
    expect(readFileSync(img).equals(before)).toBe(true);
    expect(existsSync(`${img}.lock`)).toBe(true);
    const r = await uiccProcess('run', '--json', join(dir, 'tries.apdu'), '--card', img);
    expect(r.code, r.stderr).toBe(0);
    const last = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'exchange')
      .at(-1);
    expect(last.sw).toBe('63C2');
  });
});
