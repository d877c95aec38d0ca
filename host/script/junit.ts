// Script results as JUnit XML, the common format CI servers read (Jenkins, GitLab, GitHub actions reporters):
// <testsuites> with one <testsuite> per script, holding one <testcase> for the whole script and one per
// `@step`; a failed expectation is a <failure> naming file:line, the command, expected and actual.
// Only the elements and attributes of the widely accepted schema are used (test/script/junit.xsd).

import type { CaseResult, ScriptReport } from './report.js';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
/** Whether XML 1.0 can carry the character at all (§2.2: TAB, LF, CR and U+0020 up; not U+FFFE/U+FFFF). */
const xmlChar = (c: number) =>
  c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c !== 0xfffe && c !== 0xffff);

/** XML text or attribute value; characters XML 1.0 cannot carry are dropped. */
export function xmlEscape(s: string): string {
  let clean = '';
  for (const ch of s) if (xmlChar(ch.codePointAt(0)!)) clean += ch;
  return clean.replace(/[&<>"']/g, (c) => ESC[c]!);
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

function testcase(c: CaseResult, classname: string): string {
  const head = `    <testcase classname="${xmlEscape(classname)}" name="${xmlEscape(c.name)}" time="${secs(c.ms)}"`;
  if (c.skipped)
    return `${head}>\n      <skipped message="not run: an earlier script failed (--bail)"/>\n    </testcase>`;
  if (c.failures.length === 0) return `${head}/>`;
  const failures = c.failures.map((f) => {
    const text = `${f.file}:${f.line}: ${f.message}\ncommand:  ${f.command}\nexpected: ${f.expected}\nactual:   ${f.actual}`;
    return `      <failure type="expectation" message="${xmlEscape(`${f.file}:${f.line}: ${f.message}`)}">${xmlEscape(text)}</failure>`;
  });
  return `${head}>\n${failures.join('\n')}\n    </testcase>`;
}

export function junitXml(reports: ScriptReport[], name = 'uicc run'): string {
  const cases = (r: ScriptReport) => [r, ...r.steps];
  const failed = (cs: CaseResult[]) => cs.filter((c) => c.failures.length > 0).length;
  const skipped = (cs: CaseResult[]) => cs.filter((c) => c.skipped).length;
  const all = reports.flatMap(cases);
  const total = reports.reduce((n, r) => n + r.ms, 0);
  const suites = reports.map((r) => {
    const cs = cases(r);
    return [
      `  <testsuite name="${xmlEscape(r.file)}" tests="${cs.length}" failures="${failed(cs)}" errors="0" skipped="${skipped(cs)}" time="${secs(r.ms)}">`,
      ...cs.map((c) => testcase(c, r.file)),
      '  </testsuite>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(name)}" tests="${all.length}" failures="${failed(all)}" errors="0" skipped="${skipped(all)}" time="${secs(total)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
