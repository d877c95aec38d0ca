// The BSP of SGP.22 §2.6.4 - §2.6.5 (applets/euicc/bsp.ts, bsp-kdf.ts) against the public vectors of pySim
// (tests/unittests/test_esim_bsp.py, see test/vectors/sgp22/README.md), byte for byte; every refusal with
// the reason SGP.22 reports; protect → unprotect as a property.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BPP_COMMAND,
  BSP_ERROR_REASON,
  type BspSession,
  type BspTag,
  bspSession,
  buildBpp,
  MAX_SEGMENT,
  openBpp,
  protectData,
  protectSegment,
  TAG_ENC_MAC,
  TAG_MAC_ONLY,
  TAG_PROFILE_ELEMENTS,
  unprotectSection,
  unprotectSegment,
} from '../../applets/euicc/bsp.js';
import {
  type BspKeys,
  bspSessionKeys,
  bspSharedSecret,
  decodeReplaceSessionKeys,
  encodeReplaceSessionKeys,
} from '../../applets/euicc/bsp-kdf.js';
import { type Bytes, concat, fromHex, toHex as upperHex } from '../../card-os/bytes.js';
import { aesCbcEncrypt } from '../../card-os/crypto/aes.js';
import { aesCmac } from '../../card-os/crypto/aes-cmac.js';
import { ber, readBer } from '../../card-os/tlv.js';

const DIR = join(__dirname, '..', 'vectors', 'sgp22');
const V = JSON.parse(readFileSync(join(DIR, 'bsp-vectors.json'), 'utf8'));
const h = fromHex;
/** The vectors are lower-case hex. */
const toHex = (b: Bytes): string => upperHex(b).toLowerCase();

/** The child TLVs of the constructed TLV `tlv`: each one's whole encoding and its value. */
function children(tlv: Bytes): { tag: number; raw: Bytes; value: Bytes }[] {
  const v = readBer(tlv)!.value;
  const out: { tag: number; raw: Bytes; value: Bytes }[] = [];
  for (let o = 0; o < v.length; ) {
    const t = readBer(v, o)!;
    out.push({ tag: t.tag, raw: v.slice(o, o + t.length), value: t.value });
    o += t.length;
  }
  return out;
}

interface Step {
  op: 'encrypt_and_mac' | 'mac_only';
  tag: string;
  plaintext: string;
  expect: string;
}

function kdf(v: {
  shared_secret: string;
  key_type: string;
  key_length: number;
  host_id: string;
  eid: string;
}): BspKeys | undefined {
  return bspSessionKeys(h(v.shared_secret), {
    keyType: Number.parseInt(v.key_type, 16),
    keyLength: v.key_length,
    hostId: h(v.host_id),
    eid: h(v.eid),
  });
}

const sessionKeys = kdf(V.kdf_mode51)!;
const ppkVec = V.bsp_mode51_ppk;
const ppkKeys: BspKeys = { sEnc: h(ppkVec.s_enc), sMac: h(ppkVec.s_mac), initialMcv: h(ppkVec.initial_mcv) };

