// Long-term key update through SCP11a (profile-update.ts): transport and derivation modes, and every refusal
// leaving the key slots untouched.

import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { kcv } from '../../applets/security-domain/aes.js';
import {
  buildProfileUpdate,
  deriveProfileKeys,
  INS_PROFILE_UPDATE,
  parseProfileUpdate,
  parseProfileUpdateResult,
} from '../../applets/security-domain/profile-update.js';
import { parseCommand } from '../../card-os/apdu.js';
import { type Bytes, concat, fromHex, toHex } from '../../card-os/bytes.js';
import { ber } from '../../card-os/tlv.js';
import { type OceConfig, openScp11 } from '../../host/scp11/oce.js';
import { TEST_PKI } from '../../host/scp11/pki.js';
import { cardUnderTest, testCardConfig } from './fixtures.js';

const PROFILE = fromHex('89882390000000000011');
const OTHER = fromHex('01');
const KNOWN = new Set([toHex(PROFILE), toHex(OTHER)]);
const K = fromHex('000102030405060708090A0B0C0D0E0F');
const OPC = fromHex('F0E0D0C0B0A090807060504030201000');

async function connect(extra: Partial<OceConfig> = {}) {
  const cut = cardUnderTest(testCardConfig(), KNOWN);
  const oce = await openScp11({
    transmit: async (c: Bytes) => cut.transmit(c),
    certificates: [TEST_PKI.oce.certificate],
    keyPair: TEST_PKI.oce.keyPair,
    cardCa: { publicKey: TEST_PKI.klccCa.keyPair.q, keyId: TEST_PKI.klccCa.keyId },
    sdKvn: 0x03,
    ...extra,
  });
  return { ...cut, oce };
}

describe('profile update: transport mode', () => {
  it('the card receives K and OPc, checks the KCVs and answers the profile identity', async () => {
    const { oce, writes, seen } = await connect();
    const r = await oce.updateProfile(PROFILE, { k: K, opc: OPC });
    expect(r).toEqual({ ok: true, sw: 0x9000, profileId: toHex(PROFILE), keys: { k: K, opc: OPC } });
    expect(writes).toHaveLength(1);
    expect(writes[0]!.mode).toBe('transport');
    expect(writes[0]!.profileId).toBe(toHex(PROFILE));
    expect(toHex(writes[0]!.k)).toBe(toHex(K));
    expect(toHex(writes[0]!.opc)).toBe(toHex(OPC));
    // Inside the channel the keys are still DEK-encrypted.
    expect(toHex(seen[0]!)).not.toContain(toHex(K));
    expect(seen[0]![1]).toBe(INS_PROFILE_UPDATE);
  });

  it('256-bit keys (TUAK sizes)', async () => {
    const { oce, writes } = await connect();
    const k = new Uint8Array(32).fill(0x5a);
    const opc = new Uint8Array(32).fill(0xa5);
    expect((await oce.updateProfile(OTHER, { k, opc })).ok).toBe(true);
    expect(toHex(writes[0]!.k)).toBe(toHex(k));
  });

  it('KCV = first 3 bytes of AES(key, 01..01)', () => {
    // AES-128 with the all-zero key over 16 x 01: checked against node:crypto independently.
    const zero = new Uint8Array(16);
    const c = createCipheriv('aes-128-ecb', zero, null)
      .setAutoPadding(false)
      .update(new Uint8Array(16).fill(1));
    expect(toHex(kcv(zero))).toBe(toHex(c.subarray(0, 3)));
  });
});

describe('profile update: derivation mode', () => {
  it('no key crosses the channel; both ends derive the same K and OPc', async () => {
    const { card, oce, writes, seen } = await connect();
    const r = await oce.updateProfile(PROFILE, { derive: true });
    if (!r.ok) throw new Error(`sw ${r.sw}`);
    expect(toHex(writes[0]!.k)).toBe(toHex(r.keys.k));
    expect(toHex(writes[0]!.opc)).toBe(toHex(r.keys.opc));
    expect(writes[0]!.mode).toBe('derive');
    expect(toHex(seen[0]!)).toBe(
      toHex(concat(fromHex('80D400000F'), ber(0x83, PROFILE), fromHex('C3010100'))),
    );
    expect(toHex(r.keys.k)).toBe(toHex(deriveProfileKeys(card.session!.ltkKey, PROFILE).k));
    // Another profile, or another session, gives other keys.
    const r2 = await oce.updateProfile(OTHER, { derive: true });
    expect(r2.ok && toHex(r2.keys.k)).not.toBe(toHex(r.keys.k));
    const again = await (await connect()).oce.updateProfile(PROFILE, { derive: true });
    expect(again.ok && toHex(again.keys.k)).not.toBe(toHex(r.keys.k));
  });

  it('the derivation is X9.63-SHA256(ltkKey, "uicc LTK" || 01 || L || id)', () => {
    const ltk = new Uint8Array(32).fill(0x42);
    const { k, opc } = deriveProfileKeys(ltk, OTHER);
    const expected = createHash('sha256')
      .update(concat(ltk, fromHex('00000001'), new TextEncoder().encode('uicc LTK'), fromHex('010101')))
      .digest();
    expect(toHex(concat(k, opc))).toBe(toHex(expected));
  });
});

