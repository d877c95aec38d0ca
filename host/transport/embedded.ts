// The embedded emulator as a transport: the card runs in this process, no reader, no daemon.

import type { Bytes } from '../../card-os/bytes.js';
import type { CardOs } from '../../card-os/card.js';
import type { ExchangeRecorder, Transport } from './transport.js';

/** What the transport needs of an in-process card (a card OS, or an eUICC of several). */
export type EmbeddedCard = Pick<CardOs, 'nvm' | 'transmit' | 'reset' | 'atr'> & {
  /** NVM write steps of every NVM the card has (an eUICC has one per profile); default `nvm.steps`. */
  readonly writeSteps?: number;
};

const stepsOf = (card: EmbeddedCard) => card.writeSteps ?? card.nvm.steps;

export interface EmbeddedOptions<C extends EmbeddedCard = CardOs> {
  /** Called after an exchange or reset that changed the card's NVM (e.g. to save the card image). */
  onChange?: (card: C) => void;
}

export function embeddedTransport<C extends EmbeddedCard = CardOs>(
  card: C,
  opts: EmbeddedOptions<C> = {},
): Transport {
  let steps = stepsOf(card);
  const changed = () => {
    if (opts.onChange && stepsOf(card) !== steps) {
      steps = stepsOf(card);
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
