// The recorder's in-memory buffer, built for the hot path: per exchange it copies the bytes into one
// growing arena and the times and offsets into typed arrays, so recording allocates nothing per APDU
// (a Uint8Array per command and response would cost more than the card's own work). drain() turns the
// buffer into RawEvent objects, in order, when the trace is written.

import type { Bytes } from '../../card-os/bytes.js';
import type { RawEvent } from './model.js';

const EXCHANGE = 0;
const OTHER = 1;

export class RawStore {
  private arena = new Uint8Array(1 << 16);
  private used = 0;
  private kinds = new Uint8Array(1024);
  /** Per event: start time and duration (exchanges) or time (others). */
  private times = new Float64Array(2048);
  /** Per event: command offset, command length, response offset, response length; or index in `others`. */
  private offs = new Int32Array(4096);
  private n = 0;
  private others: RawEvent[] = [];

  get length(): number {
    return this.n;
  }

  private slot(): number {
    if (this.n === this.kinds.length) {
      const grow = <T extends Uint8Array | Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.kinds = grow(this.kinds, (k) => new Uint8Array(k));
      this.times = grow(this.times, (k) => new Float64Array(k));
      this.offs = grow(this.offs, (k) => new Int32Array(k));
    }
    return this.n++;
  }

  private put(b: Bytes): number {
    const len = b.length;
    if (this.used + len > this.arena.length) {
      const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.used + len));
      bigger.set(this.arena.subarray(0, this.used));
      this.arena = bigger;
    }
    const at = this.used;
    const a = this.arena;
    // APDUs are short: a plain loop beats TypedArray.set's call overhead here.
    for (let i = 0; i < len; i++) a[at + i] = b[i]!;
    this.used = at + len;
    return at;
  }

  exchange(command: Bytes, response: Bytes, t: number, ms: number): void {
    const s = this.slot();
    this.kinds[s] = EXCHANGE;
    this.times[2 * s] = t;
    this.times[2 * s + 1] = ms;
    const o = 4 * s;
    this.offs[o] = this.put(command);
    this.offs[o + 1] = command.length;
    this.offs[o + 2] = this.put(response);
    this.offs[o + 3] = response.length;
  }

  /** Resets and notes (rare): kept as objects, in sequence with the exchanges. */
  other(e: RawEvent): void {
    const s = this.slot();
    this.kinds[s] = OTHER;
    this.offs[4 * s] = this.others.length;
    this.others.push(e);
  }

  /** Everything recorded since the last drain, as events; empties the store. */
  drain(): RawEvent[] {
    const out: RawEvent[] = new Array(this.n);
    for (let s = 0; s < this.n; s++) {
      const o = 4 * s;
      if (this.kinds[s] === OTHER) {
        out[s] = this.others[this.offs[o]!]!;
        continue;
      }
      const c = this.offs[o]!;
      const r = this.offs[o + 2]!;
      out[s] = {
        kind: 'exchange',
        t: this.times[2 * s]!,
        ms: this.times[2 * s + 1]!,
        command: this.arena.slice(c, c + this.offs[o + 1]!),
        response: this.arena.slice(r, r + this.offs[o + 3]!),
      };
    }
    this.clear();
    return out;
  }

  /** Forgets everything recorded (a recorder with nowhere to write). */
  clear(): void {
    this.n = 0;
    this.used = 0;
    this.others = [];
  }
}
