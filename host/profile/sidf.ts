// The `sidf` section of a profile, or a key file of the same shape: the home network private keys the
// SIDF (TS 33.501 §6.12.5) de-conceals SUCIs with. Network-side data: personalisation never puts them on
// the card (the card holds only the public keys, in EF.SUCI_Calc_Info).

import * as z from 'zod';
import type { Bytes } from '../../card-os/bytes.js';
import { decimal, hexBytes, list, oneOf } from '../codecs/values.js';

export interface SidfKey {
  /** Home network public key identifier (TS 23.003 §2.2B), 0-255. */
  id: number;
  scheme: 'profile-a' | 'profile-b';
  /** 32-byte private key (X25519 scalar or P-256 d). */
  private: Bytes;
}

export interface SidfProfile {
  keys: SidfKey[];
}

export const sidfSchema: z.ZodType<SidfProfile> = z.strictObject({
  keys: list(
    z.strictObject({
      id: decimal(0, 255),
      scheme: oneOf(['profile-a', 'profile-b'] as const),
      private: hexBytes(32, 32),
    }),
  ),
});
