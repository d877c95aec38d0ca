// `uicc saip decode` / `uicc saip encode` in process: the listing masks every secret (PINs, PUKs, K, OPc,
// security-domain keys), errors name the file, and an encoded profile decodes and installs.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installUpp } from '../../applets/euicc/saip/install.js';
import { captureCli } from '../support/cli.js';
import { TS48_DIR } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'uicc-saip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('uicc saip', () => {
  const cli = captureCli();

  it('decode lists PEs, masked keys and the installed files of a TS.48 package', async () => {
    expect(await cli.uicc('saip', 'decode', join(TS48_DIR, 'TS48v5_SAIP2.3_BERTLV_SUCI.der'))).toBe(0);
    const t = cli.text();
    expect(t).toMatch(
      /PE 0 header\n {4}version 2\.3, "GSMA Generic eUICC Test Profile", ICCID 89000123456789012341/,
    );
    expect(t).toContain('TS 34.108 test algorithm, K ********************************');
    expect(t).toContain('key 01 **************** attributes 06, 3 tries, PUK 01');
    expect(t).toMatch(/KVN 02 key 01: type 88 \*{32}/);
    expect(t).toContain('6F07 EF.IMSI (transparent, 9 bytes, SFI 07, ARR 6F06/10) 080910101032540636');
    // No secret in clear: PIN1 "0000", PUK1 "11111111", ADM1 "55555555", K.
    for (const s of [
      '30303030FFFFFFFF',
      '3131313131313131',
      '3535353535353535',
      '000102030405060708090A0B0C0D0E0F',
    ])
      expect(t).not.toContain(s);
  });

  it('decode of something else is an input error (exit code 2) naming the file and why', async () => {
    const f = join(dir, 'junk.der');
    writeFileSync(f, Uint8Array.of(0x30, 0x03, 0x80, 0x01, 0x00));
    expect(await cli.uicc('saip', 'decode', f)).toBe(2);
    expect(cli.text()).toMatch(
      /junk\.der: not a profile package: .*first ProfileElement must be the ProfileHeader/,
    );
    expect(await cli.uicc('saip', 'decode', join(dir, 'missing.der'))).toBe(2);
    expect(cli.text()).toContain('missing.der');
  });

  it('encode writes a package that decodes and installs', async () => {
    const out = join(dir, 'default.der');
    expect(await cli.uicc('saip', 'encode', 'profiles/default-usim.yaml', '--out', out)).toBe(0);
    expect(cli.text()).toMatch(/default\.der: \d+ bytes, 13 profile elements/);
    const r = installUpp(new Uint8Array(readFileSync(out)));
    expect(r.ok).toBe(true);
    expect(await cli.uicc('saip', 'decode', out)).toBe(0);
    expect(cli.text()).toContain(
      'Milenage, K ********************************, OPc ********************************',
    );
    expect(cli.text()).not.toContain('465B5CE8B199B49FAA5F0A2EE238A6BC');
  });

  it('encode refuses an eUICC definition by name', async () => {
    expect(await cli.uicc('saip', 'encode', 'profiles/default-euicc.yaml', '--out', join(dir, 'e.der'))).toBe(
      2,
    );
    expect(cli.text()).toBe(
      'uicc: profiles/default-euicc.yaml: an eUICC definition; encode one of the profile files it names',
    );
  });

  it('encode reports a profile problem with file and line', async () => {
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'description: x\natr: 3B00\npins: []\nmf:\n  files: nope\n');
    expect(await cli.uicc('saip', 'encode', f, '--out', join(dir, 'x.der'))).toBe(2);
    expect(cli.text()).toMatch(/bad\.yaml:\d+/);
  });
});
