// `uicc ltk-update` on the embedded card: both modes, an HSS file and a card image across two runs, the
// refusals; the output shows key check values and never a key.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { kcv } from '../../applets/security-domain/aes.js';
import { toHex } from '../../card-os/bytes.js';
import { formatSubscriberFile, loadSubscribers } from '../../host/network/subscribers.js';
import { captureCli } from '../support/cli.js';
import { profileRecord } from './support.js';

const { out, uicc, text } = captureCli();

/** Values that must never be printed: the profile's K and OPc and the SD's private key. */
const SECRETS = ['465B5CE8B199B49F', 'CD63CB71954A9F4E', '1111111111111111'];

function printedKcvs(): { k: string; opc: string } {
  const m = /KCV\(K\) ([0-9A-F]{6}), KCV\(OPc\) ([0-9A-F]{6})/.exec(text());
  expect(m).not.toBeNull();
  return { k: m![1]!, opc: m![2]! };
}

describe('uicc ltk-update', () => {
  it('transport mode on the default profile: every step, KCVs, old K refused; no key printed', async () => {
    expect(await uicc('ltk-update', '--profile-id', '0')).toBe(0);
    const s = text();
    expect(s).toContain('SD    SELECT A000000151000000: 9000');
    expect(s).toContain('SD    SCP11a key KID 11, KVN 03 (GET DATA 00E0)');
    expect(s).toMatch(
      /card certificate CSN 01, issuer 17F909E21E0BA41EB26192AD00A78B4B71770892, valid until 2099-12-31: verified/,
    );
    expect(s).toContain('SCP11a session open: OCE authenticated, C-MAC, C-DECRYPTION, R-MAC, R-ENCRYPTION');
    expect(s).toContain('profile 00 updated: new K and OPc (random) sent under S-DEK');
    expect(s).toMatch(/RES = XRES: .*yes/);
    expect(s).toMatch(
      /AUTHENTICATE with the old keys: 9862 \(Authentication error, incorrect MAC\) .*refused, as it must be/,
    );
    expect(s).toContain('long-term key update done');
    printedKcvs();
    for (const secret of SECRETS) expect(s.toUpperCase()).not.toContain(secret);
  });

  it('derivation mode', async () => {
    expect(await uicc('ltk-update', '--profile-id', '0', '--derive')).toBe(0);
    expect(text()).toContain(
      'profile 00 updated: K and OPc derived on both ends from the session, none sent',
    );
  });

  it('an HSS file and a card image: the file follows the card, and a second run works from both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'uicc-ltk-'));
    const hss = join(dir, 'hss.json');
    const image = join(dir, 'card.json');
    writeFileSync(hss, formatSubscriberFile([profileRecord()]));
    for (let run = 1; run <= 2; run++) {
      out.length = 0;
      expect(await uicc('ltk-update', '--profile-id', '0', '--hss', hss, '--card', image)).toBe(0);
      const rec = loadSubscribers(hss)[0]!;
      const printed = printedKcvs();
      expect(toHex(kcv(rec.k))).toBe(printed.k);
      expect(toHex(kcv(rec.opc!))).toBe(printed.opc);
      expect(text()).toContain(`stored (${hss})`);
    }
    // The saved SEQ_HE moved on with the authentications.
    expect(loadSubscribers(hss)[0]!.seq).toBeGreaterThan(0);
  });

  it('refusals: an unknown profile (6A88), a bad or missing --profile-id', async () => {
    expect(await uicc('ltk-update', '--profile-id', '1')).toBe(2);
    expect(text()).toContain('uicc: profile update refused: 6A88 (Referenced data not found)');
    out.length = 0;
    // Checked when commander parses the option, which reports on stderr.
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      err.push(String(c));
      return true;
    });
    expect(await uicc('ltk-update', '--profile-id', '256')).toBe(2);
    spy.mockRestore();
    expect(err.join('')).toContain(
      "option '--profile-id <n>' argument '256' is invalid. expected a key-slot index 0..255",
    );
    out.length = 0;
    expect(await uicc('ltk-update')).toBe(2);
  });
});
