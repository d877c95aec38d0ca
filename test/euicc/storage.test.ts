// The one-NVM view of an eUICC that card images store (EuiccCard.storage, splitEuiccSnapshot): a round trip
// through the image format keeps every profile's records apart, and an enable torn by a power loss at any
// NVM write comes back from the image with exactly one profile enabled (SGP.22 §2.4: one enabled profile).
import { describe, expect, it } from 'vitest';
import { toHex } from '../../card-os/bytes.js';
import { type EuiccCard, splitEuiccSnapshot } from '../../card-os/euicc-card.js';
import { decodeImage, encodeImage } from '../../card-os/image.js';
import { pinStateKey } from '../../card-os/security/pin.js';
import { AID_B, es10, ICCID_A, ICCID_B, newEuicc, openIsdR, runTornAt, txHex } from './support.js';

/** The card as a card image would bring it back: storage snapshot -> image text -> split -> new card. */
function throughImage(c: EuiccCard): EuiccCard {
  const text = encodeImage({ profile: { name: 'x', text: '' }, nvm: c.storage.snapshot() });
  return newEuicc({ nvm: splitEuiccSnapshot(decodeImage(text).nvm), protocol: 1 });
}

const enableB = `BF3111A00C5A0A${ICCID_B}8101FF`;

function enabledIccids(card: EuiccCard): string[] {
  const ch = openIsdR(card);
  const list = es10(card, ch, 'BF2D055C035A9F70').answer;
  txHex(card, `0070800${ch}00`);
  return [...list.matchAll(/5A0A([0-9A-F]{20})9F70010([01])/g)].filter((m) => m[2] === '1').map((m) => m[1]!);
}

describe('EuiccCard.storage', () => {
  it("keeps each profile's records under its ISD-P AID and the eUICC's under their own keys", () => {
    const c = newEuicc({ protocol: 1 });
    c.storage.trackChanges();
    // A wrong PIN1 on the enabled profile (A) spends a try in A's NVM only.
    expect(txHex(c, '00A4040C07A0000000871002').sw).toBe('9000');
    expect(txHex(c, '002000010839393939FFFFFFFF').sw).toBe('63C2');
    const ch = openIsdR(c);
    es10(c, ch, enableB);
    const changed = c.storage.takeChanges().map(([k]) => k);
    expect(changed).toContain('euicc/profiles');
    expect(changed.some((k) => k.startsWith('isdp/A0000005591010FFFFFFFF8900001000/'))).toBe(true);
    expect(changed.some((k) => k.startsWith(`isdp/${AID_B}/`))).toBe(false);
    const back = throughImage(c);
    const a = back.installed.find(([aid]) => aid.endsWith('1000'))![1];
    expect(toHex(a.nvm.get(pinStateKey(0x01))!).slice(2, 4)).toBe('02');
    back.reset();
    expect(enabledIccids(back)).toEqual([ICCID_B]);
  });

  it('an enable torn at every NVM write comes back from the image with exactly one profile enabled', () => {
    let k = 1;
    for (; k < 50; k++) {
      const c = newEuicc({ protocol: 1 });
      const ch = openIsdR(c);
      const completed = runTornAt(c, k, () => es10(c, ch, enableB));
      const back = throughImage(c);
      back.reset();
      const on = enabledIccids(back);
      expect(on).toHaveLength(1);
      expect([ICCID_A, ICCID_B]).toContain(on[0]);
      if (completed) {
        expect(on).toEqual([ICCID_B]);
        break;
      }
    }
    expect(k).toBeGreaterThan(2); // the enable wrote in several physical steps, each one torn once
  });
});
