// The applets a card can run, in installation order (the OTA applet looks up the USIM, the key slots both).
// The profile loader installs each one whose profile section is present (host/personalise.ts); nothing
// else in the card OS or the loader names an applet.

import type { AppletPackage } from '../card-os/applet-registry.js';
import { isimPackage } from './isim/package.js';
import { keySlotsPackage } from './keyslots/package.js';
import { otaPackage } from './ota/package.js';
import { securityDomainPackage } from './security-domain/package.js';
import { usimPackage } from './usim/package.js';

// biome-ignore lint/suspicious/noExplicitAny: each package takes its own section type; the loader validated it
export const APPLET_PACKAGES: readonly AppletPackage<any>[] = [
  usimPackage,
  isimPackage,
  otaPackage,
  securityDomainPackage,
  keySlotsPackage,
];
