// The key-slot applet's command set (proprietary, CLA 80) and its data objects: one codec for the card and
// for the host that builds the remote command scripts. docs/key-slots.md is the reference for operators.
//
// The applet is a non-file application selected by AID. Over the air its commands run inside a secured
// packet's remote command script (TS 102 226), after `00 A4 04 0C <AID>`, in the OS session that RFM opens
// with the keyset's rights: every command needs the profile's admin key reference (default ADM1) to be
// verified or granted in that session.
//
//   80 5A 00 00 00        KEY SLOT STATUS            -> A0 { 80 slot states, [81 active index],
//                                                          [A1 staged change], [83 last change txid],
//                                                          [84 last rotation txid] }
//   80 5C 01 00 Lc data   STAGE a subscription change  data 80 EF.IMSI content, 81 target slot, 82 txid
//   80 5C 02 00 Lc data   CANCEL a staged change       data 82 txid
//   80 5C 03 00 Lc data   COMMIT a staged change       data 82 txid; the switch happens at the next reset,
//                                                      and a REFRESH (UICC reset) is queued to ask for it
//   80 5E 00 00 Lc data   ROTATE the active keys       data 82 txid, 86 AES-KWP(KIK, A5 { 90 K, 91 OPc |
//                                                      92 OP, 93 OTA keyset record..., 94 new KIK })
// STAGE and COMMIT answer A1 { 81 slot index, 82 txid, 83 state } with state 01 staged, 02 committed (the
// switch waits for the next reset), 03 active (this txid already took effect). A target slot equal to the
// active one changes only the IMSI and keeps K and the OTA keys (TR 33.812 Alternative 3a); the next unused
// slot also brings that slot's keys (Alternative 3b).
//
// Status words:
//   9000  done (a repeated txid answers as the first time and changes nothing)
//   6700  no command data
//   6A80  malformed data: unknown or missing object, bad EF.IMSI coding, txid not 1..16 bytes, unusable keys
//         in a rotation (including keysets that no TAR granting the admin right accepts)
//   6A86  P1 or P2 not defined
//   6982  the session lacks the admin right (a packet under the wrong keyset, or no ADM verification)
//   6985  conflicts with the card's state: another change is staged, the txid was used for something else,
//         CANCEL after COMMIT, COMMIT of a change that is not staged, ROTATE on a card without a KIK
//   6A84  no unused slot is left (TR 33.812 §5.3.2.3): nothing is changed
//   6A88  the target slot is neither the active slot nor the next unused one
//   6581  the next slot cannot be activated (its record is missing or malformed, or it brings no OTA keyset
//         that a TAR with the admin right accepts, which would leave the card unmanageable)
//   6300  ROTATE: the keys do not unwrap under the card's KIK (wrong key or tampered)

import { type Bytes, concat, equal } from '../../card-os/bytes.js';
import { ber, findTag, parseBer } from '../../card-os/tlv.js';

export const KEYSLOT_CLA = 0x80;
export const INS = { STATUS: 0x5a, CHANGE: 0x5c, ROTATE: 0x5e } as const;
export const CHANGE_P1 = { STAGE: 0x01, CANCEL: 0x02, COMMIT: 0x03 } as const;
export const CHANGE_STATE = { STAGED: 0x01, COMMITTED: 0x02, ACTIVE: 0x03 } as const;

/** Default AID: ISO/IEC 7816-5 category F (proprietary, unregistered) ‖ "uiccKS". */
export const DEFAULT_KEYSLOT_AID = Uint8Array.of(0xf0, 0x75, 0x69, 0x63, 0x63, 0x4b, 0x53);

export const TAG = {
  STATUS: 0xa0,
  CHANGE: 0xa1,
  IMSI: 0x80,
  STATES: 0x80,
  INDEX: 0x81,
  ACTIVE: 0x81,
  TXID: 0x82,
  STATE: 0x83,
  LAST_CHANGE: 0x83,
  LAST_ROTATION: 0x84,
  WRAPPED: 0x86,
  PAYLOAD: 0xa5,
  K: 0x90,
  OPC: 0x91,
  OP: 0x92,
  KEYSET: 0x93,
  KIK: 0x94,
} as const;

export const TXID_MAX = 16;
/** EF.IMSI is 9 bytes (TS 31.102 §4.2.2). */
export const IMSI_CONTENT_LENGTH = 9;

/**
 * Whether bytes are a valid EF.IMSI content (TS 31.102 §4.2.2): length byte 4..8 (6 to 15 digits), identity
 * type 001 and the parity bit matching the digit count, BCD digits, FF after the used bytes.
 */
export function isImsiContent(b: Bytes): boolean {
  if (b.length !== IMSI_CONTENT_LENGTH) return false;
  const used = b[0]!;
  if (used < 4 || used > 8) return false;
  if ((b[1]! & 0x07) !== 0x01 || b[1]! >> 4 > 9) return false;
  const odd = (b[1]! & 0x08) !== 0;
  for (let i = 2; i <= used; i++) {
    const lo = b[i]! & 0x0f;
    const hi = b[i]! >> 4;
    if (lo > 9) return false;
    // An even digit count leaves the last high nibble as the F filler, an odd one fills it with a digit.
    if (i === used && !odd) {
      if (hi !== 0x0f) return false;
    } else if (hi > 9) return false;
  }
  for (let i = used + 1; i < b.length; i++) if (b[i] !== 0xff) return false;
  return true;
}

// ---- change (STAGE / CANCEL / COMMIT) ----

export interface StageRequest {
  /** New EF.IMSI content. */
  imsi: Bytes;
  /** The slot the new IMSI is bound to: the active one (keys carried over) or the next unused one. */
  index: number;
  txid: Bytes;
}