describe('BSP key agreement and KDF (SGP.22 §2.6.4.1, §2.6.4.2)', () => {
  for (const name of ['kdf_1', 'kdf_mode51']) {
    it(`pySim ${name}: S-ENC, S-MAC, initial MCV`, () => {
      const v = V[name];
      const k = kdf(v)!;
      expect(toHex(k.sEnc)).toBe(v.expect_s_enc);
      expect(toHex(k.sMac)).toBe(v.expect_s_mac);
      expect(toHex(k.initialMcv)).toBe(v.expect_initial_mcv);
    });
  }

  it('pySim ecka_mode51: both one-time key pairs agree on the same shared secret', () => {
    const v = V.ecka_mode51;
    expect(toHex(bspSharedSecret(h(v.smdp_otsk), h(v.euicc_otpk))!)).toBe(v.expect_shared_secret);
    expect(v.expect_shared_secret).toBe(V.kdf_mode51.shared_secret);
  });

  it('refuses what SGP.22 does not define: another key type or length, bad host id or EID, bad point', () => {
    const base = { hostId: h('8080808080808080'), eid: h(V.kdf_1.eid) };
    const z = h(V.kdf_1.shared_secret);
    expect(bspSessionKeys(z, { ...base, keyType: 0x80 })).toBeUndefined();
    expect(bspSessionKeys(z, { ...base, keyLength: 32 })).toBeUndefined();
    expect(bspSessionKeys(z, { ...base, hostId: new Uint8Array(0) })).toBeUndefined();
    expect(bspSessionKeys(z, { ...base, hostId: new Uint8Array(17) })).toBeUndefined();
    expect(bspSessionKeys(z, { ...base, eid: new Uint8Array(15) })).toBeUndefined();
    const v = V.ecka_mode51;
    const badPoint = h(v.euicc_otpk);
    badPoint[64]! ^= 1;
    expect(bspSharedSecret(h(v.smdp_otsk), badPoint)).toBeUndefined();
    expect(bspSharedSecret(h(v.smdp_otsk), badPoint.subarray(0, 33))).toBeUndefined();
  });

  it('ReplaceSessionKeys (BF26) encodes the PPK of the vector and decodes back; malformed BF26 refused', () => {
    const bf26 = h(V.bsp_mode51_session_keys.steps[2].plaintext);
    expect(toHex(encodeReplaceSessionKeys(ppkKeys))).toBe(toHex(bf26));
    const k = decodeReplaceSessionKeys(bf26)!;
    expect([toHex(k.sEnc), toHex(k.sMac), toHex(k.initialMcv)]).toEqual([
      ppkVec.s_enc,
      ppkVec.s_mac,
      ppkVec.initial_mcv,
    ]);
    expect(decodeReplaceSessionKeys(bf26.subarray(0, bf26.length - 1))).toBeUndefined();
    expect(decodeReplaceSessionKeys(concat(bf26, h('00')))).toBeUndefined();
    expect(decodeReplaceSessionKeys(ber(0xbf26, ber(0x80, new Uint8Array(16))))).toBeUndefined();
  });
});

function runSteps(s: BspSession, steps: Step[]): void {
  for (const st of steps) {
    const tag = Number.parseInt(st.tag, 16) as BspTag;
    expect(toHex(protectSegment(s, tag, h(st.plaintext)))).toBe(st.expect);
  }
}

/**
 * pySim's encoder puts each whole segment TLV into the OCTET STRING of the BoundProfilePackage, so a section
 * reads `87 1A 87 18 ...`: strip the outer layer to get the segments as SGP.22 §2.5.5 sends them.
 */
const unwrapPySim = (section: Bytes): Bytes => concat(...children(section).map((c) => c.value));

describe('BSP segments (SGP.22 §2.6.4.3 - §2.6.5), pySim vectors byte for byte', () => {
  it('bsp_mode51_session_keys: 87 ConfigureISDP, 88 StoreMetadata, 87 ReplaceSessionKeys in one session', () => {
    runSteps(bspSession(sessionKeys), V.bsp_mode51_session_keys.steps);
    const rx = bspSession(sessionKeys);
    for (const st of V.bsp_mode51_session_keys.steps as Step[]) {
      const r = unprotectSegment(rx, Number.parseInt(st.tag, 16) as BspTag, h(st.expect));
      expect(r).toEqual({ ok: true, value: h(st.plaintext) });
    }
  });

  it('bsp_mode51_ppk: two 1020-byte 86 segments under the PPK', () => {
    runSteps(bspSession(ppkKeys), ppkVec.steps);
    const seg = h(ppkVec.steps[0].expect);
    expect(seg.length).toBe(MAX_SEGMENT);
    // protectData cuts 1007-byte chunks: the two plaintexts in one call give the same two segments.
    const plain = concat(...(ppkVec.steps as Step[]).map((s) => h(s.plaintext)));
    const segs = protectData(bspSession(ppkKeys), TAG_PROFILE_ELEMENTS, plain);
    expect(segs.map((x) => toHex(x))).toEqual((ppkVec.steps as Step[]).map((s) => s.expect));
    const back = unprotectSection(bspSession(ppkKeys), TAG_PROFILE_ELEMENTS, concat(...segs));
    expect(back).toEqual({ ok: true, value: plain });
  });

  it('bsp_decode: pySim BF36 (1036-byte 86 segments) opens to ConfigureISDP, StoreMetadata and the UPP', () => {
    const v = V.bsp_decode;
    const bpp = new Uint8Array(readFileSync(join(DIR, v.bpp_file)));
    const upp = new Uint8Array(readFileSync(join(DIR, v.upp_file)));
    const items = children(bpp);
    expect(items.map((t) => t.tag)).toEqual([0xbf23, 0xa0, 0xa1, 0xa3]);
    const s = bspSession({ sEnc: h(v.s_enc), sMac: h(v.s_mac), initialMcv: h(v.initial_mcv) });
    const cfg = unprotectSection(s, TAG_ENC_MAC, unwrapPySim(items[1]!.raw));
    expect(cfg.ok && toHex(cfg.value)).toBe(v.expect_configure_isdp);
    const meta = unprotectSection(s, TAG_MAC_ONLY, unwrapPySim(items[2]!.raw));
    expect(meta.ok && toHex(meta.value)).toBe(v.expect_store_metadata);
    const ppk = bspSession({ sEnc: h(v.ppk_enc), sMac: h(v.ppk_mac), initialMcv: h(v.ppk_initial_mcv) });
    const pe = unprotectSection(ppk, TAG_PROFILE_ELEMENTS, unwrapPySim(items[3]!.raw));
    expect(pe.ok && toHex(pe.value)).toBe(toHex(upp));
  });
});

