// Lazy subcommand loading (host/cli/main.ts): the top-level help lists every command without loading any,
// and naming a command registers its real module (options and all).

import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../host/cli/main.js';

const NAMES = [
  'run',
  'shell',
  'auth',
  'ota',
  'ltk-update',
  'serve',
  'readers',
  'profile',
  'card',
  'replay',
  'trace',
  'scenario',
  'smsc',
  'suci',
  'euicc',
  'smdp',
  'saip',
];

describe('uicc command table', () => {
  it('the top-level help names every command, as one-line stubs', async () => {
    const p = await buildProgram(['--help']);
    expect(p.commands.map((c) => c.name())).toEqual(NAMES);
    expect(p.commands.every((c) => c.options.length === 0)).toBe(true);
  });

  it('naming a command (or `help NAME`) loads the module that registers it', async () => {
    for (const name of NAMES) {
      for (const argv of [[name], ['help', name], ['--json', name]]) {
        const p = await buildProgram(argv);
        const cmd = p.commands.find((c) => c.name() === name);
        expect(cmd, `${argv.join(' ')}`).toBeDefined();
        expect(cmd!.description(), name).not.toBe('');
      }
    }
    const run = (await buildProgram(['run'])).commands.find((c) => c.name() === 'run')!;
    expect(run.options.map((o) => o.long)).toContain('--junit');
  });

  it('all modules register without clashing', async () => {
    const p = await buildProgram([], true);
    expect(new Set(p.commands.map((c) => c.name()))).toEqual(new Set(NAMES));
  });
});
