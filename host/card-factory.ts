// Makes an emulated card from a profile or a saved card image (host/card-source.ts), compiling profiles with
// the full compiler (YAML, schema, checks) when the compiled-profile cache has no entry.

import {
  type CardSource,
  type OpenedCard,
  openCardWith,
  type PreparedProfile,
  prepareProfileWith,
} from './card-source.js';
import { openEuicc } from './euicc/open.js';
import { parseProfileText } from './profile/load.js';

export {
  CardOs,
  type CardSource,
  defaultProfilePath,
  type OpenedCard,
  type PreparedProfile,
  projectRoot,
} from './card-source.js';

/** Compiles and personalises a profile text once per process (cards share the compiled template). */
export function prepareProfile(text: string, name: string): PreparedProfile {
  return prepareProfileWith(text, name, parseProfileText);
}

export function openCard(src: CardSource = {}): OpenedCard {
  return openCardWith(src, parseProfileText, openEuicc);
}
