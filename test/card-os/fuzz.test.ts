// Property: whatever bytes reach the card, it answers with a status word and stays usable.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../card-os/bytes.js';
import { newCard, tx, USIM_AID } from '../support/uicc.js';

const KNOWN = [
  '00A40004023F00',
  `00A4040407${USIM_AID}`,
  '00A40004026F07',
  '00B0000009',
  '00B2010400',
  '0020000108313233 34FFFFFFFF'.replace(' ', ''),
  '0070000001',
  '80F2000000',
  '00C0000010',
  '8010000005FFFFFFFFFF',
  '80C2000005D103820281',
  '8012000010',
  '0088008122' + '10'.padEnd(68, '0'),
].map(fromHex);

const mutate = (b: Uint8Array, at: number, v: number, cut: number) => {
  const c = b.slice(0, Math.max(0, b.length - cut));
  if (c.length) c[at % c.length] = v;
  return c;
};

describe('fuzz: random and mutated APDUs', () => {
  it('never throws, always ends in a status word, and the card stays usable', () => {
    for (const protocol of [0, 1] as const) {
      const card = newCard({ protocol });
      const apdu = fc.oneof(
        fc.uint8Array({ minLength: 0, maxLength: 270 }),
        fc
          .tuple(fc.constantFrom(...KNOWN), fc.nat(300), fc.integer({ min: 0, max: 255 }), fc.nat(4))
          .map(([b, at, v, cut]) => mutate(b, at, v, cut)),
        fc
          .tuple(
            fc.constantFrom(0x00, 0x01, 0x40, 0x80, 0x81, 0xa0, 0xc3, 0x0c),
            fc.integer({ min: 0, max: 255 }),
            fc.uint8Array({ minLength: 2, maxLength: 40 }),
          )
          .map(([cla, ins, rest]) => Uint8Array.from([cla, ins, ...rest])),
      );
      fc.assert(
        fc.property(fc.array(apdu, { minLength: 1, maxLength: 20 }), (apdus) => {
          for (const a of apdus) {
            const r = card.transmit(a);
            expect(r.length).toBeGreaterThanOrEqual(2);
            const sw1 = r[r.length - 2]!;
            expect((sw1 >= 0x61 && sw1 <= 0x6f) || (sw1 >= 0x90 && sw1 <= 0x9f)).toBe(true);
          }
          card.reset();
          expect(tx(card, '00A4000C023F00').sw).toBe('9000');
        }),
        { numRuns: 1500 },
      );
    }
  });
});
