// The SM-DP+ core with the test PKI's certificates (host/euicc/test-pki.ts: DPauth and DPpb under the test
// CI, which the emulated eUICC trusts): what `uicc smdp serve`, the scenarios, the tests and the benches run.
// PUBLIC TEST KEYS: never for anything but tests.

import { smdpTestPki } from '../euicc/test-pki.js';
import { createSmdp, type Smdp, type SmdpOptions } from './core.js';
import type { SmdpInventory } from './types.js';

/** The core for an SM-DP+ reached at `address` (host[:port]); `opts` overrides any option (a test's bad keys). */
export function createTestSmdp(
  address: string,
  inventory: SmdpInventory,
  opts: Partial<Omit<SmdpOptions, 'address' | 'inventory'>> = {},
): Smdp {
  const pki = smdpTestPki();
  return createSmdp({
    address,
    dpAuth: { certificate: pki.dpAuth.der, privateKey: pki.dpAuth.privateKey },
    dpPb: { certificate: pki.dpPb.der, privateKey: pki.dpPb.privateKey },
    ciCertificates: [pki.ci.der],
    inventory,
    ...opts,
  });
}
