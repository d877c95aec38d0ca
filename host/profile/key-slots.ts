// Cross-section checks of the `keySlots` profile section (docs/key-slots.md): slot 0 is the subscription of
// the `subscriber` and `ota` sections, every slot must leave the card manageable over the air once active
// (an OTA keyset that a TAR accepts with the admin right), and the files the switch writes must exist.

import { EF_ICCID, EF_IMSI } from '../../applets/keyslots/package.js';
import { MAX_SLOTS } from '../../applets/subscriptions/slot-store.js';
import { USIM_AID_PREFIX } from '../../applets/usim/applet.js';
import { toHex } from '../../card-os/bytes.js';
import type { FileSpec } from '../../card-os/fs/model.js';
import { keyRefName } from '../codecs/key-ref.js';
import type { Report } from './contents.js';
import type { ProfileDoc } from './schema.js';

/** RID + application code of the USIM (TS 31.102 §1), whose EF.IMSI the switch rewrites. */
const USIM_AID_HEX = toHex(USIM_AID_PREFIX);

export { EF_ICCID, EF_IMSI } from '../../applets/keyslots/package.js';

export function usimAdfOf(mf: FileSpec): FileSpec | undefined {
  return mf.children.find((f) => f.type === 'ADF' && f.aid && toHex(f.aid).startsWith(USIM_AID_HEX));
}

export function checkKeySlots(doc: ProfileDoc, mf: FileSpec, bad: Report): void {
  const ks = doc.keySlots;
  if (!ks) return;
  if (!doc.subscriber) bad(['keySlots'], 'needs the subscriber section: it holds the keys of slot 0');
  if (!doc.ota) bad(['keySlots'], 'needs the ota section: the OTA keysets of slot 0 and the TARs');
  if (ks.slots.length + 1 > MAX_SLOTS)
    bad(['keySlots', 'slots'], `at most ${MAX_SLOTS - 1} slots besides slot 0 (the subscriber section)`);
  const admin = `${keyRefName(ks.admin)} (${ks.admin.toString(16).toUpperCase().padStart(2, '0')})`;
  const managed = new Set<number>();
  for (const t of doc.ota?.tars ?? [])
    for (const k of t.keysets) if (k.grants.includes(ks.admin)) managed.add(k.kvn);
  const unmanaged = `no TAR grants ${admin} to any of its keysets: once active, nobody could manage the card`;
  if (doc.ota && !doc.ota.keysets.some((k) => managed.has(k.kvn)))
    bad(['ota', 'keysets'], `slot 0: ${unmanaged}`);
  ks.slots.forEach((s, i) => {
    if (s.mode === 'keys' && !s.ota.some((k) => managed.has(k.kvn)))
      bad(['keySlots', 'slots', i, 'ota'], `slot ${i + 1}: ${unmanaged}`);
  });
  const derived = ks.slots.some((s) => s.mode === 'derive');
  if (derived && !managed.has(ks.deriveKvn))
    bad(
      ['keySlots', 'deriveKvn'],
      `no TAR grants ${admin} to keyset ${ks.deriveKvn}, the one derived slots get`,
    );
  const usim = usimAdfOf(mf);
  const imsi = usim?.children.find((f) => f.type === 'EF' && f.fid === EF_IMSI);
  if (imsi?.structure !== 'transparent' || imsi.size !== 9)
    bad(
      ['keySlots'],
      'the switch writes EF.IMSI (6F07, transparent, 9 bytes) of ADF.USIM: the card has none',
    );
  const iccid = mf.children.find((f) => f.type === 'EF' && f.fid === EF_ICCID);
  if (derived && iccid?.size !== 10)
    bad(['keySlots', 'slots'], 'derived slots need EF.ICCID (2FE2, 10 bytes): the derivation is bound to it');
  if (ks.aid && mf.children.some((f) => f.aid && toHex(f.aid) === toHex(ks.aid!)))
    bad(['keySlots', 'aid'], 'is the AID of an ADF');
}
