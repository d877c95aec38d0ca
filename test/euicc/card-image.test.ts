// The eUICC as a persistent card (--card IMAGE, host/card-store): the eUICC's own NVM (profile states,
// notifications, nicknames) and every ISD-P's NVM (files, PIN counters) survive between processes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pinStateKey } from '../../card-os/security/pin.js';
import { uiccProcess } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'uicc-euicc-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An APDU script (docs/script-format.md) in the test's folder. */
function script(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

// Operator B (profiles/euicc/operator-b.yaml): ICCID 89882110000000000101, IMSI 001010000000002.
const readImsiB = script(
  'imsi-b.apdu',
  `00 A4 04 04 07 A0 00 00 00 87 10 02  => 61xx
00 20 00 01 08 31 32 33 34 FF FF FF FF => 9000
00 A4 00 0C 02 6F 07                 => 9000
00 B0 00 00 09                       => 08 09 10 10 00 00 00 00 20 9000
`,
);

describe('eUICC card image', () => {
  const card = join(dir, 'euicc.card');

  it('enable in one process; list, notifications and EF.IMSI in the next ones show the new profile', async () => {
    const en = await uiccProcess('euicc', 'enable', '89882110000000000101', '--card', card);
    expect(en.stderr).toBe('');
    expect(en.code).toBe(0);
    const list = await uiccProcess('euicc', 'list', '--card', card);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^\* 89882110000000000101 /m);
    expect(list.stdout).toMatch(/^ {2}89882110000000000002 /m);
    const n = await uiccProcess('euicc', 'notifications', '--card', card);
    expect(n.stdout).toMatch(/enable +89882110000000000101/);
    const run = await uiccProcess('run', '--card', card, readImsiB);
    expect(run.stdout).toContain('6F07: 001010000000002');
    expect(run.code).toBe(0);
  });

  it("keeps a profile's PIN counter and the nickname between processes", async () => {
    const wrong = script(
      'wrong-pin.apdu',
      '00 A4 04 04 07 A0 00 00 00 87 10 02 => 61xx\n00 20 00 01 08 39 39 39 39 FF FF FF FF => 63C2\n',
    );
    expect((await uiccProcess('run', '--card', card, wrong)).code).toBe(0);
    const left = script(
      'pin-left.apdu',
      '00 A4 04 04 07 A0 00 00 00 87 10 02 => 61xx\n00 20 00 01 => 63C2\n',
    );
    const r = await uiccProcess('run', '--card', card, left);
    expect(r.stdout).not.toContain('FAIL');
    expect(r.code).toBe(0);
    expect(
      (await uiccProcess('euicc', 'nickname', '89882110000000000101', 'Travel', '--card', card)).code,
    ).toBe(0);
    expect((await uiccProcess('euicc', 'list', '--card', card)).stdout).toMatch(
      /^\* 89882110000000000101 .*"Travel"/m,
    );
  });

  it('enabling the first profile again: the next process reads its IMSI', async () => {
    expect((await uiccProcess('euicc', 'enable', '89882110000000000002', '--card', card)).code).toBe(0);
    const imsiA = script(
      'imsi-a.apdu',
      '00 A4 04 04 07 A0 00 00 00 87 10 02 => 61xx\n00 20 00 01 08 31 32 33 34 FF FF FF FF => 9000\n00 A4 00 0C 02 6F 07 => 9000\n00 B0 00 00 09 => 08 09 10 10 10 32 54 76 98 9000\n',
    );
    const r = await uiccProcess('run', '--card', card, imsiA);
    expect(r.stdout).not.toContain('FAIL');
  });

  it('a USIM image is refused by `uicc euicc --card`, naming the image', async () => {
    const usim = join(dir, 'usim.card');
    expect((await uiccProcess('card', 'new', '--out', usim)).code).toBe(0);
    const r = await uiccProcess('euicc', 'list', '--card', usim);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${usim}: the card image is not an eUICC`);
  });
});

describe('uicc card new --profile profiles/default-euicc.yaml', () => {
  it('makes an eUICC image that `uicc euicc list --card` then reads', async () => {
    const card = join(dir, 'new-euicc.card');
    const made = await uiccProcess('card', 'new', '--profile', 'profiles/default-euicc.yaml', '--out', card);
    expect(made.stderr).toBe('');
    const list = await uiccProcess('euicc', 'list', '--card', card);
    expect(list.stdout).toMatch(/^\* 89882110000000000002 /m);
  });
});

describe('a damaged eUICC image', () => {
  it("is refused at load, naming the profile's record in the image", async () => {
    const card = join(dir, 'damaged.card');
    expect((await uiccProcess('euicc', 'list', '--card', card)).code).toBe(0);
    const img = JSON.parse(readFileSync(card, 'utf8'));
    // Operator B's PIN1 with 255 tries left (its maximum is 3, TS 102 221 §9.5.1).
    const key = `isdp/A0000005591010FFFFFFFF8900001100/${pinStateKey(0x01)}`;
    img.nvm.own.push([key, '01FF0A']);
    writeFileSync(card, JSON.stringify(img));
    const r = await uiccProcess('euicc', 'list', '--card', card);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${card}: card image records do not match the card's profile`);
    expect(r.stderr).toContain(`${key}: PIN1`);
    expect(r.stderr).toContain('255 tries left, more than its maximum 3');
  });
});
