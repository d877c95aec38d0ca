// Personalisation of the key slots from a profile's `keySlots` section: slot 0 is the subscription of the
// `subscriber` and `ota` sections (already written as the active keys by personalise.ts), the section's
// slots are 1..n, unused. The records go into the shared card template; the applet is added to the card.

import { keySlotApplet } from '../../applets/keyslots/applet.js';
import { DEFAULT_KEYSLOT_AID } from '../../applets/keyslots/protocol.js';
import { KIK_RECORD } from '../../applets/keyslots/staging.js';
import {
  encodeSlot,
  SLOT_STATE,
  SLOT_TABLE,
  type SlotContent,
  slotRecord,
} from '../../applets/keyslots/store.js';
import type { Applet } from '../../card-os/applet.js';
import type { Bytes } from '../../card-os/bytes.js';
import type { FileSpec } from '../../card-os/fs/model.js';
import type { KeySlotProfile } from '../profile/applets.js';
import type { CompiledProfile } from '../profile/compile.js';
import { EF_ICCID, EF_IMSI } from '../profile/key-slots.js';

const hex4 = (fid: number) => fid.toString(16).toUpperCase().padStart(4, '0');

function slotContent(s: KeySlotProfile): SlotContent {
  if (s.mode === 'derive') return { mode: 'derive', master: s.master };
  return { mode: 'keys', keys: { subscriber: s.subscriber, ota: s.ota, ...(s.kik ? { kik: s.kik } : {}) } };
}

/**
 * Adds the slot records and the key-slot applet for a profile with `keySlots` (compile.ts has checked that
 * the subscriber and ota sections and ADF.USIM are there). Does nothing for a profile without the section.
 */
export function personaliseKeySlots(
  profile: CompiledProfile,
  usimAdf: FileSpec | undefined,
  nvm: Map<string, Bytes>,
  applets: Applet[],
): void {
  const ks = profile.keySlots;
  if (!ks || !usimAdf || !profile.subscriber || !profile.ota) return;
  const { amf: _amf, sqn: _sqn, ...subscriber } = profile.subscriber;
  const slot0: KeySlotProfile = { mode: 'keys', subscriber, ota: profile.ota.keysets };
  if (ks.kik) slot0.kik = ks.kik;
  for (const [i, s] of [slot0, ...ks.slots].entries()) nvm.set(slotRecord(i), encodeSlot(slotContent(s)));
  nvm.set(SLOT_TABLE, Uint8Array.from([SLOT_STATE.ACTIVE, ...ks.slots.map(() => SLOT_STATE.UNUSED)]));
  if (ks.kik) nvm.set(KIK_RECORD, ks.kik);
  applets.push(
    keySlotApplet({
      aid: ks.aid ?? DEFAULT_KEYSLOT_AID,
      admin: ks.admin,
      deriveKvn: ks.deriveKvn,
      imsiPath: `${usimAdf.path}/${hex4(EF_IMSI)}`,
      iccidPath: `${profile.spec.mf.path}/${hex4(EF_ICCID)}`,
    }),
  );
}
