import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../applets/aka/authenticate.js';
import type { MilenageConstants } from '../../applets/aka/milenage.js';
import { initialSqnState, type SqnState, sqnMs } from '../../applets/aka/sqn.js';
import type { SubscriberKeys } from '../../applets/aka/subscriber-keys.js';
import { concat, fromHex, toHex } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';
import { type AuthVector, createAuc } from '../../host/network/auc.js';
import {
  formatSubscriberFile,
  loadSubscribers,
  parseSubscriberFile,
  type SubscriberRecord,
  saveSubscribers,
} from '../../host/network/subscribers.js';
import { MILENAGE_VECTORS } from '../usim/milenage-vectors.js';

const v1 = MILENAGE_VECTORS[0]!;
const v2 = MILENAGE_VECTORS[1]!;
const IMSI1 = '001010000000001';
const IMSI2 = '001010000000002';

function record(over: Partial<SubscriberRecord> = {}): SubscriberRecord {
  return {
    imsi: IMSI1,
    k: fromHex(v1.k),
    opc: fromHex(v1.opc),
    amf: fromHex('8000'),
    gsm: true,
    indBits: 5,
    seq: 0,
    ...over,
  };
}

function cardKeys(r: SubscriberRecord): SubscriberKeys {
  return r.opc
    ? { algorithm: 'milenage', k: r.k, opc: r.opc, constants: r.constants }
    : { algorithm: 'milenage', k: r.k, op: r.op!, constants: r.constants };
}

const cmd = (v: Pick<AuthVector, 'rand' | 'autn'>) => ({
  p1: 0,
  p2: 0x81,
  data: concat(Uint8Array.of(16), v.rand, Uint8Array.of(16), v.autn),
});

/** A simulated card: its key record, SQN state and GSM access flag. */
function card(r: SubscriberRecord, gsmAccess = r.gsm) {
  const keys = cardKeys(r);
  let state: SqnState = initialSqnState({ indBits: r.indBits });
  return {
    get state() {
      return state;
    },
    set state(s: SqnState) {
      state = s;
    },
    run(v: Pick<AuthVector, 'rand' | 'autn'>) {
      const res = authenticate(cmd(v), keys, state, { gsmAccess });
      if (res.sqnState) state = res.sqnState;
      return res;
    },
    gsm(rand: Uint8Array) {
      return authenticate({ p1: 0, p2: 0x80, data: concat(Uint8Array.of(16), rand) }, keys, state, {
        gsmAccess,
      });
    },
  };
}

const hex = (b: Uint8Array | undefined) => (b ? toHex(b).toLowerCase() : '');

