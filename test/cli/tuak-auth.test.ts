// `uicc auth` with the TUAK example profile (256-bit K, MAC 128, RES 128, CK/IK 256): vectors of the
// profile's HSS accepted by the emulated card, and a resynchronisation when the card image is ahead.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCli } from '../support/cli.js';

const { uicc, text, out } = captureCli();
const PROFILE = 'profiles/examples/tuak.yaml';

describe('uicc auth with a TUAK profile', () => {
  it('authenticates 100 times, then resynchronises a card image that is ahead; no key printed', async () => {
    const img = join(mkdtempSync(join(tmpdir(), 'uicc-tuak-')), 'tuak.json');
    expect(await uicc('card', 'new', '--profile', PROFILE, '--out', img)).toBe(0);
    expect(await uicc('auth', '--card', img, '--count', '100')).toBe(0);
    expect(text()).toContain('100 of 100 authentications succeeded');
    out.length = 0;
    // A new run starts a new one-subscriber HSS at SEQ 1: the card, at SEQ 100, answers AUTS.
    expect(await uicc('auth', '--card', img)).toBe(0);
    const s = text();
    // AUTN = SQN ⊕ AK ‖ AMF ‖ MAC-A with a 128-bit MAC: 24 bytes; RES of 128 bits.
    expect(s).toMatch(/AUTN [0-9A-F]{48} /);
    expect(s).toMatch(/synchronisation failure, AUTS [0-9A-F]{44}\n/);
    expect(s).toContain('resynchronised from AUTS: SQN_MS 000000000c80');
    expect(s).toMatch(/RES {2}[0-9A-F]{32} {2}RES = XRES: yes/);
    expect(s).not.toContain('FFFEFDFCFBFAF9F8');
    expect(s).not.toContain('8081828384858687');
  });
});
