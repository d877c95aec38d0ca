// The key-slot applet's own NVM records besides the slots (store.ts): the staged subscription change, the
// transaction ids already carried out, and the active subscription's key-encryption key.
//
//   slot/staged          A1 { 80 EF.IMSI content, 81 target slot, 82 txid, 84 committed (00/01) }
//   slot/history         A2 { [83 txid of the last change that took effect], [84 txid of the last rotation] }
//   secret/keyslots/kik  the KIK (AES) of the active subscription, never readable
//
// A staged change is a prepared transaction (two-phase commit, the card being a participant): the PoR of
// STAGE is the card's vote, and only COMMIT, which the old operator sends once the new operator has taken
// the subscription on, lets the next reset switch. Until then a reset or a power loss leaves the card on
// the old subscription, so a card whose acknowledgement never arrived is never switched to a subscription
// the network did not set up (TR 33.812 §5.3.2.3: acknowledged OTA, no lock-out).

import type { Bytes } from '../../card-os/bytes.js';
import type { Nvm } from '../../card-os/nvm.js';
import { ber, findTag, parseBer } from '../../card-os/tlv.js';
import { isImsiContent, TXID_MAX } from './protocol.js';

export const STAGED_RECORD = 'slot/staged';
export const HISTORY_RECORD = 'slot/history';
export const KIK_RECORD = 'secret/keyslots/kik';

export interface StagedChange {
  imsi: Bytes;
  index: number;
  txid: Bytes;
  committed: boolean;
}

export interface History {
  lastChange?: Bytes;
  lastRotation?: Bytes;
}

export function encodeStaged(s: StagedChange): Bytes {
  return ber(
    0xa1,
    ber(0x80, s.imsi),
    ber(0x81, Uint8Array.of(s.index)),
    ber(0x82, s.txid),
    ber(0x84, Uint8Array.of(s.committed ? 1 : 0)),
  );
}

export function decodeStaged(b: Bytes | undefined): StagedChange | undefined {
  const outer = b && parseBer(b);
  if (outer?.length !== 1 || outer[0]!.tag !== 0xa1) return undefined;
  const items = parseBer(outer[0]!.value);
  const imsi = findTag(items, 0x80);
  const index = findTag(items, 0x81);
  const txid = findTag(items, 0x82);
  const committed = findTag(items, 0x84);
  if (!imsi || !isImsiContent(imsi) || index?.length !== 1 || committed?.length !== 1 || committed[0]! > 1)
    return undefined;
  if (!txid || txid.length < 1 || txid.length > TXID_MAX) return undefined;
  return { imsi, index: index[0]!, txid, committed: committed[0] === 1 };
}

export function readHistory(nvm: Nvm): History {
  const outer = parseBer(nvm.get(HISTORY_RECORD) ?? new Uint8Array(0));
  const items = outer?.[0]?.tag === 0xa2 ? parseBer(outer[0].value) : undefined;
  const out: History = {};
  const change = findTag(items, 0x83);
  const rotation = findTag(items, 0x84);
  if (change) out.lastChange = change;
  if (rotation) out.lastRotation = rotation;
  return out;
}

export function writeHistory(nvm: Nvm, h: History): void {
  const parts: Bytes[] = [];
  if (h.lastChange) parts.push(ber(0x83, h.lastChange));
  if (h.lastRotation) parts.push(ber(0x84, h.lastRotation));
  nvm.set(HISTORY_RECORD, ber(0xa2, ...parts));
}
