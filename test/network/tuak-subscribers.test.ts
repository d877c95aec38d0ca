// TUAK subscribers in the AuC's subscriber file and AuC: the JSON round trip (algorithm, K of 128/256 bits,
// TOPc or TOP, lengths, SEQ_HE), field errors naming file, subscriber and field, and random TUAK parameter
// sets where the AuC's vectors pass authenticate() and the card's AUTS passes the AuC's resync.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authenticate } from '../../applets/aka/authenticate.js';
import { initialSqnState } from '../../applets/aka/sqn.js';
import type { TuakParams } from '../../applets/aka/tuak.js';
import { concat, toHex } from '../../card-os/bytes.js';
import { createAuc } from '../../host/network/auc.js';
import {
  formatSubscriberFile,
  parseSubscriberFile,
  type SubscriberRecord,
  subscriberKeysOf,
} from '../../host/network/subscribers.js';

const IMSI = '001010000000042';
const K256 = 'fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0';
const TOP = '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f';
const good = { imsi: IMSI, algorithm: 'tuak', k: K256, top: TOP, amf: '8000', tuak: { mac: 128, res: 128 } };
const fileOf = (...subscribers: unknown[]) => JSON.stringify({ version: 1, subscribers });

describe('TUAK subscribers in the subscriber file', () => {
  it('round-trips algorithm, K, TOP, the lengths (missing ones take the defaults) and SEQ_HE', () => {
    const [r] = parseSubscriberFile(fileOf(good), 'subscribers.json');
    expect(r).toMatchObject({ algorithm: 'tuak', gsm: true, indBits: 5, seq: 0 });
    expect(r!.tuak).toEqual({ mac: 128, res: 128, ck: 128, ik: 128, iterations: 1 });
    expect(toHex(r!.k).toLowerCase()).toBe(K256);
    const again = parseSubscriberFile(formatSubscriberFile([{ ...r!, seq: 7 }]), 'x.json');
    expect(again).toEqual([{ ...r!, seq: 7 }]);
    expect(JSON.parse(formatSubscriberFile(again)).subscribers[0]).toMatchObject({
      algorithm: 'tuak',
      top: TOP,
      tuak: { mac: 128, res: 128, ck: 128, ik: 128, iterations: 1 },
    });
  });

  const cases: [string, unknown, string][] = [
    ['a 24-byte K', { ...good, k: K256.slice(0, 48) }, 'k must be 32 or 64 hex digits'],
    ['no TOP or TOPc', { ...good, top: undefined }, 'needs exactly one of topc and top'],
    ['OPc with TOP', { ...good, opc: K256.slice(0, 32) }, 'opc does not belong to algorithm tuak'],
    [
      'TOPc on a Milenage record',
      { imsi: IMSI, k: K256.slice(0, 32), opc: K256.slice(0, 32), topc: TOP, amf: '8000' },
      'topc does not belong to algorithm milenage',
    ],
    ['both TOP and TOPc', { ...good, topc: TOP }, 'needs exactly one of topc and top'],
    ['a short TOP', { ...good, top: TOP.slice(2) }, 'top must be 64 hex digits'],
    ['an unknown algorithm', { ...good, algorithm: 'xor' }, 'algorithm must be milenage or tuak'],
    ['a MAC of 32 bits', { ...good, tuak: { mac: 32 } }, 'tuak: mac must be 64, 128 or 256 bits'],
    ['0 iterations', { ...good, tuak: { iterations: 0 } }, 'tuak: iterations must be an integer 1..255'],
    ['an unknown TUAK field', { ...good, tuak: { rounds: 2 } }, 'tuak.rounds is not a TUAK parameter'],
    [
      'Milenage constants',
      { ...good, constants: { r: [], c: [] } },
      'constants belong to algorithm milenage',
    ],
    [
      'TUAK lengths on a Milenage record',
      { imsi: IMSI, k: K256.slice(0, 32), opc: K256.slice(0, 32), amf: '8000', tuak: {} },
      'tuak belongs to algorithm tuak',
    ],
  ];
  for (const [name, record, problem] of cases)
    it(`names the file, subscriber and field: ${name}`, () => {
      expect(() => parseSubscriberFile(fileOf(record), 'subscribers.json')).toThrow(
        new Error(`subscribers.json: subscriber 1 (imsi ${IMSI}): ${problem}`),
      );
    });

  it('the AuC refuses a record whose fields do not match its algorithm', () => {
    const base = { imsi: IMSI, amf: new Uint8Array(2), gsm: true, indBits: 5, seq: 0 };
    const k = new Uint8Array(32);
    expect(() => createAuc([{ ...base, algorithm: 'tuak', k, opc: new Uint8Array(16) }])).toThrow(
      'opc does not belong to algorithm tuak',
    );
    expect(() => createAuc([{ ...base, k, opc: new Uint8Array(16) }])).toThrow('k must be 16 bytes');
    expect(() =>
      createAuc([{ ...base, algorithm: 'tuak', k, topc: k, tuak: { ...DEFAULTS, ck: 64 as never } }]),
    ).toThrow('tuak: ck must be 128 or 256 bits');
  });
});

