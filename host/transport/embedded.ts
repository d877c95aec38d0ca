// The embedded emulator as a transport: the card runs in this process, no reader, no daemon.

import type { Bytes } from '../../card-os/bytes.js';
import type { CardOs } from '../../card-os/card.js';
import type { ExchangeRecorder, Transport } from './transport.js';

export interface EmbeddedOptions {
  /** Called after an exchange or reset that changed the card's NVM (e.g. to save the card image). */
  onChange?: (card: CardOs) => void;
}

export function embeddedTransport(card: CardOs, opts: EmbeddedOptions = {}): Transport {
  let steps = card.nvm.steps;
  const changed = () => {
    if (opts.onChange && card.nvm.steps !== steps) {
      steps = card.nvm.steps;
      opts.onChange(card);
    }
  };
  let recorder: ExchangeRecorder | undefined;
  return {
    name: 'embedded',
    async transmit(command: Bytes) {
      const r = card.transmit(command);
      recorder?.exchangeNow(command, r);
      changed();
      return r;
    },
    async reset() {
      const atr = card.reset();
      recorder?.reset(atr);
      changed();
      return atr;
    },
    record(r) {
      recorder = r;
    },
    atr: () => card.atr(),
    async close() {},
  };
}
