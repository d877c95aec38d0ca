// Long-term key update through the real card: handshake, profile update, HSS update, re-attach (AUTHENTICATE
// with the new K succeeds, with the old K fails), in transport and derivation mode; the refusals, each
// leaving the key record as it was; and a power loss at every NVM write step of the update.

import { describe, expect, it } from 'vitest';
import { encodeSubscriberKeys } from '../../applets/aka/subscriber-keys.js';
import { aesCbcEncrypt, kcv } from '../../applets/security-domain/aes.js';
import { nodeP256 } from '../../applets/security-domain/ec.js';
import { deriveProfileKeys } from '../../applets/security-domain/profile-update.js';
import { buildCrt } from '../../applets/security-domain/scp11-keys.js';
import { unwrapResponse, wrapCommand } from '../../applets/security-domain/secure-messaging.js';
import {
  decodeSlot,
  encodeSlot,
  SLOT_STATE,
  SLOT_TABLE,
  slotRecord,
} from '../../applets/subscriptions/slot-store.js';
import { USIM_KEYS } from '../../applets/usim/applet.js';
import { buildCommand, swOf } from '../../card-os/apdu.js';
import { type Bytes, concat, fromHex, toHex } from '../../card-os/bytes.js';
import { PowerLoss } from '../../card-os/nvm.js';
import { ber } from '../../card-os/tlv.js';
import { send } from '../../host/network/attach.js';
import { OTA_TEST_KEYSETS } from '../../host/ota/test-keys.js';
import { updateLongTermKeys } from '../../host/scp11/ltk-update.js';
import { createCa, KEY_USAGE } from '../../host/scp11/pki.js';
import {
  authenticateWith,
  fixedKey,
  hssWith,
  KLOC,
  keyRecord,
  oceLeaf,
  openSd,
  profileRecord,
  restart,
  sdCard,
  TEST_OCE,
  transport,
} from './support.js';

const NEW_K = fromHex('00112233445566778899AABBCCDDEEFF');
const NEW_OPC = fromHex('FFEEDDCCBBAA99887766554433221100');
const P00 = Uint8Array.of(0);

/** A card, its transport, and an HSS for each key generation (old: the profile's, new: NEW_K/NEW_OPC). */
function world(opts: Parameters<typeof sdCard>[0] = {}) {
  const card = sdCard(opts);
  const t = transport(card);
  const old = profileRecord();
  const oldHss = hssWith(old);
  const newHss = hssWith({ ...old, k: NEW_K, opc: NEW_OPC, op: undefined });
  return { card, t, old, oldHss, newHss };
}

