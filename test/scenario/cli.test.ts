// `uicc scenario operator-change` in this process (one thread: worker threads need the built code).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../host/cli/main.js';

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(String(s)));
  vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(String(s)));
  // Worker threads need the built code: here the scenario runs in this thread.
  const code = await main(args[0] === 'scenario' ? [...args, '--workers', '0'] : args);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('uicc scenario operator-change', () => {
  it('moves the fleet and reports', async () => {
    const r = await run([
      'scenario',
      'operator-change',
      '--cards',
      '6',
      '--from',
      'A',
      '--to',
      'B',
      '--variant',
      'derive',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('operator change A -> B (derive), 6 cards');
    expect(r.out).toMatch(/moved {5}6/);
    expect(r.out).toMatch(/failed {4}0/);
    expect(r.out).toMatch(/cards\/s \(build and change\)/);
  });

  it('JSON report; failures give exit code 1', async () => {
    const r = await run(['scenario', 'operator-change', '--cards', '3', '--slots', '1', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({
      cards: 3,
      moved: 0,
      failed: 3,
      failures: { 'refused by the card (6A84)': 3 },
    });
  });

  it('rejects bad options with a readable message', async () => {
    const r = await run(['scenario', 'operator-change', '--variant', '3c']);
    expect(r.code).toBe(2);
    const p = await run(['scenario', 'operator-change', '--por-loss', '1']);
    expect(p.code).toBe(2);
  });
});

describe('uicc scenario operator-change --variant download', () => {
  it('moves the eUICC fleet and reports orders, sessions and notifications', async () => {
    const r = await run(['scenario', 'operator-change', '--variant', 'download', '--cards', '4']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('operator change A -> B (download), 4 cards');
    expect(r.out).toMatch(/moved {5}4/);
    expect(r.out).toMatch(/orders {4}4 installed, 0 claimed again, 0 duplicate installs/);
    expect(r.out).toMatch(/notified {2}4 to B, 4 to A, 0 still pending/);
  });

  it('JSON with --old-profile delete and ES9+ answers lost', async () => {
    const r = await run([
      'scenario',
      'operator-change',
      '--variant',
      'download',
      '--cards',
      '5',
      '--old-profile',
      'delete',
      '--es9-loss',
      '0.1',
      '--seed',
      '5',
      '--json',
    ]);
    const report = JSON.parse(r.out);
    expect(report.variant).toBe('download');
    expect(report.moved + report.failed).toBe(5);
    expect(r.code).toBe(report.failed > 0 ? 1 : 0);
    expect(report.download.duplicateInstalls).toBe(0);
    expect(report.download.notificationsToOld).toBe(2 * report.moved);
  });

  it('refuses a bad --old-profile, a bad loss rate and a missing eUICC definition', async () => {
    expect((await run(['scenario', 'operator-change', '--old-profile', 'keep'])).code).toBe(2);
    expect((await run(['scenario', 'operator-change', '--es9-loss', '2'])).code).toBe(2);
    const m = await run([
      'scenario',
      'operator-change',
      '--variant',
      'download',
      '--euicc',
      '/nonexistent.yaml',
    ]);
    expect(m.code).not.toBe(0);
    expect(m.err).toContain('/nonexistent.yaml');
    expect(m.err).not.toMatch(/\n\s+at /);
  });
});