const DEFAULTS: TuakParams = { mac: 64, res: 64, ck: 128, ik: 128, iterations: 1 };

describe('random TUAK subscribers: AuC against authenticate()', () => {
  it('vectors accepted with RES = XRES, CK, IK; a replay answers AUTS that resynchronises the AuC', () => {
    const params = fc.record({
      mac: fc.constantFrom(64, 128, 256),
      res: fc.constantFrom(32, 64, 128, 256),
      ck: fc.constantFrom(128, 256),
      ik: fc.constantFrom(128, 256),
      iterations: fc.integer({ min: 1, max: 3 }),
    }) as fc.Arbitrary<TuakParams>;
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.boolean(),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        params,
        fc.boolean(),
        (k16, long, top, tuak, gsm) => {
          const k = long ? concat(k16, k16.slice().reverse()) : k16;
          const record: SubscriberRecord = {
            imsi: IMSI,
            algorithm: 'tuak',
            k,
            top,
            tuak,
            amf: Uint8Array.of(0x80, 0x00),
            gsm,
            indBits: 5,
            seq: 0,
          };
          const auc = createAuc([record]);
          const keys = subscriberKeysOf(record);
          let state = initialSqnState();
          const v = auc.generateVector(IMSI);
          const cmd = {
            p1: 0,
            p2: 0x81,
            data: concat(Uint8Array.of(16), v.rand, Uint8Array.of(v.autn.length), v.autn),
          };
          const r = authenticate(cmd, keys, state, { gsmAccess: gsm });
          expect(r.sw).toBe(0x9000);
          expect(toHex(r.data!)).toBe(
            toHex(
              concat(
                Uint8Array.of(0xdb, v.xres.length),
                v.xres,
                Uint8Array.of(v.ck.length),
                v.ck,
                Uint8Array.of(v.ik.length),
                v.ik,
                ...(v.kc ? [Uint8Array.of(8), v.kc] : []),
              ),
            ),
          );
          state = r.sqnState!;
          const replay = authenticate(cmd, keys, state, { gsmAccess: gsm });
          expect(replay.data![0]).toBe(0xdc);
          const behind = createAuc([record]);
          expect(behind.resync(IMSI, v.rand, replay.data!.subarray(2))).toEqual({ ok: true, sqnMs: v.sqn });
          const next = behind.generateVector(IMSI);
          const ok = authenticate(
            {
              p1: 0,
              p2: 0x81,
              data: concat(Uint8Array.of(16), next.rand, Uint8Array.of(next.autn.length), next.autn),
            },
            keys,
            state,
            { gsmAccess: gsm },
          );
          expect(ok.sw).toBe(0x9000);
          expect(ok.data![0]).toBe(0xdb);
        },
      ),
      { numRuns: 60 },
    );
  });
});
