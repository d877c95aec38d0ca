// The key-slot applet through the card OS (local commands with ADM1 verified): staging, commit, the switch
// at reset, cancel, exhaustion, rotation, and every status word of the command set.
import { describe, expect, it } from 'vitest';
import { deriveSlotKeys } from '../../applets/keyslots/derive.js';
import { CHANGE_STATE, decodeChangeAnswer } from '../../applets/keyslots/protocol.js';
import { encodeRotationPayload, wrapPayload } from '../../applets/keyslots/rotation.js';
import { KIK_RECORD, STAGED_RECORD } from '../../applets/keyslots/staging.js';
import {
  encodeOtaConfig,
  keysetRecordName,
  OTA_RECORD_COUNTERS,
  OTA_RECORD_TARS,
} from '../../applets/ota/ota-config.js';
import { SLOT_STATE, slotRecord } from '../../applets/subscriptions/slot-store.js';
import { USIM_KEYS } from '../../applets/usim/applet.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { encodeIccid } from '../../host/codecs/iccid.js';
import { encodeImsi } from '../../host/codecs/imsi.js';
import { tx } from '../support/uicc.js';
import {
  authWith,
  cancel,
  commit,
  holds,
  m2mCard,
  openApplet,
  PROFILE_ICCID,
  presentedImsi,
  SLOT0,
  SLOT1,
  SLOT2_MASTER,
  stage,
  status,
} from './support.js';

const IMSI_B = '001020000000001';
const IMSI_C = '001030000000001';
const TX1 = '0101010101010101';
const TX2 = '0202020202020202';

const slot2 = deriveSlotKeys(fromHex(SLOT2_MASTER), encodeIccid(PROFILE_ICCID), 2, 1);
const SLOT2 = { k: toHex(slot2.subscriber.k), opc: toHex(slot2.subscriber.opc!) };

