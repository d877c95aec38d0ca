// Script results as TAP version 13 (testanything.org): one test point per script and per `@step`, failures
// with a YAML block (at file:line, command, expected, actual); `Bail out!` when --bail stopped the run.

import type { CaseResult, ScriptReport } from './report.js';

/** A TAP description may not contain '#' (it starts a directive) or a line break. */
const desc = (s: string) => s.replace(/#/g, '\\#').replace(/[\r\n]+/g, ' ');
const yamlString = (s: string) => JSON.stringify(s);

export function tapLines(reports: ScriptReport[], bailed: boolean): string[] {
  const cases: { c: CaseResult; title: string }[] = reports.flatMap((r) => [
    { c: r, title: r.file },
    ...r.steps.map((s) => ({ c: s, title: `${r.file} > ${s.name}` })),
  ]);
  const out = ['TAP version 13', `1..${cases.length}`];
  for (const [i, { c, title }] of cases.entries()) {
    const n = i + 1;
    if (c.skipped) {
      // TAP consumers stop reading at a bail-out: the points not run are not listed.
      if (bailed) break;
      out.push(`ok ${n} - ${desc(title)} # SKIP not run`);
      continue;
    }
    if (c.failures.length === 0) {
      out.push(`ok ${n} - ${desc(title)}`);
      continue;
    }
    out.push(`not ok ${n} - ${desc(title)}`, '  ---', '  failures:');
    for (const f of c.failures) {
      out.push(
        `    - message: ${yamlString(f.message)}`,
        `      at: ${yamlString(`${f.file}:${f.line}`)}`,
        `      command: ${yamlString(f.command)}`,
        `      expected: ${yamlString(f.expected)}`,
        `      actual: ${yamlString(f.actual)}`,
      );
    }
    out.push('  ...');
  }
  if (bailed) out.push('Bail out! a script failed and --bail was given');
  return out;
}
