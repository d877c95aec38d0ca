// Checks the records of a loaded card image against the card's spec, so a hand-edited or damaged image is
// refused at load with the record named, instead of answering 6F00 (or accepting a 255-try PIN) later.

import { decodeSqnState } from '../../applets/aka/sqn.js';
import { decodeSubscriberKeys } from '../../applets/aka/subscriber-keys.js';
import { ISIM_RECORDS } from '../../applets/isim/applet.js';
import { decodeStaged, STAGED_RECORD } from '../../applets/keyslots/staging.js';
import {
  decodeOtaConfig,
  decodeOtaCounters,
  OTA_RECORD_COUNTERS,
  OTA_RECORD_KEYSET_PREFIX,
  OTA_RECORD_TARS,
} from '../../applets/ota/ota-config.js';
import {
  decodeOceCas,
  decodeSdKeys,
  SD_ECKA_RECORD,
  SD_OCE_CA_RECORD,
} from '../../applets/security-domain/sd-records.js';
import { decodeSlot } from '../../applets/subscriptions/slot-store.js';
import { USIM_KEYS, USIM_SQN } from '../../applets/usim/applet.js';
import type { Bytes } from '../../card-os/bytes.js';
import type { CardOs } from '../../card-os/card.js';
import { contentKey, lcsKey, walk } from '../../card-os/fs/model.js';
import { pinStateKey, pinValueKey, pukValueKey, validPinBlock } from '../../card-os/security/pin.js';

const hex2 = (n: number) => n.toString(16).padStart(2, '0').toUpperCase();

/**
 * The applets' records, each checked by the decoder the applet itself uses (a record the applet cannot
 * decode would only fail later, at the command that needs it). Key or key prefix (ending in "/").
 */
const APPLET_RECORDS: [string, string, (b: Bytes) => unknown][] = [
  [USIM_KEYS, 'USIM subscriber keys (K, OPc, constants)', decodeSubscriberKeys],
  [USIM_SQN, 'USIM SQN state (TS 33.102 Annex C)', decodeSqnState],
  [ISIM_RECORDS.keys, 'ISIM subscriber keys', decodeSubscriberKeys],
  [ISIM_RECORDS.sqn, 'ISIM SQN state (TS 33.102 Annex C)', decodeSqnState],
  [OTA_RECORD_COUNTERS, 'OTA replay counters', decodeOtaCounters],
  [SD_ECKA_RECORD, 'security domain ECKA keys', decodeSdKeys],
  [SD_OCE_CA_RECORD, 'security domain OCE CA keys', decodeOceCas],
  [STAGED_RECORD, 'staged operator change', decodeStaged],
  ['secret/slot/', 'key slot', decodeSlot],
];

/** Every problem found, as "record: what is wrong". */
export function imageRecordProblems(card: CardOs): string[] {
  const nvm = card.nvm;
  const out: string[] = [];
  for (const pin of card.spec.pins) {
    const name = `${pin.name} (key reference ${hex2(pin.ref)})`;
    // TS 102 221 §9.5.1: the stored PIN is 8 bytes, digits padded with FF (ADM keys: any 8 bytes).
    const value = nvm.get(pinValueKey(pin.ref));
    if (!value || !validPinBlock(pin.ref, value))
      out.push(`${pinValueKey(pin.ref)}: ${name} value must be 8 bytes, 4 to 8 digits padded with FF`);
    if (pin.puk) {
      const puk = nvm.get(pukValueKey(pin.ref));
      if (!puk || !validPinBlock(0x01, puk))
        out.push(`${pukValueKey(pin.ref)}: ${name} PUK must be 8 bytes, 4 to 8 digits padded with FF`);
    }
    const st = nvm.get(pinStateKey(pin.ref));
    if (!st || st.length < 3) out.push(`${pinStateKey(pin.ref)}: ${name} state must be at least 3 bytes`);
    else {
      if (st[0]! > 1) out.push(`${pinStateKey(pin.ref)}: ${name} enabled flag must be 0 or 1, is ${st[0]}`);
      if (st[1]! > pin.maxTries)
        out.push(
          `${pinStateKey(pin.ref)}: ${name} has ${st[1]} tries left, more than its maximum ${pin.maxTries}`,
        );
      if (st[2]! > pin.maxUnblockTries)
        out.push(
          `${pinStateKey(pin.ref)}: ${name} has ${st[2]} unblock tries left, more than its maximum ${pin.maxUnblockTries}`,
        );
    }
  }
  for (const key of nvm.keys()) {
    const rule = APPLET_RECORDS.find(([k]) => (k.endsWith('/') ? key.startsWith(k) : key === k));
    if (rule && rule[2](nvm.get(key)!) === undefined) out.push(`${key}: ${rule[1]} record is malformed`);
  }
  const ota = new Map(
    nvm
      .keys()
      .filter((k) => k === OTA_RECORD_TARS || k.startsWith(OTA_RECORD_KEYSET_PREFIX))
      .map((k) => [k, nvm.get(k)!]),
  );
  if (ota.size && !decodeOtaConfig(ota))
    out.push(`${OTA_RECORD_TARS}, ${OTA_RECORD_KEYSET_PREFIX}*: OTA configuration records are malformed`);
  for (const f of walk(card.spec.mf)) {
    const lcs = nvm.get(lcsKey(f));
    if (lcs && lcs.length !== 1) out.push(`${lcsKey(f)}: ${f.name} life cycle state must be 1 byte`);
    if (f.type !== 'EF') continue;
    const c = nvm.get(contentKey(f));
    if (!c) continue;
    // Transparent and record EFs have a fixed size (TS 102 221 §8.2.2); BER-TLV EFs up to their maximum.
    if (f.structure === 'ber-tlv' ? c.length > f.size : c.length !== f.size)
      out.push(
        `${contentKey(f)}: ${f.name} content is ${c.length} bytes, the file ${f.structure === 'ber-tlv' ? 'holds at most' : 'is'} ${f.size}`,
      );
  }
  return out;
}

/**
 * Throws one error naming the image and every bad record. An eUICC is given as its card OSes with the key
 * prefix of each one's records in the image (`EuiccCard.storage`), so the error names the image's key.
 */
export function checkImageRecords(card: CardOs | [string, CardOs][], image: string): void {
  const parts: [string, CardOs][] = Array.isArray(card) ? card : [['', card]];
  const p = parts.flatMap(([prefix, os]) => imageRecordProblems(os).map((x) => `${prefix}${x}`));
  if (p.length)
    throw new Error(`${image}: card image records do not match the card's profile:\n  ${p.join('\n  ')}`);
}
