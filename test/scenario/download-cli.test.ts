// `uicc scenario operator-change --variant download` in this process (worker threads: workers.test.ts shape,
// here one thread), its report, JSON, and refused options.
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
  const code = await main([...args, '--workers', '0']);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

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
