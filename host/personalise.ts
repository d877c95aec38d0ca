// Personalisation: turns a compiled profile into a card template — the file tree plus the applets'
// initial NVM records (keys, SQN state, OTA configuration and counters, security-domain keys) — and the
// applets the card runs. Each applet package of the registry (applets/registry.ts) whose profile section
// is present installs itself (applets/install-packages.ts, shared with the eUICC's profile download).
// The template is shared by every card made from the profile; cards only store what they change.

import { installPackages } from '../applets/install-packages.js';
import { APPLET_PACKAGES } from '../applets/registry.js';
import type { Applet } from '../card-os/applet.js';
import type { Bytes } from '../card-os/bytes.js';
import type { CardSpec } from '../card-os/fs/model.js';
import type { CompiledProfile } from './profile/load.js';

export interface Personalised {
  spec: CardSpec;
  applets: Applet[];
  profile: CompiledProfile;
}

// The profile's applet sections by name, read through the registry's section names: this module stays clear
// of the profile schemas (a cached compiled profile is personalised without loading them).
function sectionsOf(profile: CompiledProfile): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { section } of APPLET_PACKAGES) {
    const v = (profile as unknown as Record<string, unknown>)[section];
    if (v !== undefined) out[section] = v;
  }
  return out;
}

export function personalise(profile: CompiledProfile): Personalised {
  const nvm = new Map<string, Bytes>(profile.spec.nvm);
  const applets = installPackages(profile.spec.mf, nvm, sectionsOf(profile));
  return { spec: { ...profile.spec, nvm }, applets, profile };
}
