// The `uicc` binary as people use it: the built CLI (npm test builds first), run as a child process.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, uiccProcess } from '../support/cli.js';

const uicc = uiccProcess;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'uicc-cli-'));
});

describe('uicc run', () => {
  it('runs the README example and prints a readable transcript', async () => {
    const r = await uicc('run', 'examples/read-imsi.apdu');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('> 00 A4 00 04 02 3F 00  SELECT');
    expect(r.stdout).toContain('6F07: 001010123456789');
    expect(r.stdout).toMatch(/expectations passed, 0 failed/);
  });

  it('every example under examples/ passes on a fresh card', async () => {
    const { readdirSync } = await import('node:fs');
    const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.apdu'));
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const f of examples) {
      const r = await uicc('run', `examples/${f}`);
      expect(r.code, `${f}: ${r.stdout}`).toBe(0);
    }
  });

  it('reports a failed expectation with file:line, expected vs actual and the decoded SW, exit 1', async () => {
    const f = join(dir, 'fail.apdu');
    writeFileSync(f, '# a script\n00 A4 00 04 02 12 34 => 9000\n');
    const r = await uicc('run', f);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL ${f}:2: expected SW 9000, got 6A82 (File or application not found)`);
  });

  it('says where a script is wrong, without a stack trace, exit 2', async () => {
    const f = join(dir, 'bad.apdu');
    writeFileSync(f, '00 A4 00 04 02 3F 00\n\nselect\n');
    const r = await uicc('run', f);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`uicc: ${f}:3: missing file id or path (usage: select FID|PATH)\n`);
    const g = join(dir, 'bad2.apdu');
    writeFileSync(g, '00 A4 00 04 02 3F 00 => 90\n');
    expect((await uicc('run', g)).stderr).toContain(`${g}:1: expected status word must be 4 hex digits`);
  });

  it('--json prints one object per exchange', async () => {
    const r = await uicc('run', '--json', 'examples/read-imsi.apdu');
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const ex = lines.filter((l) => l.type === 'exchange');
    expect(ex).toHaveLength(8);
    expect(ex[0]).toMatchObject({ command: '00A40004023F00', name: 'SELECT', ok: true, line: 7 });
  });

  it('reads pcsc-tools scriptor files as they are', async () => {
    const f = join(dir, 'scriptor.txt');
    writeFileSync(f, '# scriptor\nreset\n00A4000C023F00\n00 B0 82 00 0A\nexit\n00 00 00 00\n');
    const r = await uicc('run', f);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('reset: ATR 3B');
    expect(r.stdout).toContain('< 98 88 12 01 00 00 00 00 00 20 90 00');
    expect(r.stdout).toContain('2 exchanges');
  });

  it('includes, variables, named commands and @save', async () => {
    writeFileSync(join(dir, 'inc.apdu'), '@set PIN 1234\nverify pin1 ${PIN} => 9000\n');
    const f = join(dir, 'main.apdu');
    writeFileSync(
      f,
      'select-usim => 61xx\n@include inc.apdu\nselect 6F07 => 61xx\nread-binary 9 => 08 09 10 10 10 32 54 76 98 9000\n@save IMSI\n@step echo\nupdate-binary ${IMSI} => 6982\n',
    );
    const r = await uicc('run', f);
    expect(r.stdout).toContain('0 failed');
    expect(r.code).toBe(0);
  });

  it('keeps the card state between runs with --card', async () => {
    const img = join(dir, 'card.json');
    const f = join(dir, 'pin.apdu');
    writeFileSync(f, 'verify pin1 9999 => 63xx\n');
    await uicc('run', '--card', img, f);
    writeFileSync(f, 'verify pin1 => 63C2\n');
    expect((await uicc('run', '--card', img, f)).code).toBe(0);
    expect(JSON.parse(readFileSync(img, 'utf8')).format).toBe('uicc-card-image');
  });
});

describe('profiles and card images', () => {
  it('validates and shows the default profile without secrets', async () => {
    expect((await uicc('profile', 'validate', 'profiles/default-usim.yaml')).stdout).toMatch(
      /ok \(\d+ files/,
    );
    const show = await uicc('profile', 'show');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('6F07');
    expect(show.stdout).not.toContain('465B5CE8B199B49FAA5F0A2EE238A6BC');
    expect(show.stdout).not.toContain('200102030405060708090A0B0C0D0E0F');
  });

  it('names file, line and place of a bad profile', async () => {
    const p = join(dir, 'bad.yaml');
    const text = readFileSync('profiles/default-usim.yaml', 'utf8').replace(
      'imsi: "001010123456789"',
      'imsi: "00101012345678A"',
    );
    writeFileSync(p, text);
    const line = text.split('\n').findIndex((l) => l.includes('00101012345678A')) + 1;
    const r = await uicc('profile', 'validate', p);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${p}:${line}:`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('makes a card image', async () => {
    const img = join(dir, 'new.json');
    expect((await uicc('card', 'new', '--out', img)).code).toBe(0);
    expect((await uicc('card', 'new', '--out', img)).stderr).toContain('exists');
  });
});

describe('uicc auth and uicc ota', () => {
  it('authenticates, and resynchronises when the card is ahead', async () => {
    const img = join(dir, 'auth.json');
    const a = await uicc('auth', '--card', img);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('RES = XRES: yes');
    const b = await uicc('auth', '--card', img);
    expect(b.stdout).toContain('synchronisation failure');
    expect(b.stdout).toContain('resynchronised');
    expect(b.code).toBe(0);
  });

  it('updates EF.IMSI over OTA with AES and 3DES and prints the PoR', async () => {
    const img = join(dir, 'ota.json');
    for (const k of ['22', '35']) {
      const r = await uicc(
        'ota',
        '--card',
        img,
        '--kic',
        k,
        '--kid',
        k,
        '00A40004026F07',
        '00D6000009080910101032547600',
        '00B0000009',
      );
      expect(r.stdout).toContain('PoR 00 PoR OK');
      expect(r.stdout).toContain('data 080910101032547600');
      expect(r.code).toBe(0);
    }
  });
});
