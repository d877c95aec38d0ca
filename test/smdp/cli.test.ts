// `uicc smdp order|list` in process: the activation code printed for each kind of order, and errors for
// people (no address yet, a file that is not a profile package, a bad EID) that change nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureCli } from '../support/cli.js';

const A = 'test/vectors/ts48/TS48V1-A-UNIQUE.der';
const B = 'test/vectors/ts48/TS48V1-B-UNIQUE.der';
const EID = '89049032123451234512345678901235';

describe('uicc smdp order / list', () => {
  const cli = captureCli();
  const dir = mkdtempSync(join(tmpdir(), 'uicc-smdp-cli-'));
  const state = join(dir, 'state.json');
  const order = (...args: string[]) => cli.uicc('smdp', 'order', '--state', state, ...args);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses an order before the SM-DP+ has an address, and bad input, naming it', async () => {
    expect(await order('--profile', A)).toBe(2);
    expect(cli.text()).toContain('the SM-DP+ has no address yet: start `uicc smdp serve');
    expect(await order('--profile', 'README.md', '--address', 'smdp.test')).toBe(2);
    expect(cli.text()).toContain('README.md: not a profile package');
    expect(await order('--profile', A, '--address', 'smdp.test', '--eid', '123')).toBe(2);
    expect(cli.text()).toContain('EID "123" must be 32 digits');
    expect(await order('--profile', A, '--iccid', '1', '--address', 'x.y')).toBe(2);
    expect(cli.text()).toContain('give --profile FILE or --iccid ICCID, not both');
    expect(await order('--profile', A, '--address', 'bad_host!')).toBe(2);
    expect(cli.text()).toContain('SM-DP+ address "bad_host!" is not a host name');
    expect(await order('--profile', A, '--class', 'gold', '--address', 'x.y')).toBe(2);
  });

  it('prints the activation code: random matching ID, given one with a confirmation code, EID alone', async () => {
    expect(await order('--profile', A, '--address', 'smdp.test:8443')).toBe(0);
    expect(cli.out[0]).toBe('ordered 8949449999999990023');
    expect(cli.out[1]).toMatch(/^LPA:1\$smdp\.test:8443\$[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
    cli.out.length = 0;
    expect(await order('--profile', B, '--address', 'smdp.test', '--eid', EID)).toBe(0);
    expect(cli.out).toEqual([`ordered 8949449999999990031 for EID ${EID}`, 'LPA:1$smdp.test$']);
    cli.out.length = 0;
    expect(await cli.uicc('smdp', 'list', '--state', state)).toBe(0);
    expect(cli.out[0]).toMatch(/^8949449999999990023 +reserved +GSMA Generic eUICC Test Profile$/);
    expect(cli.out[1]).toContain(`eid ${EID}`);
  });

  it('a YAML profile is encoded as a package (host/saip/encode.ts) and ordered; a bad one names its file', async () => {
    expect(await order('--profile', 'profiles/examples/minimal.yaml', '--address', 'smdp.test')).toBe(0);
    expect(cli.out[0]).toBe('ordered 8988211000000000003');
    cli.out.length = 0;
    expect(await cli.uicc('smdp', 'list', '--state', state)).toBe(0);
    expect(cli.text()).toMatch(/^8988211000000000003 +reserved +Minimal USIM example/m);
    expect(await order('--profile', 'profiles/default-euicc.yaml', '--address', 'smdp.test')).toBe(2);
    expect(cli.text()).toContain('profiles/default-euicc.yaml:');
  });
});
