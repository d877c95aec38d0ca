// `uicc suci conceal|deconceal` and `uicc auth --5g`: the host SIDF against the card's GET IDENTITY, and
// the TS 33.501 Annex C.4 vectors through the CLI.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureCli } from '../support/cli.js';
import { ANNEX_C4, outputA, outputB } from './vectors.js';

const { out, text, uicc } = captureCli();
const dir = mkdtempSync(join(tmpdir(), 'uicc-suci-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ANNEX_IMSI = `${ANNEX_C4.mcc}${ANNEX_C4.mnc}${ANNEX_C4.msin}`;

describe('uicc suci', () => {
  it('conceal reproduces C.4.3 and C.4.4 with their ephemeral keys', async () => {
    for (const [scheme, eph, o, id] of [
      ['profile-a', ANNEX_C4.a.ephPrivate, outputA, 1],
      ['profile-b', ANNEX_C4.b.ephPrivate, outputB, 2],
    ] as const) {
      out.length = 0;
      const args = ['--imsi', ANNEX_IMSI, '--mnc-length', '3', '--scheme', scheme, '--ephemeral', eph];
      expect(await uicc('suci', 'conceal', ...args)).toBe(0);
      expect(out[0]).toBe(`suci-0-274-012-0-${id}-${id}-${o}`);
    }
    out.length = 0;
    expect(await uicc('suci', 'conceal', '--imsi', ANNEX_IMSI, '--mnc-length', '3', '--scheme', 'null')).toBe(
      0,
    );
    expect(out[0]).toBe('suci-0-274-012-0-0-0-001002086');
  });

  it('deconceal with the profile sidf keys, or a key file; refuses a wrong key or a changed byte', async () => {
    expect(await uicc('suci', 'deconceal', `suci-0-274-012-0-1-1-${outputA}`)).toBe(0);
    expect(await uicc('suci', 'deconceal', `suci-0-274-012-0-2-2-${outputB}`)).toBe(0);
    expect(out).toEqual([`imsi-${ANNEX_IMSI}`, `imsi-${ANNEX_IMSI}`]);
    const keys = join(dir, 'keys.yaml');
    writeFileSync(keys, `keys:\n  - {id: 7, scheme: profile-b, private: ${ANNEX_C4.b.hnPrivate}}\n`);
    out.length = 0;
    expect(await uicc('suci', 'deconceal', '--keys', keys, `suci-0-274-012-0-2-7-${outputB}`)).toBe(0);
    expect(out).toEqual([`imsi-${ANNEX_IMSI}`]);
    out.length = 0;
    const changed = `${outputB.slice(0, -2)}00`;
    expect(await uicc('suci', 'deconceal', `suci-0-274-012-0-2-2-${changed}`)).toBe(2);
    expect(text()).toMatch(/MAC tag does not match/);
    out.length = 0;
    expect(await uicc('suci', 'deconceal', '--keys', keys, `suci-0-274-012-0-2-2-${outputB}`)).toBe(2);
    expect(text()).toMatch(/no home network private key 2/);
  });

  it('says where a key file is wrong', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'keys:\n  - {id: 1, scheme: profile-a, private: 0102}\n');
    expect(await uicc('suci', 'deconceal', '--keys', bad, `suci-0-274-012-0-1-1-${outputA}`)).toBe(2);
    expect(text()).toMatch(/bad\.yaml:2/);
    expect(text()).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('uicc auth --5g', () => {
  it("shows the card's SUCI, the SUPI from the SIDF and the 5G keys beside the 3G answer", async () => {
    expect(await uicc('auth', '--5g')).toBe(0);
    const t = text();
    expect(t).toMatch(/card {2}SUCI suci-0-001-01-0-1-1-[0-9a-f]{90}\n/);
    expect(t).toContain('SIDF  SUPI imsi-001010123456789');
    expect(t).toContain('RES = XRES: yes');
    expect(t).toContain('5G    serving network name 5G:mnc001.mcc001.3gppnetwork.org');
    expect(t).toContain('RES* = XRES*: yes');
    expect(t).toMatch(/KAUSF {2}[0-9A-F]{64}/);
    expect(t).toMatch(/KSEAF {2}[0-9A-F]{64}/);
    expect(t).toMatch(/HXRES\* [0-9A-F]{32}/);
  });
});

describe('uicc profile show', () => {
  it('names the SIDF keys without showing them', async () => {
    expect(await uicc('profile', 'show', 'profiles/default-usim.yaml')).toBe(0);
    expect(text()).toContain(
      'SIDF (host side, not on the card): key 1 profile-a private key (set), key 2 profile-b',
    );
    expect(text()).not.toMatch(new RegExp(ANNEX_C4.a.hnPrivate, 'i'));
    expect(text()).not.toMatch(new RegExp(ANNEX_C4.b.hnPrivate, 'i'));
  });
});

describe('uicc auth --hlr errors', () => {
  it('a malformed address and an HLR that is not there are reported plainly', async () => {
    // Refused when the option is parsed (commander's message goes to stderr; host/cli/arg-parsers.ts).
    expect(await uicc('auth', '--hlr', 'no-port')).toBe(2);
    out.length = 0;
    // Port 1 on loopback: nothing listens there.
    expect(await uicc('auth', '--hlr', '127.0.0.1:1')).toBe(2);
    expect(text()).toMatch(/GSUP 127\.0\.0\.1:1: connect ECONNREFUSED/);
    expect(text()).not.toMatch(/\n\s+at /);
  });
});
