// BSP throughput (SGP.22 §2.6.4-§2.6.5): a 20 KB profile package protected into 86 segments (the SM-DP+ side)
// and verified + decrypted back (the eUICC side), with the PPK keys of a fresh session each time.

import { bspSession, protectData, TAG_PROFILE_ELEMENTS, unprotectSection } from '../applets/euicc/bsp.js';
import { concat } from '../card-os/bytes.js';
import { type BenchRow, opsPerSecond } from './harness.js';

const SIZE = 20 * 1024;

export async function bench(): Promise<BenchRow[]> {
  const keys = {
    sEnc: Uint8Array.from({ length: 16 }, (_, i) => i + 1),
    sMac: Uint8Array.from({ length: 16 }, (_, i) => 0x40 + i),
    initialMcv: new Uint8Array(16),
  };
  const profile = Uint8Array.from({ length: SIZE }, (_, i) => (i * 31 + 7) & 0xff);
  const wire = concat(...protectData(bspSession(keys), TAG_PROFILE_ELEMENTS, profile));
  const mb = (opsPerS: number) => Math.round(((opsPerS * SIZE) / 1e6) * 10) / 10;
  return [
    {
      name: 'BSP protect, 20 KB profile package (AES-CBC + CMAC chain, 21 segments of 86)',
      value: mb(opsPerSecond(() => protectData(bspSession(keys), TAG_PROFILE_ELEMENTS, profile))),
      unit: 'MB/s',
    },
    {
      name: 'BSP unprotect, 20 KB profile package (verify + decrypt + re-assemble)',
      value: mb(
        opsPerSecond(() => {
          if (!unprotectSection(bspSession(keys), TAG_PROFILE_ELEMENTS, wire).ok)
            throw new Error('bench: BSP failed');
        }),
      ),
      unit: 'MB/s',
    },
  ];
}
