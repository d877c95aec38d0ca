// `uicc card show` and `uicc card diff` on images changed through APDUs: decoded changed files, PIN
// counters, and secrets never printed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'uicc-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = captureCli();

async function image(name: string, script?: string): Promise<string> {
  const path = join(dir, `${name}.json`);
  expect(await cli.uicc('card', 'new', '--out', path)).toBe(0);
  if (script) {
    const s = join(dir, `${name}.apdu`);
    writeFileSync(s, script);
    expect(await cli.uicc('run', '--card', path, s)).toBe(0);
  }
  cli.out.length = 0;
  return path;
}

const CHANGES = [
  'verify pin1 1111 => 63C2', // a wrong PIN: two tries left
  'verify adm1 3132333435363738 => 9000',
  'change-pin pin2 5678 4321 => 9000',
  'select-usim',
  'select 6F46',
  'update-binary 004D79204E6574FFFFFFFFFFFFFFFFFFFF => 9000',
].join('\n');

describe('uicc card show', () => {
  it('shows the profile, identities, PIN counters and changed files decoded, and no secret', async () => {
    const img = await image('show', CHANGES);
    expect(await cli.uicc('card', 'show', img)).toBe(0);
    const t = cli.text();
    expect(t).toContain('ICCID: 89882110000000000002');
    expect(t).toContain('IMSI: 001010123456789');
    expect(t).toContain('PIN1 (01): enabled, 2 of 3 tries left, PUK 10 of 10 tries left');
    expect(t).toContain('MF/ADF.USIM/EF.SPN (3F00/7FF0/6F46): {name: My Net}');
    expect(t).toContain('OTA counters: none used');
    expect(t).toContain('Secrets changed: 1 (values never shown)');
    // Neither the new PIN2 nor the old one nor the ADM key, as digits or as the PIN block.
    expect(t).not.toMatch(/\b4321\b|\b5678\b|34333231|35363738FF|3132333435363738/);
  });

  it('says what is wrong with a missing image', async () => {
    expect(await cli.uicc('card', 'show', join(dir, 'nope.json'))).toBe(2);
    expect(cli.text()).toMatch(/nope\.json: no such card image/);
  });
});

describe('uicc card diff', () => {
  it('lists decoded file changes, counters and secrets that differ, and exits 1', async () => {
    const a = await image('a');
    const b = await image('b', CHANGES);
    expect(await cli.uicc('card', 'diff', a, b)).toBe(1);
    const t = cli.text();
    expect(t).toContain('MF/ADF.USIM/EF.SPN (3F00/7FF0/6F46):\n  - {name: uicc test}\n  + {name: My Net}');
    expect(t).toContain('+ PIN1 (01): enabled, 2 of 3 tries left');
    expect(t).toContain('secret/pin/81: differs (secret, values never shown)');
    expect(t).not.toMatch(/\b4321\b|34333231/);
  });

  it('exits 0 for two cards with the same contents', async () => {
    const a = await image('c');
    const b = await image('d');
    expect(await cli.uicc('card', 'diff', a, b)).toBe(0);
    expect(cli.text()).toContain('hold the same contents');
  });
});
