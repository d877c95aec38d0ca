// Operator change by download (TR 33.812 Alternative 1, SGP.22): a fleet of emulated eUICCs on operator A
// downloads operator B's profiles from B's SM-DP+, enables them and attaches to B; A's subscription is released
// when A's SM-DP+ has the eUICC's signed disable (or delete) notification. The old profile's policy rules are
// respected; lost ES9+ answers and lost notifications are retried without an order downloaded twice.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eidValid } from '../../applets/euicc/eid.js';
import { fleetEid } from '../../host/actors/euicc-device.js';
import { projectRoot } from '../../host/card-factory.js';
import { Lpa } from '../../host/euicc/lpa.js';
import {
  changeByDownload,
  type DownloadChangeOptions,
  DownloadWorld,
  defaultFleetEuicc,
} from '../../host/scenario/download-change.js';

const dir = mkdtempSync(join(tmpdir(), 'uicc-download-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The fleet eUICC definition with the old profile's policy rules set (SGP.22 §2.9.1). */
function euiccWithPpr(ppr: string): string {
  const text = readFileSync(defaultFleetEuicc(), 'utf8')
    .replace('ppr: []', `ppr: [${ppr}]`)
    .replace('../examples/minimal.yaml', join(projectRoot(), 'profiles', 'examples', 'minimal.yaml'));
  const file = join(dir, `fleet-${ppr}.yaml`);
  writeFileSync(file, text);
  return file;
}

async function profilesOn(world: DownloadWorld, i: number) {
  const lpa = await Lpa.open({ transmit: world.devices[i]!.transmit });
  try {
    return await lpa.profiles();
  } finally {
    await lpa.close();
  }
}

async function run(cards: number, o: DownloadChangeOptions = {}, euicc?: string) {
  const world = new DownloadWorld(euicc ? { euicc } : {});
  world.buildFleet(cards);
  const imsis = await Promise.all(world.devices.map((d) => d.readImsi()));
  const report = await changeByDownload(world, o);
  return { world, report, imsis };
}

describe('the fleet', () => {
  it('every card has its own valid EID (SGP.29 check digits)', () => {
    const eids = Array.from({ length: 1000 }, (_, i) => fleetEid('89049032', i + 1));
    expect(eids.every(eidValid)).toBe(true);
    expect(new Set(eids).size).toBe(1000);
  });

  it('shards (worker threads) number their EIDs, ICCIDs and IMSIs from disjoint ranges', async () => {
    const ids = async (shard: number) => {
      const w = new DownloadWorld({ shard });
      w.buildFleet(2);
      const orders = w.devices.map((d) => w.order(d.eid));
      return [
        ...w.devices.map((d) => d.eid),
        ...(await Promise.all(w.devices.map((d) => d.readImsi()))),
        ...orders.map((o) => o.iccid),
      ];
    };
    const all = [...(await ids(0)), ...(await ids(1))];
    expect(new Set(all).size).toBe(all.length);
    expect(all.slice(0, 2).every((e) => eidValid(e ?? ''))).toBe(true);
  });

  it('every card presents its own IMSI of A and attaches to A with its own keys', async () => {
    const world = new DownloadWorld();
    world.buildFleet(3);
    const imsis = await Promise.all(world.devices.map((d) => d.readImsi()));
    expect(new Set(imsis).size).toBe(3);
    for (const imsi of imsis) expect(world.from.servesImsi(imsi!)).toBe(true);
  });
});

describe('operator change by download', () => {
  it('moves every device: B provisions its own keys, A releases on the signed disable notification', async () => {
    const { world, report, imsis } = await run(3);
    expect(report.failures).toEqual({});
    expect(report.moved).toBe(3);
    expect(report.download).toMatchObject({
      ordersInstalled: 3,
      extraClaims: 0,
      duplicateInstalls: 0,
      notificationsToOld: 3,
      notificationsPending: 0,
    });
    for (const [i, d] of world.devices.entries()) {
      const list = await profilesOn(world, i);
      expect(list.map((p) => p.state)).toEqual(['disabled', 'enabled']);
      const imsi = (await d.readImsi())!;
      expect(world.to.servesImsi(imsi)).toBe(true);
      // A's HSS no longer answers for the old IMSI; B's holds the new one.
      expect(world.from.challenge(imsis[i]!)).toBeUndefined();
      expect(world.to.challenge(imsi)).toBeDefined();
    }
  });

  it('--old-profile delete: the old profile is gone and A has the delete notification', async () => {
    const { world, report } = await run(2, { oldProfile: 'delete' });
    expect(report.moved).toBe(2);
    expect((await profilesOn(world, 0)).map((p) => p.state)).toEqual(['enabled']);
    // One disable (at the enable) and one delete notification per card reached A.
    expect(report.download.notificationsToOld).toBe(4);
  });

  it('PPR2 on the old profile: deletion refused, the old profile stays disabled, the card still moves', async () => {
    const { world, report } = await run(1, { oldProfile: 'delete' }, euiccWithPpr('ppr2'));
    expect(report.moved).toBe(1);
    expect(report.download.oldProfilesKept).toBe(1);
    expect((await profilesOn(world, 0)).map((p) => p.state)).toEqual(['disabled', 'enabled']);
  });

  it('PPR1 on the old profile: it may not be disabled, so the new profile is deleted and B releases it', async () => {
    const { world, report, imsis } = await run(1, {}, euiccWithPpr('ppr1'));
    expect(report.moved).toBe(0);
    expect(report.failures).toEqual({ 'old profile may not be disabled (PPR1): new profile deleted': 1 });
    expect((await profilesOn(world, 0)).map((p) => p.state)).toEqual(['enabled']);
    const order = [...world.orders.values()][0]!;
    expect(world.to.subscription(order.iccid)?.active).toBe(false);
    expect(world.from.challenge(imsis[0]!)).toBeDefined();
  });
});

describe('lost ES9+ answers (the request reached the SM-DP+, the answer did not reach the LPA)', () => {
  for (const fn of [
    'initiateAuthentication',
    'authenticateClient',
    'getBoundProfilePackage',
    'handleNotification',
  ]) {
    it(`${fn}: the download is retried and the order is installed once`, async () => {
      const { world, report } = await run(1, { loseAnswer: (f, _d, call) => f === fn && call === 1 });
      expect(report.moved).toBe(1);
      const order = [...world.orders.values()][0]!;
      expect(order.state).toBe('installed');
      expect(report.download.duplicateInstalls).toBe(0);
      // A session the card had opened is cancelled on both ends before the new one.
      const cancelled = fn === 'authenticateClient' || fn === 'getBoundProfilePackage';
      expect(report.download.sessionsCancelled).toBe(cancelled ? 1 : 0);
      expect(order.claims).toBe(cancelled ? 2 : 1);
      expect((await profilesOn(world, 0)).map((p) => p.state)).toEqual(['disabled', 'enabled']);
    });
  }

  it('every BPP answer lost: the card stays on A, the order is given back (not leaked), reported', async () => {
    const { world, report, imsis } = await run(1, {
      loseAnswer: (f) => f === 'getBoundProfilePackage',
      maxAttempts: 3,
    });
    expect(report.failures).toEqual({
      'not downloaded: ES9+ getBoundProfilePackage: the answer was lost': 1,
    });
    expect(report.retries).toBe(2);
    const order = [...world.orders.values()][0]!;
    expect(order.state).toBe('released');
    expect(order.claims).toBe(3);
    expect((await profilesOn(world, 0)).map((p) => p.state)).toEqual(['enabled']);
    expect(await world.devices[0]!.readImsi()).toBe(imsis[0]);
    expect(world.from.challenge(imsis[0]!)).toBeDefined();
  });

  it('an ES9+ loss rate over a fleet: every card moves or is reported, no order installed twice', async () => {
    const { world, report } = await run(12, { es9Loss: 0.15, seed: 7 });
    expect(report.moved + report.failed).toBe(12);
    expect(report.retries).toBeGreaterThan(0);
    expect(report.download.duplicateInstalls).toBe(0);
    for (const [i, o] of [...world.orders.values()].entries()) {
      const moved = report.results[i]!.outcome === 'moved';
      expect(o.state).toBe(moved ? 'installed' : 'released');
    }
  });
});

describe('lost notifications', () => {
  it('are kept on the card and sent in a later round; A releases exactly the cards it heard of', async () => {
    const { world, report, imsis } = await run(6, { notificationLoss: 0.5, seed: 3 });
    expect(report.moved).toBe(6);
    expect(report.retries).toBeGreaterThan(0);
    let pending = 0;
    for (const [i, d] of world.devices.entries()) {
      const lpa = await Lpa.open({ transmit: d.transmit });
      const left = await lpa.notifications();
      await lpa.close();
      pending += left.length;
      const toA = left.some((n) => n.event === 'disable');
      expect(world.from.challenge(imsis[i]!) !== undefined).toBe(toA);
    }
    expect(pending).toBe(report.download.notificationsPending);
  });

  it('all lost: the cards move, A keeps its records and the notifications wait on the cards', async () => {
    const { world, report, imsis } = await run(2, { notificationLoss: 0.999, maxAttempts: 2 });
    expect(report.moved).toBe(2);
    expect(report.download.notificationsToOld).toBe(0);
    expect(report.download.notificationsPending).toBe(4); // enable for B, disable for A, per card
    for (const imsi of imsis) expect(world.from.challenge(imsi!)).toBeDefined();
  });
});
