import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AuthenticateResult, authenticate } from '../../applets/aka/authenticate.js';
import {
  createMilenage,
  gsmFromUmts,
  type Milenage,
  type MilenageConstants,
} from '../../applets/aka/milenage.js';
import { checkSqn, initialSqnState, type SqnState, sqnMs } from '../../applets/aka/sqn.js';
import type { SubscriberKeys } from '../../applets/aka/subscriber-keys.js';
import { concat, fromHex, readUintBE, toHex, uintBE } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';
import { MILENAGE_VECTORS } from './milenage-vectors.js';

const hex = (b: Uint8Array | undefined) => (b ? toHex(b).toLowerCase() : '');
const GSM = { gsmAccess: true };
const NO_GSM = { gsmAccess: false };
/** Δ as large as SEQ allows, so the test sets' SQNs (close to 2^48) are not refused as too far ahead. */
const WIDE = { delta: 2 ** 43 - 1 };

function autn(m: Milenage, rand: Uint8Array, sqn: number, amf: Uint8Array): Uint8Array {
  const round = m.withRand(rand);
  const s = uintBE(sqn, 6);
  const ak = round.f2345().ak;
  return concat(
    s.map((b, i) => b ^ ak[i]!),
    amf,
    round.f1(s, amf),
  );
}

const cmd3g = (rand: Uint8Array, a: Uint8Array) => ({
  p1: 0,
  p2: 0x81,
  data: concat(Uint8Array.of(16), rand, Uint8Array.of(16), a),
});

function stateWith(sqns: number[], config = {}): SqnState {
  let s = initialSqnState(config);
  for (const q of sqns) {
    const r = checkSqn(s, q);
    if (!r.ok) throw new Error('bad fixture');
    s = r.next;
  }
  return s;
}

/** Checks an AUTS the way the AuC does and returns the SQN_MS it carries. */
function openAuts(m: Milenage, rand: Uint8Array, res: AuthenticateResult): number {
  expect(res.sw).toBe(SW.OK);
  expect(res.sqnState).toBeUndefined();
  expect(res.data![0]).toBe(0xdc);
  expect(res.data![1]).toBe(14);
  const auts = res.data!.subarray(2);
  expect(auts).toHaveLength(14);
  const round = m.withRand(rand);
  const akStar = round.f5star();
  const ms = auts.subarray(0, 6).map((b, i) => b ^ akStar[i]!);
  expect(hex(auts.subarray(6))).toBe(hex(round.f1star(ms, new Uint8Array(2))));
  return readUintBE(ms, 0, 6);
}

