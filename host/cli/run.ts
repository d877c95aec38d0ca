// `uicc run SCRIPT...`: runs APDU scripts against a card and says pass or fail.

import type { Command } from 'commander';
import { parseScriptFile } from '../script/parse.js';
import { runScript } from '../script/run.js';
import { green, jsonPrinter, red, textPrinter } from './transcript.js';
import { openTransport, type TransportOpts, transportOptions } from './transport-options.js';

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description('run APDU scripts (scriptor format plus expectations) against a card')
    .argument('<script...>', 'script files')
    .option('--json', 'one JSON object per exchange on stdout')
    .option(
      '--set <name=value>',
      'set a script variable before the run (e.g. --set ADM1=3132333435363738); repeatable',
      (v: string, prev: string[] = []) => [...prev, v],
    );
  transportOptions(cmd).action(
    async (scripts: string[], opts: TransportOpts & { json?: boolean; set?: string[] }) => {
      const vars = new Map<string, string>();
      for (const a of opts.set ?? []) {
        const m = /^([A-Za-z_]\w*)=(.*)$/.exec(a);
        if (!m) throw new Error(`--set takes NAME=VALUE, got "${a}"`);
        vars.set(m[1]!, m[2]!);
      }
      // Parse everything first: a typo in the last script should not cost a card run.
      const parsed = scripts.map((s) => ({ file: s, steps: parseScriptFile(s) }));
      const t = await openTransport(opts, 'uicc run', { raw: true });
      const print = opts.json ? jsonPrinter() : textPrinter();
      const emit: typeof print = (e) => {
        if (e.type === 'step') t.recorder?.note(`step: ${e.name} (${e.at.file}:${e.at.line})`);
        print(e);
      };
      let failed = 0;
      let passed = 0;
      let exchanges = 0;
      try {
        for (const p of parsed) {
          const r = await runScript(p.steps, t.transport, emit, vars);
          failed += r.failed;
          passed += r.passed;
          exchanges += r.exchanges;
        }
      } finally {
        await t.close();
      }
      if (!opts.json) {
        const summary = `${exchanges} exchanges, ${passed} expectations passed, ${failed} failed`;
        console.log(failed ? red(summary) : green(summary));
      }
      process.exitCode = failed ? 1 : 0;
    },
  );
}
