// SAIP profile packages: installing a GSMA TS.48 test profile (the eUICC rebuilds each downloaded profile's
// template from its package at power-up, so this is per ISD-P per power-up) and encoding our default profile.

import { readFileSync } from 'node:fs';
import { installUpp } from '../applets/euicc/saip/install.js';
import { loadDefaultProfile } from '../host/profile/load.js';
import { encodeUpp } from '../host/saip/encode.js';
import { type BenchRow, opsPerSecond } from './harness.js';

const TS48 = new URL('../../test/vectors/ts48/TS48v5_SAIP2.3_BERTLV_SUCI.der', import.meta.url);

export async function bench(): Promise<BenchRow[]> {
  const upp = new Uint8Array(readFileSync(TS48));
  const profile = loadDefaultProfile();
  const own = encodeUpp(profile);
  const install = (b: Uint8Array) => () => {
    if (!installUpp(b).ok) throw new Error('bench: installUpp failed');
  };
  return [
    {
      name: `installUpp, TS.48 v5 SAIP 2.3 test profile (${upp.length} bytes, 30 PEs)`,
      value: Math.round(opsPerSecond(install(upp))),
      unit: 'profiles/s',
    },
    {
      name: `installUpp, default-usim.yaml as a package (${own.length} bytes)`,
      value: Math.round(opsPerSecond(install(own))),
      unit: 'profiles/s',
    },
    {
      name: 'encodeUpp, default-usim.yaml (compiled profile -> package)',
      value: Math.round(opsPerSecond(() => encodeUpp(profile))),
      unit: 'profiles/s',
    },
  ];
}
