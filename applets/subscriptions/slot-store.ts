// Indexed key slots (TR 33.812 Alternative 3b: "several K and OTA keys pre-installed, one active").
// Each slot holds a subscription's long-term keys (K + OPc/OP, its OTA keysets, a key-encryption key) or a
// per-card master secret the keys are derived from (seed 004). One slot is active: its keys are the ones
// the USIM and OTA applets use (copied into their records when it becomes active). A slot goes
// unused -> active -> used and never back; a used slot's secrets are erased.
//
// Shared by the key-slot applet (which switches slots) and the security domain (whose long-term key update
// rewrites a slot's keys), so it lives outside both.
//
// NVM records:
//   slot/table          one state byte per slot (SLOT_STATE)
//   secret/slot/<ii>    the slot's content (encodeSlot), never readable through any command

import { type Bytes, toHex } from '../../card-os/bytes.js';
import type { Nvm } from '../../card-os/nvm.js';
import { ber, findTag, parseBer } from '../../card-os/tlv.js';
import {
  decodeSubscriberKeys,
  encodeSubscriberKeys,
  replaceKeys,
  type SubscriberKeys,
} from '../aka/subscriber-keys.js';
import { USIM_KEYS } from '../aka/subscription.js';
import { encodeOtaConfig, keysetRecordName, type OtaKeyset } from './ota-records.js';

export const SLOT_TABLE = 'slot/table';
export const SLOT_STATE = { UNUSED: 0, ACTIVE: 1, USED: 2 } as const;
export const MAX_SLOTS = 32;

export const slotRecord = (i: number) => `secret/slot/${toHex(Uint8Array.of(i))}`;

export interface SlotKeys {
  subscriber: SubscriberKeys;
  /** OTA keysets of the subscription (on activation they replace every keyset of the card). */
  ota: OtaKeyset[];
  /** Key-encryption key (AES-128) under which the operator sends replacement keys (Alternative 3a). */
  kik?: Bytes;
}

export type SlotContent = { mode: 'keys'; keys: SlotKeys } | { mode: 'derive'; master: Bytes };

const TAG = { MODE: 0x80, SUBSCRIBER: 0x81, OTA_KEYSET: 0x82, KIK: 0x83, MASTER: 0x84 } as const;

export function encodeSlot(c: SlotContent): Bytes {
  if (c.mode === 'derive') return ber(0xa0, ber(TAG.MODE, Uint8Array.of(2)), ber(TAG.MASTER, c.master));
  const ota = encodeOtaConfig({ keysets: c.keys.ota, tars: [] });
  return keysSlot(
    c.keys.subscriber,
    c.keys.ota.map((k) => ota.get(keysetRecordName(k.kvn))!),
    c.keys.kik,
  );
}

/** A keys-mode slot record from the subscriber keys, OTA keyset records (as stored) and the KIK. */
function keysSlot(subscriber: SubscriberKeys, otaRecords: Bytes[], kik?: Bytes): Bytes {
  const parts = [ber(TAG.MODE, Uint8Array.of(1)), ber(TAG.SUBSCRIBER, encodeSubscriberKeys(subscriber))];
  for (const r of otaRecords) parts.push(ber(TAG.OTA_KEYSET, r));
  if (kik) parts.push(ber(TAG.KIK, kik));
  return ber(0xa0, ...parts);
}

/** Raw OTA keyset records of a slot (the bytes the OTA applet stores under secret/ota/keyset/<kk>). */
export function slotOtaRecords(b: Bytes): Bytes[] {
  const outer = parseBer(b);
  const inner = outer?.[0] && parseBer(outer[0].value);
  return inner?.filter((t) => t.tag === TAG.OTA_KEYSET).map((t) => t.value) ?? [];
}

