// Inputs that hang, explode or are hand-edited: each is refused with a message that names the file (and
// line or record), exit 2, no stack trace.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { captureCli } from '../support/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'uicc-bad-'));
});

const { uicc, text } = captureCli();

async function fails(args: string[], message: string | RegExp) {
  const code = await uicc(...args);
  expect(code, text()).toBe(2);
  if (typeof message === 'string') expect(text()).toContain(message);
  else expect(text()).toMatch(message);
  expect(text()).not.toMatch(/\n\s+at /);
}

/** A fresh image, and its JSON to edit. */
async function image(name: string) {
  const img = join(dir, name);
  expect(await uicc('card', 'new', '--out', img)).toBe(0);
  return { img, json: JSON.parse(readFileSync(img, 'utf8')) };
}

function setRecord(json: { nvm: { own: [string, string | null][] } }, key: string, hex: string) {
  json.nvm.own = json.nvm.own.filter(([k]) => k !== key);
  json.nvm.own.push([key, hex]);
}

describe('files that are not files, or too big', () => {
  it('@include /dev/zero, a FIFO, or a script that is a device: refused at once with the path', async () => {
    const s = join(dir, 'zero.apdu');
    writeFileSync(s, '@include /dev/zero\n');
    await fails(
      ['run', s],
      `${s}:1: cannot include /dev/zero: /dev/zero: included script is not a regular file`,
    );
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo], { timeout: 5000 });
    const f = join(dir, 'fifo.apdu');
    writeFileSync(f, `@include ${fifo}\n`);
    await fails(['run', f], `${f}:1: cannot include ${fifo}: ${fifo}: included script is not a regular file`);
    await fails(['run', '/dev/zero'], '/dev/zero: script is not a regular file');
    await fails(['run', fifo], `${fifo}: script is not a regular file`);
  });

  it('profile validate /dev/zero and a FIFO profile: refused, not read', async () => {
    await fails(['profile', 'validate', '/dev/zero'], '/dev/zero: the profile is not a regular file');
    await fails(
      ['run', 'examples/read-imsi.apdu', '--profile', '/dev/zero'],
      '/dev/zero: profile is not a regular file',
    );
  });

  it('files over 16 MiB are refused with their size', async () => {
    const big = join(dir, 'big.apdu');
    writeFileSync(big, Buffer.alloc(16 * 1024 * 1024 + 1, 0x23)); // '#' comments
    await fails(['run', big], `${big}: script is 16777217 bytes; the limit is 16777216`);
  });

  it('a YAML alias bomb is refused with the file and line', async () => {
    const p = join(dir, 'bomb.yaml');
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lines.push(`${cur}: &${cur} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    writeFileSync(p, `${lines.join('\n')}\n`);
    await fails(['profile', 'validate', p], new RegExp(`${p}:2: .*aliases expand too far`));
  });
});

describe('card images with bad records or fields', () => {
  it('a PIN counter above its maximum and a 1-byte PIN are refused, naming the image and the record', async () => {
    const { img, json } = await image('tries.img');
    setRecord(json, 'pin/01', '01FF0A');
    setRecord(json, 'secret/pin/81', '31');
    writeFileSync(img, JSON.stringify(json));
    await fails(['run', 'examples/read-imsi.apdu', '--card', img], `${img}: card image records do not match`);
    expect(text()).toContain('pin/01: PIN1 (key reference 01) has 255 tries left, more than its maximum 3');
    expect(text()).toMatch(/secret\/pin\/81: .* value must be 8 bytes/);
    // The secret itself is never printed.
    expect(text()).not.toContain('31FF');
  });

  it("applet records are checked with the applet's own decoder; both bundled profiles' images pass", async () => {
    const m2m = join(dir, 'm2m.img');
    expect(await uicc('card', 'new', '--out', m2m, '--profile', 'profiles/m2m-keyslots.yaml')).toBe(0);
    expect(await uicc('run', 'examples/read-imsi.apdu', '--card', m2m)).not.toBe(2);
    const { img, json } = await image('sqn.img');
    setRecord(json, 'usim/sqn', '00');
    setRecord(json, 'secret/usim/keys', '0102');
    writeFileSync(img, JSON.stringify(json));
    await fails(
      ['run', 'examples/read-imsi.apdu', '--card', img],
      'usim/sqn: USIM SQN state (TS 33.102 Annex C) record is malformed',
    );
    expect(text()).toContain(
      'secret/usim/keys: USIM subscriber keys (K, OPc, constants) record is malformed',
    );
  });

  it('an EF content of the wrong size is refused', async () => {
    const { img, json } = await image('ef.img');
    const key = 'ef/3F00/7FF0/6F07';
    setRecord(json, key, '0809');
    writeFileSync(img, JSON.stringify(json));
    await fails(
      ['run', 'examples/read-imsi.apdu', '--card', img],
      `${key}: EF.IMSI content is 2 bytes, the file is 9`,
    );
  });

  it('a bad journal field, a string version, and a broken profile inside the image', async () => {
    const { img, json } = await image('fields.img');
    writeFileSync(img, JSON.stringify({ ...json, nvm: { ...json.nvm, journal: 5 } }));
    await fails(
      ['run', 'examples/read-imsi.apdu', '--card', img],
      `${img}: card image: "nvm.journal" must be null or`,
    );
    writeFileSync(img, JSON.stringify({ ...json, version: '1' }));
    await fails(
      ['run', 'examples/read-imsi.apdu', '--card', img],
      `${img}: card image "version" must be the number 1, got "1"`,
    );
    writeFileSync(img, JSON.stringify({ ...json, profile: { ...json.profile, text: 'pins: 5\n' } }));
    await fails(
      ['run', 'examples/read-imsi.apdu', '--card', img],
      `${img}: the profile inside this card image is invalid`,
    );
  });
});

describe('options checked at parse time', () => {
  const bad: [string[], RegExp][] = [
    [['ota', '00', '--cntr', 'abc'], /--cntr <n>' argument 'abc' is invalid\. expected an integer/],
    [['ota', '00', '--cntr', '1099511627776'], /--cntr <n>' argument '1099511627776' is invalid/],
    [['ota', '00', '--tar', 'B0001'], /--tar <hex>' argument 'B0001' is invalid\. expected 6 hex digits/],
    [['ota', '00', '--kic', 'zz'], /--kic <hex>' argument 'zz' is invalid/],
    [['ota', '00', '--kid', '123'], /--kid <hex>' argument '123' is invalid/],
    [['ota', '00', '--spi', '16'], /--spi <hex>' argument '16' is invalid/],
    [['ota', '00', '--keys', ''], /--keys <file>' argument '' is invalid/],
    [['ota', '00', '--counters', ''], /--counters <file>' argument '' is invalid/],
    [['auth', '--count', '0'], /--count <n>' argument '0' is invalid/],
    [['auth', '--count', '2x'], /--count <n>' argument '2x' is invalid/],
    [['auth', '--pin', '12'], /--pin <pin>' argument '12' is invalid\. expected 4 to 8 digits/],
    [['auth', '--imsi', 'abc'], /--imsi <imsi>' argument 'abc' is invalid/],
    [['ltk-update', '--profile-id', '256'], /--profile-id <n>' argument '256' is invalid/],
    [['ltk-update', '--profile-id', '0', '--sd-aid', 'A0'], /--sd-aid <aid>' argument 'A0' is invalid/],
    [['ltk-update', '--profile-id', '0', '--pin', 'abcd'], /--pin <pin>' argument 'abcd' is invalid/],
    [['serve', '--port', '70000'], /--port <n>' argument '70000' is invalid/],
    [
      ['serve', '--protocol', 't2'],
      /--protocol <p>' argument 't2' is invalid\. expected one of auto, t0, t1/,
    ],
    [['serve', '--wait', '-1'], /--wait <seconds>' argument '-1' is invalid/],
    [['run', 'x.apdu', '--wait', 'soon'], /--wait <seconds>' argument 'soon' is invalid/],
    [['run', 'x.apdu', '--reader', ''], /--reader <name>' argument '' is invalid/],
    [['run', 'x.apdu', '--card-key-file', ''], /--card-key-file <file>' argument '' is invalid/],
    [['card', 'new', '--out', ''], /--out <image>' argument '' is invalid/],
    [['trace', 'show', 'x.jsonl', '--expand', 'two'], /--expand <n>' argument 'two' is invalid/],
    [['scenario', 'operator-change', '--cards', '0'], /--cards <n>' argument '0' is invalid/],
  ];
  it.each(bad)('uicc %j', async (args, message) => {
    // commander reports option errors on stderr directly.
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      err.push(String(c));
      return true;
    });
    const code = await uicc(...args);
    expect(code).toBe(2);
    expect(err.join('')).toMatch(message);
  });

  it('a counter book that is not JSON, or not a list of pairs, is named', async () => {
    const c = join(dir, 'counters.json');
    writeFileSync(c, '{oops');
    await fails(['ota', '00A40004023F00', '--counters', c], `${c}: counter book is not JSON`);
    writeFileSync(c, '[["x", "1"]]');
    await fails(['ota', '00A40004023F00', '--counters', c], `${c}: counter book entry 1 must be`);
  });
});
