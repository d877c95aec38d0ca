// AUTHENTICATE as full APDUs through the card OS, and end to end between the AuC and the card.
import { describe, expect, it } from 'vitest';
import { createMilenage } from '../../applets/aka/milenage.js';
import { encodeSqnState, initialSqnState } from '../../applets/aka/sqn.js';
import { encodeSubscriberKeys } from '../../applets/aka/subscriber-keys.js';
import { USIM_KEYS, USIM_SQN } from '../../applets/usim/applet.js';
import { concat, fromHex, toHex, xor } from '../../card-os/bytes.js';
import { createCard } from '../../card-os/card.js';
import { createAuc } from '../../host/network/auc.js';
import { ADM1, newCard, newCardWith, PIN1, tx, USIM_AID } from '../support/uicc.js';
import { MILENAGE_VECTORS } from './milenage-vectors.js';

const K1 = '465B5CE8B199B49FAA5F0A2EE238A6BC';
const OPC1 = 'CD63CB71954A9F4E48A5994E37A02BAF';
const IMSI = '001010123456789';

const authApdu = (rand: string, autn: string) => `0088008122 10${rand} 10${autn} 00`.replace(/ /g, '');

/** SELECT ADF.USIM and VERIFY PIN1, as a handset does before AUTHENTICATE (TS 31.102 §7.1.2). */
function selectUsim(c: ReturnType<typeof newCard>) {
  expect(tx(c, `00A4040C07${USIM_AID}`).sw).toBe('9000');
  expect(tx(c, `0020000108${PIN1}`).sw).toBe('9000');
}

function auc() {
  return createAuc([
    { imsi: IMSI, k: fromHex(K1), opc: fromHex(OPC1), amf: fromHex('8000'), gsm: true, indBits: 5, seq: 0 },
  ]);
}

describe('AUTHENTICATE APDU (TS 31.102 §7.1.2) with the seven Milenage test sets', () => {
  for (const v of MILENAGE_VECTORS) {
    it(`test set ${v.set}`, () => {
      const card = newCardWith(
        {
          [USIM_KEYS]: encodeSubscriberKeys({ algorithm: 'milenage', k: fromHex(v.k), opc: fromHex(v.opc) }),
          // The test sets' SQNs are far from a fresh card's SEQ_MS = 0: widen delta so they are fresh.
          [USIM_SQN]: encodeSqnState(initialSqnState({ delta: 2 ** 43 - 1 })),
        },
        { protocol: 1 },
      );
      selectUsim(card);
      const autn = toHex(concat(xor(fromHex(v.sqn), fromHex(v.f5)), fromHex(v.amf), fromHex(v.f1)));
      const r = tx(card, authApdu(v.rand, autn));
      expect(r.sw).toBe('9000');
      const m = createMilenage({ k: fromHex(v.k), opc: fromHex(v.opc) });
      const kc = m.f2345(fromHex(v.rand));
      expect(r.data.slice(0, 2 + 2 + 16)).toBe(`DB08${v.f2.toUpperCase()}`);
      expect(r.data).toBe(
        `DB08${v.f2}10${v.f3}10${v.f4}08`.toUpperCase() + r.data.slice(-16), // Kc: GSM access is in the UST
      );
      expect(kc.res.length).toBe(8);
    });
  }
});