// ---- A whole BPP built by the host side and opened by the card side ----

// InitialiseSecureChannelRequest (SGP.22 §2.5.4): remoteOpId, transactionId, CRT {key type, length, host id}.
const ISC = ber(
  0xbf23,
  h('820101'),
  h('800401020304'),
  ber(0xa6, h('800188'), h('810110'), ber(0x84, h('8080808080808080'))),
);
const CONTENT = {
  initialiseSecureChannel: ISC,
  configureIsdp: h('bf2400'),
  storeMetadata: h(V.bsp_mode51_session_keys.steps[1].plaintext.slice(0)),
  profile: Uint8Array.from({ length: 5000 }, (_, i) => (i * 7 + 3) & 0xff),
};

/** The sections of a built BF36, and the segments of a section, as whole TLVs for tampering. */
const sections = (bpp: Bytes): Bytes[] => children(bpp).map((c) => c.raw);
const segmentsOf = (section: Bytes): Bytes[] => children(section).map((c) => c.raw);
function rebuild(secs: Bytes[]): Bytes {
  return ber(0xbf36, ...secs);
}
function withA3(bpp: Bytes, f: (segs: Bytes[]) => Bytes[]): Bytes {
  const secs = sections(bpp);
  const last = secs.length - 1;
  secs[last] = ber(0xa3, ...f(segmentsOf(secs[last]!)));
  return rebuild(secs);
}

