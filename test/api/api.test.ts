// The public API (api/index.ts) from source; examples/consumer runs the same kind of test against the packed
// package (test/package/consumer.test.ts).

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  codecs,
  createCard,
  decodeResponse,
  defaultProfilePath,
  fromHex,
  junitXml,
  loadCard,
  ProfileError,
  SW,
  t0Exchange,
} from '../../api/index.js';
import { VERSION } from '../../host/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'uicc-api-'));
const USIM = '00A4040407A000000087100200';
const PIN1 = '002000010831323334FFFFFFFF';

describe('public API', () => {
  it('decodes responses: data, status word, its meaning', () => {
    const r = decodeResponse(fromHex('0102916A'));
    expect(r).toMatchObject({ sw: 0x916a, swHex: '916A', ok: true });
    expect(Array.from(r.data)).toEqual([1, 2]);
    expect(decodeResponse(fromHex('6A82'))).toMatchObject({
      ok: false,
      swName: 'File or application not found',
    });
  });

  it('a card from the default profile, a file, or YAML text answers alike', async () => {
    const text = readFileSync(defaultProfilePath(), 'utf8');
    const file = join(dir, 'p.yaml');
    writeFileSync(file, text);
    for (const card of [
      await createCard(),
      await createCard({ profile: file }),
      await createCard({ profileYaml: text }),
    ]) {
      expect((await card.transmit(USIM)).swHex).toMatch(/^61/);
      expect((await card.transmit(USIM, { getResponse: true })).sw).toBe(SW.OK);
      expect((await card.transmit(PIN1)).ok).toBe(true);
      expect(codecs.decodeImsi((await card.transmit('00B0870009')).data)).toBe('001010123456789');
    }
  });

  it('a bad profile is a ProfileError naming the place', async () => {
    const err = await createCard({ profileYaml: 'atr: 3B\nmf: [1, 2]\n', profileName: 'bad.yaml' }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ProfileError);
    expect(String(err.message)).toContain('bad.yaml');
  });

  it('runs a script into structured results, per step, with failures at file:line', async () => {
    const card = await createCard();
    const r = await card.runScript({
      name: 's.apdu',
      text: '@step mf\n00 A4 00 04 02 3F 00 => 61XX\n@step bad\n00 A4 00 04 02 12 34 => 9000\n',
    });
    expect(r).toMatchObject({ ok: false, exchanges: 2, passed: 1, failed: 1 });
    expect(r.steps.map((s) => [s.name, s.passed, s.failed])).toEqual([
      ['mf', 1, 0],
      ['bad', 0, 1],
    ]);
    expect(r.failures).toEqual([
      expect.objectContaining({
        file: 's.apdu',
        line: 4,
        command: '00A40004021234',
        expected: '9000',
        actual: '6A82',
      }),
    ]);
    expect(r.transcript.map((e) => [e.name, e.response.swHex])).toEqual([
      ['SELECT', '6129'],
      ['SELECT', '6A82'],
    ]);
    expect(junitXml([r])).toContain('<failure type="expectation" message="s.apdu:4: expected SW 9000');
  });

  it('saves and continues a card image', async () => {
    const card = await createCard();
    expect((await card.transmit('002000010839393939FFFFFFFF')).swHex).toBe('63C2');
    const image = join(dir, 'card.json');
    card.save(image);
    for (const again of [await loadCard(image), await createCard({ image })])
      expect((await again.transmit('00200001')).swHex).toBe('63C2');
    expect((await (await createCard()).transmit('00200001')).swHex).toBe('63C3');
  });

  it('exposes the T=0 exchange over a card transport', async () => {
    const card = await createCard();
    const r = decodeResponse(await t0Exchange(card.transport, fromHex('00A40004023F00')));
    expect(r.sw).toBe(SW.OK);
    expect(r.data[0]).toBe(0x62); // FCP template, TS 102 221 §11.1.1.3
  });

  it('the CLI version is the package version', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
    expect(VERSION).toBe(pkg.version);
  });
});

describe('JUnit XML escaping', () => {
  it('escapes markup and drops characters XML 1.0 cannot carry', async () => {
    const { xmlEscape } = await import('../../host/script/junit.js');
    expect(xmlEscape('a<b>&"c\'\u0001\u0007\tok\n')).toBe('a&lt;b&gt;&amp;&quot;c&apos;\tok\n');
  });
});
