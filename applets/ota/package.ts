// The OTA applet as a registered package: configured by the profile's `ota` section (keysets, TARs and
// initial counters), owns the ota/ NVM records. A TAR's context names where its remote commands start
// (TS 102 226 §6): `uicc` the MF, otherwise an application by its package's name in lower case (`usim`,
// `isim`: any package that declares an ADF), whose ADF the loader found in the profile.

import type { AppletPackage } from '../../card-os/applet-registry.js';
import {
  encodeOtaConfig,
  encodeOtaCounters,
  OTA_RECORD_COUNTERS,
  type OtaConfig,
} from '../subscriptions/ota-records.js';
import { otaApplet } from './applet.js';

export type OtaSection = OtaConfig & { counters: Map<number, number> };

export const otaPackage: AppletPackage<OtaSection> = {
  name: 'OTA',
  section: 'ota',
  namespace: ['secret/ota/', 'ota/'],
  install({ keysets, tars, counters }, target) {
    for (const [k, v] of encodeOtaConfig({ keysets, tars })) target.nvm.set(k, v);
    target.nvm.set(OTA_RECORD_COUNTERS, encodeOtaCounters(counters));
    return otaApplet({ applications: target.applications });
  },
};