describe('AuC vectors verified by the card', () => {
  it('a vector is accepted: RES = XRES, CK, IK, Kc as the card computes them', () => {
    const auc = createAuc([record()]);
    const c = card(record());
    const v = auc.generateVector(IMSI1);
    expect(v.sqn).toBe(1 * 32 + 0);
    const r = c.run(v);
    expect(r.sw).toBe(SW.OK);
    expect(hex(r.data)).toBe(`db08${hex(v.xres)}10${hex(v.ck)}10${hex(v.ik)}08${hex(v.kc)}`);
    expect(sqnMs(c.state)).toBe(v.sqn);
  });

  it('1,000 authentications in a row between the AuC and authenticate(), no failure', () => {
    const auc = createAuc([record({ imsi: IMSI2, k: fromHex(v2.k), opc: undefined, op: fromHex(v2.op) })], {
      ind: 7,
    });
    const c = card(record({ imsi: IMSI2, k: fromHex(v2.k), opc: undefined, op: fromHex(v2.op) }));
    let failures = 0;
    for (let i = 0; i < 1000; i++) {
      const v = auc.generateVector(IMSI2);
      const r = c.run(v);
      if (r.sw !== SW.OK || r.data![0] !== 0xdb || hex(r.data!.subarray(2, 10)) !== hex(v.xres)) failures++;
    }
    expect(failures).toBe(0);
    expect(sqnMs(c.state)).toBe(1000 * 32 + 7);
    expect(auc.records()[0]!.seq).toBe(1000);
  });

  it('vectors of different AuC nodes (IND values) may be used out of order', () => {
    const auc = createAuc([record()], { ind: 1 });
    const c = card(record());
    const fromNode1 = auc.generateVector(IMSI1); // SEQ 1, IND 1
    const fromNode2 = auc.generateVector(IMSI1, { ind: 2 }); // SEQ 2, IND 2
    expect(c.run(fromNode2).data![0]).toBe(0xdb);
    expect(c.run(fromNode1).data![0]).toBe(0xdb);
    expect(c.run(fromNode1).data![0]).toBe(0xdc); // a replay in its own slot
  });

  it('own Milenage constants on both sides', () => {
    const constants: MilenageConstants = {
      r: [10, 20, 30, 40, 50],
      c: [1, 2, 3, 4, 5].map((i) => new Uint8Array(16).fill(i * 3)) as unknown as MilenageConstants['c'],
    };
    const rec = record({ constants });
    const v = createAuc([rec]).generateVector(IMSI1);
    expect(hex(card(rec).run(v).data?.subarray(2, 10))).toBe(hex(v.xres));
  });

  it('Kc only for subscribers with GSM access; the card answers without Kc too', () => {
    const rec = record({ gsm: false });
    const auc = createAuc([rec]);
    const v = auc.generateVector(IMSI1);
    expect(v.kc).toBeUndefined();
    expect(hex(card(rec).run(v).data)).toBe(`db08${hex(v.xres)}10${hex(v.ck)}10${hex(v.ik)}`);
    expect(() => auc.gsmTriplet(IMSI1)).toThrow(/no GSM access/);
  });

  it('GSM triplets match the card in GSM context', () => {
    const auc = createAuc([record()]);
    const c = card(record());
    for (let i = 0; i < 5; i++) {
      const t = auc.gsmTriplet(IMSI1);
      expect(c.gsm(t.rand)).toEqual({
        sw: SW.OK,
        data: concat(Uint8Array.of(4), t.sres, Uint8Array.of(8), t.kc),
      });
    }
    expect(auc.records()[0]!.seq).toBe(0); // no SQN used
  });

  it('uses the injected RAND source', () => {
    const rand = fromHex(v1.rand);
    const auc = createAuc([record({ opc: fromHex(v1.opc), amf: fromHex(v1.amf) })], {
      random: () => rand.slice(),
    });
    const v = auc.generateVector(IMSI1);
    expect(hex(v.xres)).toBe(v1.f2);
    expect(hex(v.ck)).toBe(v1.f3);
    expect(hex(v.ik)).toBe(v1.f4);
  });
});

describe('re-synchronisation', () => {
  it('an AuC behind the card: the card sends AUTS, resync accepts it and the next vector passes', () => {
    const auc = createAuc([record({ seq: 40 })]);
    const c = card(record());
    c.run(createAuc([record({ seq: 41 })]).generateVector(IMSI1)); // the card saw SEQ 42 from elsewhere
    expect(sqnMs(c.state)).toBe(42 * 32);
    const stale = auc.generateVector(IMSI1); // SEQ 41: lower than SEQ_MS(0)
    const r = c.run(stale);
    expect(r.data![0]).toBe(0xdc);
    const auts = r.data!.subarray(2);
    expect(auc.resync(IMSI1, stale.rand, auts)).toEqual({ ok: true, sqnMs: 42 * 32 });
    const next = auc.generateVector(IMSI1);
    expect(next.sqn).toBe(43 * 32);
    expect(c.run(next).data![0]).toBe(0xdb);
  });

  it('an AuC too far ahead (beyond Δ): resync brings it back into range', () => {
    const auc = createAuc([record({ seq: 2 ** 28 + 5 })]);
    const c = card(record());
    const v = auc.generateVector(IMSI1);
    const r = c.run(v);
    expect(r.data![0]).toBe(0xdc);
    expect(auc.resync(IMSI1, v.rand, r.data!.subarray(2))).toEqual({ ok: true, sqnMs: 0 });
    expect(c.run(auc.generateVector(IMSI1)).data![0]).toBe(0xdb);
  });

  it('a bad MAC-S or malformed AUTS changes nothing', () => {
    const auc = createAuc([record({ seq: 10 })]);
    const c = card(record());
    c.run(createAuc([record({ seq: 20 })]).generateVector(IMSI1));
    const v = auc.generateVector(IMSI1);
    const auts = c.run(v).data!.subarray(2).slice();
    auts[13]! ^= 1;
    expect(auc.resync(IMSI1, v.rand, auts)).toEqual({ ok: false, reason: 'mac' });
    expect(auc.resync(IMSI1, v.rand, auts.subarray(0, 13))).toEqual({ ok: false, reason: 'malformed' });
    expect(auc.resync(IMSI1, v.rand.subarray(1), auts)).toEqual({ ok: false, reason: 'malformed' });
    const otherRand = v.rand.slice();
    otherRand[0]! ^= 1;
    auts[13]! ^= 1; // the card's real AUTS, but with another RAND
    expect(auc.resync(IMSI1, otherRand, auts)).toEqual({ ok: false, reason: 'mac' });
    expect(auc.records()[0]!.seq).toBe(11);
  });
});

