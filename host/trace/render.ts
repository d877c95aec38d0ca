// Turns raw events into what trace files hold: secrets masked, meaning decoded. Runs when a trace is
// written, not while it is recorded, and must see every event in order (channel state, T=0 chains).

import type { Bytes } from '../../card-os/bytes.js';
import { ChainTracker } from './chain.js';
import { TraceDescriber } from './describe.js';
import type { RawEvent, RenderedEvent } from './model.js';
import { exchangeSecrets, keyFileBySfi, mask } from './redact.js';
import { SecretNamer } from './secret-names.js';

export { mask, maskedHex } from './redact.js';

export class TraceRenderer {
  private next: number;

  /** Events are numbered from `first` (1 in files: 0 is the ATR at the start, docs/traces.md). */
  constructor(first = 1) {
    this.next = first;
  }
  private readonly chains = new ChainTracker(keyFileBySfi);
  private readonly describer = new TraceDescriber();
  private readonly names = new SecretNamer();
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
        const redactions = this.names.nameAll(e.command, exchangeSecrets(e.command, e.response, ctx));
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
