// Personalisation: turns a compiled profile into a card template — the file tree plus the applets'
// initial NVM records (keys, counters) — and the list of applets the card runs.

import type { Applet } from '../card-os/applet.js';
import type { Bytes } from '../card-os/bytes.js';
import type { CardSpec } from '../card-os/fs/model.js';
import type { CompiledProfile } from './profile/load.js';

export interface Personalised {
  spec: CardSpec;
  applets: Applet[];
  profile: CompiledProfile;
}

export function personalise(profile: CompiledProfile): Personalised {
  const nvm = new Map<string, Bytes>(profile.spec.nvm);
  const applets: Applet[] = [];
  return { spec: { ...profile.spec, nvm }, applets, profile };
}