describe('AuC errors', () => {
  it('unknown IMSI, bad IND, bad records', () => {
    const auc = createAuc([record()]);
    expect(() => auc.generateVector('001019999999999')).toThrow('AuC: unknown IMSI 001019999999999');
    expect(() => auc.generateVector(IMSI1, { ind: 32 })).toThrow(/ind 32 out of range/);
    expect(() => auc.add(record({ imsi: IMSI2, amf: new Uint8Array(3) }))).toThrow(
      `AuC: subscriber ${IMSI2}: amf must be 2 bytes`,
    );
    expect(() => createAuc([record({ indBits: 2 })], { ind: 4 })).toThrow(/does not fit/);
    expect(() => createAuc([], { ind: -1 })).toThrow(/ind/);
    expect(auc.has(IMSI1)).toBe(true);
    expect(auc.has(IMSI2)).toBe(false);
  });

  it('stops when the SEQ space is used up', () => {
    const auc = createAuc([record({ indBits: 10, seq: 2 ** 38 - 2 })]);
    expect(auc.generateVector(IMSI1).sqn).toBe((2 ** 38 - 1) * 1024);
    expect(() => auc.generateVector(IMSI1)).toThrow(/exhausted/);
  });

  it('keeps its own copies of the records', () => {
    const rec = record();
    const auc = createAuc([rec]);
    rec.k.fill(0);
    auc.records()[0]!.seq = 99;
    const v = auc.generateVector(IMSI1);
    expect(v.sqn).toBe(32);
    expect(card(record()).run(v).sw).toBe(SW.OK);
  });
});

