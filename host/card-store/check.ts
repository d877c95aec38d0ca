// Checks the records of a loaded card image against the card's spec, so a hand-edited or damaged image is
// refused at load with the record named, instead of answering 6F00 (or accepting a 255-try PIN) later.

import type { CardOs } from '../../card-os/card.js';
import { contentKey, lcsKey, walk } from '../../card-os/fs/model.js';
import { pinStateKey, pinValueKey, pukValueKey, validPinBlock } from '../../card-os/security/pin.js';

const hex2 = (n: number) => n.toString(16).padStart(2, '0').toUpperCase();

/** Every problem found, as "record: what is wrong". */
export function imageRecordProblems(card: CardOs): string[] {
  const nvm = card.nvm;
  const out: string[] = [];
  for (const pin of card.spec.pins) {
    const name = `${pin.name} (key reference ${hex2(pin.ref)})`;
    // TS 102 221 §9.5.1: the stored PIN is 8 bytes, digits padded with FF (ADM keys: any 8 bytes).
    const value = nvm.get(pinValueKey(pin.ref));
    if (!value || !validPinBlock(pin.ref, value))
      out.push(`${pinValueKey(pin.ref)}: ${name} value must be 8 bytes, 4 to 8 digits padded with FF`);
    if (pin.puk) {
      const puk = nvm.get(pukValueKey(pin.ref));
      if (!puk || !validPinBlock(0x01, puk))
        out.push(`${pukValueKey(pin.ref)}: ${name} PUK must be 8 bytes, 4 to 8 digits padded with FF`);
    }
    const st = nvm.get(pinStateKey(pin.ref));
    if (!st || st.length < 3) out.push(`${pinStateKey(pin.ref)}: ${name} state must be at least 3 bytes`);
    else {
      if (st[0]! > 1) out.push(`${pinStateKey(pin.ref)}: ${name} enabled flag must be 0 or 1, is ${st[0]}`);
      if (st[1]! > pin.maxTries)
        out.push(
          `${pinStateKey(pin.ref)}: ${name} has ${st[1]} tries left, more than its maximum ${pin.maxTries}`,
        );
      if (st[2]! > pin.maxUnblockTries)
        out.push(
          `${pinStateKey(pin.ref)}: ${name} has ${st[2]} unblock tries left, more than its maximum ${pin.maxUnblockTries}`,
        );
    }
  }
  for (const f of walk(card.spec.mf)) {
    const lcs = nvm.get(lcsKey(f));
    if (lcs && lcs.length !== 1) out.push(`${lcsKey(f)}: ${f.name} life cycle state must be 1 byte`);
    if (f.type !== 'EF') continue;
    const c = nvm.get(contentKey(f));
    if (!c) continue;
    // Transparent and record EFs have a fixed size (TS 102 221 §8.2.2); BER-TLV EFs up to their maximum.
    if (f.structure === 'ber-tlv' ? c.length > f.size : c.length !== f.size)
      out.push(
        `${contentKey(f)}: ${f.name} content is ${c.length} bytes, the file ${f.structure === 'ber-tlv' ? 'holds at most' : 'is'} ${f.size}`,
      );
  }
  return out;
}

/** Throws one error naming the image and every bad record. */
export function checkImageRecords(card: CardOs, image: string): void {
  const p = imageRecordProblems(card);
  if (p.length)
    throw new Error(`${image}: card image records do not match the card's profile:\n  ${p.join('\n  ')}`);
}
