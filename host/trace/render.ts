// Turns raw events into what trace files hold: secrets masked, meaning decoded. Runs when a trace is
// written, not while it is recorded, and must see every event in order (channel state, T=0 chains).

import { type Bytes, toHex } from '../../card-os/bytes.js';
import { ChainTracker } from './chain.js';
import { TraceDescriber } from './describe.js';
import { MASK_BYTE, type RawEvent, type Redaction, type RenderedEvent } from './model.js';
import { exchangeSecrets, keyFileBySfi } from './redact.js';

/** A copy of `b` with the given ranges overwritten by MASK_BYTE. */
export function mask(b: Bytes, ranges: readonly Redaction[], side: Redaction['in']): Bytes {
  let out = b;
  for (const r of ranges) {
    if (r.in !== side) continue;
    if (out === b) out = b.slice();
    out.fill(MASK_BYTE, r.at, r.at + r.len);
  }
  return out;
}

/** Hex with "**" for each masked byte: the JSONL and show form of a masked APDU. */
export function maskedHex(b: Bytes, ranges: readonly Redaction[], side: Redaction['in']): string {
  const own = ranges.filter((r) => r.in === side);
  if (own.length === 0) return toHex(b);
  let s = '';
  for (let i = 0; i < b.length; i++)
    s += own.some((r) => i >= r.at && i < r.at + r.len) ? '**' : toHex(b.subarray(i, i + 1));
  return s;
}

export class TraceRenderer {
  private next: number;

  /** Events are numbered from `first` (1 in files: 0 is the ATR at the start, docs/traces.md). */
  constructor(first = 1) {
    this.next = first;
  }
  private readonly chains = new ChainTracker(keyFileBySfi);
  private readonly describer = new TraceDescriber();
  /** Event number of each command, for GET RESPONSE pieces to point at. */
  private readonly numbers = new WeakMap<Bytes, number>();

  render(e: RawEvent): RenderedEvent {
    const i = this.next++;
    switch (e.kind) {
      case 'note':
        return { kind: 'note', i, t: e.t, text: e.text };
      case 'reset':
        // A reset closes every channel and forgets the selection (TS 102 221 §6.2).
        this.chains.reset();
        this.describer.reset();
        return { kind: 'reset', i, t: e.t, atr: e.atr };
      case 'exchange': {
        const ctx = this.chains.observe(e.command, e.response);
        this.numbers.set(e.command, i);
        const origin = ctx.origin === e.command ? undefined : this.numbers.get(ctx.origin);
        const redactions = exchangeSecrets(e.command, e.response, ctx);
        const command = mask(e.command, redactions, 'command');
        const response = mask(e.response, redactions, 'response');
        const m = this.describer.describe(command, response, ctx, redactions);
        const n = response.length;
        const sw = n >= 2 ? (response[n - 2]! << 8) | response[n - 1]! : 0;
        return {
          kind: 'exchange',
          ...{
            i,
            t: e.t,
            ms: e.ms,
            channel: ctx.channel,
            command,
            response,
            redactions,
            origin,
            offset: ctx.offset,
            sw,
          },
          ...m,
        };
      }
    }
  }
}
