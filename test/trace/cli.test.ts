import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCli } from '../support/cli.js';
import { profileWithImsi, READ_IMSI_SCRIPT, tmp } from './helpers.js';

const { out, uicc } = captureCli();

/** A recorded `uicc run` of the IMSI script, plus a secrets file with PIN1. */
async function recorded() {
  const dir = tmp();
  const script = join(dir, 'imsi.apdu');
  writeFileSync(script, READ_IMSI_SCRIPT);
  const secrets = join(dir, 'secrets.yaml');
  writeFileSync(secrets, 'pin1: "1234"\n');
  const jsonl = join(dir, 'run.jsonl');
  const pcap = join(dir, 'run.pcap');
  expect(await uicc('run', script, '--trace', jsonl, '--trace', pcap)).toBe(0);
  return { dir, jsonl, pcap, secrets };
}

describe('uicc replay / trace show / trace diff', () => {
  it('run --trace writes both formats; replay on the same profile exits 0', async () => {
    const r = await recorded();
    expect(existsSync(r.pcap)).toBe(true);
    expect(readFileSync(r.jsonl, 'utf8')).toContain('"type":"trace"');
    out.length = 0;
    expect(await uicc('replay', r.jsonl, '--secrets', r.secrets)).toBe(0);
    expect(out.at(-1)).toBe('7 compared, 0 differences');
  });

  it('replay exits 1 on a difference and prints both sides with their meaning', async () => {
    const r = await recorded();
    out.length = 0;
    const other = profileWithImsi(r.dir, '001010123456780');
    expect(await uicc('replay', r.jsonl, '--secrets', r.secrets, '--profile', other)).toBe(1);
    expect(out.join('\n')).toMatch(
      /#6 READ BINARY: response data bytes 8 \(of 9\) differ\n {4}recorded: 00B0000009 -> 0809101010325476989000 {2}9000 OK\n {14}6F07: 001010123456789\n {4}now: {6}00B0000009 -> 0809101010325476089000 {2}9000 OK\n {14}6F07: 001010123456780/,
    );
    expect(out.at(-1)).toBe('7 compared, 1 differences');
  });

  it('replay --json and side-file ignore rules', async () => {
    const r = await recorded();
    const other = profileWithImsi(r.dir, '001010123456780');
    const rules = join(r.dir, 'ignore.yaml');
    writeFileSync(rules, 'ignore:\n  - name: IMSI\n    match: "00 B0 00 00 09"\n    response: "xx*"\n');
    out.length = 0;
    expect(
      await uicc('replay', r.jsonl, '--secrets', r.secrets, '--profile', other, '--ignore', rules, '--json'),
    ).toBe(0);
    expect(JSON.parse(out.at(-1)!)).toEqual({
      type: 'summary',
      compared: 7,
      differences: 0,
      notSent: 0,
      ignoredByRules: 1,
      exit: 0,
    });
  });

  it('replay exits 3 when masked commands could not be sent and nothing else differs', async () => {
    const dir = tmp();
    const script = join(dir, 'v.apdu');
    writeFileSync(script, 'verify pin1 1234 => 9000\n');
    const jsonl = join(dir, 'v.jsonl');
    expect(await uicc('run', script, '--trace', jsonl)).toBe(0);
    out.length = 0;
    expect(await uicc('replay', jsonl)).toBe(3);
    expect(out.join('\n')).toMatch(
      /#1 VERIFY PIN: not sent: masked when recorded; give pin1 with --secrets FILE/,
    );
  });

  it('trace show and trace diff', async () => {
    const r = await recorded();
    out.length = 0;
    expect(await uicc('trace', 'show', r.jsonl)).toBe(0);
    expect(out.filter((l) => l.startsWith('#'))).toHaveLength(6);
    out.length = 0;
    expect(await uicc('trace', 'show', r.jsonl, '--expand', '#6')).toBe(0);
    expect(out.some((l) => l === '        < 08 09 10 10 10 32 54 76 98 90 00')).toBe(true);
    expect(await uicc('trace', 'diff', r.jsonl, r.jsonl)).toBe(0);
  });

  it('reports bad input in one line with exit 2', async () => {
    const dir = tmp();
    expect(await uicc('replay', join(dir, 'none.jsonl'))).toBe(2);
    expect(out.at(-1)).toMatch(/^uicc: .*none\.jsonl: cannot read trace \(ENOENT\)$/);
    const script = join(dir, 's.apdu');
    writeFileSync(script, '00A40004023F00\n');
    expect(await uicc('run', script, '--trace', join(dir, 'x.txt'))).toBe(2);
    expect(out.at(-1)).toMatch(/x\.txt: a trace file ends in \.jsonl .* or \.pcap/);
  });
});
