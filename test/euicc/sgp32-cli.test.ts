// `uicc euicc certs` and `uicc euicc eim` (SGP.32 §5.9.10, §5.9.18, §5.9.4): the host IPA functions
// (host/euicc/ipa.ts) against the embedded default eUICC's ISD-R, and their errors for people.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toHex } from '../../card-os/bytes.js';
import { euiccTestPki } from '../../host/euicc/test-pki.js';
import { captureCli } from '../support/cli.js';

const pki = euiccTestPki('89049032123451234512345678901235');
const dir = mkdtempSync(join(tmpdir(), 'uicc-sgp32-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('uicc euicc certs / eim', () => {
  const cli = captureCli();

  it('certs prints both certificates with the test PKI key identifiers', async () => {
    expect(await cli.uicc('euicc', 'certs')).toBe(0);
    const t = cli.text();
    expect(t).toContain('EUM certificate');
    expect(t).toContain('eUICC certificate');
    expect(t).toContain('subject  CN=uicc test EUM');
    expect(t).toContain(`SKI      ${toHex(pki.eum.ski)}`);
    expect(t).toContain(`SKI      ${toHex(pki.euicc.ski)}`);
    expect(t).toContain(`AKI      ${toHex(pki.ci.ski)}`);
  });

  it('certs --ci with the CI key id works; another key id is invalidCiPKId, exit 1', async () => {
    expect(await cli.uicc('euicc', 'certs', '--ci', toHex(pki.ci.ski))).toBe(0);
    cli.out.length = 0;
    expect(await cli.uicc('euicc', 'certs', '--ci', '00'.repeat(20))).toBe(1);
    expect(cli.text()).toContain('GetCerts: 1 (invalidCiPKId)');
    cli.out.length = 0;
    expect(await cli.uicc('euicc', 'certs', '--ci', 'xyz')).toBe(2);
    expect(cli.text()).toContain('"xyz" is not a key identifier in hex');
  });

  it('eim add on a card image, then list; a second add is refused (associatedEimAlreadyExists)', async () => {
    const img = join(dir, 'iot.img');
    expect(await cli.uicc('euicc', '--card', img, 'eim')).toBe(0);
    expect(cli.text()).toContain('no eIM configured');
    cli.out.length = 0;
    const add = ['euicc', '--card', img, 'eim', 'add', 'eim-1', '--fqdn', 'eim.example.com'];
    expect(
      await cli.uicc(
        ...add,
        '--id-type',
        'fqdn',
        '--counter',
        '5',
        '--association-token',
        '--protocol',
        'retrieveHttps,injectHttps',
        '--ci-pkid',
        toHex(pki.ci.ski),
      ),
    ).toBe(0);
    expect(cli.text()).toContain('add eIM eim-1: associationToken 1');
    cli.out.length = 0;
    expect(await cli.uicc('euicc', '--card', img, 'eim', 'list')).toBe(0);
    const t = cli.text();
    expect(t).toContain('eIM eim-1');
    expect(t).toMatch(/eimFqdn +eim\.example\.com/);
    expect(t).toMatch(/eimIdType +fqdn/);
    expect(t).toMatch(/counterValue +5/);
    expect(t).toMatch(/associationToken +1/);
    expect(t).toMatch(/eimSupportedProtocol +retrieveHttps,injectHttps/);
    expect(t).toMatch(new RegExp(`euiccCiPKId +${toHex(pki.ci.ski)}`));
    cli.out.length = 0;
    expect(await cli.uicc('euicc', '--card', img, 'eim', 'add', 'eim-2')).toBe(1);
    expect(cli.text()).toContain('AddInitialEim: 2 (associatedEimAlreadyExists)');
    cli.out.length = 0;
    expect(await cli.uicc('euicc', '--card', img, 'eim', 'list', '--id', 'eim-2')).toBe(0);
    expect(cli.text()).toContain('no eIM "eim-2"');
  });

  it.each([
    [['--id-type', 'url'], '--id-type url: expected one of oid, fqdn, proprietary'],
    [['--counter', '-1'], '--counter -1: expected a decimal number'],
    [['--protocol', 'smtp'], '--protocol smtp: expected a comma list'],
  ])('eim add %j is an error for people (exit 2)', async (args, message) => {
    expect(await cli.uicc('euicc', 'eim', 'add', 'eim-1', ...args)).toBe(2);
    expect(cli.text()).toContain(message);
  });

  it('eim add with an unknown CI key id: ciPKUnknown (3), exit 1', async () => {
    expect(await cli.uicc('euicc', 'eim', 'add', 'eim-1', '--ci-pkid', '00'.repeat(20))).toBe(1);
    expect(cli.text()).toContain('AddInitialEim: 3 (ciPKUnknown)');
  });
});
