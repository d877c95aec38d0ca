// Personalisation: turns a compiled profile into a card template — the file tree plus the applets'
// initial NVM records (keys, SQN state, OTA configuration and counters, security-domain keys) — and the
// applets the card runs. Each applet package of the registry (applets/registry.ts) whose profile section
// is present installs itself.
// The template is shared by every card made from the profile; cards only store what they change.

import { APPLET_PACKAGES } from '../applets/registry.js';
import type { Applet } from '../card-os/applet.js';
import { type AppletInstallTarget, adfByAidPrefix, applicationName } from '../card-os/applet-registry.js';
import type { Bytes } from '../card-os/bytes.js';
import type { CardSpec, FileSpec } from '../card-os/fs/model.js';
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

// The profile's application ADFs by the name of the package whose AID prefix they carry.
function applicationsOf(mf: FileSpec): Map<string, Bytes> {
  const out = new Map<string, Bytes>();
  for (const p of APPLET_PACKAGES) {
    const aid = p.adfAid && adfByAidPrefix(mf, p.adfAid)?.aid;
    if (aid) out.set(applicationName(p), aid);
  }
  return out;
}

export function personalise(profile: CompiledProfile): Personalised {
  const nvm = new Map<string, Bytes>(profile.spec.nvm);
  const applets: Applet[] = [];
  const installed = new Map<string, Applet>();
  const target: AppletInstallTarget = {
    mf: profile.spec.mf,
    nvm,
    installed,
    sections: sectionsOf(profile),
    applications: applicationsOf(profile.spec.mf),
  };
  for (const pkg of APPLET_PACKAGES) {
    const config = target.sections[pkg.section];
    if (config === undefined) continue;
    const applet = pkg.install(config, target);
    if (!applet) continue;
    applets.push(applet);
    installed.set(pkg.name, applet);
  }
  return { spec: { ...profile.spec, nvm }, applets, profile };
}
