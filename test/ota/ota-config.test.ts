// NVM coding of the OTA configuration and counters.

import { describe, expect, it } from 'vitest';
import {
  decodeOtaConfig,
  decodeOtaCounters,
  encodeOtaConfig,
  encodeOtaCounters,
  OTA_RECORD_TARS,
} from '../../applets/ota/ota-config.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { OTA_TEST_CONFIG } from '../../host/ota/test-keys.js';
import { CONFIG } from './ota-harness.js';

describe('OTA configuration records', () => {
  it('round trips the test profile configuration and the all-algorithm one', () => {
    for (const c of [OTA_TEST_CONFIG, CONFIG]) {
      const records = encodeOtaConfig(c);
      expect(decodeOtaConfig(records)).toEqual({
        ...c,
        keysets: [...c.keysets].sort((a, b) => a.kvn - b.kvn),
      });
    }
  });

  it('keys live only under secret/ota/..., one record per keyset', () => {
    const records = encodeOtaConfig(OTA_TEST_CONFIG);
    expect([...records.keys()].sort()).toEqual(['ota/tars', 'secret/ota/keyset/02', 'secret/ota/keyset/03']);
    const tars = toHex(records.get(OTA_RECORD_TARS)!);
    for (const k of OTA_TEST_CONFIG.keysets) {
      expect(tars).not.toContain(toHex(k.kic!.key));
      expect(tars).not.toContain(toHex(k.kid!.key));
    }
    expect(toHex(records.get('secret/ota/keyset/02')!)).toBe(
      '800102 A115 800102 8110 200102030405060708090A0B0C0D0E0F A215 800102 8110 201102030405060708090A0B0C0D0E0F'.replace(
        / /g,
        '',
      ),
    );
  });

  it('rejects malformed records', () => {
    const good = encodeOtaConfig(OTA_TEST_CONFIG);
    const withRecord = (name: string, v: Bytes) => new Map([...good, [name, v]]);
    expect(decodeOtaConfig(withRecord('ota/tars', fromHex('a003800100')))).toBeUndefined();
    expect(decodeOtaConfig(withRecord('ota/tars', fromHex('a0')))).toBeUndefined();
    expect(decodeOtaConfig(withRecord('ota/tars', fromHex('a00c8003b00010810102820100')))).toBeUndefined();
    // Key too short for its algorithm; unknown algorithm; KVN not matching the record name.
    expect(
      decodeOtaConfig(withRecord('secret/ota/keyset/02', fromHex('800102a1078001028102aabb'))),
    ).toBeUndefined();
    expect(
      decodeOtaConfig(withRecord('secret/ota/keyset/02', fromHex('800102a1078001038102aabb'))),
    ).toBeUndefined();
    expect(
      decodeOtaConfig(withRecord('secret/ota/keyset/05', good.get('secret/ota/keyset/02')!)),
    ).toBeUndefined();
    expect(decodeOtaConfig(new Map())).toEqual({ keysets: [], tars: [] });
  });

  it('counters: TAR(3) CNTR(5) entries', () => {
    const c = new Map([
      [0xb00010, 1],
      [0xb00011, 0xff_ffff_ffff],
    ]);
    const b = encodeOtaCounters(c);
    expect(toHex(b)).toBe('B000100000000001B00011FFFFFFFFFF');
    expect(decodeOtaCounters(b)).toEqual(c);
    expect(decodeOtaCounters(b.subarray(1))).toBeUndefined();
  });
});
