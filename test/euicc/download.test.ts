// A whole profile download in process (SGP.22 §3.1.3): the LPA (host/euicc/download.ts) drives the default
// eUICC and the SM-DP+ core (host/smdp/core.ts) with a GSMA TS.48 test profile (v5, SAIP 2.3, as pySim
// ships it: test/vectors/ts48). The new ISD-P is enabled with ES10c EnableProfile; the terminal then reads
// its EF.IMSI and AUTHENTICATE answers with its keys (TS 34.108 §8.1.2 test algorithm, computed here).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { children, uint } from '../../applets/euicc/der.js';
import { readNotifications, readProfiles, uppKey } from '../../applets/euicc/store.js';
import { dataOf, swOf } from '../../card-os/apdu.js';
import { type Bytes, concat, fromHex, toHex, xor } from '../../card-os/bytes.js';
import type { EuiccCard } from '../../card-os/euicc-card.js';
import { contentKey } from '../../card-os/fs/model.js';
import { PowerLoss } from '../../card-os/nvm.js';
import { ber, readBer } from '../../card-os/tlv.js';
import { projectRoot } from '../../host/card-factory.js';
import { openCardWith } from '../../host/card-source.js';
import { hssFromProfile } from '../../host/cli/auth.js';
import { downloadProfile, type Es9Client } from '../../host/euicc/download.js';
import { createEuicc } from '../../host/euicc/load.js';
import { iccidDigits, Lpa } from '../../host/euicc/lpa.js';
import { openEuicc } from '../../host/euicc/open.js';
import { createAuc } from '../../host/network/auc.js';
import { loadProfile } from '../../host/profile/load.js';
import { encodeUpp } from '../../host/saip/encode.js';
import { uiccProcess } from '../support/cli.js';
import { downloadInto, SMDP_ADDRESS, testSmdp, transmitOf, ts48Upp } from './download-support.js';
import { defaultEuiccTemplate, es10, newEuicc, openIsdR, txHex } from './support.js';

const ICCID = '8949449999999990171'; // TS48V5-SAIP2-3-NOBERTLV-UNIQUE
const claim = () => ({
  matchingId: 'TS48-1',
  iccid: ICCID,
  upp: ts48Upp(),
  metadata: { spn: 'GSMA', name: 'TS.48 Generic Test Profile', class: 'operational' as const },
});

function fresh(): EuiccCard {
  const card = newEuicc();
  card.reset();
  return card;
}

/** TS 34.108 §8.1.2 test algorithm (XDOUT = K ⊕ RAND), the host side of an AUTHENTICATE. */
function testAlgorithmChallenge(k: Bytes, rand: Bytes, sqn: Bytes, amf: Bytes) {
  const xdout = xor(k, rand);
  const ak = xdout.subarray(3, 9);
  const mac = xor(xdout.subarray(0, 8), concat(sqn, amf));
  return { autn: concat(xor(sqn, ak), amf, mac), xdout };
}

/** Enables a profile by ICCID through ES10c, resets the card, and reads EF.IMSI. */
async function enableAndReadImsi(card: EuiccCard, iccid: string): Promise<string> {
  const lpa = await Lpa.open({ transmit: transmitOf(card) });
  expect(await lpa.enable(iccid)).toBe(0);
  await lpa.close();
  card.reset();
  const sel = txHex(card, '00A4040407A0000000871002');
  expect(sel.sw.startsWith('61') || sel.sw === '9000').toBe(true);
  // TS.48 PIN1 is disabled (pinAttributes 06): EF.IMSI reads without VERIFY.
  expect(txHex(card, '00A4000C026F07').sw).toBe('9000');
  const r = txHex(card, '00B0000009');
  expect(r.sw).toBe('9000');
  return r.data;
}

