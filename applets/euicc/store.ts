// The ISD-R's NVM records (SGP.22 §2.4: profile metadata, §3.5 notifications, §4.4 configured addresses),
// all under euicc/ in the eUICC's own NVM. The enabled profile is the state field of its ProfileInfo, so
// which profile is enabled changes by rewriting one record inside one transaction: at every tear exactly
// one (or no) profile is enabled.
//   euicc/profiles       ProfileInfo TLVs (E3), one per installed profile (ISD-P)
//   euicc/notifications  pending NotificationMetadata TLVs (BF2F), oldest first
//   euicc/seq            last notification sequence number
//   euicc/default-dp     default SM-DP+ address (UTF-8); absent: none
//   euicc/upp/<AID>      the profile package of a downloaded ISD-P (rebuilt from it at every power-up)
//   euicc/isdp-next      the next ISD-P instance number a download gets (AIDs are never given twice)

import { type Bytes, concat, equal, toHex } from '../../card-os/bytes.js';
import type { Nvm } from '../../card-os/nvm.js';
import { ber, readBer, type Tlv } from '../../card-os/tlv.js';
import { children, derUint, records, uint } from './der.js';

export const EUICC_PROFILES = 'euicc/profiles';
export const EUICC_NOTIFICATIONS = 'euicc/notifications';
export const EUICC_SEQ = 'euicc/seq';
export const EUICC_DEFAULT_DP = 'euicc/default-dp';

/** The record holding a downloaded ISD-P's profile package (SAIP), by ISD-P AID. */
export const uppKey = (aid: Bytes) => `euicc/upp/${toHex(aid)}`;

/** ProfileInfo tags (SGP.22 §5.7.15, ProfileInfo). */
export const PI = {
  ICCID: 0x5a,
  ISDP_AID: 0x4f,
  STATE: 0x9f70,
  NICKNAME: 0x90,
  SP_NAME: 0x91,
  NAME: 0x92,
  ICON_TYPE: 0x93,
  ICON: 0x94,
  CLASS: 0x95,
  NOTIFICATION_CONFIG: 0xb6,
  OWNER: 0xb7,
  PPR: 0x99,
} as const;

export const STATE_DISABLED = 0;
export const STATE_ENABLED = 1;
export const CLASS_TEST = 0;
export const CLASS_PROVISIONING = 1;
export const CLASS_OPERATIONAL = 2;

/** PPR bits (SGP.22 §2.9.1, PprIds): ppr1 = disabling not allowed, ppr2 = deletion not allowed. */
const PPR1 = 1;
const PPR2 = 2;

export interface ProfileRecord {
  /** The E3 value's fields, in stored order. */
  fields: Tlv[];
  iccid: Bytes;
  aid: Bytes;
  state: number;
  profileClass: number;
}

function field(fields: Tlv[], tag: number): Bytes | undefined {
  return fields.find((f) => f.tag === tag)?.value;
}

/** Whether a named bit is set in a DER BIT STRING value (first byte = unused bits). */
export function bitSet(bits: Bytes | undefined, n: number): boolean {
  if (!bits || bits.length < 2) return false;
  const i = 1 + (n >> 3);
  return i < bits.length && (bits[i]! & (0x80 >> (n & 7))) !== 0;
}

export function readProfiles(nvm: Nvm): ProfileRecord[] {
  const out: ProfileRecord[] = [];
  for (const t of records(nvm.get(EUICC_PROFILES))) {
    const fields = children(t.value);
    if (t.tag !== 0xe3 || !fields) continue;
    const iccid = field(fields, PI.ICCID);
    const aid = field(fields, PI.ISDP_AID);
    if (!iccid || !aid) continue;
    out.push({
      fields,
      iccid,
      aid,
      state: uint(field(fields, PI.STATE)) ?? STATE_DISABLED,
      profileClass: uint(field(fields, PI.CLASS)) ?? CLASS_OPERATIONAL,
    });
  }
  return out;
}

export function encodeProfile(fields: Tlv[]): Bytes {
  return ber(0xe3, ...fields.map((f) => ber(f.tag, f.value)));
}

export function writeProfiles(nvm: Nvm, list: ProfileRecord[]): void {
  nvm.set(EUICC_PROFILES, concat(...list.map((p) => encodeProfile(p.fields))));
}

/** A copy of a profile record with one field replaced (or added at the end). */
export function withField(p: ProfileRecord, tag: number, value: Bytes): ProfileRecord {
  const fields = p.fields.some((f) => f.tag === tag)
    ? p.fields.map((f) => (f.tag === tag ? { ...f, value } : f))
    : [...p.fields, { tag, value, offset: 0, length: 0 }];
  const state = tag === PI.STATE ? (uint(value) ?? p.state) : p.state;
  return { ...p, fields, state };
}

