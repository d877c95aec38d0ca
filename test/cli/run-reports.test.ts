// `uicc run` for CI: a new card per script, --keep-card, --junit validated against the common JUnit schema
// (test/script/junit.xsd, checked with xmllint from libxml2-utils), --tap, the --json summary, --bail and the
// documented exit codes (0 pass, 1 expectation failed, 2 usage or input error).

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, uiccProcess as uicc } from '../support/cli.js';

const XSD = join(ROOT, 'test', 'script', 'junit.xsd');
const EXAMPLES = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.apdu'))
  .map((f) => `examples/${f}`);
const hasXmllint = spawnSync('xmllint', ['--version'], { timeout: 10_000 }).status === 0;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'uicc-reports-'));
});

/** Validates with xmllint; skipped with the reason locally if it is missing, a failure under CI=true. */
function validate(file: string, skip: (reason: string) => void): void {
  if (!hasXmllint) {
    if (process.env.CI) throw new Error('xmllint (Debian libxml2-utils) is required under CI');
    skip('xmllint (Debian libxml2-utils) is not installed');
    return;
  }
  execFileSync('xmllint', ['--noout', '--schema', XSD, file], { timeout: 30_000, stdio: 'pipe' });
}

function failingScript(): string {
  const f = join(dir, 'fail.apdu');
  writeFileSync(
    f,
    '@step select the MF\n00 A4 00 04 02 3F 00 => 61XX\n@step a file that is not there\n00 A4 00 04 02 12 34 => 9000\n',
  );
  return f;
}

describe('uicc run for CI', () => {
  it('runs every example together, each on a new card; the JUnit report validates against the schema', async (ctx) => {
    const out = join(dir, 'examples.xml');
    const r = await uicc('run', '--junit', out, ...EXAMPLES);
    expect(r.code, r.stdout).toBe(0);
    const xml = readFileSync(out, 'utf8');
    const steps = EXAMPLES.map((f) => readFileSync(join(ROOT, f), 'utf8').match(/^@step /gm)?.length ?? 0);
    const cases = EXAMPLES.length + steps.reduce((a, b) => a + b, 0);
    expect(xml).toContain(`<testsuites name="uicc run" tests="${cases}" failures="0"`);
    expect(xml.match(/<testsuite /g)).toHaveLength(EXAMPLES.length);
    validate(out, (reason) => ctx.skip(reason));
  });

  it('--keep-card runs them on one card: the PIN example then finds its own earlier changes', async () => {
    const r = await uicc('run', '--keep-card', 'examples/verify-pin.apdu', 'examples/verify-pin.apdu');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL examples/verify-pin.apdu:7: expected SW 63C3, got 9000');
  });

  it('a failure is a <failure> with file:line, command, expected and actual, in the script and its step', async (ctx) => {
    const out = join(dir, 'fail.xml');
    const f = failingScript();
    const r = await uicc('run', '--junit', out, f);
    expect(r.code).toBe(1);
    const xml = readFileSync(out, 'utf8');
    expect(xml).toContain('tests="3" failures="2"');
    const failure = `${f}:4: expected SW 9000, got 6A82 (File or application not found)`;
    expect(xml.split(`<failure type="expectation" message="${failure}">`)).toHaveLength(3);
    expect(xml).toContain('command:  00A40004021234\nexpected: 9000\nactual:   6A82</failure>');
    expect(xml).toMatch(/name="select the MF" time="[\d.]+"\/>/);
    validate(out, (reason) => ctx.skip(reason));
  });

  it('--tap: a plan, one point per script and step, YAML diagnostics for failures', async () => {
    const f = failingScript();
    const r = await uicc('run', '--tap', f);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual(['TAP version 13', '1..3', `not ok 1 - ${f}`]);
    expect(r.stdout).toContain(`ok 2 - ${f} > select the MF\n`);
    expect(r.stdout).toContain(`not ok 3 - ${f} > a file that is not there\n  ---\n`);
    expect(r.stdout).toContain(
      `      at: "${f}:4"\n      command: "00A40004021234"\n      expected: "9000"\n      actual: "6A82"`,
    );
  });

  it('--json ends with a summary object; --bail stops after the first failing script', async () => {
    const f = failingScript();
    const r = await uicc('run', '--json', '--bail', f, 'examples/read-imsi.apdu');
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toEqual({
      type: 'summary',
      ok: false,
      scripts: 2,
      steps:
        2 + (readFileSync(join(ROOT, 'examples/read-imsi.apdu'), 'utf8').match(/^@step /gm)?.length ?? 0),
      exchanges: 2,
      passed: 1,
      failed: 1,
      skipped: 1,
      ms: expect.any(Number),
    });
    expect(lines.filter((l) => l.type === 'exchange')).toHaveLength(2);
    const tap = await uicc('run', '--tap', '--bail', f, 'examples/read-imsi.apdu');
    expect(tap.stdout.trim().split('\n').at(-1)).toBe('Bail out! a script failed and --bail was given');
  });

  it('exit 2 for usage and input errors, before any card runs', async () => {
    expect((await uicc('run', '--json', '--tap', 'examples/read-imsi.apdu')).code).toBe(2);
    expect((await uicc('run', '--no-such-flag', 'examples/read-imsi.apdu')).code).toBe(2);
    const r = await uicc('run', 'examples/read-imsi.apdu', join(dir, 'missing.apdu'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});
