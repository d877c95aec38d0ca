// ISIM (TS 31.103) with a TUAK subscriber: the `isim` profile section takes the same key record as
// `subscriber` (algorithm per record), so AUTHENTICATE in the IMS AKA context runs TUAK (TS 35.231) with the
// lengths of the record. Vectors: TS 35.232 §6 test sets; the USIM on the same card keeps its Milenage keys.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex, xor } from '../../card-os/bytes.js';
import { createCard } from '../../card-os/card.js';
import { personalise } from '../../host/personalise.js';
import { parseProfileText } from '../../host/profile/load.js';
import { PIN1, tx } from '../support/uicc.js';
import { TUAK_VECTORS, type TuakVector } from '../usim/tuak-vectors.js';

const PROFILE = 'profiles/examples/usim-isim.yaml';
const ISIM_AID = 'A0000000871004';
const lenHex = (n: number) => n.toString(16).padStart(2, '0').toUpperCase();

/** The example profile with its `isim` section (the last one) replaced by the set's TUAK keys. */
function isimTuakCard(v: TuakVector) {
  const text = readFileSync(PROFILE, 'utf8');
  const at = text.indexOf('\nisim:\n');
  expect(at).toBeGreaterThan(0);
  const p = v.params;
  const section = [
    'isim:',
    '  algorithm: tuak',
    `  k: ${v.k}`,
    `  topc: ${v.topc}`,
    `  tuak: { mac: ${p.mac}, res: ${p.res}, ck: ${p.ck}, ik: ${p.ik}, iterations: ${p.iterations} }`,
    // The sets' SQNs are far from a fresh card's SEQ_MS = 0: a wide delta takes them as fresh.
    `  sqn: { delta: ${2 ** 43 - 1} }`,
  ].join('\n');
  const made = personalise(parseProfileText(`${text.slice(0, at + 1)}${section}\n`, PROFILE));
  const card = createCard(made.spec, { applets: made.applets });
  card.protocol = 1;
  expect(tx(card, `00A4040C07${ISIM_AID}`).sw).toBe('9000');
  expect(tx(card, `0020000108${PIN1}`).sw).toBe('9000');
  return card;
}

function authApdu(rand: string, autn: string): string {
  const body = `10${rand}${lenHex(autn.length / 2)}${autn}`;
  return `00880081${lenHex(body.length / 2)}${body}00`;
}

const autnOf = (v: TuakVector) =>
  toHex(concat(xor(fromHex(v.sqn), fromHex(v.f5)), fromHex(v.amf), fromHex(v.f1)));

describe('ISIM AUTHENTICATE (IMS AKA) with TUAK subscriber keys', () => {
  for (const v of TUAK_VECTORS.filter((t) => [1, 3, 6].includes(t.set))) {
    const p = v.params;
    it(`TS 35.232 test set ${v.set}: AUTN of ${8 + p.mac / 8} bytes, DB RES CK IK of the set, no Kc`, () => {
      const card = isimTuakCard(v);
      const r = tx(card, authApdu(v.rand, autnOf(v)));
      expect(r.sw).toBe('9000');
      expect(r.data).toBe(
        `DB${lenHex(p.res / 8)}${v.f2}${lenHex(p.ck / 8)}${v.f3}${lenHex(p.ik / 8)}${v.f4}`.toUpperCase(),
      );
      // The same AUTN again is a replay: DC L AUTS, AUTS = SQN_MS ⊕ AK* ‖ MAC-S (6 + MAC bytes).
      const again = tx(card, authApdu(v.rand, autnOf(v)));
      expect(again.data.slice(0, 16)).toBe(
        `DC${lenHex(6 + p.mac / 8)}${toHex(xor(fromHex(v.sqn), fromHex(v.f5star)))}`,
      );
    });
  }

  it('a wrong MAC-A is 9862 and changes no SQN state; a Milenage-length AUTN is 6700 for a longer MAC', () => {
    const v = TUAK_VECTORS.find((t) => t.set === 3)!; // MAC of 256 bits: AUTN is 40 bytes
    const card = isimTuakCard(v);
    const bad = autnOf(v).slice(0, -2) + (autnOf(v).endsWith('00') ? '01' : '00');
    expect(tx(card, authApdu(v.rand, bad)).sw).toBe('9862');
    expect(tx(card, authApdu(v.rand, autnOf(v).slice(0, 32))).sw).toBe('6700');
    // Nothing was stored: the genuine AUTN is still fresh.
    expect(tx(card, authApdu(v.rand, autnOf(v))).data.slice(0, 2)).toBe('DB');
  });
});
