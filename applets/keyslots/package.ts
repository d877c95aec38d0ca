// The key-slot applet as a registered package: configured by the profile's `keySlots` section. Slot 0 is
// the subscription of the `subscriber` and `ota` sections (the USIM and OTA packages write its active
// records), the section's slots are 1..n, unused. Installed only on a card with a USIM and OTA keysets
// (the profile loader reports a keySlots section without them).

import type { AppletPackage } from '../../card-os/applet-registry.js';
import { adfByAidPrefix } from '../../card-os/applet-registry.js';
import type { Bytes } from '../../card-os/bytes.js';
import { fidHex } from '../../card-os/fs/model.js';
import type { SubscriberKeys } from '../aka/subscriber-keys.js';
import type { OtaKeyset } from '../subscriptions/ota-records.js';
import {
  encodeSlot,
  SLOT_STATE,
  SLOT_TABLE,
  type SlotContent,
  slotRecord,
} from '../subscriptions/slot-store.js';
import { keySlotApplet } from './applet.js';
import { DEFAULT_KEYSLOT_AID } from './protocol.js';
import { KIK_RECORD } from './staging.js';

/** EF.IMSI (TS 31.102 §4.2.2) and EF.ICCID (TS 102 221 §13.2), the files a subscription switch touches. */
export const EF_IMSI = 0x6f07;
export const EF_ICCID = 0x2fe2;

/** One reserve slot: pre-generated keys (Alternative 3b) or a master secret the keys are derived from. */
export type KeySlotSection =
  | { mode: 'keys'; subscriber: SubscriberKeys; ota: OtaKeyset[]; kik?: Bytes }
  | { mode: 'derive'; master: Bytes };

export interface KeySlotsSection {
  /** AID of the key-slot applet. */
  aid?: Bytes;
  /** Key reference every key-slot command needs (verified or granted by an OTA TAR). */
  admin: number;
  /** KVN of the OTA keyset a derive-mode slot derives. */
  deriveKvn: number;
  /** KIK of slot 0, the subscription of the `subscriber` and `ota` sections. */
  kik?: Bytes;
  /** Slots 1..n, consumed in order by subscription changes. */
  slots: KeySlotSection[];
}

function slotContent(s: KeySlotSection): SlotContent {
  if (s.mode === 'derive') return { mode: 'derive', master: s.master };
  return { mode: 'keys', keys: { subscriber: s.subscriber, ota: s.ota, ...(s.kik ? { kik: s.kik } : {}) } };
}

export const keySlotsPackage: AppletPackage<KeySlotsSection> = {
  name: 'KEYSLOTS',
  section: 'keySlots',
  namespace: ['secret/slot/', 'slot/', 'secret/keyslots/'],
  install(ks, target) {
    const usim = target.installed.get('USIM');
    const usimAdf = usim?.aid && adfByAidPrefix(target.mf, usim.aid);
    const subscriber = target.sections.subscriber as
      | (SubscriberKeys & { amf?: Bytes; sqn?: unknown })
      | undefined;
    const ota = target.sections.ota as { keysets: OtaKeyset[] } | undefined;
    if (!usimAdf || !subscriber || !ota) return undefined;
    const { amf: _amf, sqn: _sqn, ...keys } = subscriber;
    const slot0: KeySlotSection = { mode: 'keys', subscriber: keys, ota: ota.keysets };
    if (ks.kik) slot0.kik = ks.kik;
    const nvm = target.nvm;
    for (const [i, s] of [slot0, ...ks.slots].entries()) nvm.set(slotRecord(i), encodeSlot(slotContent(s)));
    nvm.set(SLOT_TABLE, Uint8Array.from([SLOT_STATE.ACTIVE, ...ks.slots.map(() => SLOT_STATE.UNUSED)]));
    if (ks.kik) nvm.set(KIK_RECORD, ks.kik);
    return keySlotApplet({
      aid: ks.aid ?? DEFAULT_KEYSLOT_AID,
      admin: ks.admin,
      deriveKvn: ks.deriveKvn,
      imsiPath: `${usimAdf.path}/${fidHex(EF_IMSI)}`,
      iccidPath: `${target.mf.path}/${fidHex(EF_ICCID)}`,
    });
  },
};
