// Key derivation instead of key transport (seed 004, "LTK derivation vs. LTK transport"): a derive-mode
// slot holds a per-card master secret, and the slot's long-term keys are computed where they are used, on
// the card at activation and by the key holder, never carried in a batch file or over the air.
//
// Two HKDF-SHA256 steps (RFC 5869, empty salt):
//   seed_i = HKDF(IKM = master, info = "uicc keyslot seed v1" ‖ 00 ‖ ICCID ‖ i, L = 32)
//   keys_i = HKDF(IKM = seed_i, info = "uicc keyslot keys v1", L = 80)
//          = K(16) ‖ OPc(16) ‖ KIc(16) ‖ KID(16) ‖ KIK(16)
// ICCID is the 10-byte content of EF.ICCID (TS 102 221 §13.2, swapped BCD) and i the slot index (one byte).
// The escrow hands the operator a slot its seed_i only: the operator derives K, OPc and the OTA keys in its
// own domain, and seed_i says nothing about any other slot or card (one-way in the master secret).
// The OTA keyset is AES-128 for both KIc (AES-CBC) and KID (AES-CMAC), TS 102 225 §5.1.2, under the key
// version number the profile gives derived slots. Milenage runs with the standard constants (TS 35.206).

import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { type Bytes, concat } from '../../card-os/bytes.js';
import type { SlotKeys } from '../subscriptions/slot-store.js';

export const SEED_LABEL = 'uicc keyslot seed v1';
export const KEYS_LABEL = 'uicc keyslot keys v1';
export const SEED_LENGTH = 32;

const utf8 = (s: string) => new TextEncoder().encode(s);
const SEED_INFO = utf8(SEED_LABEL);
const KEYS_INFO = utf8(KEYS_LABEL);

/** The secret the key holder reveals for slot `index` of the card with this EF.ICCID content. */
export function slotSeed(master: Bytes, iccid: Bytes, index: number): Bytes {
  const info = concat(SEED_INFO, Uint8Array.of(0), iccid, Uint8Array.of(index & 0xff));
  return hkdf(sha256, master, undefined, info, SEED_LENGTH);
}

/** Length of a slot's key block K ‖ OPc ‖ KIc ‖ KID ‖ KIK. */
export const KEY_BLOCK_LENGTH = 80;

/** The slot's keys from its seed; `kvn` is the key version number of the OTA keyset. */
export function keysFromSeed(seed: Bytes, kvn: number): SlotKeys {
  return keysFromBlock(hkdf(sha256, seed, undefined, KEYS_INFO, KEY_BLOCK_LENGTH), kvn);
}

/** Splits a key block K ‖ OPc ‖ KIc ‖ KID ‖ KIK (16 bytes each) into a slot's keys. */
export function keysFromBlock(block: Bytes, kvn: number): SlotKeys {
  const part = (i: number) => block.slice(16 * i, 16 * i + 16);
  return {
    subscriber: { algorithm: 'milenage', k: part(0), opc: part(1) },
    ota: [{ kvn, kic: { alg: 'aes', key: part(2) }, kid: { alg: 'aes', key: part(3) } }],
    kik: part(4),
  };
}

/** Both steps: what the card computes when a derive-mode slot becomes active. */
export function deriveSlotKeys(master: Bytes, iccid: Bytes, index: number, kvn: number): SlotKeys {
  return keysFromSeed(slotSeed(master, iccid, index), kvn);
}
