// The active subscription's secrets live where their applets read them: K/OPc in the USIM key record, the
// OTA keysets in the OTA applet's keyset records, the KIK in the key-slot applet's record. This module
// writes them as one set (a slot becoming active, or a key rotation) and checks that a set of OTA keysets
// keeps the card manageable: at least one of them must be accepted by a TAR that grants the admin right,
// or nobody could ever send another key-slot command (TR 33.812 §5.3.2.3: never locked out).

import type { Bytes } from '../../card-os/bytes.js';
import type { Nvm } from '../../card-os/nvm.js';
import { findTag, parseBer } from '../../card-os/tlv.js';
import { encodeSubscriberKeys, type SubscriberKeys } from '../aka/subscriber-keys.js';
import { USIM_KEYS } from '../aka/subscription.js';
import {
  decodeOtaConfig,
  encodeOtaConfig,
  keysetRecordName,
  OTA_RECORD_KEYSET_PREFIX,
  OTA_RECORD_TARS,
  type TarConfig,
} from '../subscriptions/ota-records.js';
import { decodeSlot, slotRecord } from '../subscriptions/slot-store.js';
import { deriveSlotKeys } from './derive.js';
import { KIK_RECORD } from './staging.js';

/** What the applet is configured with by the profile (docs/key-slots.md). */
export interface KeySlotConfig {
  /** Key reference that must be verified or granted for every command (default 0A, ADM1). */
  admin: number;
  /** Key version number of the OTA keyset derived for a derive-mode slot. */
  deriveKvn: number;
}

/** A slot's secrets ready to be written: OTA keysets as records by record name. */
export interface ActiveKeys {
  subscriber: SubscriberKeys;
  keysets: Map<string, Bytes>;
  kik?: Bytes;
}

const KVN_RECORDS = Array.from({ length: 16 }, (_, i) => keysetRecordName(i));

/** Keyset records by name; undefined if a record carries no valid KVN or two share one. */
export function keysetRecords(records: readonly Bytes[]): Map<string, Bytes> | undefined {
  const out = new Map<string, Bytes>();
  for (const r of records) {
    const kvn = findTag(parseBer(r), 0x80);
    if (kvn?.length !== 1 || kvn[0]! > 15) return undefined;
    const name = keysetRecordName(kvn[0]!);
    if (out.has(name)) return undefined;
    out.set(name, r);
  }
  return out;
}

/**
 * Whether these keyset records decode and at least one is accepted, with the admin right, by a TAR of the
 * card's OTA configuration.
 */
export function keepsCardManageable(nvm: Nvm, keysets: ReadonlyMap<string, Bytes>, admin: number): boolean {
  const tars = nvm.get(OTA_RECORD_TARS);
  if (!tars) return false;
  const config = decodeOtaConfig(new Map([[OTA_RECORD_TARS, tars], ...keysets]));
  if (!config || config.keysets.length !== keysets.size) return false;
  return config.keysets.some((k) => managesWith(config.tars, k.kvn, admin));
}

function managesWith(tars: readonly TarConfig[], kvn: number, admin: number): boolean {
  return tars.some((t) => t.keysets.some((k) => k.kvn === kvn && k.grants.includes(admin)));
}

/**
 * Whether slot `index` can become active (what STAGE checks): the checks of slotActiveKeys, without
 * deriving the keys of a derive-mode slot (its keyset is the configured KVN).
 */
export function canActivate(
  nvm: Nvm,
  index: number,
  iccid: Bytes | undefined,
  config: KeySlotConfig,
): boolean {
  const slot = decodeSlot(nvm.get(slotRecord(index)) ?? new Uint8Array(0));
  if (!slot) return false;
  if (slot.mode === 'keys') {
    const keysets = keysetRecords(slot.ota);
    return !!keysets && keepsCardManageable(nvm, keysets, config.admin);
  }
  const tars = decodeOtaConfig(new Map([[OTA_RECORD_TARS, nvm.get(OTA_RECORD_TARS) ?? new Uint8Array(0)]]));
  return !!iccid && !!tars && managesWith(tars.tars, config.deriveKvn, config.admin);
}

/**
 * The secrets slot `index` brings when it becomes active: copied from a keys-mode record, or derived from a
 * derive-mode record's master secret with the card's EF.ICCID. Undefined when the slot cannot be activated
 * (no record, malformed, no ICCID to derive with, or OTA keysets that would leave the card unmanageable).
 */
export function slotActiveKeys(
  nvm: Nvm,
  index: number,
  iccid: Bytes | undefined,
  config: KeySlotConfig,
): ActiveKeys | undefined {
  const slot = decodeSlot(nvm.get(slotRecord(index)) ?? new Uint8Array(0));
  if (!slot) return undefined;
  let keys: ActiveKeys | undefined;
  if (slot.mode === 'keys') {
    const keysets = keysetRecords(slot.ota);
    if (keysets) keys = { subscriber: slot.subscriber, keysets, ...(slot.kik ? { kik: slot.kik } : {}) };
  } else if (iccid) {
    const d = deriveSlotKeys(slot.master, iccid, index, config.deriveKvn);
    const records = encodeOtaConfig({ keysets: d.ota, tars: [] });
    records.delete(OTA_RECORD_TARS);
    keys = { subscriber: d.subscriber, keysets: records, ...(d.kik ? { kik: d.kik } : {}) };
  }
  return keys && keepsCardManageable(nvm, keys.keysets, config.admin) ? keys : undefined;
}

/** Replaces every OTA keyset record of the card by `keysets`. Run inside the caller's transaction. */
export function replaceKeysets(nvm: Nvm, keysets: ReadonlyMap<string, Bytes>): void {
  for (const name of KVN_RECORDS) if (!keysets.has(name) && nvm.has(name)) nvm.delete(name);
  for (const [name, r] of keysets) if (name.startsWith(OTA_RECORD_KEYSET_PREFIX)) nvm.set(name, r);
}

/** Writes a whole set of active secrets. Run inside the caller's transaction. */
export function writeActiveKeys(nvm: Nvm, keys: ActiveKeys): void {
  nvm.set(USIM_KEYS, encodeSubscriberKeys(keys.subscriber));
  replaceKeysets(nvm, keys.keysets);
  if (keys.kik) nvm.set(KIK_RECORD, keys.kik);
  else if (nvm.has(KIK_RECORD)) nvm.delete(KIK_RECORD);
}
