// The long-term key update (SCP11a, INS D4) and the key-slot records with a TUAK subscription: a 256-bit K
// and a 256-bit TOPc (TS 35.231 §4) travel in the C1/C2 key blocks, the card keeps the algorithm and its
// parameters, and the HSS follows; key lengths that do not fit the profile's algorithm are refused with
// nothing written.

import { describe, expect, it } from 'vitest';
import {
  decodeSubscriberKeys,
  encodeSubscriberKeys,
  type SubscriberKeys,
} from '../../applets/aka/subscriber-keys.js';
import { computeTopc, type TuakParams } from '../../applets/aka/tuak.js';
import { decodeRotationPayload, encodeRotationPayload } from '../../applets/keyslots/rotation.js';
import { kcv } from '../../applets/security-domain/aes.js';
import {
  decodeSlot,
  encodeSlot,
  SLOT_STATE,
  SLOT_TABLE,
  slotRecord,
  writeProfileKeys,
} from '../../applets/subscriptions/slot-store.js';
import { USIM_KEYS } from '../../applets/usim/applet.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { Nvm } from '../../card-os/nvm.js';
import type { SubscriberRecord } from '../../host/network/subscribers.js';
import { OTA_TEST_KEYSETS } from '../../host/ota/test-keys.js';
import { updateLongTermKeys } from '../../host/scp11/ltk-update.js';
import {
  authenticateWith,
  hssWith,
  keyRecord,
  openSd,
  profileRecord,
  sdCard,
  TEST_OCE,
  transport,
} from './support.js';

// TS 35.232 test set 5's K (256 bits) and TOP; lengths of a Milenage-sized TUAK (RES 64 fits the helper).
const K256 = fromHex('1574ca56881d05c189c82880f789c9cd4244955f4426aa2b69c29f15770e5aa5');
const TOP = fromHex('e59f6eb10ea406813f4991b0b9e02f181edf4c7e17b480f66d34da35ee88c95e');
const PARAMS: TuakParams = { mac: 128, res: 64, ck: 256, ik: 128, iterations: 1 };
const TOPC = computeTopc(K256, TOP);
const P00 = Uint8Array.of(0);

function tuakWorld(withTop: boolean) {
  const keys: SubscriberKeys = withTop
    ? { algorithm: 'tuak', k: K256, top: TOP, tuak: PARAMS }
    : { algorithm: 'tuak', k: K256, topc: TOPC, tuak: PARAMS };
  const card = sdCard({ records: { [USIM_KEYS]: encodeSubscriberKeys(keys) } });
  const base = profileRecord();
  const old: SubscriberRecord = {
    ...base,
    algorithm: 'tuak',
    k: K256,
    opc: undefined,
    op: undefined,
    constants: undefined,
    ...(withTop ? { top: TOP } : { topc: TOPC }),
    tuak: PARAMS,
  };
  return { card, t: transport(card), old };
}

