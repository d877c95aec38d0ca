import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCard } from '../../card-os/card.js';
import { decodeImage, encodeImage, loadImage } from '../../card-os/image.js';
import { PowerLoss } from '../../card-os/nvm.js';
import { openCard } from '../../host/card-factory.js';
import { ADM1, PIN1, tx, USIM_AID } from '../support/uicc.js';

const dir = () => mkdtempSync(join(tmpdir(), 'uicc-img-'));

describe('card images', () => {
  it('save and load round trip keeps file contents, PIN counters and life cycle', () => {
    const path = join(dir(), 'card.json');
    const a = openCard({ card: path });
    a.card.protocol = 1;
    tx(a.card, `00A4040407${USIM_AID}`);
    tx(a.card, `0020000A08${ADM1}`);
    tx(a.card, '00A40004026F07');
    expect(tx(a.card, '00D6000009080910101032547600').sw).toBe('9000');
    tx(a.card, '002000010839393939FFFFFFFF'); // one wrong PIN1
    a.save();
    a.close();
    const b = openCard({ card: path });
    b.card.protocol = 1;
    expect(tx(b.card, '00200001').sw).toBe('63C2');
    tx(b.card, `00A4040407${USIM_AID}`);
    tx(b.card, `0020000108${PIN1}`);
    expect(tx(b.card, '00B0870009').data).toBe('080910101032547600');
  });

  it('images are versioned and bad ones are refused with a reason', () => {
    const d = dir();
    const path = join(d, 'card.json');
    openCard({ card: path }).close();
    const img = JSON.parse(readFileSync(path, 'utf8'));
    expect(img.format).toBe('uicc-card-image');
    expect(img.version).toBe(1);
    writeFileSync(join(d, 'v9.json'), JSON.stringify({ ...img, version: 9 }));
    expect(() => loadImage(join(d, 'v9.json'))).toThrow(/version 9 is not supported/);
    writeFileSync(join(d, 'junk.json'), '{nope');
    expect(() => loadImage(join(d, 'junk.json'))).toThrow(/junk.json: not a card image/);
    expect(() => loadImage(join(d, 'missing.json'))).toThrow(/missing.json: cannot read card image/);
    expect(() => decodeImage(JSON.stringify({ ...img, nvm: { own: [['x', 'zz']] } }))).toThrow(/not hex/);
  });

  it('a transaction interrupted between steps leaves the image as before (or wholly after)', () => {
    const base = openCard();
    const spec = base.card.spec;
    const text = encodeImage({ profile: { name: 'p', text: '' }, nvm: base.card.nvm.snapshot() });
    // CHANGE PIN writes the new value and the counter in one transaction.
    for (let k = 1; k <= 6; k++) {
      const card = createCard(spec, { nvm: decodeImage(text).nvm, protocol: 1 });
      const start = card.nvm.steps;
      card.nvm.powerHook = (step) => {
        if (step === start + k) throw new PowerLoss(step);
      };
      let lost = false;
      try {
        tx(card, `0024000110${PIN1}35353535FFFFFFFF`);
      } catch (e) {
        expect(e).toBeInstanceOf(PowerLoss);
        lost = true;
      }
      // Power comes back: a new card from what the NVM held at the loss.
      const after = createCard(spec, { nvm: card.nvm.snapshot(), protocol: 1 });
      const oldOk = tx(after, `0020000108${PIN1}`).sw === '9000';
      const fresh = createCard(spec, { nvm: card.nvm.snapshot(), protocol: 1 });
      const newOk = tx(fresh, '002000010835353535FFFFFFFF').sw === '9000';
      expect(oldOk !== newOk, `step ${k}: exactly one PIN works`).toBe(true);
      if (!lost) break;
    }
  });
});
