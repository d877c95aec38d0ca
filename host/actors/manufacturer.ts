// The UICC manufacturer (TR 33.812 §5.3.2.2 step 2): personalises cards from a profile template with an
// ICCID, the initial operator's IMSI and a list of key slots of their own (pre-generated keys, or one
// per-card master secret the slot keys are derived from), deposits the slots in its key escrow, and assigns
// slot 0 to the operator that buys the cards. A card is its template plus its own NVM records: the shared
// profile is never copied.

import { encodeSubscriberKeys } from '../../applets/aka/subscriber-keys.js';
import { deriveSlotKeys, KEY_BLOCK_LENGTH, keysFromBlock } from '../../applets/keyslots/derive.js';
import { KIK_RECORD } from '../../applets/keyslots/staging.js';
import { encodeOtaConfig, OTA_RECORD_KEYSET_PREFIX, OTA_RECORD_TARS } from '../../applets/ota/ota-config.js';
import {
  encodeSlot,
  SLOT_STATE,
  SLOT_TABLE,
  type SlotContent,
  type SlotKeys,
  slotRecord,
  slotStates,
} from '../../applets/subscriptions/slot-store.js';
import { USIM_KEYS } from '../../applets/usim/applet.js';
import type { Bytes } from '../../card-os/bytes.js';
import { contentKey, type FileSpec } from '../../card-os/fs/model.js';
import { Nvm, type NvmSnapshot } from '../../card-os/nvm.js';
import { completeIccid, encodeIccid } from '../codecs/iccid.js';
import { encodeImsi } from '../codecs/imsi.js';
import type { Personalised } from '../personalise.js';
import { EF_ICCID, EF_IMSI, usimAdfOf } from '../profile/key-slots.js';
import { cryptoRandom, type RandomBytes } from '../random.js';
import { type EscrowContent, KeyEscrow } from './escrow.js';

export type SlotMode = 'keys' | 'derive';

export interface CardOrder {
  /** The operator buying the cards (slot 0 is assigned to it). */
  operator: string;
  /** The M2M subscriber who will own them (the only one who may assign further slots). */
  owner: string;
  /** One card per IMSI, in order. */
  imsis: readonly string[];
  /** Slots per card, slot 0 included. */
  slots: number;
  mode: SlotMode;
}

export interface MadeCard {
  iccid: string;
  /** The card's own NVM records (personalisation), to create it from the template. */
  nvm: NvmSnapshot;
}

/** The template's facts the personalisation needs, found once. */
interface TemplateInfo {
  iccidKey: string;
  imsiKey: string;
  kvn: number;
  keysetNames: string[];
  slotNames: string[];
}

function templateInfo(t: Personalised): TemplateInfo {
  const ks = t.profile.keySlots;
  const usim = usimAdfOf(t.spec.mf);
  const iccid = t.spec.mf.children.find((f) => f.type === 'EF' && f.fid === EF_ICCID);
  const imsi = usim?.children.find((f: FileSpec) => f.type === 'EF' && f.fid === EF_IMSI);
  if (!ks || !iccid || !imsi)
    throw new Error('manufacturer: the profile has no keySlots section, EF.ICCID or EF.IMSI');
  const base = new Nvm(t.spec.nvm);
  return {
    iccidKey: contentKey(iccid),
    imsiKey: contentKey(imsi),
    kvn: ks.deriveKvn,
    keysetNames: base.keys().filter((k) => k.startsWith(OTA_RECORD_KEYSET_PREFIX)),
    slotNames: slotStates(base).map((_, i) => slotRecord(i)),
  };
}

export class Manufacturer {
  readonly escrow: KeyEscrow;
  private readonly info: TemplateInfo;
  private serial: number;

  constructor(
    readonly name: string,
    readonly template: Personalised,
    private readonly random: RandomBytes = cryptoRandom(),
    /** Serial numbers start after this one (parallel production lines use disjoint ranges). */
    firstSerial = 0,
    /** First digits of the ICCIDs (issuer identification, E.118); 9 digits of serial and the Luhn digit follow. */
    private readonly iccidPrefix = '898821100',
  ) {
    this.escrow = new KeyEscrow(name);
    this.info = templateInfo(template);
    this.serial = firstSerial;
  }

  /** Makes the cards of an order, deposits their slots in the escrow and assigns slot 0 to the buyer. */
  produce(order: CardOrder): MadeCard[] {
    if (order.slots < 1) throw new RangeError('manufacturer: a card needs at least slot 0');
    return order.imsis.map((imsi) => this.make(order, imsi));
  }

  private make(order: CardOrder, imsi: string): MadeCard {
    const iccid = completeIccid(`${this.iccidPrefix}${String(++this.serial).padStart(9, '0')}`);
    const iccidBytes = encodeIccid(iccid);
    let content: EscrowContent;
    let slotRecords: SlotContent[];
    let active: SlotKeys;
    if (order.mode === 'keys') {
      // Fresh random keys for every slot: K, OPc, KIc, KID and KIK (AES-128), one block per slot.
      const blocks = this.random(KEY_BLOCK_LENGTH * order.slots);
      content = { mode: 'keys', blocks, slots: order.slots, kvn: this.info.kvn };
      const slots = Array.from({ length: order.slots }, (_, i) =>
        keysFromBlock(blocks.subarray(KEY_BLOCK_LENGTH * i, KEY_BLOCK_LENGTH * (i + 1)), this.info.kvn),
      );
      slotRecords = slots.map((keys) => ({ mode: 'keys', keys }));
      active = slots[0]!;
    } else {
      const master = this.random(32);
      content = { mode: 'derive', master, slots: order.slots, kvn: this.info.kvn };
      slotRecords = Array.from({ length: order.slots }, () => ({ mode: 'derive', master }));
      active = deriveSlotKeys(master, iccidBytes, 0, this.info.kvn);
    }
    this.escrow.register({ iccid: iccid, iccidBytes, owner: order.owner, content });
    this.escrow.assign(this.name, iccid, 0, order.operator);

    const own = new Map<string, Bytes | null>();
    own.set(this.info.iccidKey, iccidBytes);
    own.set(this.info.imsiKey, encodeImsi(imsi));
    for (const name of this.info.slotNames) own.set(name, null);
    for (const [i, s] of slotRecords.entries()) own.set(slotRecord(i), encodeSlot(s));
    own.set(
      SLOT_TABLE,
      Uint8Array.from(slotRecords.map((_, i) => (i === 0 ? SLOT_STATE.ACTIVE : SLOT_STATE.UNUSED))),
    );
    own.set(USIM_KEYS, encodeSubscriberKeys(active.subscriber));
    for (const name of this.info.keysetNames) own.set(name, null);
    for (const [name, v] of encodeOtaConfig({ keysets: active.ota, tars: [] }))
      if (name !== OTA_RECORD_TARS) own.set(name, v);
    own.set(KIK_RECORD, active.kik!);
    return { iccid: iccid, nvm: { own: [...own], journal: null } };
  }
}