describe('Bound Profile Package: host builds, card opens (SGP.22 §2.5.5)', () => {
  for (const ppk of [undefined, ppkKeys]) {
    it(`round trip ${ppk ? 'with ReplaceSessionKeys (A2, 86s under the PPK)' : 'under the session keys'}`, () => {
      const bpp = buildBpp(sessionKeys, { ...CONTENT, ...(ppk ? { ppk } : {}) });
      const r = openBpp(sessionKeys, bpp);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(toHex(r.content.profile)).toBe(toHex(CONTENT.profile));
      expect(toHex(r.content.configureIsdp)).toBe('bf2400');
      expect(toHex(r.content.storeMetadata)).toBe(toHex(CONTENT.storeMetadata));
      expect(toHex(r.content.initialiseSecureChannel)).toBe(toHex(ISC));
      expect(r.content.ppk && toHex(r.content.ppk.sEnc)).toBe(ppk && toHex(ppk.sEnc));
      for (const seg of segmentsOf(sections(bpp).at(-1)!))
        expect(seg.length).toBeLessThanOrEqual(MAX_SEGMENT);
    });
  }

  const bpp = buildBpp(sessionKeys, { ...CONTENT, ppk: ppkKeys });
  const refused = (b: Bytes, reason: string, id: number, segment?: number) => {
    const r = openBpp(sessionKeys, b);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe(reason);
    expect(r.bppCommandId).toBe(id);
    if (segment !== undefined) expect(r.segment).toBe(segment);
  };

  it('a flipped bit in any segment of any section: MAC failure (scp03tSecurityError) at that segment', () => {
    const secs = sections(bpp);
    const ids = [BPP_COMMAND.configureIsdp, BPP_COMMAND.storeMetadata, BPP_COMMAND.replaceSessionKeys];
    for (let si = 1; si < secs.length; si++) {
      const segs = segmentsOf(secs[si]!);
      for (let k = 0; k < segs.length; k++) {
        for (const pos of [4, segs[k]!.length - 1]) {
          const bad = segs.map((x) => x.slice());
          bad[k]![pos]! ^= 0x01;
          const copy = secs.slice();
          copy[si] = ber(readBer(secs[si]!)!.tag, ...bad);
          refused(rebuild(copy), 'mac', ids[si - 1] ?? BPP_COMMAND.loadProfileElements, k);
        }
      }
    }
    expect(BSP_ERROR_REASON.mac).toBe(8);
  });

  it('reordered, replayed, dropped 86 segments: MAC failure where the chain breaks', () => {
    refused(
      withA3(bpp, (s) => [s[1]!, s[0]!, ...s.slice(2)]),
      'mac',
      BPP_COMMAND.loadProfileElements,
      0,
    );
    refused(
      withA3(bpp, (s) => [s[0]!, s[0]!, ...s.slice(1)]),
      'mac',
      BPP_COMMAND.loadProfileElements,
      1,
    );
    refused(
      withA3(bpp, (s) => [s[0]!, ...s.slice(2)]),
      'mac',
      BPP_COMMAND.loadProfileElements,
      1,
    );
  });

  it('a segment replayed into a second session of the same keys verifies only at its own place', () => {
    const s = bspSession(sessionKeys);
    const segs = protectData(s, TAG_PROFILE_ELEMENTS, CONTENT.profile);
    const rx = bspSession(sessionKeys);
    expect(unprotectSegment(rx, TAG_PROFILE_ELEMENTS, segs[0]!).ok).toBe(true);
    const before = { ...rx, mcv: rx.mcv.slice() };
    expect(unprotectSegment(rx, TAG_PROFILE_ELEMENTS, segs[0]!)).toEqual({ ok: false, reason: 'mac' });
    // A refused segment changes nothing: the right next segment still verifies.
    expect(rx.counter).toBe(before.counter);
    expect(toHex(rx.mcv)).toBe(toHex(before.mcv));
    expect(unprotectSegment(rx, TAG_PROFILE_ELEMENTS, segs[1]!).ok).toBe(true);
  });

  it('truncated BPP, section or segment: structure error (scp03tStructureError)', () => {
    refused(bpp.subarray(0, bpp.length - 1), 'structure', BPP_COMMAND.initialiseSecureChannel);
    const seg = segmentsOf(sections(bpp).at(-1)!)[0]!;
    const rx = () => bspSession(ppkKeys);
    expect(unprotectSegment(rx(), TAG_PROFILE_ELEMENTS, seg.subarray(0, seg.length - 1))).toEqual({
      ok: false,
      reason: 'structure',
    });
    // Shortened consistently (length fixed up): no whole block left before the MAC.
    const body = readBer(seg)!.value;
    expect(unprotectSegment(rx(), TAG_PROFILE_ELEMENTS, ber(0x86, body.subarray(0, 20)))).toEqual({
      ok: false,
      reason: 'structure',
    });
    expect(unprotectSegment(rx(), TAG_PROFILE_ELEMENTS, ber(0x86, body.subarray(0, 7)))).toEqual({
      ok: false,
      reason: 'structure',
    });
    expect(unprotectSegment(rx(), TAG_PROFILE_ELEMENTS, new Uint8Array(0))).toEqual({
      ok: false,
      reason: 'structure',
    });
    // Longer than any SM-DP+ makes (1036 bytes, pySim's): refused before any cryptography.
    expect(unprotectSegment(rx(), TAG_MAC_ONLY, ber(0x88, new Uint8Array(1033)))).toEqual({
      ok: false,
      reason: 'structure',
    });
    expect(BSP_ERROR_REASON.structure).toBe(7);
  });

  it('wrong tag: an 87 where 86s belong is out of order, an unknown tag a structure error', () => {
    const s = bspSession(sessionKeys);
    const seg87 = protectSegment(s, TAG_ENC_MAC, h('bf2400'));
    expect(unprotectSegment(bspSession(sessionKeys), TAG_PROFILE_ELEMENTS, seg87)).toEqual({
      ok: false,
      reason: 'order',
    });
    const retagged = seg87.slice();
    retagged[0] = 0x89;
    expect(unprotectSegment(bspSession(sessionKeys), TAG_ENC_MAC, retagged)).toEqual({
      ok: false,
      reason: 'structure',
    });
    // Sections swapped (A1 before A0) or missing: the BPP is out of order.
    const secs = sections(bpp);
    refused(
      rebuild([secs[0]!, secs[2]!, secs[1]!, ...secs.slice(3)]),
      'order',
      BPP_COMMAND.initialiseSecureChannel,
    );
    refused(rebuild([secs[0]!, secs[1]!, secs[3]!, secs[4]!]), 'order', BPP_COMMAND.initialiseSecureChannel);
    // An 88 re-tagged 87 inside A0: the MAC covers the tag too.
    const s2 = bspSession(sessionKeys);
    const seg = protectSegment(s2, TAG_ENC_MAC, h('bf2400'));
    seg[0] = 0x88;
    expect(unprotectSegment(bspSession(sessionKeys), TAG_MAC_ONLY, seg)).toEqual({
      ok: false,
      reason: 'mac',
    });
  });

  it('bad padding under a valid MAC: padding error (scp03tSecurityError)', () => {
    // The host side never produces this; build a segment whose plaintext block lacks the 80 marker.
    for (const block of ['00'.repeat(16), `bf2400${'00'.repeat(13)}`, `81${'00'.repeat(15)}`]) {
      const s = bspSession(sessionKeys);
      const seg = craftSegment(s, h(block));
      expect(unprotectSegment(bspSession(sessionKeys), TAG_ENC_MAC, seg)).toEqual({
        ok: false,
        reason: 'padding',
      });
    }
    expect(BSP_ERROR_REASON.padding).toBe(8);
  });

  it('protect refuses to emit a segment over 1020 bytes; protectData splits instead', () => {
    expect(() => protectSegment(bspSession(sessionKeys), TAG_PROFILE_ELEMENTS, new Uint8Array(1008))).toThrow(
      RangeError,
    );
    expect(() => protectSegment(bspSession(sessionKeys), TAG_MAC_ONLY, new Uint8Array(1009))).toThrow(
      RangeError,
    );
    expect(protectSegment(bspSession(sessionKeys), TAG_MAC_ONLY, new Uint8Array(1008)).length).toBe(
      MAX_SEGMENT,
    );
    const segs = protectData(bspSession(sessionKeys), TAG_MAC_ONLY, new Uint8Array(3000));
    expect(segs.map((x) => x.length)).toEqual([1020, 1020, 12 + 984]);
  });
});

