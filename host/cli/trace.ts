// `uicc replay TRACE` (send a recorded trace to a card, report differences, exit code for CI) and
// `uicc trace show|diff` (read traces). docs/traces.md.

import type { Command } from 'commander';
import { parse } from 'yaml';
import { readInputFile } from '../input-file.js';
import { type CompiledRule, rulesFromDocument } from '../trace/ignore.js';
import { readTraceFile } from '../trace/jsonl.js';
import {
  type Difference,
  type DiffReport,
  diffTraces,
  replayTrace,
  type Side,
  traceRules,
} from '../trace/replay.js';
import { loadSecrets, type Secrets } from '../trace/secrets.js';
import { showTrace } from '../trace/show.js';
import { integer } from './arg-parsers.js';
import { openTransport, type TransportOpts, transportOptions } from './transport-options.js';

/** Exit codes of replay and diff: 0 same, 1 differences, 3 some recorded commands could not be sent. */
export const EXIT = { SAME: 0, DIFFERENT: 1, INCOMPLETE: 3 } as const;

const colourOn = () => process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: number) => (s: string) => (colourOn() ? `\u001b[${code}m${s}\u001b[0m` : s);
const red = paint(31);
const green = paint(32);
const yellow = paint(33);
const dim = paint(2);

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function loadRuleFiles(files: readonly string[] = []): CompiledRule[] {
  return files.flatMap((f) => {
    const text = readInputFile(f, 'ignore rules');
    let doc: unknown;
    try {
      doc = parse(text, { schema: 'failsafe' });
    } catch (e) {
      throw new Error(`${f}: not YAML or JSON (${(e as Error).message.split('\n')[0]})`);
    }
    return rulesFromDocument(doc, f);
  });
}

function sideLines(label: string, s: Side | undefined): string[] {
  if (!s) return [];
  const pad = ' '.repeat(label.length);
  return [`    ${label} ${s.hex}  ${dim(s.status)}`, ...s.details.map((d) => `    ${pad} ${dim(d)}`)];
}

export function differenceLines(d: Difference, labels: [string, string]): string[] {
  const head = d.kind === 'not-sent' ? yellow : red;
  return [
    head(`#${d.i} ${d.name}: ${d.what.join('; ')}`),
    ...sideLines(labels[0], d.expected),
    ...sideLines(labels[1], d.actual),
  ];
}

function exitCode(r: DiffReport): number {
  if (r.differences.some((d) => d.kind !== 'not-sent')) return EXIT.DIFFERENT;
  return r.differences.length ? EXIT.INCOMPLETE : EXIT.SAME;
}

function printReport(r: DiffReport, json: boolean, labels: [string, string]): void {
  const notSent = r.differences.filter((d) => d.kind === 'not-sent').length;
  const summary = {
    compared: r.compared,
    differences: r.differences.length - notSent,
    notSent,
    ignoredByRules: r.ignored,
  };
  if (json) {
    for (const d of r.differences) console.log(JSON.stringify({ type: 'difference', ...d }));
    console.log(JSON.stringify({ type: 'summary', ...summary, exit: exitCode(r) }));
    return;
  }
  for (const d of r.differences) for (const l of differenceLines(d, labels)) console.log(l);
  const text =
    `${summary.compared} compared, ${summary.differences} differences` +
    (notSent ? `, ${notSent} not sent` : '') +
    (r.ignored ? `, ${r.ignored} differing only where ignore rules allow` : '');
  console.log(
    exitCode(r) === EXIT.SAME ? green(text) : exitCode(r) === EXIT.DIFFERENT ? red(text) : yellow(text),
  );
}

interface ReplayOpts extends TransportOpts {
  ignore?: string[];
  secrets?: string;
  json?: boolean;
}

export function registerTraceCommands(program: Command): void {
  const replay = program
    .command('replay')
    .description(
      'send the commands of a recorded trace (.jsonl) to a card and report every different answer (exit 1)',
    )
    .argument('<trace>', 'trace file recorded with --trace FILE.jsonl')
    .option('--ignore <file>', 'ignore rules (YAML/JSON) for what legitimately varies; repeatable', collect)
    .option(
      '--secrets <file>',
      'values for masked PINs/keys, by the names the trace gives them (pin1: "1234")',
    )
    .option('--json', 'one JSON object per difference, then a summary');
  transportOptions(replay).action(async (file: string, opts: ReplayOpts) => {
    const trace = readTraceFile(file);
    const rules = traceRules(trace, loadRuleFiles(opts.ignore));
    const secrets: Secrets = opts.secrets ? loadSecrets(opts.secrets) : new Map();
    const t = await openTransport(opts, 'uicc replay');
    let report: DiffReport;
    try {
      report = await replayTrace(trace, t.transport, { rules, secrets });
    } finally {
      await t.close();
    }
    printReport(report, opts.json === true, ['recorded:', 'now:     ']);
    process.exitCode = exitCode(report);
  });

  const trace = program.command('trace').description('read recorded traces');
  trace
    .command('show')
    .description(
      'a readable view of a trace (.jsonl): one exchange per line; -v or --expand N for the details',
    )
    .argument('<trace>', 'trace file')
    .option('-v, --verbose', 'expand every exchange: full bytes and decoded details')
    .option('--expand <n>', 'expand exchange number N; repeatable', (v: string, p: number[] = []) => [
      ...p,
      integer(1, 2 ** 31)(v.replace(/^#/, '')),
    ])
    .option('--errors', 'only exchanges answered with an error status word')
    .action((file: string, opts: { verbose?: boolean; expand?: number[]; errors?: boolean }) => {
      const expand = new Set(opts.expand ?? []);
      for (const l of showTrace(readTraceFile(file), {
        colour: colourOn(),
        all: opts.verbose,
        expand,
        errorsOnly: opts.errors,
      }))
        console.log(l);
    });
  trace
    .command('diff')
    .description(
      'compare two recorded traces exchange by exchange, commands included (exit 1 on differences)',
    )
    .argument('<a>', 'first trace (.jsonl)')
    .argument('<b>', 'second trace (.jsonl)')
    .option('--ignore <file>', 'ignore rules (YAML/JSON); repeatable', collect)
    .option('--json', 'one JSON object per difference, then a summary')
    .action((fa: string, fb: string, opts: { ignore?: string[]; json?: boolean }) => {
      const a = readTraceFile(fa);
      const b = readTraceFile(fb);
      const report = diffTraces(a, b, traceRules(a, loadRuleFiles(opts.ignore)));
      printReport(report, opts.json === true, ['a:', 'b:']);
      process.exitCode = exitCode(report);
    });
}
