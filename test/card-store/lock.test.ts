// Two processes on one card image must not lose each other's updates: the image is locked for the card's
// life; a second process is refused naming the holder, or waits with --wait.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockImage } from '../../host/card-store/lock.js';
import { uiccProcess } from '../support/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'uicc-lock-'));
  writeFileSync(join(dir, 'wrong.apdu'), 'select-usim => 61xx\nverify pin1 39393939\n');
  writeFileSync(join(dir, 'tries.apdu'), 'select-usim => 61xx\nverify pin1\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exchanges = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === 'exchange');

async function fiveWrongPins(img: string, extra: string[]) {
  const runs = await Promise.all(
    Array.from({ length: 5 }, () =>
      uiccProcess('run', '--json', join(dir, 'wrong.apdu'), '--card', img, ...extra),
    ),
  );
  const state = await uiccProcess('run', '--json', join(dir, 'tries.apdu'), '--card', img);
  expect(state.code, state.stderr).toBe(0);
  return { runs, left: exchanges(state.stdout).at(-1).sw as string };
}

describe('one card image, several processes', () => {
  it('five parallel wrong PIN1 attempts with --wait: serialised, none lost, PIN1 ends blocked', async () => {
    const img = join(dir, 'wait.img');
    expect((await uiccProcess('card', 'new', '--out', img)).code).toBe(0);
    const { runs, left } = await fiveWrongPins(img, ['--wait', '30']);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    // PIN1 has 3 tries: the five answers, in whatever order the processes got the card, are 63C2, 63C1,
    // 63C0 and then 6983 (blocked) twice.
    const sws = runs.map((r) => exchanges(r.stdout).at(-1).sw).sort();
    expect(sws).toEqual(['63C0', '63C1', '63C2', '6983', '6983']);
    expect(left).toBe('6983');
  });

  it('five parallel attempts without --wait: the refused ones say who holds the image; the count is exact', async () => {
    const img = join(dir, 'refuse.img');
    expect((await uiccProcess('card', 'new', '--out', img)).code).toBe(0);
    const { runs, left } = await fiveWrongPins(img, []);
    const ran = runs.filter((r) => r.code === 0);
    const refused = runs.filter((r) => r.code !== 0);
    for (const r of refused)
      expect(r.stderr).toMatch(/card image is in use by process \d+ \(.*uicc.* run .*\)/);
    expect(ran.length).toBeGreaterThanOrEqual(1);
    // Each attempt that ran cost exactly one try.
    expect(left).toBe(ran.length >= 3 ? '6983' : `63C${3 - ran.length}`);
  });

  it('a lock whose process is gone is stale and taken over; a live one is refused', async () => {
    const img = join(dir, 'stale.img');
    // A process that has ended: its pid is free (reuse within this test is not plausible).
    const child = spawn('true', { stdio: 'ignore', timeout: 10_000 });
    const pid = await new Promise<number>((res) => child.on('exit', () => res(child.pid!)));
    writeFileSync(`${img}.lock`, JSON.stringify({ pid, command: 'gone', since: 'then' }));
    const l = lockImage(img);
    expect(JSON.parse(readFileSync(`${img}.lock`, 'utf8')).pid).toBe(process.pid);
    expect(() => lockImage(img)).toThrow(`${img}: card image is in use by process ${process.pid}`);
    const t0 = Date.now();
    expect(() => lockImage(img, 0.3)).toThrow(/in use by process \d+ .*; waited 0.3 s/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    l.release();
    lockImage(img).release();
  });
});
