// TUAK through the card: AUTHENTICATE APDUs (TS 31.102 §7.1.2) with every TS 35.232 test set, the status
// words of malformed or wrong input, and the AuC and the card against each other (vectors from our AuC,
// accepted by the card, SQN resynchronisation with AUTS).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authenticate } from '../../applets/aka/authenticate.js';
import { gsmFromUmts } from '../../applets/aka/milenage.js';
import { encodeSqnState, initialSqnState } from '../../applets/aka/sqn.js';
import { encodeSubscriberKeys } from '../../applets/aka/subscriber-keys.js';
import { createTuak, type TuakParams } from '../../applets/aka/tuak.js';
import { USIM_KEYS, USIM_SQN } from '../../applets/usim/applet.js';
import { concat, fromHex, toHex, xor } from '../../card-os/bytes.js';
import type { CardOs } from '../../card-os/card.js';
import { createAuc } from '../../host/network/auc.js';
import type { SubscriberRecord } from '../../host/network/subscribers.js';
import { newCardWith, PIN1, tx, USIM_AID } from '../support/uicc.js';
import { TUAK_VECTORS, type TuakVector } from './tuak-vectors.js';

const lenHex = (n: number) => n.toString(16).padStart(2, '0').toUpperCase();

/** AUTHENTICATE, 3G context: 10 RAND L AUTN, Le 00. */
function authApdu(rand: string, autn: string): string {
  const body = `10${rand}${lenHex(autn.length / 2)}${autn}`;
  return `00880081${lenHex(body.length / 2)}${body}00`;
}

function selectUsim(c: CardOs) {
  expect(tx(c, `00A4040C07${USIM_AID}`).sw).toBe('9000');
  expect(tx(c, `0020000108${PIN1}`).sw).toBe('9000');
}

/** A card from the default profile (service 27 on) whose USIM runs TUAK with the set's K, TOPc and lengths. */
function tuakCard(v: TuakVector, params: TuakParams = v.params, delta = 2 ** 43 - 1): CardOs {
  const card = newCardWith(
    {
      [USIM_KEYS]: encodeSubscriberKeys({
        algorithm: 'tuak',
        k: fromHex(v.k),
        topc: fromHex(v.topc),
        tuak: params,
      }),
      // The sets' SQNs are far from a fresh card's SEQ_MS = 0: widen delta so they are fresh.
      [USIM_SQN]: encodeSqnState(initialSqnState({ delta })),
    },
    { protocol: 1 },
  );
  selectUsim(card);
  return card;
}

/** c2/c3 apply to a RES of at most 128 bits and 128-bit CK/IK (TS 33.102 §6.8.1.2). */
const gsmConvertible = (p: TuakParams) => p.res <= 128 && p.ck === 128 && p.ik === 128;

describe('AUTHENTICATE APDU with the TS 35.232 TUAK test sets', () => {
  for (const v of TUAK_VECTORS) {
    const p = v.params;
    it(`test set ${v.set}: AUTN of ${8 + p.mac / 8} bytes, DB ${p.res / 8} RES ${p.ck / 8} CK ${p.ik / 8} IK`, () => {
      const card = tuakCard(v);
      // AUTN = SQN ⊕ AK ‖ AMF ‖ MAC-A, all from the set (f5 and f1).
      const autn = toHex(concat(xor(fromHex(v.sqn), fromHex(v.f5)), fromHex(v.amf), fromHex(v.f1)));
      const r = tx(card, authApdu(v.rand.toUpperCase(), autn));
      expect(r.sw).toBe('9000');
      const body =
        `DB${lenHex(p.res / 8)}${v.f2}${lenHex(p.ck / 8)}${v.f3}${lenHex(p.ik / 8)}${v.f4}`.toUpperCase();
      if (gsmConvertible(p)) {
        // Kc = c3(CK, IK) of the set's CK and IK: service 27 is on in the default profile.
        const kc = gsmFromUmts(fromHex(v.f2), fromHex(v.f3), fromHex(v.f4)).kc;
        expect(r.data).toBe(`${body}08${toHex(kc)}`);
      } else {
        expect(r.data).toBe(body);
      }

      // The same AUTN again is a replay: DC L AUTS with AUTS = SQN_MS ⊕ AK* ‖ MAC-S, SQN_MS = the set's SQN,
      // AK* = the set's f5*.
      const again = tx(card, authApdu(v.rand, autn));
      expect(again.sw).toBe('9000');
      expect(again.data.slice(0, 4)).toBe(`DC${lenHex(6 + p.mac / 8)}`);
      expect(again.data.slice(4, 16)).toBe(toHex(xor(fromHex(v.sqn), fromHex(v.f5star))));
      const macS = createTuak({ k: fromHex(v.k), topc: fromHex(v.topc) }, p).f1star(
        fromHex(v.rand),
        fromHex(v.sqn),
        new Uint8Array(2),
      );
      expect(again.data.slice(16)).toBe(toHex(macS));
    });

    it(`test set ${v.set}: GSM context ${gsmConvertible(p) ? 'gives SRES and Kc by c2/c3' : 'is refused (9864)'}`, () => {
      const card = tuakCard(v);
      const r = tx(card, `0088008011 10${v.rand} 00`.replace(/ /g, ''));
      if (!gsmConvertible(p)) {
        expect(r).toEqual({ sw: '9864', data: '' });
        return;
      }
      const { sres, kc } = gsmFromUmts(fromHex(v.f2), fromHex(v.f3), fromHex(v.f4));
      expect(r).toEqual({ sw: '9000', data: `04${toHex(sres)}08${toHex(kc)}` });
    });
  }
});