describe('end to end: handshake, profile update, HSS update, re-attach', () => {
  for (const mode of ['transport', 'derive'] as const)
    it(`${mode} mode (updateLongTermKeys)`, async () => {
      const { card, t, old } = world();
      const hss = hssWith(old);
      // The USIM has the old keys in its cache before the update.
      expect(await authenticateWith(t, hss, old.imsi)).toEqual({ sw: 0x9000, ok: true });
      const before = keyRecord(card);
      const steps: string[] = [];
      const r = await updateLongTermKeys({
        transport: t,
        sdAid: fromHex('A000000151000000'),
        profileId: 0,
        mode,
        hss,
        imsi: old.imsi,
        oce: TEST_OCE,
        onStep: (s) => steps.push(s.kind),
      });
      expect(r).toMatchObject({ ok: true, newKeyAccepted: true, oldKeySw: 0x9862 });
      expect(steps).toEqual(['select', 'sd-key', 'session', 'updated', 'hss', 'attach', 'attach', 'old-key']);
      expect(keyRecord(card)).not.toBe(before);
      // The HSS and the card agree on the new keys, also after a restart of the card.
      const rec = hss.records()[0]!;
      expect(toHex(kcv(rec.k))).toBe(toHex(r.kcvK));
      expect(toHex(kcv(rec.opc!))).toBe(toHex(r.kcvOpc));
      expect(await authenticateWith(t, hss, old.imsi)).toEqual({ sw: 0x9000, ok: true });
      const t2 = transport(restart(card));
      expect(await authenticateWith(t2, hss, old.imsi)).toEqual({ sw: 0x9000, ok: true });
      expect((await authenticateWith(t2, hssWith(old), old.imsi)).sw).toBe(0x9862);
    });

  it('transport mode with chosen keys: the USIM record holds exactly them, the old K fails (9862)', async () => {
    const { card, t, old, oldHss, newHss } = world();
    const oce = await openSd(t);
    const r = await oce.updateProfile(P00, { k: NEW_K, opc: NEW_OPC });
    expect(r.ok).toBe(true);
    expect(keyRecord(card)).toBe(
      toHex(encodeSubscriberKeys({ algorithm: 'milenage', k: NEW_K, opc: NEW_OPC })),
    );
    expect(await authenticateWith(t, newHss, old.imsi)).toEqual({ sw: 0x9000, ok: true });
    expect((await authenticateWith(t, oldHss, old.imsi)).sw).toBe(0x9862);
  });

  it('derivation mode: the card derives K/OPc from the session; no key crosses the channel', async () => {
    const { card, t, old } = world();
    const oce = await openSd(t);
    const r = await oce.updateProfile(P00, { derive: true });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const expected = deriveProfileKeys(oce.session.ltkKey, P00);
    expect(toHex(r.keys.k)).toBe(toHex(expected.k));
    expect(keyRecord(card)).toBe(toHex(encodeSubscriberKeys({ algorithm: 'milenage', ...expected })));
    const hss = hssWith({ ...old, k: r.keys.k, opc: r.keys.opc, op: undefined });
    expect(await authenticateWith(t, hss, old.imsi)).toEqual({ sw: 0x9000, ok: true });
    expect((await authenticateWith(t, hssWith(old), old.imsi)).sw).toBe(0x9862);
  });

  it('a card with key slots: profile 01 (an unused slot) gets the keys, the active subscription keeps its own', async () => {
    const kik = fromHex('00112233445566778899AABBCCDDEEFF');
    const slot1 = encodeSlot({
      mode: 'keys',
      keys: {
        subscriber: { algorithm: 'milenage', k: fromHex('11'.repeat(16)), opc: fromHex('22'.repeat(16)) },
        ota: [OTA_TEST_KEYSETS[0]!],
        kik,
      },
    });
    const { card, t, old, oldHss } = world({
      records: { [SLOT_TABLE]: Uint8Array.of(SLOT_STATE.ACTIVE, SLOT_STATE.UNUSED), [slotRecord(1)]: slot1 },
    });
    const before = keyRecord(card);
    const oce = await openSd(t);
    expect((await oce.updateProfile(Uint8Array.of(1), { k: NEW_K, opc: NEW_OPC })).ok).toBe(true);
    expect(keyRecord(card)).toBe(before);
    const slot = decodeSlot(card.nvm.get(slotRecord(1))!);
    expect(slot?.mode).toBe('keys');
    if (slot?.mode !== 'keys') return;
    expect(toHex(slot.subscriber.k)).toBe(toHex(NEW_K));
    expect(toHex(slot.subscriber.opc!)).toBe(toHex(NEW_OPC));
    // The slot's OTA keyset and key-encryption key are kept.
    expect(slot.ota).toHaveLength(1);
    expect(toHex(slot.kik!)).toBe(toHex(kik));
    expect(await authenticateWith(t, oldHss, old.imsi)).toEqual({ sw: 0x9000, ok: true });
    // An unused slot whose keys are derived from the master secret is not updatable: 6A88.
    const derived = world({
      records: {
        [SLOT_TABLE]: Uint8Array.of(SLOT_STATE.ACTIVE, SLOT_STATE.UNUSED),
        [slotRecord(1)]: encodeSlot({ mode: 'derive', master: new Uint8Array(32).fill(7) }),
      },
    });
    const oce3 = await openSd(derived.t);
    expect(await oce3.updateProfile(Uint8Array.of(1), { k: NEW_K, opc: NEW_OPC })).toEqual({
      ok: false,
      sw: 0x6a88,
    });
    // A used slot is no profile any more: 6A88.
    const used = world({ records: { [SLOT_TABLE]: Uint8Array.of(SLOT_STATE.ACTIVE, SLOT_STATE.USED) } });
    const oce2 = await openSd(used.t);
    expect(await oce2.updateProfile(Uint8Array.of(1), { k: NEW_K, opc: NEW_OPC })).toEqual({
      ok: false,
      sw: 0x6a88,
    });
  });
});

