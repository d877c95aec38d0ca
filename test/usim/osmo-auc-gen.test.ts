// Cross-check against osmo-auc-gen (Debian package libosmocore-utils), an independent Milenage and
// c2/c3 implementation: 20 random K/OP(c)/RAND/SQN/AMF sets, compared on RES, CK, IK, AUTN, SRES and
// Kc, then each AUTN is fed to our authenticate() and a replay's AUTS is fed back to osmo-auc-gen.
// In CI the tool is required; elsewhere the tests are skipped with the reason in their names.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authenticate } from '../../applets/aka/authenticate.js';
import { createMilenage, gsmFromUmts } from '../../applets/aka/milenage.js';
import { initialSqnState } from '../../applets/aka/sqn.js';
import type { SubscriberKeys } from '../../applets/aka/subscriber-keys.js';
import { concat, fromHex, readUintBE, toHex, uintBE } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';

const TOOL = 'osmo-auc-gen';
const probe = spawnSync(TOOL, ['--help'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
  timeout: 10_000,
});
const missing = probe.error !== undefined;
const why = missing ? ` [skipped: ${TOOL} not found; apt-get install -y libosmocore-utils]` : '';

const hex = (b: Uint8Array) => toHex(b).toLowerCase();

/** Runs osmo-auc-gen and returns its "NAME:\tvalue" lines as a map. */
function osmo(args: string[]): Map<string, string> {
  const out = execFileSync(TOOL, ['-3', '-a', 'milenage', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10_000,
  });
  const fields = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^([A-Za-z.]+):\t(\S+)$/.exec(line);
    if (m) fields.set(m[1]!, m[2]!);
  }
  return fields;
}

interface Case {
  k: Uint8Array;
  secret: Uint8Array;
  useOp: boolean;
  rand: Uint8Array;
  sqn: number;
  amf: Uint8Array;
}

const cases: Case[] = Array.from({ length: 20 }, (_, i) => ({
  k: new Uint8Array(randomBytes(16)),
  secret: new Uint8Array(randomBytes(16)),
  useOp: i % 2 === 0,
  rand: new Uint8Array(randomBytes(16)),
  // SEQ >= 1 so the card (all SEQ_MS zero at first) takes it as fresh.
  sqn: Math.max(32, readUintBE(new Uint8Array(randomBytes(6)))),
  amf: new Uint8Array(randomBytes(2)),
}));

describe(`cross-check with ${TOOL}`, () => {
  if (missing && process.env.CI) {
    it(`${TOOL} is installed (required in CI: apt-get install -y libosmocore-utils)`, () => {
      expect.fail(`${TOOL} not found`);
    });
  }

  it.skipIf(missing)(`20 random sets: RES, CK, IK, AUTN, SRES, Kc and the card's answer agree${why}`, () => {
    for (const c of cases) {
      const keyArgs = ['-k', hex(c.k), c.useOp ? '-O' : '-o', hex(c.secret)];
      const ref = osmo([...keyArgs, '-s', String(c.sqn), '-f', hex(c.amf), '-r', hex(c.rand)]);
      const m = createMilenage(c.useOp ? { k: c.k, op: c.secret } : { k: c.k, opc: c.secret });
      const round = m.withRand(c.rand);
      const { res, ck, ik, ak } = round.f2345();
      const sqn = uintBE(c.sqn, 6);
      const autn = concat(
        sqn.map((b, i) => b ^ ak[i]!),
        c.amf,
        round.f1(sqn, c.amf),
      );
      const { sres, kc } = gsmFromUmts(res, ck, ik);
      expect(ref.get('SQN')).toBe(String(c.sqn));
      expect(hex(res)).toBe(ref.get('RES'));
      expect(hex(ck)).toBe(ref.get('CK'));
      expect(hex(ik)).toBe(ref.get('IK'));
      expect(hex(autn)).toBe(ref.get('AUTN'));
      expect(hex(sres)).toBe(ref.get('SRES'));
      expect(hex(kc)).toBe(ref.get('Kc'));

      // The card, given osmo-auc-gen's RAND and AUTN.
      const keys: SubscriberKeys = c.useOp
        ? { algorithm: 'milenage', k: c.k, op: c.secret }
        : { algorithm: 'milenage', k: c.k, opc: c.secret };
      const command = {
        p1: 0,
        p2: 0x81,
        data: concat(Uint8Array.of(16), c.rand, Uint8Array.of(16), fromHex(ref.get('AUTN')!)),
      };
      const r = authenticate(command, keys, initialSqnState({ delta: 2 ** 43 - 1 }), { gsmAccess: true });
      expect(r.sw).toBe(SW.OK);
      expect(hex(r.data!)).toBe(
        `db08${ref.get('RES')}10${ref.get('CK')}10${ref.get('IK')}08${ref.get('Kc')}`,
      );

      // Replay: the card's AUTS must open at osmo-auc-gen to the SQN the card accepted.
      const replay = authenticate(command, keys, r.sqnState!, { gsmAccess: true });
      expect(replay.data![0]).toBe(0xdc);
      const auts = hex(replay.data!.subarray(2));
      const resync = osmo([...keyArgs, '-s', '0', '-f', hex(c.amf), '-r', hex(c.rand), '-A', auts]);
      expect(resync.get('SQN.MS')).toBe(String(c.sqn));
    }
  });
});