describe('TUAK AUTHENTICATE: wrong input gets the status word and changes nothing', () => {
  const v = TUAK_VECTORS[1]!; // MAC 128: AUTN is 24 bytes
  const autn = concat(xor(fromHex(v.sqn), fromHex(v.f5)), fromHex(v.amf), fromHex(v.f1));

  it('a wrong MAC-A answers 9862; the SQN state is untouched', () => {
    const card = tuakCard(v);
    const before = toHex(card.nvm.get(USIM_SQN)!);
    for (const i of [0, 8, 23]) {
      const bad = autn.slice();
      bad[i]! ^= 0x01;
      expect(tx(card, authApdu(v.rand, toHex(bad))).sw).toBe('9862');
    }
    expect(toHex(card.nvm.get(USIM_SQN)!)).toBe(before);
    expect(tx(card, authApdu(v.rand, toHex(autn))).sw).toBe('9000');
  });

  it("an AUTN of Milenage's 16 bytes to a card with a 128-bit MAC: 6A80 (length byte) or 6700 (Lc)", () => {
    const card = tuakCard(v);
    const before = toHex(card.nvm.get(USIM_SQN)!);
    // Lc fits a 24-byte AUTN but the length byte says 16.
    const body = `10${v.rand}10${toHex(autn)}`;
    expect(tx(card, `00880081${lenHex(body.length / 2)}${body}00`).sw).toBe('6A80');
    // A well-formed 16-byte AUTN: Lc is not the one this subscriber's AUTHENTICATE needs.
    expect(tx(card, authApdu(v.rand, toHex(autn.subarray(0, 16)))).sw).toBe('6700');
    expect(toHex(card.nvm.get(USIM_SQN)!)).toBe(before);
  });

  it('an unusable TUAK key record answers 6F00, never throws', () => {
    const good = encodeSubscriberKeys({
      algorithm: 'tuak',
      k: fromHex(v.k),
      topc: fromHex(v.topc),
      tuak: v.params,
    });
    const broken = good.slice();
    broken[broken.length - 5] = 12; // MAC of 96 bits: not a TUAK length
    const card = newCardWith({ [USIM_KEYS]: broken }, { protocol: 1 });
    selectUsim(card);
    expect(tx(card, authApdu(v.rand, toHex(autn))).sw).toBe('6F00');
  });
});

