// Helpers of the download tests: the test SM-DP+ (host/smdp/core.ts with the test PKI's DPauth/DPpb), an
// in-memory inventory, the card as an LPA transport, and a TS.48 test profile package.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bytes } from '../../card-os/bytes.js';
import type { EuiccCard } from '../../card-os/euicc-card.js';
import { downloadProfile, type Es9Client } from '../../host/euicc/download.js';
import type { Smdp, SmdpOptions } from '../../host/smdp/core.js';
import { MemoryInventory, type MemoryProfile } from '../../host/smdp/memory-inventory.js';
import { createTestSmdp } from '../../host/smdp/test-smdp.js';

export const SMDP_ADDRESS = 'smdp.uicc.test';
export const EID = '89049032123451234512345678901235';

/** A TS.48 Generic eUICC Test Profile (GSMA TS.48 v5, SAIP 2.3), as pySim ships it. */
export function ts48Upp(name = 'TS48V5-SAIP2-3-NOBERTLV-UNIQUE.der'): Bytes {
  return new Uint8Array(readFileSync(join(__dirname, '..', 'vectors', 'ts48', name)));
}

export function testSmdp(
  profiles: MemoryProfile[],
  opts: Partial<SmdpOptions> = {},
): { smdp: Smdp; inventory: MemoryInventory } {
  const inventory = new MemoryInventory(profiles);
  return { smdp: createTestSmdp(SMDP_ADDRESS, inventory, opts), inventory };
}

export const transmitOf = (card: EuiccCard) => async (c: Bytes) => card.transmit(c);

/** One download into `card` of the order `matchingId` from `es9` (host/euicc/download.ts). */
export function downloadInto(card: EuiccCard, es9: Es9Client, matchingId: string) {
  return downloadProfile({ transmit: transmitOf(card), es9, smdpAddress: SMDP_ADDRESS, matchingId });
}