describe('profile download (SGP.22 §3.1.3), in process', () => {
  it('downloads a TS.48 profile, enables it, reads EF.IMSI and runs AUTHENTICATE with its key', async () => {
    const card = fresh();
    const { smdp, inventory } = testSmdp([claim()]);
    const steps: string[] = [];
    const r = await downloadProfile({
      transmit: transmitOf(card),
      es9: smdp,
      activationCode: `LPA:1$${SMDP_ADDRESS}$TS48-1`,
      onProgress: (s) => steps.push(s),
    });
    expect(r.iccid).toBe(ICCID);
    expect(r.isdpAid).toBe('A0000005591010FFFFFFFF8900001300');
    expect(steps).toContain('LoadBoundProfilePackage');
    expect(inventory.settled).toEqual([
      { matchingId: 'TS48-1', installed: true, eid: expect.any(String), iccid: ICCID },
    ]);
    // The new ISD-P is listed, disabled, with the SM-DP+'s metadata; the notification went out and was removed.
    const lpa = await Lpa.open({ transmit: transmitOf(card) });
    const p = (await lpa.profiles()).find((x) => x.iccid === ICCID)!;
    expect(p).toMatchObject({
      state: 'disabled',
      serviceProvider: 'GSMA',
      name: 'TS.48 Generic Test Profile',
    });
    expect(await lpa.notifications()).toEqual([]);
    await lpa.close();
    // Enabled, the terminal sees the TS.48 IMSI 001010123456063.
    // EUICCInfo2 announces the free memory less the package now kept (extCardResource 82, SGP.22 §5.7.9).
    const info2 = es10(card, openIsdR(card), 'BF2200').answer;
    expect(info2).toContain(
      `8204${(0x45bf8 - ts48Upp().length).toString(16).toUpperCase().padStart(8, '0')}`,
    );
    expect(await enableAndReadImsi(card, ICCID)).toBe('080910101032540636');
    // AUTHENTICATE (3G context) with K of TS.48 and the test algorithm.
    const k = fromHex('000102030405060708090A0B0C0D0E0F');
    const rand = fromHex('00112233445566778899AABBCCDDEEFF');
    const sqn = fromHex('000000000020');
    const { autn, xdout } = testAlgorithmChallenge(k, rand, sqn, fromHex('8000'));
    const auth = card.transmit(concat(fromHex('008800812210'), rand, Uint8Array.of(0x10), autn));
    let resp = auth;
    if (swOf(auth) >> 8 === 0x61) resp = card.transmit(Uint8Array.of(0, 0xc0, 0, 0, swOf(auth) & 0xff));
    expect(swOf(resp)).toBe(0x9000);
    const d = dataOf(resp);
    expect(d[0]).toBe(0xdb);
    const res = d.subarray(2, 2 + d[1]!);
    expect(toHex(res)).toBe(toHex(xdout.subarray(0, res.length)));
  });

  it('a second download of the same order is refused (8.2/3.5); a second profile gets the next ISD-P', async () => {
    const card = fresh();
    const { smdp } = testSmdp([
      claim(),
      {
        ...claim(),
        matchingId: 'TS48-2',
        iccid: '8949449999999990163',
        upp: ts48Upp('TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE.der'),
      },
    ]);
    await downloadInto(card, smdp, 'TS48-1');
    const again = await downloadInto(card, smdp, 'TS48-1').then(
      () => undefined,
      (e: { detail: { subjectCode?: string; reasonCode?: string } }) => e.detail,
    );
    expect(again).toMatchObject({ subjectCode: '8.2', reasonCode: '3.5' });
    const r = await downloadInto(card, smdp, 'TS48-2');
    expect(r.isdpAid).toBe('A0000005591010FFFFFFFF8900001400');
  });

  it('DeleteProfile of a downloaded profile frees its package; the same ICCID comes again in a new ISD-P', async () => {
    const card = fresh();
    const { smdp } = testSmdp([claim(), { ...claim(), matchingId: 'TS48-AGAIN' }]);
    const r = await downloadInto(card, smdp, 'TS48-1');
    const aid = fromHex(r.isdpAid);
    expect(card.nvm.get(uppKey(aid))).toBeDefined();
    const lpa = await Lpa.open({ transmit: transmitOf(card) });
    expect(await lpa.delete(ICCID)).toBe(0);
    await lpa.close();
    expect(card.nvm.get(uppKey(aid))).toBeUndefined();
    card.reset();
    expect(card.profile(aid)).toBeUndefined();
    const again = await downloadInto(card, smdp, 'TS48-AGAIN');
    // A deleted ISD-P's AID is not given again.
    expect(again.isdpAid).toBe('A0000005591010FFFFFFFF8900001400');
    expect(await enableAndReadImsi(card, ICCID)).toBe('080910101032540636');
  });

  it('with ReplaceSessionKeys (Profile Protection Keys) the download works the same', async () => {
    const card = fresh();
    const { smdp } = testSmdp([claim()], { replaceSessionKeys: true });
    const r = await downloadInto(card, smdp, 'TS48-1');
    expect(r.iccid).toBe(ICCID);
    expect(await enableAndReadImsi(card, ICCID)).toBe('080910101032540636');
  });

  it('a reset in the middle of LoadBoundProfilePackage ends the session: nothing is installed', async () => {
    const card = fresh();
    const { smdp } = testSmdp([claim()]);
    const before = readProfiles(card.nvm).length;
    let n = 0;
    const e = await downloadProfile({
      transmit: async (c) => {
        // The 8th STORE DATA of the load: reset the card first (the LPA does not know).
        if (c[1] === 0xe2 && ++n === 30) card.reset();
        return card.transmit(c);
      },
      es9: smdp,
      smdpAddress: SMDP_ADDRESS,
      matchingId: 'TS48-1',
    }).then(
      () => undefined,
      (x: Error) => x,
    );
    expect(e).toBeInstanceOf(Error);
    expect(readProfiles(card.nvm)).toHaveLength(before);
  });
});

