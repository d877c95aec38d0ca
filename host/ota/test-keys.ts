// PUBLIC TEST KEYS. These OTA keysets are published (they are the keys of the sysmoISIM-SJA5 interop
// vectors in pySim's unit tests, tests/unittests/test_ota.py). Anyone can compute valid packets with them:
// they exist so the default profile interoperates with test tools out of the box. Never put them on a card
// that holds anything of value.

import type { OtaConfig, OtaKeyset, TarConfig } from '../../applets/ota/ota-config.js';
import { fromHex } from '../../card-os/bytes.js';

/** Key reference of ADM1, TS 102 221 Table 9.3: the right granted to remote file management. */
export const ADM1 = 0x0a;

/** Keyset 2: AES-128 (KIc/KID byte 22); keyset 3: 2-key 3DES (KIc/KID byte 35). */
export const OTA_TEST_KEYSETS: readonly OtaKeyset[] = [
  {
    kvn: 2,
    kic: { alg: 'aes', key: fromHex('200102030405060708090a0b0c0d0e0f') },
    kid: { alg: 'aes', key: fromHex('201102030405060708090a0b0c0d0e0f') },
  },
  {
    kvn: 3,
    kic: { alg: '3des2', key: fromHex('300102030405060708090a0b0c0d0e0f') },
    kid: { alg: '3des2', key: fromHex('301102030405060708090a0b0c0d0e0f') },
  },
];

/**
 * Remote file management TARs (TS 101 220 Annex D): B00010 in the UICC context, B00011 in the USIM context.
 * MSL 06: a cryptographic checksum and ciphering are required (no counter requirement, so the pySim
 * vectors, which use counter mode "none", are accepted).
 */
export const OTA_TEST_TARS: readonly TarConfig[] = [
  {
    tar: 0xb00010,
    context: 'uicc',
    msl: 0x06,
    keysets: [
      { kvn: 2, grants: [ADM1] },
      { kvn: 3, grants: [ADM1] },
    ],
  },
  {
    tar: 0xb00011,
    context: 'usim',
    msl: 0x06,
    keysets: [
      { kvn: 2, grants: [ADM1] },
      { kvn: 3, grants: [ADM1] },
    ],
  },
];

export const OTA_TEST_CONFIG: OtaConfig = { keysets: [...OTA_TEST_KEYSETS], tars: [...OTA_TEST_TARS] };
