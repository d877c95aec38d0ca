// Structured results of script runs, for CI reports (JUnit XML, TAP, the --json summary) and for the public
// API: one case per script and one per `@step` in it, each with its failures (file:line, expected, actual).

import { toHex } from '../../card-os/bytes.js';
import type { Step, Where } from './parse.js';
import type { ScriptEvent } from './run.js';

export interface Failure {
  file: string;
  line: number;
  /** The command as sent (hex). */
  command: string;
  /** The expectation as written, e.g. "9000" or "61XX" or "6F07* 9000". */
  expected: string;
  /** The response as received (hex, data || SW). */
  actual: string;
  /** One-line reason, e.g. "expected SW 9000, got 6A82 (File or application not found)". */
  message: string;
}

export interface CaseResult {
  /** The script file, or the `@step` name. */
  name: string;
  file: string;
  line: number;
  exchanges: number;
  passed: number;
  failed: number;
  failures: Failure[];
  /** Not run (`--bail` after an earlier failure). */
  skipped: boolean;
  ms: number;
}

export interface ScriptReport extends CaseResult {
  steps: CaseResult[];
}

export interface RunSummary {
  type: 'summary';
  ok: boolean;
  scripts: number;
  steps: number;
  exchanges: number;
  passed: number;
  failed: number;
  skipped: number;
  ms: number;
}

function emptyCase(name: string, at: Where, skipped = false): CaseResult {
  return {
    name,
    file: at.file,
    line: at.line,
    exchanges: 0,
    passed: 0,
    failed: 0,
    failures: [],
    skipped,
    ms: 0,
  };
}

/** The `@step` names of a parsed script, in order (for the TAP plan and for scripts that are not run). */
export function stepsOf(steps: Step[]): { name: string; at: Where }[] {
  return steps.flatMap((s) => (s.kind === 'step' ? [{ name: s.name, at: s.at }] : []));
}

/** A report for a script that was not run. */
export function skippedScript(file: string, steps: Step[]): ScriptReport {
  return {
    ...emptyCase(file, { file, line: 1 }, true),
    steps: stepsOf(steps).map((s) => emptyCase(s.name, s.at, true)),
  };
}

/** Collects one script's events into its report; `finish` closes the timing. */
export function scriptCollector(file: string): {
  onEvent(e: ScriptEvent): void;
  finish(): ScriptReport;
} {
  const start = performance.now();
  const report: ScriptReport = { ...emptyCase(file, { file, line: 1 }), steps: [] };
  let step: CaseResult | undefined;
  let stepStart = start;
  const closeStep = () => {
    if (step) step.ms = performance.now() - stepStart;
  };
  const count = (c: CaseResult, failure: Failure | undefined, expected: boolean) => {
    c.exchanges++;
    if (!expected) return;
    if (failure) {
      c.failed++;
      c.failures.push(failure);
    } else c.passed++;
  };
  return {
    onEvent(e) {
      if (e.type === 'step') {
        closeStep();
        stepStart = performance.now();
        step = emptyCase(e.name, e.at);
        report.steps.push(step);
      } else if (e.type === 'exchange') {
        const failure: Failure | undefined = e.failure
          ? {
              file: e.at.file,
              line: e.at.line,
              command: toHex(e.command),
              expected: e.expected?.text ?? '',
              actual: toHex(e.response),
              message: e.failure,
            }
          : undefined;
        count(report, failure, !!e.expected);
        if (step) count(step, failure, !!e.expected);
      }
    },
    finish() {
      closeStep();
      report.ms = performance.now() - start;
      return report;
    },
  };
}

export function summarise(reports: ScriptReport[], ms: number): RunSummary {
  const all = reports.flatMap((r) => [r, ...r.steps]);
  return {
    type: 'summary',
    ok: reports.every((r) => r.failed === 0 && !r.skipped),
    scripts: reports.length,
    steps: all.length - reports.length,
    exchanges: reports.reduce((n, r) => n + r.exchanges, 0),
    passed: reports.reduce((n, r) => n + r.passed, 0),
    failed: reports.reduce((n, r) => n + r.failed, 0),
    skipped: reports.filter((r) => r.skipped).length,
    ms: Number(ms.toFixed(1)),
  };
}
