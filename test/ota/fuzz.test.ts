// Property tests: the card core never throws on arbitrary or mutated ENVELOPEs, answers only 9000 (with or
// without a PoR) or 6A80, and changes state only for packets it accepts (PoR OK, or no PoR requested).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handleSmsPpEnvelope } from '../../applets/ota/ota-applet-core.js';
import { decodeResponsePacket } from '../../applets/ota/response-packet.js';
import type { Spi } from '../../applets/ota/spi.js';
import { type Bytes, fromHex } from '../../card-os/bytes.js';
import { OtaServer } from '../../host/ota/ota-server.js';
import { KEYSETS, makeEnv, snapshot } from './ota-harness.js';

const SPIS: Spi[] = [
  {
    integrity: 'cc',
    ciphered: true,
    counter: 'higher',
    por: 'always',
    porIntegrity: 'cc',
    porCiphered: true,
    porViaSubmit: false,
  },
  {
    integrity: 'rc',
    ciphered: false,
    counter: 'none',
    por: 'always',
    porIntegrity: 'rc',
    porCiphered: false,
    porViaSubmit: true,
  },
  {
    integrity: 'none',
    ciphered: false,
    counter: 'available',
    por: 'always',
    porIntegrity: 'none',
    porCiphered: false,
    porViaSubmit: false,
  },
];

function seeds(): Bytes[] {
  const server = new OtaServer();
  const out: Bytes[] = [];
  for (const [i, spi] of SPIS.entries()) {
    const kid = spi.integrity === 'rc' ? 0x05 : 0x22;
    const script = fromHex(i === 2 ? 'aa09 2207 00a4000c026f07' : '00a4000c026f07 00d6000002abcd');
    for (const tar of [0xb00010, 0xb00011])
      out.push(
        server
          .prepare({ iccid: 'f', tar, spi, kic: 0x22, kid, keysets: KEYSETS, script })
          .envelopes[0]!.subarray(5),
      );
  }
  return out;
}

/** Unprotected status, or the status of a PoR ciphered/authenticated with keyset 2 (for the CC seed). */
/**
 * The PoR status, trying every protection a mutated SPI2 can ask for: none, RC (CRC16/32), and for the
 * seeds' keyset ciphering alone or with a CC (a flipped SPI2 bit may ask for any of them).
 */
function porStatus(data: Bytes): number | undefined {
  const pkt = data.subarray(3);
  const ks = KEYSETS[1]!;
  const attempts: Parameters<typeof decodeResponsePacket>[1][] = [
    {},
    { integrity: { kind: 'rc', crc: 'crc32' } },
    { integrity: { kind: 'rc', crc: 'crc16' } },
    { integrity: { kind: 'cc', ...ks.kid! } },
    { cipher: ks.kic! },
    { cipher: ks.kic!, integrity: { kind: 'cc', ...ks.kid! } },
    { cipher: ks.kic!, integrity: { kind: 'rc', crc: 'crc32' } },
    { cipher: ks.kic!, integrity: { kind: 'rc', crc: 'crc16' } },
  ];
  for (const a of attempts) {
    const r = decodeResponsePacket(pkt, a);
    if (r.ok) return r.por.status;
  }
  return undefined;
}

function check(envelope: Bytes): void {
  const t = makeEnv();
  const before = snapshot(t);
  const r = handleSmsPpEnvelope(envelope, t.env);
  expect([0x9000, 0x6a80]).toContain(r.sw);
  if (r.sw === 0x6a80) expect(r.data).toBeUndefined();
  const changed = snapshot(t) !== before;
  if (changed) {
    // Only an accepted packet may touch state: its PoR, if SPI2 asked for one, is a PoR OK (or the 0B notice).
    expect(r.sw).toBe(0x9000);
    if (r.data) expect([0x00, 0x0b]).toContain(porStatus(r.data));
  }
}

describe('fuzzing the SMS-PP ENVELOPE handler', () => {
  it('arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => check(b)),
      { numRuns: 1000 },
    );
  });

  it('arbitrary bytes behind a D1 header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) =>
        check(Uint8Array.from([0xd1, b.length & 0x7f, ...b])),
      ),
      { numRuns: 500 },
    );
  });

  const base = seeds();
  it('byte flips, insertions and truncations of valid envelopes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...base),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.integer({ min: 0, max: 255 }),
            fc.constantFrom('set', 'xor', 'cut', 'insert'),
          ),
          { maxLength: 4 },
        ),
        (seed, edits) => {
          let e = seed.slice();
          for (const [pos, v, kind] of edits) {
            const i = pos % (e.length + 1);
            if (kind === 'set' && i < e.length) e[i] = v;
            else if (kind === 'xor' && i < e.length) e[i] = e[i]! ^ (v || 1);
            else if (kind === 'cut') e = e.slice(0, i);
            else if (kind === 'insert') e = Uint8Array.from([...e.subarray(0, i), v, ...e.subarray(i)]);
          }
          check(e);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a flipped SPI2 asking for a PoR ciphered without checksum (found by the fuzzer)', () => {
    const e = Uint8Array.from([
      209, 53, 130, 2, 131, 129, 139, 47, 64, 8, 129, 33, 67, 101, 135, 127, 246, 98, 17, 50, 48, 16, 80, 0,
      30, 2, 112, 0, 0, 25, 13, 8, 0xb1, 34, 34, 176, 0, 16, 0, 0, 0, 0, 2, 0, 170, 9, 34, 7, 0, 164, 0, 12,
      2, 111, 7,
    ]);
    check(e);
  });

  it('the unmodified seeds are accepted', () => {
    for (const s of base) {
      const t = makeEnv();
      const r = handleSmsPpEnvelope(s, t.env);
      expect(r.sw).toBe(0x9000);
      expect(r.data).toBeDefined();
    }
  });
});