describe('AUTHENTICATE 3G context with the TS 35.207/35.208 test sets', () => {
  for (const v of MILENAGE_VECTORS) {
    it(`set ${v.set}: DB RES CK IK Kc, and the new SQN state`, () => {
      const keys: SubscriberKeys = { algorithm: 'milenage', k: fromHex(v.k), opc: fromHex(v.opc) };
      const m = createMilenage({ k: keys.k, opc: keys.opc! });
      const rand = fromHex(v.rand);
      const a = autn(m, rand, readUintBE(fromHex(v.sqn)), fromHex(v.amf));
      // AUTN from the published values: SQN ⊕ AK ‖ AMF ‖ MAC-A
      expect(hex(a)).toBe(
        hex(
          concat(
            fromHex(v.sqn).map((b, i) => b ^ fromHex(v.f5)[i]!),
            fromHex(v.amf),
            fromHex(v.f1),
          ),
        ),
      );
      const state = initialSqnState(WIDE);
      const r = authenticate(cmd3g(rand, a), keys, state, GSM);
      expect(r.sw).toBe(SW.OK);
      const kc = gsmFromUmts(fromHex(v.f2), fromHex(v.f3), fromHex(v.f4)).kc;
      expect(hex(r.data)).toBe(`db08${v.f2}10${v.f3}10${v.f4}08${hex(kc)}`);
      expect(sqnMs(r.sqnState!)).toBe(readUintBE(fromHex(v.sqn)));
      // Without GSM access there is no Kc.
      const n = authenticate(cmd3g(rand, a), keys, state, NO_GSM);
      expect(hex(n.data)).toBe(`db08${v.f2}10${v.f3}10${v.f4}`);
    });
  }

  const v1 = MILENAGE_VECTORS[0]!;
  const keys1: SubscriberKeys = { algorithm: 'milenage', k: fromHex(v1.k), opc: fromHex(v1.opc) };
  const m1 = createMilenage({ k: keys1.k, opc: keys1.opc! });
  const rand1 = fromHex(v1.rand);

  it('reproduces the worked example of TS 35.208 test set 1, command and answer bytes', () => {
    const command = fromHex('10 23553cbe9637a89d218ae64dae47bf35 10 55f328b43577b9b94a9ffac354dfafb3');
    const r = authenticate({ p1: 0, p2: 0x81, data: command }, keys1, initialSqnState(WIDE), GSM);
    expect(r.sw).toBe(0x9000);
    expect(hex(r.data)).toBe(
      'db08a54211d5e3ba50bf10b40ba9a3c58b2a05bbf0d987b21bf8cb10f769bcd751044604127672711c6d344108eae4be823af9a08b',
    );
  });

  it('answers DC AUTS with SQN_MS = 000000000020 exactly as the worked example', () => {
    const state = stateWith([0x20]);
    const a = autn(m1, rand1, readUintBE(fromHex(v1.sqn)), fromHex(v1.amf));
    const r = authenticate(cmd3g(rand1, a), keys1, state, GSM);
    expect(r.sw).toBe(SW.OK);
    expect(hex(r.data)).toBe('dc0e451e8beca41bf8ee589d46d835c9');
    expect(r.sqnState).toBeUndefined();
  });

  it('works with an OP (not OPc) record', () => {
    const keys: SubscriberKeys = { algorithm: 'milenage', k: fromHex(v1.k), op: fromHex(v1.op) };
    const a = autn(m1, rand1, 0x40, fromHex('8000'));
    const r = authenticate(cmd3g(rand1, a), keys, initialSqnState(), GSM);
    expect(hex(r.data?.subarray(0, 10))).toBe(`db08${v1.f2}`);
  });

  it('works with own Milenage constants', () => {
    const constants: MilenageConstants = {
      r: [7, 13, 40, 100, 127],
      c: [1, 2, 3, 4, 5].map((i) => new Uint8Array(16).fill(i)) as unknown as MilenageConstants['c'],
    };
    const keys: SubscriberKeys = { algorithm: 'milenage', k: fromHex(v1.k), opc: fromHex(v1.opc), constants };
    const m = createMilenage({ k: keys.k, opc: keys.opc! }, constants);
    const r = authenticate(cmd3g(rand1, autn(m, rand1, 0x40, fromHex('8000'))), keys, initialSqnState(), GSM);
    expect(r.sw).toBe(SW.OK);
    expect(hex(r.data?.subarray(2, 10))).toBe(hex(m.f2345(rand1).res));
    // The standard-constant AUTN is refused by this subscriber.
    expect(
      authenticate(cmd3g(rand1, autn(m1, rand1, 0x40, fromHex('8000'))), keys, initialSqnState(), GSM).sw,
    ).toBe(SW.AUTH_MAC_FAILURE);
  });

  describe('MAC and SQN checks', () => {
    it('a wrong MAC answers 9862 with no data and no state change', () => {
      const state = stateWith([0x20]);
      const before = [...state.seqMs];
      for (const byte of [0, 6, 8, 15]) {
        const a = autn(m1, rand1, 0x40, fromHex('8000'));
        a[byte]! ^= 0x01; // SQN (changes the MAC input), AMF, or MAC itself
        const r = authenticate(cmd3g(rand1, a), keys1, state, GSM);
        expect(r).toEqual({ sw: SW.AUTH_MAC_FAILURE });
      }
      expect(state.seqMs).toEqual(before);
    });

    it('checks the MAC before the SQN: a replay with a bad MAC is 9862, not a sync failure', () => {
      const a = autn(m1, rand1, 0x20, fromHex('8000'));
      a[15]! ^= 0x80;
      expect(authenticate(cmd3g(rand1, a), keys1, stateWith([0x20]), GSM).sw).toBe(SW.AUTH_MAC_FAILURE);
    });

    it('a replayed AUTN gets DC AUTS carrying SQN_MS', () => {
      const a = autn(m1, rand1, 0x41, fromHex('8000'));
      const first = authenticate(cmd3g(rand1, a), keys1, initialSqnState(), GSM);
      expect(first.sw).toBe(SW.OK);
      expect(first.data![0]).toBe(0xdb);
      const again = authenticate(cmd3g(rand1, a), keys1, first.sqnState!, GSM);
      expect(openAuts(m1, rand1, again)).toBe(0x41);
    });

    it('a SEQ lower than SEQ_MS is accepted in another IND slot (Annex C.2.2)', () => {
      let state = stateWith([100 * 32 + 1]); // SEQ 100 in IND 1
      const older = autn(m1, rand1, 50 * 32 + 2, fromHex('8000')); // SEQ 50 in IND 2
      const r = authenticate(cmd3g(rand1, older), keys1, state, GSM);
      expect(r.sw).toBe(SW.OK);
      expect(r.data![0]).toBe(0xdb);
      state = r.sqnState!;
      expect(state.seqMs[2]).toBe(50);
      expect(sqnMs(state)).toBe(100 * 32 + 1);
      // ...but not in its own slot.
      const same = autn(m1, rand1, 99 * 32 + 1, fromHex('8000'));
      expect(openAuts(m1, rand1, authenticate(cmd3g(rand1, same), keys1, state, GSM))).toBe(100 * 32 + 1);
    });

    it('a jump beyond Δ is a sync failure (Annex C.2.1)', () => {
      const state = stateWith([10 * 32], { delta: 100 });
      const ok = authenticate(
        cmd3g(rand1, autn(m1, rand1, 110 * 32 + 3, fromHex('8000'))),
        keys1,
        state,
        GSM,
      );
      expect(ok.data![0]).toBe(0xdb);
      const far = authenticate(
        cmd3g(rand1, autn(m1, rand1, 111 * 32 + 3, fromHex('8000'))),
        keys1,
        state,
        GSM,
      );
      expect(openAuts(m1, rand1, far)).toBe(10 * 32);
    });

    it('a SEQ older than the age limit L is a sync failure (Annex C.2.2)', () => {
      const state = stateWith([1000 * 32 + 4], { ageLimit: 16 });
      const young = authenticate(cmd3g(rand1, autn(m1, rand1, 985 * 32, fromHex('8000'))), keys1, state, GSM);
      expect(young.data![0]).toBe(0xdb);
      const old = authenticate(cmd3g(rand1, autn(m1, rand1, 984 * 32, fromHex('8000'))), keys1, state, GSM);
      expect(openAuts(m1, rand1, old)).toBe(1000 * 32 + 4);
    });

    it('AUTS from an empty state carries SQN_MS = 0', () => {
      const state = initialSqnState({ delta: 5 });
      const r = authenticate(cmd3g(rand1, autn(m1, rand1, 6 * 32, fromHex('8000'))), keys1, state, GSM);
      expect(openAuts(m1, rand1, r)).toBe(0);
    });
  });

  describe('GSM context (P2 = 80)', () => {
    it('answers 04 SRES 08 Kc (TS 55.205 set 1 values) without touching SQN', () => {
      const r = authenticate(
        { p1: 0, p2: 0x80, data: concat(Uint8Array.of(16), rand1) },
        keys1,
        initialSqnState(),
        GSM,
      );
      expect(r).toEqual({ sw: SW.OK, data: fromHex('04 46f8416a 08 eae4be823af9a08b') });
    });

    it('is refused with 9864 when GSM access is off', () => {
      const r = authenticate(
        { p1: 0, p2: 0x80, data: concat(Uint8Array.of(16), rand1) },
        keys1,
        initialSqnState(),
        NO_GSM,
      );
      expect(r).toEqual({ sw: SW.AUTH_CONTEXT_NOT_SUPPORTED });
    });

    it('checks Lc and the length byte', () => {
      const s = initialSqnState();
      expect(authenticate({ p1: 0, p2: 0x80, data: rand1 }, keys1, s, GSM).sw).toBe(SW.WRONG_LENGTH);
      expect(
        authenticate(
          { p1: 0, p2: 0x80, data: concat(Uint8Array.of(16), rand1, Uint8Array.of(0)) },
          keys1,
          s,
          GSM,
        ).sw,
      ).toBe(SW.WRONG_LENGTH);
      expect(
        authenticate({ p1: 0, p2: 0x80, data: concat(Uint8Array.of(15), rand1) }, keys1, s, GSM).sw,
      ).toBe(SW.WRONG_DATA);
    });
  });

  describe('malformed commands', () => {
    const s = initialSqnState();
    const good = cmd3g(rand1, autn(m1, rand1, 0x40, fromHex('8000')));

    it('P1 other than 00 -> 6A86', () => {
      for (const p1 of [0x01, 0x80, 0xff])
        expect(authenticate({ ...good, p1 }, keys1, s, GSM).sw).toBe(SW.INCORRECT_P1P2);
    });

    it('P2 with b8 = 0, b7..b4 set or an RFU context -> 6A86', () => {
      for (const p2 of [0x00, 0x01, 0x81 | 0x08, 0x81 | 0x40, 0x83, 0x87, 0x100 | 0x81, -1]) {
        expect(authenticate({ ...good, p2 }, keys1, s, GSM).sw).toBe(SW.INCORRECT_P1P2);
      }
    });

    it('defined contexts this USIM does not run (VGCS/VBS, GBA, MBMS, local key) -> 9864', () => {
      for (const p2 of [0x82, 0x84, 0x85, 0x86])
        expect(authenticate({ ...good, p2 }, keys1, s, GSM).sw).toBe(SW.AUTH_CONTEXT_NOT_SUPPORTED);
    });

    it('Lc other than 34 -> 6700', () => {
      for (const data of [
        new Uint8Array(0),
        good.data.subarray(0, 33),
        concat(good.data, Uint8Array.of(0)),
        good.data.subarray(0, 17),
      ]) {
        expect(authenticate({ ...good, data }, keys1, s, GSM).sw).toBe(SW.WRONG_LENGTH);
      }
    });

    it('length bytes other than 10 -> 6A80', () => {
      for (const at of [0, 17]) {
        const data = good.data.slice();
        data[at] = 0x0f;
        expect(authenticate({ ...good, data }, keys1, s, GSM).sw).toBe(SW.WRONG_DATA);
      }
    });

    it('an unusable key record or SQN state from the caller -> 6F00, never an exception', () => {
      const broken = {
        algorithm: 'milenage',
        k: new Uint8Array(5),
        opc: new Uint8Array(16),
      } as SubscriberKeys;
      expect(authenticate(good, broken, s, GSM).sw).toBe(SW.TECHNICAL_PROBLEM);
      expect(authenticate({ ...good, p2: 0x80, data: good.data.subarray(0, 17) }, broken, s, GSM).sw).toBe(
        SW.TECHNICAL_PROBLEM,
      );
      expect(authenticate(good, keys1, {} as SqnState, GSM).sw).toBe(SW.TECHNICAL_PROBLEM);
    });

    it('never throws, whatever the terminal sends', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 255 }),
          fc.integer({ min: 0, max: 255 }),
          fc.uint8Array({ maxLength: 60 }),
          (p1, p2, data) => {
            const r = authenticate({ p1, p2, data }, keys1, s, GSM);
            expect(typeof r.sw).toBe('number');
            if (r.sw !== SW.OK) expect(r.data).toBeUndefined();
          },
        ),
        { numRuns: 2000 },
      );
    });
  });
});