describe('TUAK between the AuC and the card', () => {
  const IMSI = '001010123456789';
  const v = TUAK_VECTORS[5]!; // 256-bit K
  const cases: { name: string; tuak: TuakParams }[] = [
    {
      name: 'Milenage-sized outputs (MAC 64, RES 64, CK/IK 128)',
      tuak: { mac: 64, res: 64, ck: 128, ik: 128, iterations: 1 },
    },
    {
      name: 'MAC 128, RES 128, CK/IK 256, 2 iterations',
      tuak: { mac: 128, res: 128, ck: 256, ik: 256, iterations: 2 },
    },
    {
      name: 'MAC 256, RES 256, CK 128, IK 256',
      tuak: { mac: 256, res: 256, ck: 128, ik: 256, iterations: 1 },
    },
    { name: 'MAC 64, RES 32', tuak: { mac: 64, res: 32, ck: 128, ik: 128, iterations: 1 } },
  ];
  for (const c of cases) {
    it(`${c.name}: 200 vectors accepted, a card ahead of the AuC resynchronised by AUTS`, () => {
      const record: SubscriberRecord = {
        imsi: IMSI,
        algorithm: 'tuak',
        k: fromHex(v.k),
        top: fromHex(v.top),
        tuak: c.tuak,
        amf: fromHex('8000'),
        gsm: true,
        indBits: 5,
        seq: 0,
      };
      const auc = createAuc([record]);
      const card = tuakCard(v, c.tuak, 2 ** 28);
      // The card holds TOPc computed from the set's TOP with the case's iteration count; the AuC has TOP.
      card.nvm.set(
        USIM_KEYS,
        encodeSubscriberKeys({ algorithm: 'tuak', k: fromHex(v.k), top: fromHex(v.top), tuak: c.tuak }),
      );
      for (let i = 0; i < 200; i++) {
        const av = auc.generateVector(IMSI);
        expect(av.autn).toHaveLength(8 + c.tuak.mac / 8);
        const r = tx(card, authApdu(toHex(av.rand), toHex(av.autn)));
        expect(r.sw, `authentication ${i}`).toBe('9000');
        expect(r.data.slice(0, 4 + 2 * av.xres.length)).toBe(`DB${lenHex(av.xres.length)}${toHex(av.xres)}`);
        expect(r.data).toContain(toHex(av.ck));
        expect(r.data).toContain(toHex(av.ik));
      }
      // A second AuC node restarted from SEQ 0 is behind the card: AUTS, resync, then accepted.
      const behind = createAuc([record]);
      const stale = behind.generateVector(IMSI);
      const sync = tx(card, authApdu(toHex(stale.rand), toHex(stale.autn)));
      expect(sync.data.slice(0, 4)).toBe(`DC${lenHex(6 + c.tuak.mac / 8)}`);
      const auts = fromHex(sync.data.slice(4));
      // A flipped MAC-S bit is refused and changes nothing; the real AUTS moves SEQ_HE above SQN_MS.
      const bad = auts.slice();
      bad[auts.length - 1]! ^= 0x80;
      expect(behind.resync(IMSI, stale.rand, bad)).toEqual({ ok: false, reason: 'mac' });
      expect(behind.resync(IMSI, stale.rand, auts.subarray(1))).toEqual({ ok: false, reason: 'malformed' });
      expect(behind.resync(IMSI, stale.rand, auts)).toEqual({ ok: true, sqnMs: 200 * 32 });
      const fresh = behind.generateVector(IMSI);
      expect(tx(card, authApdu(toHex(fresh.rand), toHex(fresh.autn))).sw).toBe('9000');
      expect(fresh.kc === undefined).toBe(!gsmConvertible(c.tuak));
    });
  }

  it('a Milenage vector is refused by a TUAK card (9862), and a TUAK vector by a Milenage card', () => {
    const tuakRecord: SubscriberRecord = {
      imsi: IMSI,
      algorithm: 'tuak',
      k: fromHex(v.k.slice(0, 32)),
      topc: fromHex(v.topc),
      amf: fromHex('8000'),
      gsm: true,
      indBits: 5,
      seq: 0,
    };
    const milenageRecord: SubscriberRecord = {
      imsi: IMSI,
      k: fromHex(v.k.slice(0, 32)),
      opc: fromHex(v.topc.slice(0, 32)),
      amf: fromHex('8000'),
      gsm: true,
      indBits: 5,
      seq: 0,
    };
    const tuakCardSameK = newCardWith(
      {
        [USIM_KEYS]: encodeSubscriberKeys({
          algorithm: 'tuak',
          k: tuakRecord.k,
          topc: tuakRecord.topc!,
          tuak: { mac: 64, res: 64, ck: 128, ik: 128, iterations: 1 },
        }),
      },
      { protocol: 1 },
    );
    selectUsim(tuakCardSameK);
    const m = createAuc([milenageRecord]).generateVector(IMSI);
    expect(tx(tuakCardSameK, authApdu(toHex(m.rand), toHex(m.autn))).sw).toBe('9862');
    const t = createAuc([tuakRecord]).generateVector(IMSI);
    expect(tx(tuakCardSameK, authApdu(toHex(t.rand), toHex(t.autn))).sw).toBe('9000');
    const milenageCard = newCardWith(
      {
        [USIM_KEYS]: encodeSubscriberKeys({
          algorithm: 'milenage',
          k: milenageRecord.k,
          opc: milenageRecord.opc!,
        }),
      },
      { protocol: 1 },
    );
    selectUsim(milenageCard);
    expect(tx(milenageCard, authApdu(toHex(t.rand), toHex(t.autn))).sw).toBe('9862');
  });
});

describe('TUAK AUTHENTICATE with arbitrary parameters and data', () => {
  it('answers a status word of TS 31.102 §7.1.2 / TS 102 221, never throws, changes state only on success', () => {
    const v = TUAK_VECTORS[2]!; // MAC 256: AUTN 40 bytes, IK 256 (no GSM context)
    const keys = { algorithm: 'tuak', k: fromHex(v.k), topc: fromHex(v.topc), tuak: v.params } as const;
    const state = initialSqnState();
    const allowed = new Set([0x9000, 0x6a86, 0x9864, 0x6700, 0x6a80, 0x9862]);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom(0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x00, 0x91, 0xff),
        fc.oneof(
          fc.uint8Array({ maxLength: 80 }),
          // Well-formed length bytes around the right total, so the MAC check itself is reached.
          fc.uint8Array({ minLength: 56, maxLength: 56 }).map((d) => {
            d[0] = 16;
            d[17] = 40;
            return d;
          }),
        ),
        (p1, p2, data) => {
          const r = authenticate({ p1, p2, data }, keys, state, { gsmAccess: true });
          expect(allowed.has(r.sw)).toBe(true);
          if (r.sqnState) expect(r.data?.[0]).toBe(0xdb);
        },
      ),
      { numRuns: 400 },
    );
  });
});
