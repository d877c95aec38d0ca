// Installs the registry's applet packages (applets/registry.ts) onto a card template: every package whose
// profile section is present, in registry order, each writing its initial NVM records and returning its
// Applet. Shared by the host's personalisation of YAML profiles (host/personalise.ts) and the eUICC's
// installation of downloaded profile packages (applets/euicc/saip/install.ts).

import type { Applet } from '../card-os/applet.js';
import { type AppletInstallTarget, adfByAidPrefix, applicationName } from '../card-os/applet-registry.js';
import type { Bytes } from '../card-os/bytes.js';
import type { FileSpec } from '../card-os/fs/model.js';
import { APPLET_PACKAGES } from './registry.js';

// The profile's application ADFs by the name of the package whose AID prefix they carry.
function applicationsOf(mf: FileSpec): Map<string, Bytes> {
  const out = new Map<string, Bytes>();
  for (const p of APPLET_PACKAGES) {
    const aid = p.adfAid && adfByAidPrefix(mf, p.adfAid)?.aid;
    if (aid) out.set(applicationName(p), aid);
  }
  return out;
}

/**
 * Installs the packages whose section is in `sections` (validated by the caller) into `nvm`, which it
 * extends with their records; returns the applets in installation order.
 */
export function installPackages(
  mf: FileSpec,
  nvm: Map<string, Bytes>,
  sections: Record<string, unknown>,
): Applet[] {
  const applets: Applet[] = [];
  const installed = new Map<string, Applet>();
  const target: AppletInstallTarget = { mf, nvm, installed, sections, applications: applicationsOf(mf) };
  for (const pkg of APPLET_PACKAGES) {
    const config = sections[pkg.section];
    if (config === undefined) continue;
    const applet = pkg.install(config, target);
    if (!applet) continue;
    applets.push(applet);
    installed.set(pkg.name, applet);
  }
  return applets;
}
