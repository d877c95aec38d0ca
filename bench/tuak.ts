// TUAK (TS 35.231) beside Milenage (TS 35.206): AUTHENTICATE APDUs/s through the card, in-process, one core,
// with vectors of the profile's own HSS, and the AuC's vector rate. The TUAK card is
// profiles/examples/tuak.yaml: 256-bit K, MAC 128, RES 128, CK and IK 256 bits, one Keccak iteration, so each
// AUTHENTICATE runs two Keccak-f[1600] permutations (f2-f5, then f1).

import { dirname, join } from 'node:path';
import { hssFromProfile } from '../host/cli/auth.js';
import { createAuc } from '../host/network/auc.js';
import { defaultProfileFile, loadProfile } from '../host/profile/load.js';
import { authenticateRate } from './card-apdus.js';
import type { BenchRow } from './harness.js';
import { opsPerSecond } from './harness.js';

const TUAK_PROFILE = join(dirname(defaultProfileFile()), 'examples', 'tuak.yaml');

export async function bench(): Promise<BenchRow[]> {
  const tuak = hssFromProfile(loadProfile(TUAK_PROFILE));
  const auc = createAuc([tuak]);
  return [
    {
      name: 'usim: AUTHENTICATE 3G APDU through the card, Milenage (default profile)',
      value: authenticateRate(undefined, 200_000),
      unit: 'APDU/s',
    },
    {
      name: 'usim: AUTHENTICATE 3G APDU through the card, TUAK (K 256, MAC 128, CK/IK 256)',
      value: authenticateRate(TUAK_PROFILE, 100_000),
      unit: 'APDU/s',
    },
    {
      name: 'AuC: TUAK auth vectors (K 256, MAC 128, RES 128, CK/IK 256)',
      value: opsPerSecond(() => auc.generateVector(tuak.imsi)),
      unit: 'vectors/s',
    },
  ];
}