describe('notifications to the SM-DP+ (ES9+.HandleNotification, SGP.22 §5.6.4)', () => {
  it('the enable notification of the downloaded profile (OtherSignedNotification) verifies; a changed one does not', async () => {
    const card = fresh();
    const { smdp } = testSmdp([claim()]);
    await downloadInto(card, smdp, 'TS48-1');
    await enableAndReadImsi(card, ICCID);
    const ch = openIsdR(card);
    const list = readBer(fromHex(es10(card, ch, 'BF2B00').answer))!;
    const items = children(children(list.value)![0]!.value)!;
    const others = items.filter((t) => t.tag === 0x30);
    expect(others.length).toBeGreaterThan(0);
    for (const t of others) {
      const der = ber(0x30, t.value);
      const ok = await smdp.handleNotification({ pendingNotification: Buffer.from(der).toString('base64') });
      expect(ok.header.functionExecutionStatus.status).toBe('Executed-Success');
      der[8]! ^= 1;
      const bad = await smdp.handleNotification({ pendingNotification: Buffer.from(der).toString('base64') });
      expect(bad.header.functionExecutionStatus.statusCodeData).toMatchObject({
        subjectCode: '8.1',
        reasonCode: '6.1',
      });
    }
  });
});

describe('a profile of ours, encoded by host/saip/encode.ts', () => {
  for (const file of ['profiles/examples/minimal.yaml'])
    it(`${file}: downloaded, enabled, EF.IMSI read, AUTHENTICATE against the host AuC`, async () => {
      const profile = loadProfile(join(projectRoot(), file));
      const hss = hssFromProfile(profile);
      const iccid = iccidOf(profile);
      const { smdp } = testSmdp([
        { matchingId: 'OURS', iccid, upp: encodeUpp(profile), metadata: { spn: 'uicc', name: file } },
      ]);
      const card = fresh();
      const r = await downloadInto(card, smdp, 'OURS');
      expect(r.iccid).toBe(iccid);
      const lpa = await Lpa.open({ transmit: transmitOf(card) });
      expect(await lpa.enable(iccid)).toBe(0);
      await lpa.close();
      card.reset();
      expect(txHex(card, '00A4040407A0000000871002').sw).toMatch(/^(61|90)/);
      expect(txHex(card, '00A4000C026F07').sw).toBe('9000');
      const imsi = txHex(card, '00B0000009');
      expect(imsi.sw).toBe('9000');
      expect(imsi.data).toBe(toHex(encodeImsiForTest(hss.imsi)));
      const v = createAuc([hss]).generateVector(hss.imsi);
      const apdu = concat(fromHex('008800812210'), v.rand, Uint8Array.of(0x10), v.autn);
      let resp = card.transmit(apdu);
      if (swOf(resp) >> 8 === 0x61) resp = card.transmit(Uint8Array.of(0, 0xc0, 0, 0, swOf(resp) & 0xff));
      expect(swOf(resp)).toBe(0x9000);
      const d = dataOf(resp);
      expect(toHex(d.subarray(2, 2 + d[1]!))).toBe(toHex(v.xres));
    });
});

