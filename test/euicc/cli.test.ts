// `uicc euicc ...` on the embedded default eUICC: the host LPA (host/euicc/lpa.ts) against the card's ISD-R.
import { describe, expect, it } from 'vitest';
import { captureCli } from '../support/cli.js';

describe('uicc euicc', () => {
  const cli = captureCli();

  it('info shows the EID, addresses and SGP.22 version', async () => {
    expect(await cli.uicc('euicc', 'info')).toBe(0);
    expect(cli.text()).toContain('EID                89049032123451234512345678901235');
    expect(cli.text()).toContain('default SM-DP+     smdp.example.com');
    expect(cli.text()).toContain('root SM-DS         lpa.ds.gsma.com');
    expect(cli.text()).toContain('SGP.22 version     2.5.0');
  });

  it('list shows the three profiles, the enabled one marked', async () => {
    expect(await cli.uicc('euicc', 'list')).toBe(0);
    const lines = cli.out;
    expect(lines[0]).toMatch(
      /^\* 89882110000000000002 +A0000005591010FFFFFFFF8900001000 +operational Operator A \/ Operator A Mobile "Personal"/,
    );
    expect(lines[1]).toMatch(/^ {2}89882110000000000101 /);
    expect(lines[2]).toMatch(/^ {2}89882110000000000283 .* test /);
  });

  it('enable by ICCID resets the card and lists the new state; errors give the SGP.22 code', async () => {
    expect(await cli.uicc('euicc', 'enable', '89882110000000000101')).toBe(0);
    expect(cli.text()).toContain('enable 89882110000000000101: 0 (ok)');
    expect(cli.text()).toContain('REFRESH: the card was reset');
    expect(cli.text()).toMatch(/\* 89882110000000000101/);
    cli.out.length = 0;
    expect(await cli.uicc('euicc', 'enable', '89882110000000000002')).toBe(1);
    expect(cli.text()).toContain('enable 89882110000000000002: 2 (wrong profile state)');
    cli.out.length = 0;
    expect(await cli.uicc('euicc', 'delete', 'A0000005591010FFFFFFFF8900001200')).toBe(0);
    cli.out.length = 0;
    expect(await cli.uicc('euicc', 'disable', '1234')).toBe(1);
    expect(cli.text()).toContain(': 1 (iccidOrAidNotFound)');
  });

  it('nickname, notifications, memory-reset', async () => {
    expect(await cli.uicc('euicc', 'nickname', '89882110000000000101', 'Travel')).toBe(0);
    expect(await cli.uicc('euicc', 'notifications')).toBe(0);
    expect(await cli.uicc('euicc', 'memory-reset')).toBe(0);
    expect(cli.text()).toContain('memory reset: 0 (ok)');
  });

  it('a missing definition file is an error naming the file', async () => {
    expect(await cli.uicc('euicc', '--euicc', 'nope.yaml', 'list')).toBe(2);
    expect(cli.text()).toContain('nope.yaml: cannot read the eUICC definition');
  });
});
