// The SM-DP+ inventory and orders (host/smdp/store.ts) over a real state file: orders by matching ID and by
// EID (default SM-DP+ case, empty matching ID), the confirmation code kept only as SHA-256, a restart (a new
// store on the same file) sees everything, a profile is handed out once. Profile packages: TS.48 Generic
// eUICC Test Profiles from osmocom pySim (commit 597f1e0398bb81d6832dc92ee4dfdcada59d3d82, smdpp-data/upp/).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toHex } from '../../card-os/bytes.js';
import { confirmationCodeDigest } from '../../host/smdp/core.js';
import { SmdpStore, uppSummary } from '../../host/smdp/store.js';

const upp = (name: string) => new Uint8Array(readFileSync(join(__dirname, '../vectors/ts48', name)));
const A = upp('TS48V1-A-UNIQUE.der');
const B = upp('TS48V1-B-UNIQUE.der');
const EID = '89049032123451234512345678901235';
const OTHER_EID = '89049032123451234512345678901300';

describe('SM-DP+ store', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'smdp-store-'));
    file = join(dir, 'state.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the ICCID and type from the ProfileHeader of a TS.48 package', () => {
    expect(uppSummary(A)).toEqual({
      iccid: '8949449999999990023',
      profileType: 'GSMA Generic eUICC Test Profile',
    });
    expect(uppSummary(B)?.iccid).toBe('8949449999999990031');
    expect(uppSummary(A.subarray(0, 20))).toBeUndefined();
    expect(uppSummary(Uint8Array.of(0xaa, 0x00))).toBeUndefined();
  });

  it('orders by matching ID, survives a restart, hands the profile out once', () => {
    const s = SmdpStore.open(file);
    expect(s.addProfile(A, 'a.der')).toBe('8949449999999990023');
    expect(s.addProfile(A, 'a.der')).toBe('8949449999999990023'); // same package again: no-op
    s.addProfile(B, 'b.der');
    const o = s.reserve({ iccid: '8949449999999990023', matchingId: 'MATCH-1' });
    expect(o.state).toBe('reserved');
    expect(() => s.reserve({ iccid: '8949449999999990023' })).toThrow(/is reserved \(matching ID MATCH-1\)/);
    expect(() => s.reserve({ iccid: '8949449999999990031', matchingId: 'MATCH-1' })).toThrow(
      /MATCH-1 is already used/,
    );

    // "restart": a new store on the same file
    const again = SmdpStore.open(file);
    expect(again.claim({ matchingId: 'NOPE', eid: EID })).toEqual({ error: 'unknownMatchingId' });
    const c = again.claim({ matchingId: 'MATCH-1', eid: EID });
    if ('error' in c) throw new Error(c.error);
    expect(c.iccid).toBe('8949449999999990023');
    expect(toHex(c.upp)).toBe(toHex(A));
    expect(c.metadata).toMatchObject({ name: 'GSMA Generic eUICC Test Profile', class: 'operational' });
    expect(c.confirmationCodeHash).toBeUndefined();
    // bound to EID: another eUICC cannot take it while that session runs
    expect(again.claim({ matchingId: 'MATCH-1', eid: OTHER_EID })).toEqual({ error: 'alreadyDownloaded' });
    again.settle('MATCH-1', { installed: true, eid: EID, iccid: c.iccid });
    expect(SmdpStore.open(file).list()[0]).toMatchObject({ state: 'installed', boundEid: EID });
    // double download refused, for the same eUICC too
    expect(again.claim({ matchingId: 'MATCH-1', eid: EID })).toEqual({ error: 'alreadyDownloaded' });
    expect(again.events().map((e) => e.event)).toEqual([
      'added',
      'added',
      'ordered',
      'refused',
      'claimed',
      'refused',
      'installed',
      'refused',
    ]);
  });

  it('keeps the confirmation code only as SHA-256; an order for an EID refuses other eUICCs', () => {
    const s = SmdpStore.open(file);
    s.addProfile(A, 'a.der');
    s.reserve({ matchingId: 'CC-1', eid: EID, confirmationCode: 'secret-4711' });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('secret-4711');
    expect(text).toContain(toHex(confirmationCodeDigest('secret-4711')));
    expect(s.claim({ matchingId: 'CC-1', eid: OTHER_EID })).toEqual({ error: 'eidMismatch' });
    const c = s.claim({ matchingId: 'CC-1', eid: EID });
    if ('error' in c) throw new Error(c.error);
    // SHA-256("secret-4711"), the first hash of hashCc (SGP.22 §3.1.3.3)
    expect(toHex(c.confirmationCodeHash!)).toBe(
      '98FAD8421E06D999E3B8CE7029D2BDFBD8604634576692194CCB543EDF3636B2',
    );
  });

  it('an order by EID alone is found with an empty matching ID (default SM-DP+)', () => {
    const s = SmdpStore.open(file);
    s.addProfile(A, 'a.der');
    const o = s.reserve({ eid: EID });
    expect(o.matchingId).toBe('');
    expect(s.claim({ matchingId: '', eid: OTHER_EID })).toEqual({ error: 'noProfile' });
    const c = s.claim({ matchingId: '', eid: EID });
    if ('error' in c) throw new Error(c.error);
    // a failed install may be retried by the same eUICC
    s.settle('', { installed: false, eid: EID, iccid: c.iccid, reason: 'cancelled: 1 (postponed)' });
    expect(s.list()[0]).toMatchObject({ state: 'failed', reason: 'cancelled: 1 (postponed)' });
    const retry = s.claim({ matchingId: '', eid: EID });
    expect('error' in retry).toBe(false);
    expect(s.list()[0]!.attempts).toBe(2);
  });

  it('refuses bad input and files that are not state files, naming them', () => {
    const s = SmdpStore.open(file);
    expect(() => s.addProfile(Uint8Array.of(1, 2, 3), 'junk.der')).toThrow(/junk.der: not a profile package/);
    expect(() => s.reserve({})).toThrow(/no available profile/);
    s.addProfile(A, 'a.der');
    expect(() => s.reserve({ eid: '123' })).toThrow(/EID "123" must be 32 digits/);
    expect(() => s.reserve({ matchingId: 'a$b' })).toThrow(/matching ID "a\$b"/);
    expect(() => s.reserve({ iccid: '89000' })).toThrow(/ICCID 89000 is not in the inventory/);
    writeFileSync(join(dir, 'x.json'), '{"hello": 1}');
    expect(() => SmdpStore.open(join(dir, 'x.json'))).toThrow(/x.json: not an SM-DP\+ state file/);
    writeFileSync(join(dir, 'y.json'), '{');
    expect(() => SmdpStore.open(join(dir, 'y.json'))).toThrow(/y.json: not an SM-DP\+ state file/);
  });
});