/** EF.IMSI coding (TS 31.102 §4.2.2): length, then parity nibble 9 (odd) / 1 (even) and the digits swapped. */
function encodeImsiForTest(imsi: string): Bytes {
  const digits = `${imsi.length % 2 ? '9' : '1'}${imsi}`.padEnd(16, 'F');
  const out = [8];
  for (let i = 0; i < 16; i += 2) out.push(Number.parseInt(digits[i + 1]! + digits[i]!, 16));
  return Uint8Array.from(out);
}

/** The ICCID digits of a compiled profile's EF.ICCID. */
function iccidOf(p: ReturnType<typeof loadProfile>): string {
  const f = p.spec.mf.children.find((x) => x.type === 'EF' && x.fid === 0x2fe2)!;
  return iccidDigits(p.spec.nvm.get(contentKey(f)) ?? (f as { initial: Bytes }).initial);
}

/**
 * A download whose eUICC loses power at the k-th NVM write of LoadBoundProfilePackage (and writes nothing
 * after: every later step fails too): 'torn', or 'done' / 'refused' if the load needed fewer writes.
 */
async function downloadTornAt(card: EuiccCard, es9: Es9Client, k: number): Promise<string> {
  let step = 0;
  const r = await downloadProfile({
    transmit: transmitOf(card),
    es9,
    smdpAddress: SMDP_ADDRESS,
    matchingId: 'TS48-1',
    sendNotification: false,
    onProgress: (s) => {
      if (s === 'LoadBoundProfilePackage')
        card.nvm.powerHook = () => {
          if (++step >= k) throw new PowerLoss(k);
        };
    },
  }).then(
    () => 'done',
    (e: unknown) => (e instanceof PowerLoss ? 'torn' : 'refused'),
  );
  card.nvm.powerHook = undefined;
  return r;
}

describe('atomic install (one NVM transaction)', () => {
  it('a power loss before EVERY NVM write of LoadBoundProfilePackage leaves no ISD-P or a complete, working one', async () => {
    const template = defaultEuiccTemplate();
    const outcomes: string[] = [];
    for (let k = 1; k < 50; k++) {
      const card = fresh();
      const before = readProfiles(card.nvm).length;
      const { smdp } = testSmdp([claim()]);
      const r = await downloadTornAt(card, smdp, k);
      if (r === 'done') {
        outcomes.push('done');
        break;
      }
      expect(r).toBe('torn');
      // Power-up from what the NVM holds.
      const after = createEuicc(template, { nvm: card.snapshot() });
      after.reset();
      const list = readProfiles(after.nvm);
      if (list.length === before) {
        expect(list.some((p) => toHex(p.aid).endsWith('1300'))).toBe(false);
        expect(after.nvm.get(uppKey(fromHex('A0000005591010FFFFFFFF8900001300')))).toBeUndefined();
        outcomes.push('none');
      } else {
        expect(list).toHaveLength(before + 1);
        expect(await enableAndReadImsi(after, ICCID)).toBe('080910101032540636');
        outcomes.push('complete');
      }
    }
    // Every write was cut once (the journal, its commit mark, each record, the journal cleared), then the
    // download ran through; both outcomes occurred.
    expect(outcomes.length).toBeGreaterThanOrEqual(7);
    expect(outcomes.at(-1)).toBe('done');
    expect(outcomes).toContain('none');
    expect(outcomes).toContain('complete');
  });
});