describe('subscription change on the card', () => {
  it('stage, commit, reset: the new IMSI and slot keys only after the reset; the old slot is erased', () => {
    const card = m2mCard();
    openApplet(card);
    expect(status(card)).toEqual({ states: [1, 0, 0], active: 0 });
    const oldImsi = presentedImsi(card);
    openApplet(card);
    const s = stage(card, IMSI_B, 1, TX1);
    expect(s.sw).toBe('9000');
    expect(decodeChangeAnswer(fromHex(s.data))).toEqual({
      index: 1,
      txid: fromHex(TX1),
      state: CHANGE_STATE.STAGED,
    });
    // Staged only: a reset changes nothing.
    card.reset();
    expect(presentedImsi(card)).toBe(oldImsi);
    expect(authWith(card, SLOT0)).toBe('ok');
    openApplet(card);
    const c = commit(card, TX1);
    // COMMIT asks for a UICC reset: 91xx, and FETCH gives REFRESH (qualifier 04).
    expect(c.sw).toMatch(/^91/);
    expect(decodeChangeAnswer(fromHex(c.data))?.state).toBe(CHANGE_STATE.COMMITTED);
    expect(c.sw).toBe('910B');
    expect(tx(card, '801200000B').data).toBe('D009810301010482028182');
    // Before the reset the old IMSI and K are in force.
    expect(presentedImsi(card)).toBe(oldImsi);
    expect(holds(card, SLOT0)).toBe(true);
    expect(holds(card, SLOT1)).toBe(false);
    card.reset();
    expect(presentedImsi(card)).toBe(toHex(encodeImsi(IMSI_B)));
    // A fresh SQN state for the new K: the new operator's first vector (SEQ 1) is accepted.
    expect(authWith(card, SLOT1)).toBe('ok');
    expect(holds(card, SLOT0)).toBe(false);
    openApplet(card);
    expect(status(card)).toEqual({ states: [2, 1, 0], active: 1, lastChange: fromHex(TX1) });
    expect(card.nvm.has(slotRecord(0))).toBe(false);
    expect(card.nvm.has(STAGED_RECORD)).toBe(false);
    expect(card.nvm.has(OTA_RECORD_COUNTERS)).toBe(false);
    expect(toHex(card.nvm.get(KIK_RECORD)!)).toBe('3F1CAA9F2901FA573FFF5FF1C88A0250');
    expect(toHex(card.nvm.get(keysetRecordName(1))!)).toContain('35E82E77DFDED2B484A3238F0853C969');
  });

  it('a derived slot gets the keys the KDF gives for its index and the card ICCID; then no slot is left (6A84)', () => {
    const card = m2mCard();
    for (const [imsi, index, txid] of [
      [IMSI_B, 1, TX1],
      [IMSI_C, 2, TX2],
    ] as const) {
      openApplet(card);
      expect(stage(card, imsi, index, txid).sw).toBe('9000');
      expect(commit(card, txid).sw).toMatch(/^91/);
      card.reset();
    }
    expect(presentedImsi(card)).toBe(toHex(encodeImsi(IMSI_C)));
    expect(authWith(card, SLOT2)).toBe('ok');
    expect(authWith(card, SLOT1)).toBe('mac');
    expect(toHex(card.nvm.get(KIK_RECORD)!)).toBe(toHex(slot2.kik!));
    openApplet(card);
    expect(status(card).states).toEqual([SLOT_STATE.USED, SLOT_STATE.USED, SLOT_STATE.ACTIVE]);
    // Exhausted: the documented status, and nothing changes.
    const before = JSON.stringify(card.nvm.snapshot());
    expect(stage(card, IMSI_B, 3, '03').sw).toBe('6A84');
    expect(JSON.stringify(card.nvm.snapshot())).toBe(before);
    // A used slot never comes back.
    expect(stage(card, IMSI_B, 0, '03').sw).toBe('6A84');
    // The IMSI-only change (3a: target = the active slot) still works, keys carried over.
    expect(stage(card, IMSI_B, 2, '04').sw).toBe('9000');
    expect(commit(card, '04').sw).toMatch(/^91/);
    card.reset();
    expect(presentedImsi(card)).toBe(toHex(encodeImsi(IMSI_B)));
    expect(holds(card, SLOT2)).toBe(true);
  });

  it('a repeated STAGE or COMMIT with the same txid answers the same and changes nothing; after the switch it answers "active"', () => {
    const card = m2mCard();
    openApplet(card);
    const first = stage(card, IMSI_B, 1, TX1);
    const snap = JSON.stringify(card.nvm.snapshot());
    expect(stage(card, IMSI_B, 1, TX1)).toEqual(first);
    expect(JSON.stringify(card.nvm.snapshot())).toBe(snap);
    expect(commit(card, TX1).sw).toMatch(/^91/);
    const again = commit(card, TX1);
    expect(again.sw).toMatch(/^91/); // asks for the reset again
    card.reset();
    openApplet(card);
    const after = stage(card, IMSI_B, 1, TX1);
    expect(after.sw).toBe('9000');
    expect(decodeChangeAnswer(fromHex(after.data))).toEqual({
      index: 1,
      txid: fromHex(TX1),
      state: CHANGE_STATE.ACTIVE,
    });
    expect(decodeChangeAnswer(fromHex(commit(card, TX1).data))?.state).toBe(CHANGE_STATE.ACTIVE);
    // No double advance: slot 2 is still unused.
    expect(status(card).states).toEqual([2, 1, 0]);
  });

  it('cancel: only the staged txid, not after COMMIT, idempotent', () => {
    const card = m2mCard();
    openApplet(card);
    expect(stage(card, IMSI_B, 1, TX1).sw).toBe('9000');
    expect(cancel(card, TX2).sw).toBe('6985');
    expect(cancel(card, TX1).sw).toBe('9000');
    expect(cancel(card, TX1).sw).toBe('9000');
    expect(card.nvm.has(STAGED_RECORD)).toBe(false);
    expect(commit(card, TX1).sw).toBe('6985');
    expect(stage(card, IMSI_B, 1, TX2).sw).toBe('9000');
    expect(commit(card, TX2).sw).toMatch(/^91/);
    expect(cancel(card, TX2).sw).toBe('6985');
    card.reset();
    openApplet(card);
    expect(cancel(card, TX2).sw).toBe('6985');
  });

  it('status words: 6982 without the admin right, 6985 conflicts, 6A88 wrong slot, 6A80 / 6A86 / 6700 bad commands', () => {
    const card = m2mCard();
    openApplet(card, false);
    expect(stage(card, IMSI_B, 1, TX1).sw).toBe('6982');
    expect(tx(card, '805A000000').sw).toBe('6982');
    openApplet(card);
    expect(stage(card, IMSI_B, 2, TX1).sw).toBe('6A88');
    expect(stage(card, IMSI_B, 7, TX1).sw).toBe('6A88');
    expect(stage(card, IMSI_B, 1, TX1).sw).toBe('9000');
    expect(stage(card, IMSI_B, 1, TX2).sw).toBe('6985'); // another change is staged
    expect(stage(card, IMSI_C, 1, TX1).sw).toBe('6985'); // same txid, different change
    expect(tx(card, '805C0100058201018000').sw).toBe('6A80'); // unknown object
    expect(tx(card, `805C01000B8009${'FF'.repeat(9)}`).sw).toBe('6A80');
    expect(tx(card, '805C040003820101').sw).toBe('6A86');
    expect(tx(card, '805C010100').sw).toBe('6A86');
    expect(tx(card, '805C0100').sw).toBe('6700');
    expect(tx(card, '805A000100').sw).toBe('6A86');
    // Not a key-slot instruction: the OS answers.
    expect(tx(card, '80CA000000').sw).toBe('6D00');
  });

  it('a slot that cannot be activated is refused (6581) at STAGE, and a damaged one is dropped at reset', () => {
    const card = m2mCard();
    openApplet(card);
    card.nvm.set(slotRecord(1), fromHex('A003800101'));
    expect(stage(card, IMSI_B, 1, TX1).sw).toBe('6581');
    const good = m2mCard();
    openApplet(good);
    expect(stage(good, IMSI_B, 1, TX1).sw).toBe('9000');
    expect(commit(good, TX1).sw).toMatch(/^91/);
    const imsi = presentedImsi(good);
    good.nvm.set(slotRecord(1), fromHex('A003800101'));
    good.reset();
    // The change is gone and the card is still on slot 0.
    expect(presentedImsi(good)).toBe(imsi);
    expect(authWith(good, SLOT0)).toBe('ok');
    expect(good.nvm.has(STAGED_RECORD)).toBe(false);
  });

  it('no command returns a secret, and the slot records are not files', () => {
    const card = m2mCard();
    openApplet(card);
    const all = [tx(card, '805A000000').data, stage(card, IMSI_B, 1, TX1).data, commit(card, TX1).data].join(
      '',
    );
    for (const secret of [
      SLOT0.k,
      SLOT0.opc,
      SLOT1.k,
      SLOT1.opc,
      SLOT2_MASTER,
      '5E0C6BEC8098AAFFF05A8BFB5E676924',
    ])
      expect(all).not.toContain(secret);
    expect(card.nvm.keys().filter((k) => k.includes('slot/') && !k.startsWith('slot/'))).toEqual(
      expect.arrayContaining(['secret/slot/00', 'secret/slot/01', 'secret/slot/02']),
    );
  });
});

