import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { Nvm, PowerLoss } from '../../card-os/nvm.js';

const base = new Map([
  ['a', fromHex('01')],
  ['b', fromHex('02')],
]);

describe('NVM with journaled transactions', () => {
  it('reads through to the shared template and copies on write', () => {
    const n = new Nvm(base);
    expect(toHex(n.get('a')!)).toBe('01');
    n.set('a', fromHex('11'));
    expect(toHex(n.get('a')!)).toBe('11');
    expect(toHex(base.get('a')!)).toBe('01');
    expect(n.ownCount).toBe(1);
    n.delete('b');
    expect(n.get('b')).toBeUndefined();
    expect(n.keys().sort()).toEqual(['a']);
  });

  it('a transaction that throws leaves nothing behind', () => {
    const n = new Nvm(base);
    expect(() =>
      n.transaction(() => {
        n.set('a', fromHex('AA'));
        expect(toHex(n.get('a')!)).toBe('AA'); // reads see staged writes
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(toHex(n.get('a')!)).toBe('01');
  });

  it('power loss at every physical step leaves all-old or all-new after recovery', () => {
    // Count the steps of one transaction.
    const probe = new Nvm(base);
    const before = probe.steps;
    probe.transaction(() => {
      probe.set('a', fromHex('AA'));
      probe.set('b', fromHex('BB'));
      probe.set('c', fromHex('CC'));
    });
    const total = probe.steps - before;
    expect(total).toBe(6); // journal, commit mark, three records, journal clear
    const outcomes = new Set<string>();
    for (let k = 1; k <= total; k++) {
      const n = new Nvm(base);
      n.powerHook = (step) => {
        if (step === k) throw new PowerLoss(step);
      };
      expect(() =>
        n.transaction(() => {
          n.set('a', fromHex('AA'));
          n.set('b', fromHex('BB'));
          n.set('c', fromHex('CC'));
        }),
      ).toThrow(PowerLoss);
      const after = Nvm.restore(base, n.snapshot());
      const state = ['a', 'b', 'c'].map((x) => (after.get(x) ? toHex(after.get(x)!) : '-')).join(',');
      outcomes.add(state);
      expect(['01,02,-', 'AA,BB,CC']).toContain(state);
    }
    // Early losses roll back, late ones roll forward: both outcomes occur.
    expect(outcomes.size).toBe(2);
  });

  it('nested transactions join the outer one', () => {
    const n = new Nvm(base);
    n.transaction(() => {
      n.set('a', fromHex('AA'));
      n.transaction(() => n.set('b', fromHex('BB')));
      expect(n.inTransaction).toBe(true);
    });
    expect(toHex(n.get('b')!)).toBe('BB');
  });
});