/**
 * An 87 segment whose (unpadded) 16-byte plaintext block is encrypted and MACed exactly as SGP.22 §2.6.4.3
 * says, so the MAC verifies and only the padding is wrong.
 */
function craftSegment(s: BspSession, block: Bytes): Bytes {
  const ctr = new Uint8Array(16);
  ctr[15] = s.counter;
  const iv = aesCbcEncrypt(s.sEnc, new Uint8Array(16), ctr);
  const body = aesCbcEncrypt(s.sEnc, iv, block);
  const mac = aesCmac(s.sMac, concat(s.mcv, Uint8Array.of(0x87, body.length + 8), body));
  return ber(0x87, body, mac.subarray(0, 8));
}

describe('BSP properties', () => {
  it('protect → unprotect round-trips any package; any single-byte change is refused', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 4000 }),
        fc.constantFrom<BspTag>(TAG_PROFILE_ELEMENTS, TAG_ENC_MAC, TAG_MAC_ONLY),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (data, tag, where, delta) => {
          const segs = protectData(bspSession(sessionKeys), tag, data);
          const wire = concat(...segs);
          const ok = unprotectSection(bspSession(sessionKeys), tag, wire);
          expect(ok).toEqual({ ok: true, value: data });
          const bad = wire.slice();
          bad[where % bad.length]! ^= delta;
          const r = unprotectSection(bspSession(sessionKeys), tag, bad);
          expect(r.ok).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), (b) => {
        expect(unprotectSegment(bspSession(sessionKeys), TAG_PROFILE_ELEMENTS, b).ok).toBe(false);
        expect(unprotectSection(bspSession(sessionKeys), TAG_MAC_ONLY, b).ok).toBe(false);
        expect(openBpp(sessionKeys, b).ok).toBe(false);
        expect(openBpp(sessionKeys, ber(0xbf36, b)).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