describe('refusals: the right status word, and the key record unchanged', () => {
  /** Runs `attempt`, then checks the key record is the same bytes and the old K still authenticates. */
  async function unchanged(w: ReturnType<typeof world>, attempt: () => Promise<void>) {
    const before = keyRecord(w.card);
    await attempt();
    expect(keyRecord(w.card)).toBe(before);
    expect(await authenticateWith(w.t, w.oldHss, w.old.imsi)).toEqual({ sw: 0x9000, ok: true });
  }

  /** Opens a session with another OCE chain; returns the error message (the PSO step and its SW). */
  async function handshakeError(
    w: ReturnType<typeof world>,
    certificates: Bytes[],
    keyPair = TEST_OCE.keyPair,
  ) {
    try {
      await openSd(w.t, { certificates, keyPair });
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  }

  it('unknown CA: an OCE certificate from another CA (6A88), or one forging the CA key id (6600)', async () => {
    const w = world();
    await unchanged(w, async () => {
      const other = createCa();
      const leaf = oceLeaf(other);
      expect(await handshakeError(w, [leaf.certificate], leaf.keyPair)).toBe(
        'PSO certificate 1 failed: SW 6A88',
      );
      const forged = oceLeaf({ ...other, keyId: KLOC.keyId });
      expect(await handshakeError(w, [forged.certificate], forged.keyPair)).toBe(
        'PSO certificate 1 failed: SW 6600',
      );
      // Without an accepted OCE certificate, MUTUAL AUTHENTICATE is refused: 6985.
      const crt = buildCrt({ i: 0x01, kuq: 0x3c, keyType: 0x88, keyLength: 16 });
      const epk = ber(0x5f49, nodeP256.generateKeyPair().q);
      expect(swOf(await send(w.t, buildCommand(0x80, 0x82, 0x03, 0x11, concat(crt, epk), 256)))).toBe(0x6985);
    });
  });

  it('tampered certificate: 6600', async () => {
    const w = world();
    await unchanged(w, async () => {
      const leaf = oceLeaf(KLOC);
      const bad = new Uint8Array(leaf.certificate);
      expect(toHex(bad.subarray(4, 8))).toBe('93020C0E');
      bad[6]! ^= 0x01; // the CSN, covered by the signature
      expect(await handshakeError(w, [bad], leaf.keyPair)).toBe('PSO certificate 1 failed: SW 6600');
      const sigFlip = new Uint8Array(TEST_OCE.certificates[0]!);
      sigFlip[sigFlip.length - 5]! ^= 0x40;
      expect(await handshakeError(w, [sigFlip])).toBe('PSO certificate 1 failed: SW 6600');
    });
  });

  it('wrong key usage: a leaf with 0082 (signature) instead of 0080 (key agreement): 6600', async () => {
    const w = world();
    await unchanged(w, async () => {
      const leaf = oceLeaf(KLOC, { keyUsage: KEY_USAGE.SIGNATURE_VERIFICATION });
      expect(await handshakeError(w, [leaf.certificate], leaf.keyPair)).toBe(
        'PSO certificate 1 failed: SW 6600',
      );
    });
  });

  it('expired certificate: 6600', async () => {
    const w = world();
    await unchanged(w, async () => {
      const leaf = oceLeaf(KLOC, { effective: 20200101, expiration: 20231231 });
      expect(await handshakeError(w, [leaf.certificate], leaf.keyPair)).toBe(
        'PSO certificate 1 failed: SW 6600',
      );
    });
  });

  it('tampered C-MAC on the profile update: 6982, the session closed, later commands refused', async () => {
    const w = world();
    await unchanged(w, async () => {
      const oce = await openSd(w.t);
      const { buildProfileUpdate } = await import('../../applets/security-domain/profile-update.js');
      const wire = wrapCommand(oce.session, buildProfileUpdate(oce.session, P00, { k: NEW_K, opc: NEW_OPC }));
      wire[wire.length - 2]! ^= 0x01; // the last C-MAC byte (Le follows)
      expect(swOf(await send(w.t, wire))).toBe(0x6982);
      expect(await oce.updateProfile(P00, { k: NEW_K, opc: NEW_OPC })).toEqual({ ok: false, sw: 0x6982 });
      expect((await oce.send(fromHex('80CA0066'))).sw).toBe(0x6982);
    });
  });

  it('replayed profile update: 6982 in the same session and in a new one', async () => {
    const w = world();
    const oce = await openSd(w.t);
    const { buildProfileUpdate } = await import('../../applets/security-domain/profile-update.js');
    const wire = wrapCommand(oce.session, buildProfileUpdate(oce.session, P00, { k: NEW_K, opc: NEW_OPC }));
    expect(unwrapResponse(oce.session, await send(w.t, wire)).sw).toBe(0x9000);
    // The record now holds NEW_K; a replay must not touch it again (nor reach the USIM with other keys).
    const after = keyRecord(w.card);
    expect(swOf(await send(w.t, wire))).toBe(0x6982);
    await openSd(w.t);
    expect(swOf(await send(w.t, wire))).toBe(0x6982);
    expect(keyRecord(w.card)).toBe(after);
    expect(await authenticateWith(w.t, w.newHss, w.old.imsi)).toEqual({ sw: 0x9000, ok: true });
  });

  it('wrong encryption counter (the C-MAC chain is right, the ICV is not): the data decrypts to garbage, 6A80', async () => {
    // Both ephemeral keys pinned: the session keys, hence the garbage, are the same on every run.
    const w = world({ sd: { ephemeralKey: fixedKey(new Uint8Array(32).fill(0x22)) } });
    await unchanged(w, async () => {
      const oce = await openSd(w.t, {
        ephemeralKey: fixedKey(fromHex('b69d2d4a2544b5938ed3c4f6319810837e4dbbeff115bd9955607e8cdbbbace5')),
      });
      const { buildProfileUpdate } = await import('../../applets/security-domain/profile-update.js');
      oce.session.counter++;
      const wire = wrapCommand(oce.session, buildProfileUpdate(oce.session, P00, { k: NEW_K, opc: NEW_OPC }));
      expect(swOf(await send(w.t, wire))).toBe(0x6a80);
    });
  });

  it('a skipped command (the host wrapped one the card never saw): 6982', async () => {
    const w = world();
    await unchanged(w, async () => {
      const oce = await openSd(w.t);
      wrapCommand(oce.session, fromHex('80CA0066'));
      expect(await oce.updateProfile(P00, { k: NEW_K, opc: NEW_OPC })).toEqual({ ok: false, sw: 0x6982 });
    });
  });

  it('unknown profile id: 6A88; the session goes on', async () => {
    const w = world();
    await unchanged(w, async () => {
      const oce = await openSd(w.t);
      expect(await oce.updateProfile(Uint8Array.of(1), { k: NEW_K, opc: NEW_OPC })).toEqual({
        ok: false,
        sw: 0x6a88,
      });
      expect(await oce.updateProfile(fromHex('8988211000000000000F'), { derive: true })).toEqual({
        ok: false,
        sw: 0x6a88,
      });
      expect((await oce.send(fromHex('80CA0066'))).sw).toBe(0x9000);
    });
  });

  it('bad KCV: 6A80; keys of the wrong size for Milenage: 6A80; P1/P2 not 00: 6A86', async () => {
    const w = world();
    await unchanged(w, async () => {
      const oce = await openSd(w.t);
      const dek = oce.session.keys.sDek;
      const iv0 = new Uint8Array(16);
      const badKcv = kcv(NEW_K);
      badKcv[0]! ^= 0xff;
      const body = concat(
        ber(0x83, P00),
        ber(0xc1, aesCbcEncrypt(dek, iv0, NEW_K), badKcv),
        ber(0xc2, aesCbcEncrypt(dek, iv0, NEW_OPC), kcv(NEW_OPC)),
      );
      expect((await oce.send(buildCommand(0x80, 0xd4, 0x00, 0x00, body, 256))).sw).toBe(0x6a80);
      const k32 = new Uint8Array(32).fill(0x5a);
      expect(await oce.updateProfile(P00, { k: k32, opc: k32 })).toEqual({ ok: false, sw: 0x6a80 });
      const good = concat(
        ber(0x83, P00),
        ber(0xc1, aesCbcEncrypt(dek, iv0, NEW_K), kcv(NEW_K)),
        ber(0xc2, aesCbcEncrypt(dek, iv0, NEW_OPC), kcv(NEW_OPC)),
      );
      expect((await oce.send(buildCommand(0x80, 0xd4, 0x01, 0x00, good, 256))).sw).toBe(0x6a86);
    });
  });
});

describe('power loss during the profile update', () => {
  it('at every NVM write step: the restarted card has the old keys or the new ones, never a mix', async () => {
    const outcomes: string[] = [];
    for (let step = 1; ; step++) {
      const w = world();
      const oldRecord = keyRecord(w.card);
      const oce = await openSd(w.t);
      const base = w.card.nvm.steps;
      w.card.nvm.powerHook = (n) => {
        if (n === base + step) throw new PowerLoss(n);
      };
      let lost = false;
      try {
        await oce.updateProfile(P00, { k: NEW_K, opc: NEW_OPC });
      } catch (e) {
        expect(e).toBeInstanceOf(PowerLoss);
        lost = true;
      }
      if (!lost) break;
      const card = restart(w.card);
      const t = transport(card);
      const record = keyRecord(card);
      const newRecord = toHex(encodeSubscriberKeys({ algorithm: 'milenage', k: NEW_K, opc: NEW_OPC }));
      expect([oldRecord, newRecord]).toContain(record);
      const oldOk = (await authenticateWith(t, w.oldHss, w.old.imsi)).ok;
      const newOk = (await authenticateWith(t, w.newHss, w.old.imsi)).ok;
      expect(oldOk !== newOk).toBe(true);
      outcomes.push(oldOk ? 'old' : 'new');
      expect(card.nvm.get(USIM_KEYS)).toBeDefined();
    }
    // Journal write, commit mark: before the commit point the old keys; record write, journal clear: the new.
    expect(outcomes).toEqual(['old', 'old', 'new', 'new']);
  });
});
