// Remote profile download end to end over real sockets (SGP.22 §3.1.3): `uicc smdp serve --port 0` in one
// process, `uicc smdp order` in another, `uicc euicc download --ac ... --card IMAGE` in a third (ES9+ over
// HTTPS, ES10b on the persistent eUICC), then `uicc euicc list` and `uicc run` on the image see the new
// profile. Refusals (wrong matching ID, profile already downloaded, wrong or missing confirmation code,
// ordered for another EID) come back as readable errors naming the SM-DP+ status code.
// Profile package: TS.48 Generic eUICC Test Profile from osmocom pySim (commit
// 597f1e0398bb81d6832dc92ee4dfdcada59d3d82, smdpp-data/upp/TS48V1-A-UNIQUE.der): ICCID 8949449999999990023,
// IMSI 001010123456063.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiccProcess as uicc } from '../support/cli.js';
import {
  acOf,
  expectTs48InUse,
  expectYamlProfileAuthenticates,
  type SmdpChild,
  startSmdpChild,
  ts48ImsiAndAuthScript,
} from './support.js';

const UPP_A = 'test/vectors/ts48/TS48V1-A-UNIQUE.der';
const UPP_B = 'test/vectors/ts48/TS48V1-B-UNIQUE.der';
const UPP_C = 'test/vectors/ts48/TS48V2-SAIP2-1-NOBERTLV-UNIQUE.der';
const UPP_D = 'test/vectors/ts48/TS48V3-SAIP2-1-BERTLV-UNIQUE.der'; // ICCID 8949449999999990064
const EID = '89049032123451234512345678901235'; // profiles/default-euicc.yaml

