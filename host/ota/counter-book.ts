// The OTA server's replay counters: one per card (ICCID) and TAR, the value the next command packet should
// carry so that the card's counter check (TS 102 225 §5.1.1, SPI1 b5b4 = 10 or 11) accepts it.

import { CNTR_MAX } from '../../applets/ota/counter.js';

export class CounterBook {
  private readonly last = new Map<string, number>();

  constructor(initial?: Iterable<[string, number]>) {
    if (initial) for (const [k, v] of initial) this.last.set(k, v);
  }

  private static key(iccid: string, tar: number): string {
    return `${iccid}/${tar.toString(16).padStart(6, '0')}`;
  }

  /** The last counter used for this card and TAR (0 if none). */
  get(iccid: string, tar: number): number {
    return this.last.get(CounterBook.key(iccid, tar)) ?? 0;
  }

  /** Records a counter value, e.g. after resynchronising from a PoR or the card's records. */
  set(iccid: string, tar: number, value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > CNTR_MAX) throw new RangeError('CNTR out of range');
    this.last.set(CounterBook.key(iccid, tar), value);
  }

  /** Takes the next counter value (last + 1). Throws once the counter would pass its maximum. */
  next(iccid: string, tar: number): number {
    const n = this.get(iccid, tar) + 1;
    this.set(iccid, tar, n);
    return n;
  }

  /** All entries, "iccid/tar" -> last counter, for saving. */
  entries(): [string, number][] {
    return [...this.last];
  }
}