describe('atomic refusal', () => {
  it('a power loss at every write of a refused load (PPR): no ISD-P, and the PIR notification whole or absent', async () => {
    const template = defaultEuiccTemplate();
    const seen = new Set<number>();
    for (let k = 1; k < 20; k++) {
      const card = fresh();
      const before = readProfiles(card.nvm).length;
      const notesBefore = card.nvm.get('euicc/notifications');
      const { smdp } = testSmdp([{ ...claim(), metadata: { spn: 'x', name: 'y', ppr: ['ppr2'] } }]);
      const r = await downloadTornAt(card, smdp, k);
      const after = createEuicc(template, { nvm: card.snapshot() });
      after.reset();
      expect(readProfiles(after.nvm)).toHaveLength(before);
      const notes = after.nvm.get('euicc/notifications');
      const grew = toHex(notes ?? new Uint8Array(0)) !== toHex(notesBefore ?? new Uint8Array(0));
      if (grew) {
        // The whole signed PIR, and the sequence number that goes with it.
        const last = readNotifications(after.nvm).at(-1)!;
        expect(toHex(last.tlv).startsWith('BF37')).toBe(true);
        expect(uint(after.nvm.get('euicc/seq'))).toBe(last.seq);
      }
      seen.add(grew ? 1 : 0);
      if (r === 'refused') break;
      expect(r).toBe('torn');
    }
    expect([...seen].sort()).toEqual([0, 1]);
  });
});

describe('card images keep downloaded profiles (host/card-store)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'uicc-download-image-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('download into an image, close it; the next opening lists, enables and reads the profile', async () => {
    const image = join(dir, 'd.euicc');
    const profile = join(projectRoot(), 'profiles', 'default-euicc.yaml');
    const first = openCardWith({ profile, card: image }, undefined, openEuicc);
    const { smdp } = testSmdp([claim()]);
    await downloadProfile({
      transmit: async (c) => {
        const r = first.euicc!.transmit(c);
        first.save();
        return r;
      },
      es9: smdp,
      smdpAddress: SMDP_ADDRESS,
      matchingId: 'TS48-1',
    });
    first.close();
    const second = openCardWith({ card: image }, undefined, openEuicc);
    const card = second.euicc!;
    card.reset();
    expect(readProfiles(card.nvm).some((p) => toHex(p.iccid) === '989444999999990971F1')).toBe(true);
    expect(await enableAndReadImsi(card, ICCID)).toBe('080910101032540636');
    second.save();
    second.close();
    // Other processes (the CLI with --card): the downloaded profile is listed enabled and the terminal
    // reads its EF.IMSI.
    const list = await uiccProcess('euicc', 'list', '--card', image);
    expect(list.stderr).toBe('');
    expect(list.stdout).toMatch(new RegExp(`^\\* ${ICCID} `, 'm'));
    const script = join(dir, 'imsi.apdu');
    writeFileSync(
      script,
      '00 A4 04 04 07 A0 00 00 00 87 10 02 => 61xx\n00 A4 00 0C 02 6F 07 => 9000\n00 B0 00 00 09 => 08 09 10 10 10 32 54 06 36 9000\n',
    );
    const run = await uiccProcess('run', '--card', image, script);
    expect(run.stdout).not.toContain('FAIL');
    expect(run.code).toBe(0);
  });
});