describe('long-term key update of a TUAK profile', () => {
  for (const withTop of [false, true])
    it(`transport mode, the operator holding ${withTop ? 'TOP (TOPc follows K)' : 'TOPc (a random one is sent)'}`, async () => {
      const { card, t, old } = tuakWorld(withTop);
      const hss = hssWith(old);
      expect(await authenticateWith(t, hss, old.imsi)).toEqual({ sw: 0x9000, ok: true });
      const r = await updateLongTermKeys({
        transport: t,
        sdAid: fromHex('A000000151000000'),
        profileId: 0,
        mode: 'transport',
        hss,
        imsi: old.imsi,
        oce: TEST_OCE,
      });
      expect(r).toMatchObject({ ok: true, newKeyAccepted: true, oldKeySw: 0x9862 });
      // The card's record: still TUAK with the same lengths, a new 256-bit K and TOPc.
      const rec = decodeSubscriberKeys(card.nvm.get(USIM_KEYS)!)!;
      expect(rec.algorithm).toBe('tuak');
      expect(rec.tuak).toEqual(PARAMS);
      expect(rec.k).toHaveLength(32);
      expect(toHex(rec.k)).not.toBe(toHex(K256));
      const hssRecord = hss.records()[0]!;
      expect(toHex(kcv(hssRecord.k))).toBe(toHex(r.kcvK));
      expect(toHex(kcv(rec.k))).toBe(toHex(r.kcvK));
      if (withTop) {
        // The HSS keeps TOP; the card got TOPc = f(TOP, new K).
        expect(hssRecord.top && toHex(hssRecord.top)).toBe(toHex(TOP));
        expect(toHex(rec.topc!)).toBe(toHex(computeTopc(rec.k, TOP)));
      } else {
        expect(toHex(hssRecord.topc!)).toBe(toHex(rec.topc!));
      }
      expect(await authenticateWith(t, hss, old.imsi)).toEqual({ sw: 0x9000, ok: true });
    });

  it('key lengths that do not fit the algorithm: 6A80 and the record unchanged', async () => {
    const { card, t } = tuakWorld(false);
    const before = keyRecord(card);
    const oce = await openSd(t);
    // A Milenage-sized OPc for a TUAK profile.
    expect(await oce.updateProfile(P00, { k: K256, opc: new Uint8Array(16).fill(1) })).toEqual({
      ok: false,
      sw: 0x6a80,
    });
    expect(keyRecord(card)).toBe(before);
    // A 256-bit K for a Milenage profile (the default one).
    const m = sdCard();
    const milenageBefore = keyRecord(m);
    const oce2 = await openSd(transport(m));
    expect(await oce2.updateProfile(P00, { k: K256, opc: new Uint8Array(16).fill(1) })).toEqual({
      ok: false,
      sw: 0x6a80,
    });
    expect(keyRecord(m)).toBe(milenageBefore);
    // Derivation mode gives Milenage sizes (K and OPc of 128 bits): no TOPc, so refused too.
    expect(await oce.updateProfile(P00, { derive: true })).toEqual({ ok: false, sw: 0x6a80 });
    expect(keyRecord(card)).toBe(before);
    // The TUAK one accepts K of 128 bits with TOPc of 256 (the lengths stay the profile's).
    const k128 = new Uint8Array(16).fill(7);
    const r = await oce.updateProfile(P00, { k: k128, opc: TOPC });
    expect(r.ok).toBe(true);
    expect(decodeSubscriberKeys(card.nvm.get(USIM_KEYS)!)).toEqual({
      algorithm: 'tuak',
      k: k128,
      topc: TOPC,
      tuak: PARAMS,
    });
  });
});

describe('key slots with TUAK subscriptions', () => {
  const tuakKeys: SubscriberKeys = { algorithm: 'tuak', k: K256, topc: TOPC, tuak: PARAMS };

  it('a keys-mode slot round-trips a 256-bit K, TOPc and the TUAK parameters', () => {
    const rec = encodeSlot({ mode: 'keys', keys: { subscriber: tuakKeys, ota: [OTA_TEST_KEYSETS[0]!] } });
    const d = decodeSlot(rec);
    expect(d?.mode).toBe('keys');
    if (d?.mode === 'keys') expect(d.subscriber).toEqual(tuakKeys);
  });

  it('the profile key update of an unused slot keeps its algorithm; lengths must fit it', () => {
    const nvm = new Nvm(new Map());
    nvm.set(SLOT_TABLE, Uint8Array.of(SLOT_STATE.ACTIVE, SLOT_STATE.UNUSED));
    nvm.set(
      USIM_KEYS,
      encodeSubscriberKeys({ algorithm: 'milenage', k: new Uint8Array(16), opc: new Uint8Array(16) }),
    );
    nvm.set(
      slotRecord(1),
      encodeSlot({ mode: 'keys', keys: { subscriber: tuakKeys, ota: [OTA_TEST_KEYSETS[0]!] } }),
    );
    const newK = new Uint8Array(32).fill(9);
    const newTopc = new Uint8Array(32).fill(3);
    expect(writeProfileKeys(nvm, Uint8Array.of(1), newK, new Uint8Array(16))).toBe('size');
    expect(writeProfileKeys(nvm, Uint8Array.of(1), newK, newTopc)).toBe('written');
    const slot = decodeSlot(nvm.get(slotRecord(1))!);
    expect(slot?.mode === 'keys' && slot.subscriber).toEqual({
      algorithm: 'tuak',
      k: newK,
      topc: newTopc,
      tuak: PARAMS,
    });
    // The active Milenage subscription takes no 256-bit K.
    expect(writeProfileKeys(nvm, Uint8Array.of(0), newK, new Uint8Array(16))).toBe('size');
    expect(writeProfileKeys(nvm, Uint8Array.of(2), newK, newTopc)).toBe('unknown');
  });

  it('a rotation payload carries a 256-bit K and TOPc; other lengths are malformed', () => {
    const p = { k: K256, opc: TOPC, keysets: [] };
    expect(decodeRotationPayload(encodeRotationPayload(p))).toEqual(p);
    expect(
      decodeRotationPayload(encodeRotationPayload({ k: new Uint8Array(24), opc: TOPC, keysets: [] })),
    ).toBeUndefined();
  });
});