describe('profile update refusals change nothing', () => {
  it('bad KCV: 6A80, no key written, the session stays open', async () => {
    const { card, oce, writes } = await connect();
    const apdu = buildProfileUpdate(oce.session, PROFILE, { k: K, opc: OPC });
    const kcvAt = toHex(apdu).indexOf(toHex(kcv(K))) / 2;
    apdu[kcvAt + 2]! ^= 0x01;
    expect(await oce.send(apdu)).toEqual({ data: new Uint8Array(0), sw: 0x6a80 });
    const bad = buildProfileUpdate(oce.session, PROFILE, { k: K, opc: OPC });
    bad[bad.length - 2]! ^= 0x01; // last KCV byte of OPc
    expect((await oce.send(bad)).sw).toBe(0x6a80);
    expect(writes).toHaveLength(0);
    expect(card.session).toBeDefined();
    expect((await oce.updateProfile(PROFILE, { k: K, opc: OPC })).ok).toBe(true);
  });

  it('unknown profile identity: 6A88, nothing written', async () => {
    const { oce, writes } = await connect();
    expect(await oce.updateProfile(fromHex('0102'), { k: K, opc: OPC })).toEqual({ ok: false, sw: 0x6a88 });
    expect(await oce.updateProfile(fromHex('0102'), { derive: true })).toEqual({ ok: false, sw: 0x6a88 });
    expect(writes).toHaveLength(0);
  });

  it('malformed requests: 6A80; P1/P2: 6A86', async () => {
    const { oce, writes } = await connect();
    const id = ber(0x83, PROFILE);
    const block = (k: Bytes) => concat(new Uint8Array(k.length), kcv(k));
    const bodies = [
      id, // neither mode
      concat(id, ber(0xc3, fromHex('01')), ber(0xc1, block(K)), ber(0xc2, block(OPC))), // both
      concat(id, ber(0xc3, fromHex('02'))), // unknown scheme
      concat(id, ber(0xc1, block(K))), // K without OPc
      concat(id, ber(0xc1, block(K).subarray(1)), ber(0xc2, block(OPC))), // K of 15 bytes
      concat(ber(0x83, new Uint8Array(0)), ber(0xc3, fromHex('01'))), // empty id
      concat(ber(0x83, new Uint8Array(17)), ber(0xc3, fromHex('01'))),
      concat(id, ber(0xc3, fromHex('01')), ber(0xc4, fromHex('00'))), // extra TLV
      fromHex('83'),
    ];
    for (const b of bodies)
      expect((await oce.send(concat(fromHex('80D40000'), Uint8Array.of(b.length), b))).sw).toBe(0x6a80);
    const ok = concat(id, ber(0xc3, fromHex('01')));
    expect((await oce.send(concat(fromHex('80D40100'), Uint8Array.of(ok.length), ok))).sw).toBe(0x6a86);
    expect(writes).toHaveLength(0);
  });

  it('needs an SCP11a session with C-MAC and C-DECRYPTION: 6982 otherwise', async () => {
    const b = await connect({ variant: 'b' });
    expect(await b.oce.updateProfile(PROFILE, { derive: true })).toEqual({ ok: false, sw: 0x6982 });
    const macOnly = await connect({ kuq: 0x34 });
    expect(await macOnly.oce.updateProfile(PROFILE, { k: K, opc: OPC })).toEqual({ ok: false, sw: 0x6982 });
    expect(b.writes.length + macOnly.writes.length).toBe(0);
    const plain = parseCommand(concat(fromHex('80D400000F'), ber(0x83, PROFILE), fromHex('C3010100'))).cmd!;
    expect(parseProfileUpdate(undefined, plain, KNOWN)).toEqual({ sw: 0x6982 });
  });

  it('result parsing', () => {
    expect(parseProfileUpdateResult(fromHex('8301019000'))).toBeUndefined();
    expect(
      parseProfileUpdateResult(
        concat(ber(0x83, OTHER), ber(0xc1, fromHex('010203')), ber(0xc2, fromHex('040506'))),
      ),
    ).toEqual({
      profileId: '01',
      kcvK: fromHex('010203'),
      kcvOpc: fromHex('040506'),
    });
  });
});