describe('subscriber file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auc-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips the records, SEQ_HE included, atomically and mode 0600', () => {
    const file = join(dir, 'subscribers.json');
    const constants: MilenageConstants = {
      r: [1, 2, 3, 4, 5],
      c: [1, 2, 3, 4, 5].map((i) => new Uint8Array(16).fill(i)) as unknown as MilenageConstants['c'],
    };
    const auc = createAuc([
      record(),
      record({ imsi: IMSI2, opc: undefined, op: fromHex(v2.op), gsm: false, indBits: 3, constants }),
    ]);
    for (let i = 0; i < 3; i++) auc.generateVector(IMSI1);
    writeFileSync(file, 'old contents');
    saveSubscribers(file, auc.records());
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['subscribers.json']); // no temp file left behind
    const loaded = loadSubscribers(file);
    expect(loaded).toEqual(auc.records());
    expect(loaded[0]!.seq).toBe(3);
    // The reloaded AuC continues above the saved SEQ_HE.
    const again = createAuc(loaded);
    expect(again.generateVector(IMSI1).sqn).toBe(4 * 32);
    const text = readFileSync(file, 'utf8');
    expect(JSON.parse(text).version).toBe(1);
    expect(text).toBe(formatSubscriberFile(loaded));
  });

  it('defaults: gsm true, indBits 5, seq 0', () => {
    const [r] = parseSubscriberFile(
      JSON.stringify({ version: 1, subscribers: [{ imsi: IMSI1, k: v1.k, opc: v1.opc, amf: '8000' }] }),
      'subscribers.json',
    );
    expect(r).toMatchObject({ gsm: true, indBits: 5, seq: 0 });
  });

  const good = { imsi: IMSI2, k: v2.k, opc: v2.opc, amf: '8000', gsm: true, sqn: { indBits: 5, seq: 0 } };
  const fileWith = (second: unknown) =>
    JSON.stringify({ version: 1, subscribers: [{ ...good, imsi: IMSI1 }, second] }, null, 2);
  const cases: [string, unknown, string][] = [
    ['short k', { ...good, k: v2.k.slice(2) }, 'k must be 32 hex digits'],
    ['non-hex k', { ...good, k: `zz${v2.k.slice(2)}` }, 'k must be 32 hex digits'],
    ['no opc or op', { ...good, opc: undefined }, 'needs exactly one of opc and op'],
    ['both opc and op', { ...good, op: v2.op }, 'needs exactly one of opc and op'],
    ['bad op', { ...good, opc: undefined, op: 'abc' }, 'op must be 32 hex digits'],
    ['bad amf', { ...good, amf: '800' }, 'amf must be 4 hex digits'],
    ['bad gsm', { ...good, gsm: 'yes' }, 'gsm must be true or false'],
    ['bad indBits', { ...good, sqn: { indBits: 11, seq: 0 } }, 'sqn.indBits must be an integer 0..10'],
    ['bad seq', { ...good, sqn: { indBits: 5, seq: -1 } }, 'sqn.seq must be an integer 0..2^43 - 1'],
    ['bad sqn', { ...good, sqn: 5 }, 'sqn must be an object with indBits and seq'],
    [
      'bad constants.r',
      { ...good, constants: { r: [1, 2, 3, 4, 200], c: [] } },
      'constants.r must be 5 integers 0..127',
    ],
    [
      'bad constants.c',
      { ...good, constants: { r: [1, 2, 3, 4, 5], c: ['00', '', '', '', ''] } },
      'constants.c1 must be 32 hex digits',
    ],
    ['duplicate imsi', { ...good, imsi: IMSI1 }, 'duplicate imsi'],
  ];
  for (const [name, second, problem] of cases) {
    it(`names the file, subscriber and field: ${name}`, () => {
      const imsi = (second as { imsi: string }).imsi;
      expect(() => parseSubscriberFile(fileWith(second), 'subscribers.json')).toThrow(
        new Error(`subscribers.json: subscriber 2 (imsi ${imsi}): ${problem}`),
      );
    });
  }

  it('reports a bad IMSI without one in the prefix', () => {
    expect(() => parseSubscriberFile(fileWith({ ...good, imsi: '12a' }), 'subscribers.json')).toThrow(
      new Error('subscribers.json: subscriber 2: imsi must be 6 to 15 decimal digits'),
    );
    expect(() => parseSubscriberFile(fileWith(7), 'subscribers.json')).toThrow(
      new Error('subscribers.json: subscriber 2: must be an object'),
    );
  });

  it('never puts key material in a message', () => {
    const secretK = `${v2.k.slice(0, 30)}zz`;
    for (const text of [
      fileWith({ ...good, k: secretK }),
      `{"version": 1, "subscribers": [{"k": "${v2.k}" "opc": 1}]}`,
    ]) {
      try {
        parseSubscriberFile(text, 'subscribers.json');
        expect.fail('should throw');
      } catch (e) {
        const msg = (e as Error).message;
        expect(msg).not.toContain(v2.k.slice(0, 8));
        expect(msg).not.toContain(v2.opc.slice(0, 8));
      }
    }
  });

  it('bad JSON, wrong top level, missing file', () => {
    expect(() =>
      parseSubscriberFile('{\n  "version": 1\n  "subscribers": []\n}', 'subscribers.json'),
    ).toThrow(new Error('subscribers.json: not valid JSON (line 3, column 3)'));
    // V8 quotes the text around some errors; none of it may reach the message.
    expect(() => parseSubscriberFile(`{"k": [,"${v1.k}"]}`, 'subscribers.json')).toThrow(
      new Error('subscribers.json: not valid JSON'),
    );
    expect(() => parseSubscriberFile('[]', 'x.json')).toThrow(
      new Error('x.json: expected an object with "version": 1 and a "subscribers" array'),
    );
    expect(() => parseSubscriberFile('{"version": 2, "subscribers": []}', 'x.json')).toThrow(/version/);
    const missing = join(dir, 'nope.json');
    expect(() => loadSubscribers(missing)).toThrow(
      new Error(`${missing}: cannot read subscriber file (ENOENT)`),
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, fileWith({ ...good, k: '00' }));
    expect(() => loadSubscribers(bad)).toThrow(
      new Error(`${bad}: subscriber 2 (imsi ${IMSI2}): k must be 32 hex digits`),
    );
  });
});
