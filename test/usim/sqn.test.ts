import { describe, expect, it } from 'vitest';
import {
  checkSqn,
  DEFAULT_SQN_CONFIG,
  decodeSqnState,
  encodeSqnState,
  initialSqnState,
  type SqnState,
  splitSqn,
  sqnConfigProblem,
  sqnMs,
} from '../../applets/aka/sqn.js';
import { toHex } from '../../card-os/bytes.js';

const sqnOf = (seq: number, ind: number, indBits = 5) => seq * 2 ** indBits + ind;

function accept(state: SqnState, sqn: number): SqnState {
  const r = checkSqn(state, sqn);
  if (!r.ok) throw new Error(`rejected ${sqn}: ${r.reason}`);
  return r.next;
}

describe('SQN = SEQ ‖ IND (TS 33.102 Annex C)', () => {
  it('defaults: IND 5 bits, Δ = 2^28, no age limit', () => {
    expect(DEFAULT_SQN_CONFIG).toEqual({ indBits: 5, delta: 2 ** 28, ageLimit: undefined });
    const s = initialSqnState();
    expect(s.seqMs).toHaveLength(32);
    expect(s.seqMs.every((x) => x === 0)).toBe(true);
    expect(sqnMs(s)).toBe(0);
  });

  it('splits SEQ and IND', () => {
    expect(splitSqn(0xff9bb4d0b607, 5)).toEqual({ seq: Math.floor(0xff9bb4d0b607 / 32), ind: 7 });
    expect(splitSqn(0x20, 5)).toEqual({ seq: 1, ind: 0 });
    expect(splitSqn(12345, 0)).toEqual({ seq: 12345, ind: 0 });
  });

  it('accepts increasing SEQ in one slot and rejects a replay or an older one there (C.2.2)', () => {
    let s = initialSqnState();
    s = accept(s, sqnOf(1, 3));
    s = accept(s, sqnOf(2, 3));
    expect(checkSqn(s, sqnOf(2, 3))).toEqual({ ok: false, reason: 'replay' });
    expect(checkSqn(s, sqnOf(1, 3))).toEqual({ ok: false, reason: 'replay' });
    expect(checkSqn(s, sqnOf(0, 3))).toEqual({ ok: false, reason: 'replay' });
  });

  it('accepts a SEQ lower than SEQ_MS when its own IND slot is older (C.2.2, signed C.2.1 difference)', () => {
    let s = initialSqnState();
    s = accept(s, sqnOf(100, 1));
    s = accept(s, sqnOf(50, 2));
    expect(s.seqMs[1]).toBe(100);
    expect(s.seqMs[2]).toBe(50);
    expect(checkSqn(s, sqnOf(49, 2)).ok).toBe(false);
  });

  it('does not change the state it was given', () => {
    const s = initialSqnState();
    const r = checkSqn(s, sqnOf(1, 0));
    expect(r.ok).toBe(true);
    expect(s.seqMs[0]).toBe(0);
  });

  it('SQN_MS is the highest accepted SQN anywhere in the array (SEQ_MS(i) ‖ i)', () => {
    let s = initialSqnState();
    s = accept(s, sqnOf(7, 4));
    s = accept(s, sqnOf(9, 2));
    s = accept(s, sqnOf(8, 30));
    expect(sqnMs(s)).toBe(sqnOf(9, 2));
    s = accept(s, sqnOf(9, 5));
    expect(sqnMs(s)).toBe(sqnOf(9, 5));
  });

  it('wrap-around limit Δ (C.2.1): SEQ − SEQ_MS ≤ Δ', () => {
    let s = initialSqnState({ delta: 1000 });
    s = accept(s, sqnOf(10, 0));
    expect(checkSqn(s, sqnOf(1011, 1))).toEqual({ ok: false, reason: 'delta' });
    expect(checkSqn(s, sqnOf(1010, 1)).ok).toBe(true);
    // From zero: the first SEQ may be at most Δ.
    const z = initialSqnState({ delta: 1000 });
    expect(checkSqn(z, sqnOf(1000, 0)).ok).toBe(true);
    expect(checkSqn(z, sqnOf(1001, 0)).ok).toBe(false);
    // The default Δ = 2^28.
    const d = initialSqnState();
    expect(checkSqn(d, sqnOf(2 ** 28, 0)).ok).toBe(true);
    expect(checkSqn(d, sqnOf(2 ** 28 + 1, 0))).toEqual({ ok: false, reason: 'delta' });
  });

  it('age limit L (C.2.2): SEQ_MS − SEQ < L, checked before freshness', () => {
    let s = initialSqnState({ ageLimit: 10 });
    s = accept(s, sqnOf(100, 0));
    expect(checkSqn(s, sqnOf(91, 1)).ok).toBe(true);
    expect(checkSqn(s, sqnOf(90, 1))).toEqual({ ok: false, reason: 'age' });
    // Without L the same old SEQ is fresh in its slot.
    let n = initialSqnState();
    n = accept(n, sqnOf(100, 0));
    expect(checkSqn(n, sqnOf(1, 1)).ok).toBe(true);
  });

  it('IND of other lengths, including none', () => {
    let s = initialSqnState({ indBits: 0 });
    expect(s.seqMs).toHaveLength(1);
    s = accept(s, 5);
    expect(checkSqn(s, 5).ok).toBe(false);
    expect(sqnMs(s)).toBe(5);
    let t = initialSqnState({ indBits: 3 });
    t = accept(t, sqnOf(4, 7, 3));
    expect(sqnMs(t)).toBe(4 * 8 + 7);
  });

  it('rejects SQN values that are no 48-bit integers', () => {
    const s = initialSqnState();
    for (const bad of [-1, 2 ** 48, 1.5, Number.NaN])
      expect(checkSqn(s, bad)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('validates configs', () => {
    expect(sqnConfigProblem(DEFAULT_SQN_CONFIG)).toBeUndefined();
    expect(sqnConfigProblem({ indBits: 11, delta: 1 })).toMatch(/indBits/);
    expect(sqnConfigProblem({ indBits: 5, delta: 0 })).toMatch(/delta/);
    expect(sqnConfigProblem({ indBits: 5, delta: 2 ** 43 })).toMatch(/delta/);
    expect(sqnConfigProblem({ indBits: 5, delta: 5, ageLimit: 0 })).toMatch(/ageLimit/);
    expect(() => initialSqnState({ indBits: -1 })).toThrow(RangeError);
  });
});

describe('SQN state NVM encoding', () => {
  it('round-trips, with and without L', () => {
    let s = initialSqnState({ delta: 2 ** 43 - 1 });
    s = accept(s, sqnOf(2 ** 43 - 1, 31));
    s = accept(s, sqnOf(123456789, 0));
    const bytes = encodeSqnState(s);
    expect(bytes).toHaveLength(15 + 32 * 6);
    // version, indBits, Δ, L flag, L, then SEQ_MS(0) = 123456789 and SEQ_MS(31) = 2^43 − 1
    expect(toHex(bytes.subarray(0, 21))).toBe(`0105${'07FFFFFFFFFF'}00${'000000000000'}${'0000075BCD15'}`);
    expect(toHex(bytes.subarray(15 + 31 * 6))).toBe('07FFFFFFFFFF');
    expect(decodeSqnState(bytes)).toEqual(s);
    const l = initialSqnState({ indBits: 2, delta: 77, ageLimit: 9 });
    expect(decodeSqnState(encodeSqnState(l))).toEqual(l);
  });

  it('returns undefined for malformed bytes', () => {
    const good = encodeSqnState(initialSqnState());
    const mutate = (f: (b: Uint8Array) => void) => {
      const b = good.slice();
      f(b);
      return b;
    };
    expect(decodeSqnState(new Uint8Array(0))).toBeUndefined();
    expect(decodeSqnState(good.subarray(0, good.length - 1))).toBeUndefined();
    expect(decodeSqnState(mutate((b) => (b[0] = 2)))).toBeUndefined(); // version
    expect(decodeSqnState(mutate((b) => (b[1] = 4)))).toBeUndefined(); // slot count does not match length
    expect(decodeSqnState(mutate((b) => (b[1] = 11)))).toBeUndefined(); // indBits out of range
    expect(decodeSqnState(mutate((b) => b.fill(0, 2, 8)))).toBeUndefined(); // Δ = 0
    expect(decodeSqnState(mutate((b) => (b[8] = 2)))).toBeUndefined(); // L flag
    expect(decodeSqnState(mutate((b) => (b[14] = 1)))).toBeUndefined(); // L value without the flag
    expect(decodeSqnState(mutate((b) => (b[15] = 0xff)))).toBeUndefined(); // SEQ_MS(0) ≥ 2^43
    expect(decodeSqnState('nope' as unknown as Uint8Array)).toBeUndefined();
  });
});

describe('updateSqnRecord', async () => {
  const { checkSqn, decodeSqnState, encodeSqnState, initialSqnState, updateSqnRecord } = await import(
    '../../applets/aka/sqn.js'
  );
  it('gives the same bytes as a full encode', () => {
    let s = initialSqnState();
    let rec = encodeSqnState(s);
    for (const sqn of [0x21, 0x42, 0x3f, 0x1000, 0x61]) {
      const r = checkSqn(s, sqn);
      if (!r.ok) continue;
      rec = updateSqnRecord(rec, s, r.next);
      s = r.next;
      expect(rec).toEqual(encodeSqnState(s));
      expect(decodeSqnState(rec)).toEqual(s);
    }
  });
});