/** Decodes a slot record; undefined when malformed. OTA keysets are returned as stored records. */
export function decodeSlot(
  b: Bytes,
):
  | { mode: 'keys'; subscriber: SubscriberKeys; ota: Bytes[]; kik?: Bytes }
  | { mode: 'derive'; master: Bytes }
  | undefined {
  const outer = parseBer(b);
  if (!outer || outer.length !== 1 || outer[0]!.tag !== 0xa0) return undefined;
  const items = parseBer(outer[0]!.value);
  const mode = findTag(items, TAG.MODE)?.[0];
  if (mode === 2) {
    const master = findTag(items, TAG.MASTER);
    return master && master.length >= 16 ? { mode: 'derive', master } : undefined;
  }
  if (mode !== 1) return undefined;
  const sub = findTag(items, TAG.SUBSCRIBER);
  const subscriber = sub && decodeSubscriberKeys(sub);
  if (!subscriber) return undefined;
  const kik = findTag(items, TAG.KIK);
  return { mode: 'keys', subscriber, ota: slotOtaRecords(b), ...(kik ? { kik } : {}) };
}

export function slotStates(nvm: Nvm): number[] {
  return Array.from(nvm.get(SLOT_TABLE) ?? []);
}

export function activeSlot(nvm: Nvm): number | undefined {
  const i = slotStates(nvm).indexOf(SLOT_STATE.ACTIVE);
  return i < 0 ? undefined : i;
}

/** The next slot that was never used, after the active one (slots are consumed in order). */
export function nextUnusedSlot(nvm: Nvm): number | undefined {
  const s = slotStates(nvm);
  const from = (activeSlot(nvm) ?? -1) + 1;
  for (let i = from; i < s.length; i++) if (s[i] === SLOT_STATE.UNUSED) return i;
  return undefined;
}

export function setSlotState(nvm: Nvm, i: number, state: number): void {
  const s = Uint8Array.from(slotStates(nvm));
  s[i] = state;
  nvm.set(SLOT_TABLE, s);
}

/**
 * Profile identity used by the long-term key update (SCP11, seed 000/001): the slot index as one byte.
 * A card without key slots has one profile, id 00, the active subscription. An unused slot whose keys are
 * derived from the master secret is not updatable: a transported K would leave it without the derived OTA
 * keys and KIK, and the key holder's derivation would no longer match the card.
 */
export function knownProfiles(nvm: Nvm): Set<string> {
  const s = slotStates(nvm);
  if (s.length === 0) return new Set(['00']);
  const out = new Set<string>();
  s.forEach((st, i) => {
    const derived =
      st === SLOT_STATE.UNUSED && decodeSlot(nvm.get(slotRecord(i)) ?? new Uint8Array(0))?.mode === 'derive';
    if (st === SLOT_STATE.ACTIVE || (st === SLOT_STATE.UNUSED && !derived)) out.add(toHex(Uint8Array.of(i)));
  });
  return out;
}

/**
 * Replaces the long-term keys of a profile: K and the operator variant, OPc for Milenage or TOPc for TUAK
 * (TS 35.231: K of 128 or 256 bits, TOPc of 256), the algorithm and its parameters staying as they are. The
 * active profile's keys are written where the USIM reads them; an unused keys-mode slot's record is rewritten
 * with its OTA keysets and KIK kept. The caller runs this inside its NVM transaction. Returns 'unknown' for a
 * profile that is not known, 'size' when the key lengths do not fit the profile's algorithm (nothing written).
 */
export function writeProfileKeys(
  nvm: Nvm,
  profileId: Bytes,
  k: Bytes,
  opc: Bytes,
): 'written' | 'unknown' | 'size' {
  const id = toHex(profileId);
  if (profileId.length !== 1 || !knownProfiles(nvm).has(id)) return 'unknown';
  const i = profileId[0]!;
  const states = slotStates(nvm);
  const active = states.length === 0 || states[i] === SLOT_STATE.ACTIVE;
  if (active) {
    const next = replaceKeys(decodeSubscriberKeys(nvm.get(USIM_KEYS) ?? new Uint8Array(0)), k, { opc });
    if (!next) return 'size';
    nvm.set(USIM_KEYS, encodeSubscriberKeys(next));
    return 'written';
  }
  const cur = decodeSlot(nvm.get(slotRecord(i)) ?? new Uint8Array(0));
  if (cur?.mode !== 'keys') return 'unknown';
  const subscriber = replaceKeys(cur.subscriber, k, { opc });
  if (!subscriber) return 'size';
  nvm.set(slotRecord(i), keysSlot(subscriber, cur.ota, cur.kik));
  return 'written';
}
