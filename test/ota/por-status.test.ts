// Negative tests: one per PoR status code the card produces (TS 102 225 §5.2). Each failure must be
// answered by an unprotected PoR with that status (CNTR zero, no data), and must change nothing: no counter
// advance, no remote session, no write.

import { describe, expect, it } from 'vitest';
import { encodeCommandPacket } from '../../applets/ota/command-packet.js';
import { CNTR_MAX } from '../../applets/ota/counter.js';
import { blockKeyByte } from '../../applets/ota/kic-kid.js';
import { encipher, integrityValue } from '../../applets/ota/packet-security.js';
import { POR } from '../../applets/ota/por-status.js';
import { decodeResponsePacket, RPI_UDH } from '../../applets/ota/response-packet.js';
import { decodeSpi, encodeSpi, type Spi } from '../../applets/ota/spi.js';
import { type Bytes, concat, fromHex, toHex, uintBE } from '../../card-os/bytes.js';
import {
  buildEnvelopeApdu,
  buildSmsDeliverTpdus,
  OtaServer,
  resolveSuites,
} from '../../host/ota/ota-server.js';
import { EF, KEYSETS, makeEnv, sendAll, snapshot, type TestEnv } from './ota-harness.js';

const TAR = 0xb00010;
const SCRIPT = fromHex(`00a4000c026f07 00d6000002cafe`);
const FULL: Spi = {
  integrity: 'cc',
  ciphered: true,
  counter: 'higher',
  por: 'always',
  porIntegrity: 'cc',
  porCiphered: true,
  porViaSubmit: false,
};

function envelopeFor(packet: Bytes): Bytes[] {
  return buildSmsDeliverTpdus(packet, 0, { scts: new Uint8Array(7) }).map((t) => buildEnvelopeApdu(t));
}

function packet(opts: {
  spi?: Spi;
  kic?: number;
  kid?: number;
  tar?: number;
  cntr?: number;
  data?: Bytes;
}): Bytes {
  const spi = opts.spi ?? FULL;
  const kic = opts.kic ?? 0x22;
  const kid = opts.kid ?? 0x22;
  const s = resolveSuites(spi, kic, kid, KEYSETS);
  return encodeCommandPacket({
    spi,
    kic,
    kid,
    tar: opts.tar ?? TAR,
    cntr: opts.cntr ?? 1,
    data: opts.data ?? SCRIPT,
    ...(s.cipher ? { cipher: s.cipher } : {}),
    ...(s.integrity ? { integrity: s.integrity } : {}),
  });
}

/** Sends a packet, checks the unprotected error PoR and that nothing changed. */
function expectFailure(t: TestEnv, pkt: Bytes, status: number, tar = TAR): void {
  const before = snapshot(t);
  const answers = sendAll(t, envelopeFor(pkt));
  const r = answers[answers.length - 1]!;
  expect(r.sw).toBe(0x9000);
  expect(r.proactive).toBeUndefined();
  expect(toHex(r.data!.subarray(0, 3))).toBe(toHex(RPI_UDH));
  // Exactly: RPL 000B, RHL 0A, TAR, CNTR 0, PCNTR 0, status.
  expect(toHex(r.data!.subarray(3))).toBe(
    `000B0A${toHex(uintBE(tar, 3))}000000000000${toHex(Uint8Array.of(status))}`,
  );
  const d = decodeResponsePacket(r.data!.subarray(3), {});
  expect(d).toMatchObject({ ok: true, por: { status, secured: false, tar } });
  expect(snapshot(t)).toBe(before);
}

