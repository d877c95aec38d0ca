// `uicc run SCRIPT...`: runs APDU scripts against a card and says pass or fail.
// Each script gets a new card from the profile (so scripts do not depend on each other's order) unless
// --keep-card; a card image (--card) or a reader's card is one card and gets a reset between scripts.
// Exit codes (docs/script-format.md): 0 every expectation passed, 1 an expectation failed, 2 usage or input error.

import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { junitXml } from '../script/junit.js';
import { parseScriptFile } from '../script/parse.js';
import { type ScriptReport, scriptCollector, skippedScript, summarise } from '../script/report.js';
import { runScript } from '../script/run.js';
import { tapLines } from '../script/tap.js';
import { green, jsonPrinter, red, textPrinter } from './transcript.js';
import { openTransport, type TransportOpts, transportOptions } from './transport-options.js';

interface RunOpts extends TransportOpts {
  set?: string[];
  json?: boolean;
  tap?: boolean;
  junit?: string;
  bail?: boolean;
  keepCard?: boolean;
}

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description('run APDU scripts (scriptor format plus expectations) against a card')
    .argument('<script...>', 'script files')
    .option('--json', 'one JSON object per exchange on stdout, and a summary object at the end')
    .option('--tap', 'TAP version 13 on stdout: one test point per script and per @step')
    .option('--junit <file>', 'write a JUnit XML report: one test case per script and per @step')
    .option('--bail', 'stop at the first script with a failed expectation')
    .option(
      '--keep-card',
      'run all scripts on one card (default: a new card from the profile for each script)',
    )
    .option(
      '--set <name=value>',
      'set a script variable before the run (e.g. --set ADM1=3132333435363738); repeatable',
      (v: string, prev: string[] = []) => [...prev, v],
    );
  transportOptions(cmd).action(async (scripts: string[], opts: RunOpts) => {
    if (opts.json && opts.tap) throw new Error('--json and --tap both write to stdout; choose one');
    const vars = new Map<string, string>();
    for (const a of opts.set ?? []) {
      const m = /^([A-Za-z_]\w*)=(.*)$/.exec(a);
      if (!m) throw new Error(`--set takes NAME=VALUE, got "${a}"`);
      vars.set(m[1]!, m[2]!);
    }
    // Parse everything first: a typo in the last script should not cost a card run.
    const parsed = scripts.map((s) => ({ file: s, steps: parseScriptFile(s) }));
    const t = await openTransport(opts, 'uicc run', { raw: true });
    const print = opts.json ? jsonPrinter() : opts.tap ? () => {} : textPrinter();
    const reports: ScriptReport[] = [];
    const start = performance.now();
    let bailed = false;
    try {
      for (const [i, p] of parsed.entries()) {
        if (bailed) {
          reports.push(skippedScript(p.file, p.steps));
          continue;
        }
        if (i > 0 && !opts.keepCard) {
          if (t.renew) {
            await t.renew();
            t.recorder?.note(`card: a new card from the profile for ${p.file}`);
          } else await t.transport.reset();
        }
        const collect = scriptCollector(p.file);
        await runScript(
          p.steps,
          t.transport,
          (e) => {
            if (e.type === 'step') t.recorder?.note(`step: ${e.name} (${e.at.file}:${e.at.line})`);
            collect.onEvent(e);
            print(e);
          },
          new Map(vars),
        );
        const r = collect.finish();
        reports.push(r);
        if (opts.bail && r.failed > 0) bailed = true;
      }
    } finally {
      await t.close();
    }
    const summary = summarise(reports, performance.now() - start);
    if (opts.junit) writeFileSync(opts.junit, junitXml(reports));
    if (opts.json) console.log(JSON.stringify(summary));
    else if (opts.tap) console.log(tapLines(reports, bailed).join('\n'));
    else {
      const line =
        `${summary.exchanges} exchanges, ${summary.passed} expectations passed, ${summary.failed} failed` +
        (summary.scripts > 1
          ? ` (${summary.scripts} scripts${summary.skipped ? `, ${summary.skipped} not run` : ''})`
          : '');
      console.log(summary.failed ? red(line) : green(line));
    }
    process.exitCode = summary.failed ? 1 : 0;
  });
}
