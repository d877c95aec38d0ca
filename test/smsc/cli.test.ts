// `uicc ota --smpp` against the SMSC (the OTA server sending as an operator's platform does), and the
// config errors of `uicc smsc serve`, which say file:line and what is wrong.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadSmscConfig } from '../../host/smsc/config.js';
import type { Smsc } from '../../host/smsc/smsc.js';
import { captureCli } from '../support/cli.js';
import { ACCOUNT, FIRST_MSISDN, NEW_IMSI, startSmsc } from './support.js';

const cli = captureCli();
const dir = mkdtempSync(join(tmpdir(), 'uicc-smsc-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let smsc: Smsc | undefined;
afterEach(async () => {
  await smsc?.close();
  smsc = undefined;
});

describe('uicc ota --smpp', () => {
  it('updates EF.IMSI on the card behind the SMSC and prints the verified PoR', async () => {
    const s = await startSmsc(2);
    smsc = s.smsc;
    const counters = join(dir, 'counters.json');
    const args = [
      'ota',
      '--smpp',
      `127.0.0.1:${s.port}`,
      '--msisdn',
      FIRST_MSISDN,
      '--system-id',
      ACCOUNT.systemId,
      '--password',
      ACCOUNT.password,
      '--spi',
      '1639',
      '--counters',
      counters,
      '00A40004026F07',
      `00D6000009${NEW_IMSI}`,
      '00B0000009',
    ];
    expect(await cli.uicc(...args)).toBe(0);
    expect(cli.text()).toMatch(/PoR 00 .*checksum verified/);
    expect(cli.text()).toContain(`data ${NEW_IMSI}`);
    expect(cli.text()).toContain('delivery receipt: DELIVRD');
    // The counter book moved on: the same command again is accepted (a higher CNTR), not a replay.
    expect(await cli.uicc(...args)).toBe(0);
  });

  it('says why when the SMSC refuses the bind or the MSISDN is missing', async () => {
    const s = await startSmsc(1);
    smsc = s.smsc;
    expect(
      await cli.uicc(
        'ota',
        '--smpp',
        `127.0.0.1:${s.port}`,
        '--msisdn',
        FIRST_MSISDN,
        '--password',
        'nope',
        '00B0000009',
      ),
    ).toBe(2);
    expect(cli.text()).toContain('ESME_RINVSYSID');
    expect(await cli.uicc('ota', '--smpp', `127.0.0.1:${s.port}`, '00B0000009')).toBe(2);
    expect(cli.text()).toContain('--msisdn');
  });
});

describe('uicc smsc serve config', () => {
  it.each([
    ['accounts:\n  - systemId: esme1\n    password: far-too-long\n', /smsc\.yaml:3: accounts\.0\.password/],
    ['firstMsisdn: "12ab"\n', /smsc\.yaml:1: firstMsisdn: digits only/],
    ['accounts: [\n', /smsc\.yaml:\d+: /],
    ['colour: blue\n', /smsc\.yaml:1: .*colour/],
  ])('%j', (text, message) => {
    const f = join(dir, 'smsc.yaml');
    writeFileSync(f, text);
    expect(() => loadSmscConfig(f)).toThrow(message);
  });

  it('reads accounts, retry time and powered-off cards', () => {
    const f = join(dir, 'ok.yaml');
    writeFileSync(f, 'accounts:\n  - { systemId: a, password: b }\nretrySeconds: 2\npoweredOff: ["1"]\n');
    expect(loadSmscConfig(f)).toMatchObject({
      accounts: [{ systemId: 'a', password: 'b' }],
      retryForMs: 2000,
      poweredOff: ['1'],
    });
  });
});
