// Card behaviour tested through the public API of the installed uicc package (docs/api.md).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codecs, createAuc, createCard, loadCard, SW, subscriberOf } from 'uicc';
import { describe, expect, it } from 'vitest';

describe('the default test USIM', () => {
  it('reads the IMSI after PIN1', async () => {
    const card = await createCard();
    expect((await card.transmit('00A4040407A000000087100200', { getResponse: true })).sw).toBe(SW.OK);
    const wrong = await card.transmit('0020000108313131 31FFFFFFFF');
    expect(wrong.swHex).toBe('63C2');
    expect(wrong.swName).toMatch(/2 retries/i);
    expect((await card.transmit('002000010831323334FFFFFFFF')).ok).toBe(true);
    const imsi = await card.transmit('00B0870009');
    expect(codecs.decodeImsi(imsi.data)).toBe('001010123456789');
  });

  it('runs an APDU script and reports each step', async () => {
    const card = await createCard();
    const result = await card.runScript({
      name: 'inline.apdu',
      text: '@step select MF\n00 A4 00 04 02 3F 00 => 61XX\n@step missing file\n00 A4 00 04 02 12 34 => 9000\n',
    });
    expect(result.ok).toBe(false);
    expect(result.steps.map((s) => [s.name, s.failed])).toEqual([
      ['select MF', 0],
      ['missing file', 1],
    ]);
    expect(result.failures[0]).toMatchObject({ line: 4, expected: '9000', actual: '6A82' });
  });

  it('keeps its state in a card image', async () => {
    const card = await createCard();
    await card.transmit('002000010839393939FFFFFFFF'); // a wrong PIN: 2 tries left
    const file = join(mkdtempSync(join(tmpdir(), 'consumer-')), 'card.json');
    card.save(file);
    const again = await loadCard(file);
    expect((await again.transmit('00200001')).swHex).toBe('63C2');
  });

  it('authenticates against the AuC built from its own profile (TS 33.102)', async () => {
    const card = await createCard();
    const sub = subscriberOf(card.profile);
    const auc = createAuc([sub]);
    const v = auc.generateVector(sub.imsi);
    await card.transmit('00A4040407A000000087100200', { getResponse: true });
    await card.transmit('002000010831323334FFFFFFFF');
    const apdu = new Uint8Array([0x00, 0x88, 0x00, 0x81, 0x22, 0x10, ...v.rand, 0x10, ...v.autn]);
    const r = await card.transmit(apdu, { getResponse: true });
    expect(r.ok).toBe(true);
    expect(r.data.subarray(2, 2 + v.xres.length)).toEqual(v.xres);
  });
});
