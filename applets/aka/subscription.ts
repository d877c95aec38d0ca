// The AKA subscription an application authenticates with (USIM, TS 31.102 §7.1.2; ISIM, TS 31.103
// §7.1.2): subscriber keys and SQN handling parameters as a profile gives them, and the two NVM records
// they personalise into (the key record is a secret: no command reads it).

import type { Bytes } from '../../card-os/bytes.js';
import { encodeSqnState, initialSqnState, type SqnConfig } from './sqn.js';
import { encodeSubscriberKeys, type SubscriberKeys } from './subscriber-keys.js';

/**
 * NVM records of the subscription the terminal's USIM authenticates with: the USIM applet reads them, the
 * key-slot applet rewrites them at a subscription switch. The key record is never readable.
 */
export const USIM_KEYS = 'secret/usim/keys';
export const USIM_SQN = 'usim/sqn';

export type AkaSubscription = SubscriberKeys & {
  /** AMF the network side puts in AUTN (the card does not need it). */
  amf?: Bytes;
  /** SQN handling parameters given in the profile; the defaults (TS 33.102 Annex C) fill the rest. */
  sqn: Partial<SqnConfig>;
};

/** Writes the key record and the initial SQN state of a subscription under the given record names. */
export function personaliseAka(
  s: AkaSubscription,
  nvm: Map<string, Bytes>,
  records: { keys: string; sqn: string },
): void {
  const { amf: _amf, sqn, ...keys } = s;
  nvm.set(records.keys, encodeSubscriberKeys(keys));
  nvm.set(records.sqn, encodeSqnState(initialSqnState(sqn)));
}
