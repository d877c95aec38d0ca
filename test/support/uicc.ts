// Test helpers: a fresh emulated card from the default profile, and a terse way to talk to it.

import { dataOf, swOf } from '../../card-os/apdu.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { type CardOs, createCard } from '../../card-os/card.js';
import { openCard } from '../../host/card-factory.js';

export function newCard(opts: { protocol?: 0 | 1; profile?: string } = {}): CardOs {
  const card = openCard({ profile: opts.profile }).card;
  if (opts.protocol !== undefined) card.protocol = opts.protocol;
  return card;
}

export interface Answer {
  sw: string;
  data: string;
}

/** Sends hex, returns SW and data as upper-case hex. */
export function tx(card: CardOs, hex: string): Answer {
  const r = card.transmit(fromHex(hex));
  return { sw: swOf(r).toString(16).toUpperCase().padStart(4, '0'), data: toHex(dataOf(r)) };
}

/** Sends a command and, under T=0, collects the data with GET RESPONSE. */
export function txData(card: CardOs, hex: string): Answer {
  const a = tx(card, hex);
  if (a.sw.startsWith('61')) return tx(card, `00C00000${a.sw.slice(2)}`);
  return a;
}

export const PIN1 = '31323334FFFFFFFF';
export const ADM1 = '3132333435363738';
export const USIM_AID = 'A0000000871002';

/** A card from the default profile with some NVM records of the template replaced (e.g. other keys). */
export function newCardWith(records: Record<string, Uint8Array>, opts: { protocol?: 0 | 1 } = {}): CardOs {
  const base = openCard();
  const nvm = new Map(base.card.spec.nvm);
  for (const [k, v] of Object.entries(records)) nvm.set(k, v);
  const card = createCard({ ...base.card.spec, nvm }, { applets: base.card.applets });
  if (opts.protocol !== undefined) card.protocol = opts.protocol;
  return card;
}