describe('PoR status codes for security failures, state unchanged', () => {
  it('01 RC/CC/DS failed: CC over tampered data (clear packet)', () => {
    const t = makeEnv();
    const pkt = packet({ spi: { ...FULL, ciphered: false } });
    pkt[pkt.length - 1]! ^= 0x01;
    expectFailure(t, pkt, POR.RC_CC_DS_FAILED);
  });

  it('01 RC/CC/DS failed: tampered ciphertext, and a wrong key', () => {
    const t = makeEnv();
    const pkt = packet({});
    pkt[12]! ^= 0x80;
    expectFailure(t, pkt, POR.RC_CC_DS_FAILED);
    const wrongKey = encodeCommandPacket({
      spi: FULL,
      kic: 0x22,
      kid: 0x22,
      tar: TAR,
      cntr: 1,
      data: SCRIPT,
      cipher: KEYSETS[1]!.kic!,
      integrity: { kind: 'cc', alg: 'aes', key: new Uint8Array(16).fill(7) },
    });
    expectFailure(t, wrongKey, POR.RC_CC_DS_FAILED);
  });

  it('01 RC/CC/DS failed: wrong CRC32 and CRC16', () => {
    const t = makeEnv();
    for (const kid of [0x05, 0x01]) {
      const pkt = packet({
        spi: { ...FULL, integrity: 'rc', ciphered: false, porIntegrity: 'none', porCiphered: false },
        kid,
      });
      pkt[pkt.length - 2]! ^= 0xff;
      expectFailure(t, pkt, POR.RC_CC_DS_FAILED);
    }
  });

  it('02 CNTR low: replay, and a counter below the stored one', () => {
    const t = makeEnv();
    t.counters.set(TAR, 5);
    expectFailure(t, packet({ cntr: 5 }), POR.CNTR_LOW);
    expectFailure(t, packet({ cntr: 4 }), POR.CNTR_LOW);
    expectFailure(t, packet({ cntr: 0, spi: { ...FULL, counter: 'one-higher' } }), POR.CNTR_LOW);
  });

  it('03 CNTR high: "one higher" with a gap', () => {
    const t = makeEnv();
    t.counters.set(TAR, 5);
    expectFailure(t, packet({ cntr: 7, spi: { ...FULL, counter: 'one-higher' } }), POR.CNTR_HIGH);
  });

  it('04 CNTR blocked: the stored counter is at its maximum', () => {
    const t = makeEnv();
    t.counters.set(TAR, CNTR_MAX);
    expectFailure(t, packet({ cntr: CNTR_MAX }), POR.CNTR_BLOCKED);
    expectFailure(t, packet({ cntr: 1, spi: { ...FULL, counter: 'one-higher' } }), POR.CNTR_BLOCKED);
  });

  it('the packet that reaches the maximum is processed, then the counter is blocked', () => {
    const t = makeEnv();
    t.counters.set(TAR, CNTR_MAX - 1);
    const ok = sendAll(t, envelopeFor(packet({ cntr: CNTR_MAX })));
    expect(decodeResponsePacket(ok[0]!.data!.subarray(3), resolvePor())).toMatchObject({
      ok: true,
      por: { status: 0 },
    });
    expect(t.counters.get(TAR)).toBe(CNTR_MAX);
    expectFailure(t, packet({ cntr: CNTR_MAX }), POR.CNTR_BLOCKED);
  });

  it('05 ciphering error: ciphertext not a whole number of blocks', () => {
    const t = makeEnv();
    const pkt = packet({ spi: { ...FULL, integrity: 'none', porIntegrity: 'none' } });
    const cut = pkt.slice(0, pkt.length - 3);
    cut[0] = (cut.length - 2) >> 8;
    cut[1] = (cut.length - 2) & 0xff;
    expectFailure(t, cut, POR.CIPHERING_ERROR);
  });

  it('05 ciphering error: PCNTR larger than the deciphered data (CC valid)', () => {
    const t = makeEnv();
    const [spi1, spi2] = encodeSpi(FULL);
    const head = concat(Uint8Array.of(0x00, 0x28, 0x15, spi1, spi2, 0x22, 0x22), uintBE(TAR, 3));
    const counter = concat(uintBE(1, 5), Uint8Array.of(0x30));
    const data = new Uint8Array(18);
    const cc = integrityValue({ kind: 'cc', ...KEYSETS[1]!.kid! }, concat(head, counter, data));
    const pkt = concat(head, encipher(KEYSETS[1]!.kic!, concat(counter, cc, data)));
    expect(pkt.length - 2).toBe(0x28);
    expectFailure(t, pkt, POR.CIPHERING_ERROR);
  });

  it('06 unidentified security error: unusable keys or SPI, inconsistent header', () => {
    const t = makeEnv();
    // Key version not configured (KVN 7), not accepted by the TAR (B00013 accepts KVN 2 only).
    expectFailure(t, patchKeyBytes(packet({}), 0x72, 0x72), POR.SECURITY_ERROR);
    expectFailure(t, packet({ kic: 0x35, kid: 0x35, tar: 0xb00013 }), POR.SECURITY_ERROR, 0xb00013);
    // KIc says DES but keyset 2 holds AES keys; proprietary algorithm code.
    expectFailure(t, patchKeyBytes(packet({}), 0x21, 0x22), POR.SECURITY_ERROR);
    expectFailure(t, patchKeyBytes(packet({}), 0x23, 0x22), POR.SECURITY_ERROR);
    // Digital signature asked for (SPI1 b2b1 = 11), and PoR DS.
    const ds = packet({ spi: { ...FULL, integrity: 'none', ciphered: false } });
    ds[3] = 0x13;
    expectFailure(t, ds, POR.SECURITY_ERROR);
    const porDs = packet({});
    porDs[4] = porDs[4]! | 0x0c;
    expectFailure(t, porDs, POR.SECURITY_ERROR);
    // PoR RC asked for while the KID codes a block cipher.
    const porRc = packet({});
    porRc[4] = (porRc[4]! & ~0x0c) | 0x04;
    expectFailure(t, porRc, POR.SECURITY_ERROR);
    // CHL and CPL that do not match.
    const chl = packet({});
    chl[2] = 0x0d;
    expectFailure(t, chl, POR.SECURITY_ERROR);
    const cpl = packet({});
    cpl[1]! += 1;
    expectFailure(t, cpl, POR.SECURITY_ERROR);
    // The reserved PoR coding SPI2 b2b1 = 11: the PoR is sent anyway.
    const reserved = packet({});
    reserved[4] = reserved[4]! | 0x03;
    expectFailure(t, reserved, POR.SECURITY_ERROR);
  });

  it('09 TAR unknown', () => {
    const t = makeEnv();
    expectFailure(t, packet({ tar: 0xb0ffff }), POR.TAR_UNKNOWN, 0xb0ffff);
  });

  it('0A insufficient security level: TAR B00011 requires CC and ciphering', () => {
    const t = makeEnv();
    expectFailure(
      t,
      packet({ tar: 0xb00011, spi: { ...FULL, ciphered: false } }),
      POR.INSUFFICIENT_SECURITY,
      0xb00011,
    );
    expectFailure(
      t,
      packet({ tar: 0xb00011, spi: { ...FULL, integrity: 'rc', porIntegrity: 'none' }, kid: 0x05 }),
      POR.INSUFFICIENT_SECURITY,
      0xb00011,
    );
  });

  it('PoR "on error" reports failures; PoR "none" answers 9000 with no data, state unchanged', () => {
    const t = makeEnv();
    const onError = packet({ spi: { ...FULL, por: 'on-error' }, tar: 0xb0ffff });
    expectFailure(t, onError, POR.TAR_UNKNOWN, 0xb0ffff);
    const before = snapshot(t);
    const silent = packet({ spi: { ...FULL, por: 'none' }, tar: 0xb0ffff });
    expect(sendAll(t, envelopeFor(silent))).toEqual([{ sw: 0x9000 }]);
    expect(snapshot(t)).toBe(before);
  });

  it('the server accepts unprotected failure PoRs but not an unprotected PoR OK', () => {
    const server = new OtaServer();
    const t = makeEnv();
    const p = server.prepare({
      iccid: '1',
      tar: 0xb0ffff,
      spi: FULL,
      kic: 0x22,
      kid: 0x22,
      keysets: KEYSETS,
      script: SCRIPT,
    });
    const r = sendAll(t, p.envelopes)[0]!;
    expect(server.readPorFromEnvelopeResponse(p.expect, r.data!)).toMatchObject({
      ok: true,
      status: 9,
      statusName: 'TAR unknown',
      secured: false,
    });
    const forgedOk = r.data!.slice();
    forgedOk[forgedOk.length - 1] = 0x00;
    expect(server.readPorFromEnvelopeResponse(p.expect, forgedOk)).toMatchObject({ ok: false });
  });

  it('a failing command is no security failure: PoR OK, counter advanced, earlier writes kept', () => {
    const t = makeEnv();
    const scr = fromHex('00a4000c026f07 00d6000002beef 00a4000c026f99 00d6000002cafe');
    const r = sendAll(t, envelopeFor(packet({ data: scr })))[0]!;
    const d = decodeResponsePacket(r.data!.subarray(3), resolvePor());
    expect(d).toMatchObject({ ok: true, por: { status: 0, cntr: 1 } });
    if (d.ok) expect(toHex(d.por.data)).toBe('036A82');
    expect(t.counters.get(TAR)).toBe(1);
    expect(toHex(t.card.files.get(EF)!.data.subarray(0, 2))).toBe('BEEF');
  });
});

function resolvePor() {
  const s = resolveSuites(FULL, 0x22, 0x22, KEYSETS);
  return { cipher: s.porCipher!, integrity: s.porIntegrity! };
}

/** Rewrites KIc/KID in the clear header (the CC then no longer matters: key checks come first). */
function patchKeyBytes(pkt: Bytes, kic: number, kid: number): Bytes {
  const out = pkt.slice();
  out[5] = kic;
  out[6] = kid;
  return out;
}

it('decodeSpi and encodeSpi agree on every defined value', () => {
  for (let spi1 = 0; spi1 < 0x20; spi1++)
    for (let spi2 = 0; spi2 < 0x40; spi2++) {
      const s = decodeSpi(spi1, spi2);
      if ((spi2 & 3) === 3) expect(s).toBeUndefined();
      else expect(encodeSpi(s!)).toEqual([spi1, spi2]);
    }
  expect(blockKeyByte(2, 'aes')).toBe(0x22);
});