describe('key rotation (Alternative 3a)', () => {
  const KIK0 = fromHex('5E0C6BEC8098AAFFF05A8BFB5E676924');
  const NEW = { k: '00112233445566778899AABBCCDDEEFF', opc: 'FFEEDDCCBBAA99887766554433221100' };
  const newKeyset = {
    kvn: 1,
    kic: { alg: 'aes' as const, key: fromHex('0F0E0D0C0B0A09080706050403020100') },
    kid: { alg: 'aes' as const, key: fromHex('1F1E1D1C1B1A19181716151413121110') },
  };
  const records = () => {
    const r = encodeOtaConfig({ keysets: [newKeyset], tars: [] });
    r.delete(OTA_RECORD_TARS);
    return [...r.values()];
  };
  const rotate = (card: ReturnType<typeof m2mCard>, kik: Uint8Array, payload: Uint8Array, txid = 'AA') => {
    const wrapped = wrapPayload(kik, payload);
    const data = `8201${txid}86${wrapped.length.toString(16).padStart(2, '0')}${toHex(wrapped)}`;
    return tx(card, `805E0000${(data.length / 2).toString(16).padStart(2, '0')}${data}`);
  };

  it('replaces K, OPc, the OTA keyset and the KIK at once; a repeat is answered without change', () => {
    const card = m2mCard();
    openApplet(card);
    const payload = encodeRotationPayload({
      k: fromHex(NEW.k),
      opc: fromHex(NEW.opc),
      keysets: records(),
      kik: fromHex(NEW.k),
    });
    expect(rotate(card, KIK0, payload).sw).toBe('9000');
    expect(authWith(card, NEW)).toBe('ok');
    expect(authWith(card, SLOT0)).toBe('mac');
    expect(toHex(card.nvm.get(keysetRecordName(1))!)).toContain('0F0E0D0C0B0A09080706050403020100');
    expect(toHex(card.nvm.get(KIK_RECORD)!)).toBe(NEW.k);
    openApplet(card);
    const snap = JSON.stringify(card.nvm.snapshot());
    expect(rotate(card, KIK0, payload).sw).toBe('9000'); // same txid: done already (even under the old KIK)
    expect(JSON.stringify(card.nvm.snapshot())).toBe(snap);
    expect(status(card).lastRotation).toEqual(fromHex('AA'));
  });

  it('refuses a wrong KIK (6300), keysets that would lock the operator out (6A80), a malformed payload (6A80)', () => {
    const card = m2mCard();
    openApplet(card);
    const keysBefore = toHex(card.nvm.get(USIM_KEYS)!);
    const wrongKik = KIK0.slice();
    wrongKik[0]! ^= 1;
    const payload = encodeRotationPayload({ k: fromHex(NEW.k), opc: fromHex(NEW.opc), keysets: [] });
    expect(rotate(card, wrongKik, payload).sw).toBe('6300');
    // Keyset 5 is accepted by no TAR: the card would be unmanageable.
    const r = encodeOtaConfig({ keysets: [{ ...newKeyset, kvn: 5 }], tars: [] });
    r.delete(OTA_RECORD_TARS);
    expect(rotate(card, KIK0, encodeRotationPayload({ keysets: [...r.values()] })).sw).toBe('6A80');
    expect(rotate(card, KIK0, fromHex('A5039001FF')).sw).toBe('6A80');
    expect(toHex(card.nvm.get(USIM_KEYS)!)).toBe(keysBefore);
    card.nvm.delete(KIK_RECORD);
    expect(rotate(card, KIK0, payload).sw).toBe('6985');
  });
});