describe('AUTHENTICATE between the AuC and the card', () => {
  it('1,000 authentications in a row, a restart from the image, and more', () => {
    const a = auc();
    let card = newCard({ protocol: 1 });
    selectUsim(card);
    for (let i = 0; i < 1000; i++) {
      const v = a.generateVector(IMSI);
      const r = tx(card, authApdu(toHex(v.rand), toHex(v.autn)));
      expect(r.sw, `authentication ${i}`).toBe('9000');
      expect(r.data.slice(4, 20)).toBe(toHex(v.xres));
    }
    // Restart: a new card from the saved NVM; the SQN state came along.
    card = createCard(card.spec, { nvm: card.nvm.snapshot(), applets: card.applets, protocol: 1 });
    selectUsim(card);
    const replay = a.generateVector(IMSI);
    const old = { ...replay };
    for (let i = 0; i < 10; i++) {
      const v = a.generateVector(IMSI);
      expect(tx(card, authApdu(toHex(v.rand), toHex(v.autn))).sw).toBe('9000');
    }
    // The earlier vector is now stale for its IND slot.
    expect(tx(card, authApdu(toHex(old.rand), toHex(old.autn))).data.slice(0, 2)).toBe('DC');
  });

  it('wrong MAC answers 9862 and changes nothing', () => {
    const a = auc();
    const card = newCard({ protocol: 1 });
    selectUsim(card);
    const v = a.generateVector(IMSI);
    const bad = v.autn.slice();
    bad[15]! ^= 1;
    const before = toHex(card.nvm.get(USIM_SQN)!);
    expect(tx(card, authApdu(toHex(v.rand), toHex(bad))).sw).toBe('9862');
    expect(toHex(card.nvm.get(USIM_SQN)!)).toBe(before);
    expect(tx(card, authApdu(toHex(v.rand), toHex(v.autn))).sw).toBe('9000');
  });

  it('a replayed AUTN gets DC AUTS; the AuC resynchronises and the next authentication succeeds', () => {
    const a = auc();
    const card = newCard({ protocol: 1 });
    selectUsim(card);
    const v = a.generateVector(IMSI);
    expect(tx(card, authApdu(toHex(v.rand), toHex(v.autn))).sw).toBe('9000');
    const again = tx(card, authApdu(toHex(v.rand), toHex(v.autn)));
    expect(again.sw).toBe('9000');
    expect(again.data.slice(0, 4)).toBe('DC0E');
    // A card that is ahead of the AuC: a fresh AuC starts at SEQ 1 again.
    const b = auc();
    for (let i = 0; i < 3; i++)
      tx(card, authApdu(...((x) => [toHex(x.rand), toHex(x.autn)] as const)(a.generateVector(IMSI))));
    const stale = b.generateVector(IMSI);
    const sync = tx(card, authApdu(toHex(stale.rand), toHex(stale.autn)));
    expect(sync.data.slice(0, 4)).toBe('DC0E');
    expect(b.resync(IMSI, stale.rand, fromHex(sync.data.slice(4)))).toMatchObject({ ok: true });
    const fresh = b.generateVector(IMSI);
    expect(tx(card, authApdu(toHex(fresh.rand), toHex(fresh.autn))).sw).toBe('9000');
  });

  it('GSM context gives SRES and Kc; with GSM access off it is refused with 9864 and Kc leaves the 3G answer', () => {
    const a = auc();
    const card = newCard({ protocol: 1 });
    selectUsim(card);
    const t = a.gsmTriplet(IMSI);
    const g = tx(card, `0088008011 10${toHex(t.rand)} 00`.replace(/ /g, ''));
    expect(g).toEqual({ sw: '9000', data: `04${toHex(t.sres)}08${toHex(t.kc)}` });
    // Service 27 off in EF.UST (6F38): byte 4, bit 3.
    tx(card, `0020000A08${ADM1}`);
    tx(card, '00A4000C026F38');
    const ust = tx(card, '00B0000004');
    const b4 = Number.parseInt(ust.data.slice(6, 8), 16) & ~0x04;
    expect(tx(card, `00D6000301${b4.toString(16).padStart(2, '0')}`).sw).toBe('9000');
    expect(tx(card, `0088008011 10${toHex(t.rand)} 00`.replace(/ /g, '')).sw).toBe('9864');
    const v = a.generateVector(IMSI);
    const r = tx(card, authApdu(toHex(v.rand), toHex(v.autn)));
    expect(r.data).toHaveLength(2 * (1 + 1 + 8 + 1 + 16 + 1 + 16));
  });

  it('answers malformed AUTHENTICATE commands with the right status words', () => {
    const card = newCard({ protocol: 1 });
    expect(tx(card, `0088008122${'10'.padEnd(68, '0')}00`).sw).toBe('6D00'); // outside ADF.USIM
    selectUsim(card);
    expect(tx(card, `0088008121${'10'.padEnd(66, '0')}00`).sw).toBe('6700'); // wrong Lc
    expect(tx(card, `0088008122 11${'0'.repeat(32)}10${'0'.repeat(32)}00`.replace(/ /g, '')).sw).toBe('6A80');
    expect(tx(card, `0088018122${'10'.padEnd(68, '0')}00`).sw).toBe('6A86');
    expect(tx(card, `8088008122${'10'.padEnd(68, '0')}00`).sw).toBe('6E00');
    // The keys never come out: no file holds them, even for ADM1.
    tx(card, `0020000A08${ADM1}`);
    tx(card, `0020000108${PIN1}`);
    expect(card.nvm.keys()).toContain(USIM_KEYS);
  });
});