describe.sequential('remote download over HTTPS: uicc smdp serve, order, uicc euicc download', () => {
  const dir = mkdtempSync(join(tmpdir(), 'uicc-smdp-e2e-'));
  const state = join(dir, 'smdp.json');
  const card = join(dir, 'device.euicc');
  let smdp: SmdpChild;
  const order = (...args: string[]) => uicc('smdp', 'order', '--state', state, ...args);

  beforeAll(async () => {
    // --profiles: a folder of packages goes into the inventory at start
    mkdirSync(join(dir, 'inventory'));
    copyFileSync(UPP_D, join(dir, 'inventory', 'd.der'));
    smdp = await startSmdpChild(state, '--profiles', join(dir, 'inventory'));
    writeFileSync(join(dir, 'imsi.apdu'), ts48ImsiAndAuthScript());
  });
  afterAll(async () => {
    await smdp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('downloads an ordered profile into a card image, enables it, the terminal sees its files', async () => {
    const o = await order('--profile', UPP_A);
    expect(o.code, o.stderr).toBe(0);
    const ac = acOf(o.stdout);
    expect(ac).toMatch(new RegExp(`^LPA:1\\$${smdp.address}\\$[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$`));

    const dl = await uicc('euicc', 'download', '--card', card, '--ac', ac, '--enable');
    expect(dl.code, dl.stdout + dl.stderr).toBe(0);
    for (const step of [
      'initiateAuthentication',
      'authenticateClient',
      'getBoundProfilePackage',
      'LoadBoundProfilePackage',
    ])
      expect(dl.stdout).toContain(step);
    expect(dl.stdout).toMatch(/installed 8949449999999990023 in ISD-P [0-9A-F]{32}/);
    expect(dl.stdout).toContain('enabled 8949449999999990023');
    expect(dl.stdout).toMatch(/notification \d+ \(enable\) sent to /);

    await expectTs48InUse(join(dir, 'imsi.apdu'), '--card', card);

    const orders = await uicc('smdp', 'list', '--state', state);
    expect(orders.stdout).toMatch(/^8949449999999990023 +installed /m);

    // the same activation code again: the profile is gone from the SM-DP+
    const again = await uicc('euicc', 'download', '--card', card, '--ac', ac);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/download failed: authenticateClient: the SM-DP\+ refused: 8\.2/);
  });

  it('a wrong matching ID is refused with its status code', async () => {
    const r = await uicc('euicc', 'download', '--card', card, '--ac', `LPA:1$${smdp.address}$NO-SUCH-ORDER`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('authenticateClient: the SM-DP+ refused: 8.2.6/3.8 matching ID refused');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a confirmation code: missing is refused by the LPA, wrong by the SM-DP+, right installs', async () => {
    const o = await order('--profile', UPP_B, '--cc', '4711', '--eid', EID, '--matching-id', 'CC-ORDER-1');
    expect(o.code, o.stderr).toBe(0);
    const ac = acOf(o.stdout);
    expect(ac).toBe(`LPA:1$${smdp.address}$CC-ORDER-1$$1`);
    const missing = await uicc('euicc', 'download', '--card', card, '--ac', ac);
    expect(missing.stderr).toContain('this activation code requires a confirmation code: give --cc CODE');
    // the same code without its flag: the LPA sends no hashCc, the SM-DP+ refuses over HTTPS
    const noFlag = await uicc('euicc', 'download', '--card', card, '--ac', ac.replace(/\$\$1$/, ''));
    expect(noFlag.stderr).toContain(
      'getBoundProfilePackage: the SM-DP+ refused: 8.2.7/2.2 confirmation code missing',
    );
    const wrong = await uicc('euicc', 'download', '--card', card, '--ac', ac, '--cc', '1234');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(
      'getBoundProfilePackage: the SM-DP+ refused: 8.2.7/3.8 confirmation code refused',
    );
    const right = await uicc('euicc', 'download', '--card', card, '--ac', ac, '--cc', '4711');
    expect(right.code, right.stdout + right.stderr).toBe(0);
    expect(right.stdout).toContain('installed 8949449999999990031');
  });

  it('an order for another EID is refused; the order stays for its eUICC', async () => {
    const other = '89049032123451234512345678901300';
    const o = await order('--profile', UPP_C, '--eid', other, '--matching-id', 'FOR-OTHER');
    expect(o.code, o.stderr).toBe(0);
    const r = await uicc('euicc', 'download', '--card', card, '--ac', acOf(o.stdout));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('authenticateClient: the SM-DP+ refused: 8.1.1/3.8');
    const orders = await uicc('smdp', 'list', '--state', state);
    expect(orders.stdout).toMatch(/^8949449999999990007 +reserved /m);
  });

  it('an order by EID alone (default SM-DP+ case): the empty matching ID finds it; --profiles filled the inventory', async () => {
    expect(smdp.output()).toContain('inventory: 1 profile package(s)');
    const o = await order('--iccid', '8949449999999990064', '--eid', EID);
    expect(o.code, o.stderr).toBe(0);
    expect(acOf(o.stdout)).toBe(`LPA:1$${smdp.address}$`);
    const r = await uicc('euicc', 'download', '--card', card, '--ac', `LPA:1$${smdp.address}$`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('matching ID (none: by EID)');
    expect(r.stdout).toContain('installed 8949449999999990064');
    const orders = await uicc('smdp', 'list', '--state', state);
    expect(orders.stdout).toMatch(/^8949449999999990064 +installed /m);
  });

  it('one of our YAML profiles, encoded by the SM-DP+: downloaded, enabled, uicc auth --card with its keys', async () => {
    await expectYamlProfileAuthenticates(state, dir, '--card', card);
  });

  it('serve prints the activation codes of the open orders at start (last: it takes the state file over)', async () => {
    await smdp.stop();
    const again = await startSmdpChild(state);
    try {
      const line = new RegExp(
        `^order 8949449999999990007 reserved: LPA:1\\$${again.address}\\$FOR-OTHER$`,
        'm',
      );
      // the order lines follow the start line
      for (let i = 0; i < 50 && !line.test(again.output()); i++) await new Promise((r) => setTimeout(r, 100));
      expect(again.output()).toMatch(line);
    } finally {
      await again.stop();
    }
  });
});
