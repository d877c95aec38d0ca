// The card the pcsc-bridge tests put behind pcscd: the real emulator with the default USIM profile.

import type { IccCard } from '../../card-os/icc.js';
import { openCard } from '../../host/card-factory.js';

export function makeTestCard(): IccCard {
  return openCard().card;
}