export const stateValue = (s: number): Bytes => Uint8Array.of(s);

export function profileField(p: ProfileRecord, tag: number): Bytes | undefined {
  return field(p.fields, tag);
}

export const disableForbidden = (p: ProfileRecord) => bitSet(profileField(p, PI.PPR), PPR1);
export const deleteForbidden = (p: ProfileRecord) => bitSet(profileField(p, PI.PPR), PPR2);

/** The profile an identifier (4F ISD-P AID or 5A ICCID) names. */
export function findProfile(list: ProfileRecord[], id: Tlv | undefined): ProfileRecord | undefined {
  if (!id) return undefined;
  if (id.tag === PI.ISDP_AID) return list.find((p) => equal(p.aid, id.value));
  if (id.tag === PI.ICCID) return list.find((p) => equal(p.iccid, id.value));
  return undefined;
}

// ---- notifications (SGP.22 §2.6.4: NotificationMetadata) ----

/** NotificationEvent bits (SGP.22 §2.6.4). */
export const EVENT = { install: 0, enable: 1, disable: 2, delete: 3 } as const;

/** The one-bit BIT STRING of an event, as SGP.22 codes profileManagementOperation. */
export function eventBits(bit: number): Bytes {
  return Uint8Array.of(7 - bit, 0x80 >> bit);
}

/** The address a profile's notificationConfigurationInfo (B6) gives for an event, if any. */
export function notificationAddress(p: ProfileRecord, bit: number): Bytes | undefined {
  const b6 = profileField(p, PI.NOTIFICATION_CONFIG);
  for (const item of (b6 && children(b6)) ?? []) {
    const f = children(item.value);
    if (!f) continue;
    if (bitSet(f.find((x) => x.tag === 0x80)?.value, bit)) return f.find((x) => x.tag === 0x81)?.value;
  }
  return undefined;
}

/** Appends a notification for `bit` on `p` when the profile asks for one (inside the caller's transaction). */
export function addNotification(nvm: Nvm, p: ProfileRecord, bit: number): void {
  const address = notificationAddress(p, bit);
  if (!address) return;
  const seq = (uint(nvm.get(EUICC_SEQ)) ?? 0) + 1;
  nvm.set(EUICC_SEQ, derUint(seq));
  const meta = ber(
    0xbf2f,
    ber(0x80, derUint(seq)),
    ber(0x81, eventBits(bit)),
    ber(0x0c, address),
    ber(0x5a, p.iccid),
  );
  nvm.set(EUICC_NOTIFICATIONS, concat(nvm.get(EUICC_NOTIFICATIONS) ?? new Uint8Array(0), meta));
}

/** Appends a signed ProfileInstallationResult (BF37) to the list (inside the caller's transaction). */
export function addPendingNotification(nvm: Nvm, pir: Bytes): void {
  nvm.set(EUICC_NOTIFICATIONS, concat(nvm.get(EUICC_NOTIFICATIONS) ?? new Uint8Array(0), pir));
}

export interface NotificationRecord {
  /** As stored: NotificationMetadata (BF2F, signed when retrieved) or a signed ProfileInstallationResult (BF37). */
  tlv: Bytes;
  /** The NotificationMetadata TLV (BF2F). */
  meta: Bytes;
  seq: number;
  event: Bytes;
}

export function readNotifications(nvm: Nvm): NotificationRecord[] {
  const b = nvm.get(EUICC_NOTIFICATIONS);
  const out: NotificationRecord[] = [];
  for (const t of records(b)) {
    const tlv = b!.subarray(t.offset, t.offset + t.length);
    let meta: Bytes | undefined = tlv;
    if (t.tag === 0xbf37) {
      // ProfileInstallationResult: BF37 { BF27 { 80 tid, BF2F metadata, ... }, 5F37 }
      const data = children(t.value)?.find((x) => x.tag === 0xbf27);
      const inner = data && children(data.value)?.find((x) => x.tag === 0xbf2f);
      meta = inner && data!.value.subarray(inner.offset, inner.offset + inner.length);
    } else if (t.tag !== 0xbf2f) meta = undefined;
    const m = meta && readBer(meta);
    const f = m && children(m.value);
    const seq = uint(f?.find((x) => x.tag === 0x80)?.value);
    const event = f?.find((x) => x.tag === 0x81)?.value;
    if (!meta || seq === undefined || !event) continue;
    out.push({ tlv, meta, seq, event });
  }
  return out;
}

export function writeNotifications(nvm: Nvm, list: NotificationRecord[]): void {
  nvm.set(EUICC_NOTIFICATIONS, concat(...list.map((n) => n.tlv)));
}