export interface ChangeAnswer {
  index: number;
  txid: Bytes;
  state: number;
}

const txidOk = (t: Bytes | undefined): t is Bytes => t !== undefined && t.length >= 1 && t.length <= TXID_MAX;

export function encodeStageData(r: StageRequest): Bytes {
  return concat(ber(TAG.IMSI, r.imsi), ber(TAG.INDEX, Uint8Array.of(r.index)), ber(TAG.TXID, r.txid));
}

/** Decodes STAGE data; undefined when an object is missing, repeated, unknown or badly coded. */
export function decodeStageData(b: Bytes): StageRequest | undefined {
  const items = onlyTags(b, [TAG.IMSI, TAG.INDEX, TAG.TXID]);
  const imsi = findTag(items, TAG.IMSI);
  const index = findTag(items, TAG.INDEX);
  const txid = findTag(items, TAG.TXID);
  if (!imsi || !isImsiContent(imsi) || index?.length !== 1 || !txidOk(txid)) return undefined;
  return { imsi: imsi.slice(), index: index[0]!, txid: txid.slice() };
}

export function encodeTxidData(txid: Bytes): Bytes {
  return ber(TAG.TXID, txid);
}

export function decodeTxidData(b: Bytes): Bytes | undefined {
  const txid = findTag(onlyTags(b, [TAG.TXID]), TAG.TXID);
  return txidOk(txid) ? txid.slice() : undefined;
}

export function encodeChangeAnswer(a: ChangeAnswer): Bytes {
  return ber(
    TAG.CHANGE,
    ber(TAG.INDEX, Uint8Array.of(a.index)),
    ber(TAG.TXID, a.txid),
    ber(TAG.STATE, Uint8Array.of(a.state)),
  );
}

export function decodeChangeAnswer(b: Bytes): ChangeAnswer | undefined {
  const outer = parseBer(b);
  if (outer?.length !== 1 || outer[0]!.tag !== TAG.CHANGE) return undefined;
  return changeAnswerOf(outer[0]!.value);
}

/** The content of an A1 template. */
function changeAnswerOf(value: Bytes): ChangeAnswer | undefined {
  const items = parseBer(value);
  const index = findTag(items, TAG.INDEX);
  const txid = findTag(items, TAG.TXID);
  const state = findTag(items, TAG.STATE);
  if (index?.length !== 1 || !txidOk(txid) || state?.length !== 1) return undefined;
  return { index: index[0]!, txid: txid.slice(), state: state[0]! };
}

// ---- status ----

export interface SlotStatus {
  states: number[];
  active?: number;
  staged?: ChangeAnswer;
  lastChange?: Bytes;
  lastRotation?: Bytes;
}

export function encodeStatus(s: SlotStatus): Bytes {
  const parts = [ber(TAG.STATES, Uint8Array.from(s.states))];
  if (s.active !== undefined) parts.push(ber(TAG.ACTIVE, Uint8Array.of(s.active)));
  if (s.staged) parts.push(encodeChangeAnswer(s.staged));
  if (s.lastChange) parts.push(ber(TAG.LAST_CHANGE, s.lastChange));
  if (s.lastRotation) parts.push(ber(TAG.LAST_ROTATION, s.lastRotation));
  return ber(TAG.STATUS, ...parts);
}

export function decodeStatus(b: Bytes): SlotStatus | undefined {
  const outer = parseBer(b);
  if (outer?.length !== 1 || outer[0]!.tag !== TAG.STATUS) return undefined;
  const items = parseBer(outer[0]!.value);
  const states = findTag(items, TAG.STATES);
  if (!items || !states) return undefined;
  const out: SlotStatus = { states: Array.from(states) };
  const active = findTag(items, TAG.ACTIVE);
  if (active?.length === 1) out.active = active[0]!;
  const staged = findTag(items, TAG.CHANGE);
  if (staged) {
    const a = changeAnswerOf(staged);
    if (!a) return undefined;
    out.staged = a;
  }
  const lastChange = findTag(items, TAG.LAST_CHANGE);
  if (lastChange) out.lastChange = lastChange.slice();
  const lastRotation = findTag(items, TAG.LAST_ROTATION);
  if (lastRotation) out.lastRotation = lastRotation.slice();
  return out;
}

// ---- rotation ----

export interface RotationRequest {
  txid: Bytes;
  /** AES key wrap with padding (RFC 5649) of the payload under the card's KIK. */
  wrapped: Bytes;
}

export function encodeRotationData(r: RotationRequest): Bytes {
  return concat(ber(TAG.TXID, r.txid), ber(TAG.WRAPPED, r.wrapped));
}

export function decodeRotationData(b: Bytes): RotationRequest | undefined {
  const items = onlyTags(b, [TAG.TXID, TAG.WRAPPED]);
  const txid = findTag(items, TAG.TXID);
  const wrapped = findTag(items, TAG.WRAPPED);
  if (!txidOk(txid) || !wrapped || wrapped.length === 0) return undefined;
  return { txid: txid.slice(), wrapped: wrapped.slice() };
}

/**
 * The objects of `b` when every tag is one of `allowed` and none repeats; undefined otherwise (a card
 * must not guess what an object it does not know would have meant).
 */
export function onlyTags(b: Bytes, allowed: readonly number[]) {
  const items = parseBer(b);
  if (!items) return undefined;
  const seen = new Set<number>();
  for (const t of items) {
    if (!allowed.includes(t.tag) || seen.has(t.tag)) return undefined;
    seen.add(t.tag);
  }
  return items;
}

export const sameTxid = (a: Bytes | undefined, b: Bytes | undefined) =>
  a !== undefined && b !== undefined && equal(a, b);
