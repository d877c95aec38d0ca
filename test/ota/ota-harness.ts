// TEST HELPERS for the OTA tests: keysets of every algorithm, an OtaEnv over the fixture card with
// in-memory counters, and a snapshot of everything a command packet may change.

import {
  createOtaSession,
  type EnvelopeResult,
  handleSmsPpEnvelope,
  type OtaEnv,
} from '../../applets/ota/ota-applet-core.js';
import type { OtaConfig, OtaKeyset, TarConfig } from '../../applets/ota/ota-config.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { OTA_TEST_KEYSETS } from '../../host/ota/test-keys.js';
import { ADM1, FixtureCard } from './fixture-card.js';

export { ADM1 };

export const EF = 0x6f07;

/** One keyset per algorithm, KVN 1..5 (test keys only; 2 and 3 are the default profile's). */
export const KEYSETS: OtaKeyset[] = [
  {
    kvn: 1,
    kic: { alg: 'des', key: fromHex('1011121314151617') },
    kid: { alg: 'des', key: fromHex('18191a1b1c1d1e1f') },
  },
  ...OTA_TEST_KEYSETS,
  {
    kvn: 4,
    kic: { alg: '3des3', key: fromHex('400102030405060708090a0b0c0d0e0f4041424344454647') },
    kid: { alg: '3des3', key: fromHex('401102030405060708090a0b0c0d0e0f4849404b4c4d4e4f') },
  },
  {
    kvn: 5,
    kic: { alg: 'aes', key: fromHex('500102030405060708090a0b0c0d0e0f500102030405060708090a0b0c0d0e0f') },
    kid: { alg: 'aes', key: fromHex('501102030405060708090a0b0c0d0e0f501102030405060708090a0b0c0d0e0f') },
  },
];

const ALL = KEYSETS.map((k) => ({ kvn: k.kvn, grants: [ADM1] }));

/** B00010: UICC context, no minimum security. B00011: USIM, MSL 06 (CC + ciphering). B00012: no grants. */
export const TARS: TarConfig[] = [
  { tar: 0xb00010, context: 'uicc', msl: 0x00, keysets: ALL },
  { tar: 0xb00011, context: 'usim', msl: 0x06, keysets: ALL },
  { tar: 0xb00012, context: 'uicc', msl: 0x00, keysets: KEYSETS.map((k) => ({ kvn: k.kvn, grants: [] })) },
  { tar: 0xb00013, context: 'uicc', msl: 0x00, keysets: [{ kvn: 2, grants: [ADM1] }] },
];

export const CONFIG: OtaConfig = { keysets: KEYSETS, tars: TARS };

export interface TestEnv {
  env: OtaEnv;
  card: FixtureCard;
  counters: Map<number, number>;
  transactions: number;
}

export function makeEnv(config: OtaConfig = CONFIG): TestEnv {
  const card = new FixtureCard();
  card.addEf(EF, fromHex('00112233445566778899aabbccddeeff').subarray(0, 16));
  card.addEf(0x6f08, new Uint8Array(256));
  const t: TestEnv = {
    card,
    counters: new Map(),
    transactions: 0,
    env: undefined as unknown as OtaEnv,
  };
  t.env = {
    config,
    session: createOtaSession(),
    loadCounter: (tar) => t.counters.get(tar) ?? 0,
    saveCounter: (tar, v) => void t.counters.set(tar, v),
    openRemoteSession: (ctx, grants) => card.open(ctx, grants),
    transaction: (fn) => {
      t.transactions++;
      return fn();
    },
  };
  return t;
}

/** Sends ENVELOPE APDUs (as built by the server) to the card core; returns every answer. */
export function sendAll(t: TestEnv, envelopes: Bytes[]): EnvelopeResult[] {
  return envelopes.map((apdu) => handleSmsPpEnvelope(apdu.subarray(5), t.env));
}

/** Everything a command packet can change: counters, file contents, remote sessions opened. */
export function snapshot(t: TestEnv): string {
  const files = [...t.card.files].map(([fid, f]) => `${fid.toString(16)}=${toHex(f.data)}`).join(',');
  return `${JSON.stringify([...t.counters])}|${files}|${t.card.sessions.length}|${t.transactions}`;
}
