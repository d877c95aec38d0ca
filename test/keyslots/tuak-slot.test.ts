// A key slot holding a TUAK subscription (TS 35.231: 256-bit K, TOPc, output lengths) in the profile: the
// slot record carries it, activation writes it where the USIM reads it, and a Milenage slot refuses TUAK
// fields (file, line, place and reason, never a key value).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeSubscriberKeys } from '../../applets/aka/subscriber-keys.js';
import { slotActiveKeys, writeActiveKeys } from '../../applets/keyslots/active.js';
import { decodeSlot, slotRecord } from '../../applets/subscriptions/slot-store.js';
import { USIM_KEYS } from '../../applets/usim/applet.js';
import { fromHex } from '../../card-os/bytes.js';
import { Nvm } from '../../card-os/nvm.js';
import { personalise } from '../../host/personalise.js';
import { describeProfile, ProfileError, parseProfileText } from '../../host/profile/load.js';
import { M2M_PROFILE, SLOT1 } from './support.js';

const K256 = 'FFFEFDFCFBFAF9F8F7F6F5F4F3F2F1F0EFEEEDECEBEAE9E8E7E6E5E4E3E2E1E0';
const TOPC = '305425427E18C503C8A4B294EA72C95D0C36C6C6B29D0C65DE5974D5977F8524';
const MILENAGE_SLOT = `    - k: ${SLOT1.k}  # slot 1: pre-generated keys (Alternative 3b)\n      opc: ${SLOT1.opc}\n`;
const TEXT = readFileSync(M2M_PROFILE, 'utf8');

function withSlot1(lines: string): string {
  expect(TEXT).toContain(MILENAGE_SLOT);
  return TEXT.replace(MILENAGE_SLOT, lines);
}

describe('a TUAK key slot', () => {
  it('is personalised, described without keys, and activation hands the USIM a TUAK record', () => {
    const p = parseProfileText(
      withSlot1(
        `    - algorithm: tuak\n      k: ${K256}\n      topc: ${TOPC}\n      tuak: {mac: 128, ck: 256}\n`,
      ),
      'tuak-slots.yaml',
    );
    const t = personalise(p);
    const slot = decodeSlot(t.spec.nvm.get(slotRecord(1))!);
    expect(slot?.mode).toBe('keys');
    const expected = {
      algorithm: 'tuak',
      k: fromHex(K256),
      topc: fromHex(TOPC),
      tuak: { mac: 128, res: 64, ck: 256, ik: 128, iterations: 1 },
    };
    if (slot?.mode === 'keys') expect(slot.subscriber).toEqual(expected);
    const text = describeProfile(p);
    expect(text).toContain('TUAK, K (set), TOPc (set)');
    expect(text).not.toContain(K256.slice(0, 16));
    const nvm = new Nvm(t.spec.nvm);
    const keys = slotActiveKeys(nvm, 1, undefined, { admin: 0x0a, deriveKvn: 1 });
    expect(keys).toBeDefined();
    writeActiveKeys(nvm, keys!);
    expect(decodeSubscriberKeys(nvm.get(USIM_KEYS)!)).toEqual(expected);
  });

  it('field errors: TUAK fields in a Milenage slot, OPc in a TUAK slot, a 24-byte K', () => {
    const errorsOf = (text: string) => {
      try {
        parseProfileText(text, 'bad.yaml');
      } catch (e) {
        if (e instanceof ProfileError) return e.message;
        throw e;
      }
      throw new Error('the profile was accepted');
    };
    const m = errorsOf(withSlot1(`    - k: ${SLOT1.k}\n      opc: ${SLOT1.opc}\n      topc: ${TOPC}\n`));
    expect(m).toContain('keySlots.slots[0].topc: topc belongs to algorithm tuak');
    const t = errorsOf(withSlot1(`    - algorithm: tuak\n      k: ${K256}\n      opc: ${SLOT1.opc}\n`));
    expect(t).toContain('keySlots.slots[0].opc: opc belongs to algorithm milenage; TUAK takes topc or top');
    expect(t).toContain('keySlots.slots[0]: give exactly one of topc and top');
    const k = errorsOf(
      withSlot1(`    - algorithm: tuak\n      k: ${K256.slice(0, 48)}\n      topc: ${TOPC}\n`),
    );
    expect(k).toContain('keySlots.slots[0].k: is 24 bytes long, expected 16 or 32');
    for (const msg of [m, t, k]) {
      expect(msg).not.toContain(K256.slice(0, 16));
      expect(msg).not.toContain(TOPC.slice(0, 16));
    }
  });
});
