// Scripts are checked completely before the first APDU: a bad hex digit names its line and column, a
// trailing comment is allowed after an APDU, an unknown command lists the close matches.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCard } from '../../host/card-factory.js';
import { parseScriptText, ScriptError } from '../../host/script/parse.js';
import { runScript } from '../../host/script/run.js';
import { embeddedTransport } from '../../host/transport/embedded.js';
import { captureCli } from '../support/cli.js';

const parseError = (text: string) => {
  try {
    parseScriptText(text, 't.apdu');
  } catch (e) {
    expect(e).toBeInstanceOf(ScriptError);
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('script pre-check', () => {
  it('names line and column of a non-hex byte', () => {
    expect(parseError('00 A4 00 04 02 3F 00\n00 A4 00 04 02 3F 0G')).toBe(
      't.apdu:2:20: "G" is not a hex digit in the APDU "00 A4 00 04 02 3F 0G"',
    );
    expect(parseError('  00A4000402 3FZ0 => 9000')).toMatch(/^t\.apdu:1:16: "Z"/);
  });

  it('allows # and // comments after an APDU and its expectation', () => {
    const steps = parseScriptText(
      '00 A4 00 04 02 3F 00 # the MF\nselect 3F00 => 61xx // T=0\nread-binary 9 0 #x',
      't.apdu',
    );
    expect(steps.map((s) => (s.kind === 'apdu' ? [s.text, s.expect?.sw] : s.kind))).toEqual([
      ['00 A4 00 04 02 3F 00', undefined],
      ['select 3F00', '61XX'],
      ['read-binary 9 0', undefined],
    ]);
  });

  it('lists close matches for an unknown command, and checks arguments', () => {
    expect(parseError('read_binary 9')).toBe(
      't.apdu:1: unknown command "read_binary" (did you mean read-binary?)',
    );
    expect(parseError('selct 3F00')).toMatch(/did you mean select\b/);
    expect(parseError('read-binary x')).toMatch(/t\.apdu:1: length must be a number, got "x"/);
    expect(parseError('frobnicate')).toMatch(/unknown command "frobnicate" \(known: select, /);
  });

  it('checks the hex around variables and the name of commands that use them', () => {
    expect(() => parseScriptText('00 C0 00 00 ${SW2}\nverify pin1 ${PIN}', 't.apdu')).not.toThrow();
    expect(parseError('00 C0 0X 00 ${SW2}')).toMatch(/^t\.apdu:1:8: "X" is not a hex digit/);
    expect(parseError('verfy pin1 ${PIN}')).toMatch(/did you mean verify/);
  });

  it('sends nothing when a later line is wrong', async () => {
    let sent = 0;
    const t = embeddedTransport(openCard().card);
    const counting = {
      ...t,
      transmit: (c: Uint8Array) => {
        sent++;
        return t.transmit(c);
      },
    };
    expect(() => parseScriptText('00 A4 00 04 02 3F 00\n00 B0 00 00 0Q', 't.apdu')).toThrow(/2:14/);
    const ok = parseScriptText('00 A4 00 04 02 3F 00 # fine', 't.apdu');
    await runScript(ok, counting, () => {});
    expect(sent).toBe(1);
  });
});

describe('uicc run with a bad script', () => {
  const dir = mkdtempSync(join(tmpdir(), 'uicc-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = captureCli();

  it('fails with file:line:column before any APDU, and --set feeds variables', async () => {
    const bad = join(dir, 'bad.apdu');
    writeFileSync(bad, 'select 3F00\n00 A4 00 04 02 3F 0G\n');
    expect(await cli.uicc('run', bad)).toBe(2);
    expect(cli.text()).toBe(`uicc: ${bad}:2:20: "G" is not a hex digit in the APDU "00 A4 00 04 02 3F 0G"`);
    const good = join(dir, 'good.apdu');
    writeFileSync(good, 'verify pin1 ${PIN} => 9000 # from --set\n');
    cli.out.length = 0;
    expect(await cli.uicc('run', '--set', 'PIN=1234', good)).toBe(0);
    expect(cli.text()).toContain('1 expectations passed, 0 failed');
    expect(await cli.uicc('run', '--set', 'PIN', good)).toBe(2);
    expect(cli.text()).toContain('--set takes NAME=VALUE, got "PIN"');
  });
});
