// `uicc scenario operator-change --variant download`: TR 33.812 Alternative 1 (§5.1: a new subscription
// downloaded into the eUICC) as SGP.22 does it. The fleet's eUICCs run operator A's profile; operator B runs
// its own SM-DP+ (host/smdp/core.ts, in process), the subscriber orders one profile per EID there, and each
// device's LPA downloads it (host/euicc/download.ts), enables it (ES10c, then the REFRESH reset), disables
// or deletes A's profile (--old-profile, the profile policy rules respected) and delivers the eUICC's signed
// notifications: install and enable to B's SM-DP+, disable and delete to A's notification address (A's own
// SM-DP+, which checks the eUICC's signature and then releases the subscription). No key ever passes from A
// to B; B's HSS takes the keys it generated itself, when B's SM-DP+ learns the package is installed.
//
//   1 attach      every device attaches to A
//   2 order       B makes a package per device (ICCID, IMSI, fresh K/OPc) and an order bound to its EID
//   3 download    the LPA downloads it (retrying: a lost ES9+ answer, a power loss in the middle)
//   4 enable      EnableProfile, REFRESH, reset: the device now presents B's IMSI
//   5 old profile disabled by the enable; deleted too with --old-profile delete (unless PPR2 forbids it)
//   6 notify      the pending notifications go out; a lost one stays on the card and goes in a later round
//   7 re-attach   every moved device attaches to B

import { join } from 'node:path';
import { computeOpc } from '../../applets/aka/milenage.js';
import { child, children } from '../../applets/euicc/der.js';
import { type Bytes, toHex } from '../../card-os/bytes.js';
import { PowerLoss } from '../../card-os/nvm.js';
import { ber, readBer } from '../../card-os/tlv.js';
import { EuiccDevice, firstSubscriptionRecords, fleetEid, withEid } from '../actors/euicc-device.js';
import { Operator } from '../actors/operator.js';
import { OrderBook, packageFor } from '../actors/profile-orders.js';
import { projectRoot } from '../card-factory.js';
import { completeIccid } from '../codecs/iccid.js';
import { DownloadError, downloadProfile, type Es9Client } from '../euicc/download.js';
import { type EuiccTemplate, loadEuicc } from '../euicc/load.js';
import { iccidDigits, Lpa } from '../euicc/lpa.js';
import { deliverNotifications, type PendingNotification } from '../euicc/notify.js';
import { readInputFile } from '../input-file.js';
import { type CompiledProfile, loadProfile } from '../profile/load.js';
import { cryptoRandom, type RandomBytes, seededUniform } from '../random.js';
import type { Es9Response, Smdp } from '../smdp/core.js';
import { createTestSmdp } from '../smdp/test-smdp.js';
import type { CardResult, ChangeReport } from './operator-change.js';
import { runPhase, summarise } from './phase.js';
import { attach } from './steps.js';
import { SHARD_SIZE } from './world.js';

export type OldProfilePolicy = 'disable' | 'delete';

export type DownloadPhase =
  | 'attach'
  | 'order'
  | 'download'
  | 'enable'
  | 'old profile'
  | 'notify'
  | 're-attach';
export const DOWNLOAD_PHASES: readonly DownloadPhase[] = [
  'attach',
  'order',
  'download',
  'enable',
  'old profile',
  'notify',
  're-attach',
];

export const defaultFleetEuicc = () => join(projectRoot(), 'profiles', 'euicc', 'm2m-fleet.yaml');
export const defaultNewProfile = () => join(projectRoot(), 'profiles', 'examples', 'minimal.yaml');

/** SM-DP+ session timeout the SM-DP+ applies to a session it hears no more of (simulated clock). */
export const SESSION_TIMEOUT_MS = 10 * 60_000;
/** ES10b CancelSessionReason timeout (SGP.22 §5.7.14). */
const CANCEL_REASON_TIMEOUT = 2;
/** ES10c results (SGP.22 §5.7.16-18). */
const RESULT = { ok: 0, notFound: 1, wrongState: 2, disallowedByPolicy: 3 } as const;

export interface DownloadWorldOptions {
  /** eUICC definition (default profiles/euicc/m2m-fleet.yaml). */
  euicc?: string;
  /** The new operator's YAML profile (default profiles/examples/minimal.yaml). */
  profile?: string;
  from?: string;
  to?: string;
  shard?: number;
  random?: RandomBytes;
}

/** An ES9+ answer that the SM-DP+ sent but the LPA never received (the request did reach the SM-DP+). */
export class Es9AnswerLost extends Error {
  constructor(readonly fn: string) {
    super(`ES9+ ${fn}: the answer was lost`);
  }
}

/** Sent notification counts by receiving operator. */
export interface NotificationCounts {
  toNew: number;
  toOld: number;
}

export class DownloadWorld {
  readonly template: EuiccTemplate;
  readonly newProfile: CompiledProfile;
  readonly from: Operator;
  readonly to: Operator;
  readonly orders: OrderBook;
  /** B's SM-DP+ and A's (which only takes notifications: A has nothing to download). */
  readonly smdpTo: Smdp;
  readonly smdpFrom: Smdp;
  readonly toAddress: string;
  readonly devices: EuiccDevice[] = [];
  /** The SM-DP+'s clock (ms): the scenario moves it on when it waits out a session timeout. */
  clock = 0;
  private readonly random: RandomBytes;
  private readonly shard: number;
  private iccidSerial = 0;
  /** What each operator's notification address accepted. */
  readonly received: NotificationCounts = { toNew: 0, toOld: 0 };

  constructor(o: DownloadWorldOptions = {}) {
    const file = o.euicc ?? defaultFleetEuicc();
    this.template = loadEuicc(file, readInputFile(file, 'eUICC definition'));
    this.newProfile = loadProfile(o.profile ?? defaultNewProfile());
    this.random = o.random ?? cryptoRandom();
    this.shard = o.shard ?? 0;
    const op = (name: string, mnc: string) =>
      new Operator({
        name,
        mcc: '001',
        mnc,
        random: this.random,
        firstMsin: this.shard * SHARD_SIZE,
      });
    this.from = op(o.from ?? 'A', '01');
    this.to = op(o.to ?? 'B', '02');
    this.toAddress = `smdp.${this.to.name.toLowerCase().replace(/[^a-z0-9-]/g, '-')}.test`;
    const to = this.to;
    this.orders = new OrderBook(
      () => this.clock,
      (order) =>
        to.provision(order.iccid, order.imsi, 0, {
          subscriber: { algorithm: 'milenage', k: order.k, opc: order.opc },
          ota: [],
        }),
    );
    const smdp = (address: string, inventory: OrderBook) =>
      createTestSmdp(address, inventory, { random: this.random, now: () => new Date() });
    this.smdpTo = smdp(this.toAddress, this.orders);
    this.smdpFrom = smdp(`smdp.${this.from.name.toLowerCase()}.test`, new OrderBook(() => this.clock));
  }

  operatorForImsi(imsi: string): Operator | undefined {
    return [this.from, this.to].find((op) => op.servesImsi(imsi));
  }

  private nextIccid(plmnDigit: string): string {
    // 89 (telecom) 882 (test country code) + operator digit + shard + serial: 18 digits, Luhn added.
    const serial = this.shard * SHARD_SIZE + ++this.iccidSerial;
    return completeIccid(`89882${plmnDigit}${String(serial).padStart(12, '0')}`);
  }

  /**
   * `count` devices sold with operator A: each eUICC its own EID (and certificate) and its own A subscription
   * (ICCID, IMSI, K/OPc as card records), A's HSS provisioned with those keys.
   */
  buildFleet(count: number): EuiccDevice[] {
    const made: EuiccDevice[] = [];
    for (let i = 0; i < count; i++) {
      const eid = fleetEid('89049032', this.shard * SHARD_SIZE + this.devices.length + 1);
      const k = this.random(16);
      const sub = { iccid: this.nextIccid('1'), imsi: this.from.allocateImsi(), k, opc: this.random(16) };
      const d = new EuiccDevice(
        eid,
        withEid(this.template, eid),
        firstSubscriptionRecords(this.template, sub),
      );
      this.from.provision(sub.iccid, sub.imsi, 0, {
        subscriber: { algorithm: 'milenage', k: sub.k, opc: sub.opc },
        ota: [],
      });
      this.devices.push(d);
      made.push(d);
    }
    return made;
  }

  /** B's order for one EID: a package with its own ICCID, IMSI and fresh K/OPc (TS 35.206 OPc from an OP). */
  order(eid: string): { matchingId: string; iccid: string } {
    const k = this.random(16);
    const id = {
      iccid: this.nextIccid('2'),
      imsi: this.to.allocateImsi(),
      k,
      opc: computeOpc(k, this.random(16)),
    };
    const iccid = id.iccid;
    const matchingId = toHex(this.random(8));
    this.orders.add({
      matchingId,
      eid,
      ...id,
      upp: packageFor(this.newProfile, id),
      name: `${this.to.name} M2M`,
    });
    return { matchingId, iccid };
  }
}

export interface DownloadChangeOptions {
  oldProfile?: OldProfilePolicy;
  /** Probability that an ES9+ answer is lost on its way back to the LPA (default 0). */
  es9Loss?: number;
  /** Probability that a notification's answer is lost (the notification stays on the card; default 0). */
  notificationLoss?: number;
  /** Tests: lose this ES9+ answer (function name, device index, how many calls of it so far). */
  loseAnswer?: (fn: string, device: number, call: number) => boolean;
  seed?: number;
  /** Download attempts per device, and notification rounds (default 4). */
  maxAttempts?: number;
  devices?: EuiccDevice[];
  onProgress?: (phase: DownloadPhase, done: number, total: number) => void;
  /** Called once a device that lost power is powered up again. */
  afterPowerLoss?: (device: EuiccDevice) => void | Promise<void>;
}

export interface DownloadStats {
  /** Download sessions the LPA cancelled on both ends after a lost ES9+ answer. */
  sessionsCancelled: number;
  /** Orders the SM-DP+ gave back at its session timeout (the eUICC lost the session in a power loss). */
  sessionsExpired: number;
  /** Orders installed, and installs reported again for an installed order (never counted twice). */
  ordersInstalled: number;
  duplicateInstalls: number;
  /** Sessions that claimed an order beyond the first. */
  extraClaims: number;
  notificationsToNew: number;
  notificationsToOld: number;
  /** Notifications still on the cards after the last round. */
  notificationsPending: number;
  /** Old profiles left disabled because their policy forbids deleting them (PPR2). */
  oldProfilesKept: number;
  powerLosses: number;
}

interface Run {
  device: EuiccDevice;
  index: number;
  result: CardResult;
  matchingId: string;
  iccid: string;
  oldIccid: string;
  stage?: 'installed' | 'enabled';
  pending: number;
  es9Calls: Map<string, number>;
}

const b64 = (b: Bytes) => Buffer.from(b).toString('base64');

/** The ICCID a pending notification names (NotificationMetadata 5A). */
function notificationIccid(n: PendingNotification): string | undefined {
  const top = children(readBer(n.der)?.value ?? new Uint8Array(0)) ?? [];
  // Both forms hold the metadata BF2F one level down: BF37 { BF27 { ..., BF2F } } or 30 { BF2F, ... }.
  const holder = top.find((t) => t.tag === 0xbf27);
  const meta = holder ? child(children(holder.value) ?? [], 0xbf2f) : child(top, 0xbf2f);
  const iccid = meta && child(children(meta.value) ?? [], 0x5a)?.value;
  return iccid ? iccidDigits(iccid) : undefined;
}

async function withLpa<T>(d: EuiccDevice, fn: (lpa: Lpa) => Promise<T>): Promise<T> {
  const lpa = await Lpa.open({ transmit: d.transmit });
  try {
    return await fn(lpa);
  } finally {
    await lpa.close();
  }
}

/** The profiles on the card: ICCID -> enabled. */
async function profilesOf(d: EuiccDevice): Promise<Map<string, boolean>> {
  const list = await withLpa(d, (lpa) => lpa.profiles());
  return new Map(list.map((p) => [p.iccid, p.state === 'enabled']));
}

export async function changeByDownload(
  world: DownloadWorld,
  o: DownloadChangeOptions = {},
): Promise<ChangeReport & { download: DownloadStats }> {
  const uniform = seededUniform(o.seed ?? 1);
  const maxAttempts = o.maxAttempts ?? 4;
  const policy = o.oldProfile ?? 'disable';
  const devices = o.devices ?? world.devices;
  const stats: DownloadStats = {
    sessionsCancelled: 0,
    sessionsExpired: 0,
    ordersInstalled: 0,
    duplicateInstalls: 0,
    extraClaims: 0,
    notificationsToNew: 0,
    notificationsToOld: 0,
    notificationsPending: 0,
    oldProfilesKept: 0,
    powerLosses: 0,
  };
  const runs: Run[] = devices.map((device, index) => ({
    device,
    index,
    result: { iccid: '', outcome: 'failed', retries: 0, resyncs: 0, ms: 0 },
    matchingId: '',
    iccid: '',
    oldIccid: '',
    pending: 0,
    es9Calls: new Map(),
  }));
  const fail = (r: Run, reason: string) => {
    r.result.outcome = 'failed';
    r.result.reason ??= reason;
  };
  const powerCycled = async (r: Run) => {
    stats.powerLosses++;
    r.device.powerCycle();
    await o.afterPowerLoss?.(r.device);
  };
  /** Runs a device step; a power loss powers the card up again and runs it once more. */
  const surviving = async <T>(r: Run, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof PowerLoss)) throw e;
      await powerCycled(r);
      return fn();
    }
  };
  const start = performance.now();
  const phase = (name: DownloadPhase, pick: (r: Run) => boolean, fn: (r: Run) => Promise<void>) =>
    runPhase(runs, name, pick, fn, o.onProgress);

  /** B's SM-DP+ as this device's LPA reaches it: an answer may be lost after the SM-DP+ acted on it. */
  const es9For = (r: Run, seen: { tid?: string }): Es9Client => {
    const lose = (fn: string) => {
      const call = (r.es9Calls.get(fn) ?? 0) + 1;
      r.es9Calls.set(fn, call);
      return (o.loseAnswer?.(fn, r.index, call) ?? false) || (o.es9Loss ? uniform() < o.es9Loss : false);
    };
    const wrap =
      <Q, A extends Es9Response>(fn: string, call: (q: Q) => Promise<A>) =>
      async (q: Q): Promise<A> => {
        const a = await call(q);
        if (lose(fn)) throw new Es9AnswerLost(fn);
        const tid = (a as { transactionId?: string }).transactionId;
        if (tid) seen.tid = tid;
        return a;
      };
    const s = world.smdpTo;
    return {
      initiateAuthentication: wrap('initiateAuthentication', (q) => s.initiateAuthentication(q)),
      authenticateClient: wrap('authenticateClient', (q) => s.authenticateClient(q)),
      getBoundProfilePackage: wrap('getBoundProfilePackage', (q) => s.getBoundProfilePackage(q)),
      handleNotification: wrap('handleNotification', (q) => s.handleNotification(q)),
      cancelSession: (q) => s.cancelSession(q),
    };
  };

  /**
   * Delivers the device's pending notifications: to B's SM-DP+ or to A's notification address. A lost answer
   * keeps the notification on the card for a later round; an answer (accepted or refused) removes it. A's
   * SM-DP+ accepting a disable or delete notification (eUICC signature verified) releases A's subscription.
   */
  const notify = async (r: Run, es9: Es9Client) => {
    const report = await withLpa(r.device, (lpa) =>
      deliverNotifications(
        lpa,
        () => true,
        async (n) => {
          const toNew = n.address === world.toAddress;
          const req = { pendingNotification: b64(n.der) };
          const a = toNew ? await es9.handleNotification(req) : await world.smdpFrom.handleNotification(req);
          if (o.notificationLoss && uniform() < o.notificationLoss)
            throw new Es9AnswerLost('handleNotification');
          if (a.header.functionExecutionStatus.status !== 'Executed-Success') return;
          if (toNew) stats.notificationsToNew++;
          else {
            stats.notificationsToOld++;
            const iccid = notificationIccid(n);
            if (iccid && (n.event === 'disable' || n.event === 'delete')) world.from.release(iccid);
          }
          // B drops its HSS record of a profile the eUICC deleted again (enable refused by A's policy).
          if (toNew && n.event === 'delete') {
            const iccid = notificationIccid(n);
            if (iccid) world.to.release(iccid);
          }
        },
      ),
    );
    r.result.retries += report.failed.length;
    r.pending = report.failed.length + report.kept.length;
  };

  await phase(
    'attach',
    () => true,
    async (r) => {
      const a = await surviving(r, () => attach(world, r.device));
      if (!a.ok || a.operator !== world.from)
        return fail(
          r,
          a.ok ? `attached to ${a.operator.name}` : `no attach at ${world.from.name}: ${a.reason}`,
        );
      r.result.resyncs += a.resyncs;
      const enabled = [...(await surviving(r, () => profilesOf(r.device)))].find(([, on]) => on);
      r.oldIccid = enabled?.[0] ?? '';
      r.result.iccid = r.oldIccid;
    },
  );

  await phase(
    'order',
    (r) => !r.result.reason,
    async (r) => {
      const ordered = world.order(r.device.eid);
      r.matchingId = ordered.matchingId;
      r.iccid = ordered.iccid;
    },
  );

  await phase(
    'download',
    (r) => !r.result.reason,
    async (r) => {
      let why = 'download failed';
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        if (attempt > 1) r.result.retries++;
        const seen: { tid?: string } = {};
        const es9 = es9For(r, seen);
        try {
          await downloadProfile({
            transmit: r.device.transmit,
            es9,
            smdpAddress: world.toAddress,
            matchingId: r.matchingId,
          });
          r.stage = 'installed';
          return;
        } catch (e) {
          if (e instanceof PowerLoss) {
            await powerCycled(r);
            why = 'power loss during the download';
          } else if (e instanceof Es9AnswerLost) {
            why = `${e.message}`;
            // The card may still hold the session (after AuthenticateServer or PrepareDownload): the LPA
            // cancels it there and hands the eUICC's signed cancellation to the SM-DP+ (SGP.22 §3.1.3.5).
            if (seen.tid && (await cancelBoth(r.device, world.smdpTo, seen.tid))) stats.sessionsCancelled++;
          } else if (e instanceof DownloadError) why = e.message;
          else throw e;
        }
        // Whatever the card finished before the failure: a ProfileInstallationResult it stored goes out
        // first (it settles the order at the SM-DP+), then the card's own list says whether the profile is there.
        await surviving(r, () => notify(r, es9For(r, {})));
        if ((await surviving(r, () => profilesOf(r.device))).has(r.iccid)) {
          r.stage = 'installed';
          return;
        }
        // The SM-DP+ still counts the order as being downloaded by a session nobody will finish: the LPA
        // tries again after the SM-DP+'s session timeout, when the order is back.
        if (world.orders.get(r.matchingId)?.state === 'claimed') {
          world.clock += SESSION_TIMEOUT_MS + 1;
          stats.sessionsExpired += world.orders.expire(world.clock - SESSION_TIMEOUT_MS);
        }
      }
      fail(r, `not downloaded: ${why}`);
    },
  );

  await phase(
    'enable',
    (r) => r.stage === 'installed',
    async (r) => {
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        try {
          const result = await withLpa(r.device, (lpa) => lpa.enable(r.iccid));
          if (result === RESULT.disallowedByPolicy) {
            // PPR1 of the old profile forbids disabling it (SGP.22 §2.9.2.1): the new one goes again.
            await surviving(r, () => withLpa(r.device, (lpa) => lpa.delete(r.iccid)));
            return fail(r, 'old profile may not be disabled (PPR1): new profile deleted');
          }
          if (result !== RESULT.ok && result !== RESULT.wrongState)
            return fail(r, `EnableProfile refused (result ${result})`);
          // The REFRESH the eUICC asked for (SGP.22 §3.2.1): the device fetches it and resets the card.
          const status = await r.device.transmit(Uint8Array.of(0x80, 0xf2, 0x00, 0x0c, 0x00));
          const sw = (status[status.length - 2]! << 8) | status[status.length - 1]!;
          if (!(await r.device.proactive(sw))) await r.device.reset();
        } catch (e) {
          if (!(e instanceof PowerLoss)) throw e;
          await powerCycled(r);
          r.result.retries++;
        }
        if ((await surviving(r, () => profilesOf(r.device))).get(r.iccid)) {
          r.stage = 'enabled';
          return;
        }
      }
      fail(r, 'new profile not enabled');
    },
  );

  await phase(
    'old profile',
    (r) => r.stage === 'enabled' && policy === 'delete' && r.oldIccid !== '',
    async (r) => {
      const result = await surviving(r, async () => {
        const list = await profilesOf(r.device);
        if (!list.has(r.oldIccid)) return RESULT.ok;
        return withLpa(r.device, (lpa) => lpa.delete(r.oldIccid));
      });
      if (result === RESULT.disallowedByPolicy) stats.oldProfilesKept++;
    },
  );

  for (let round = 1; round <= maxAttempts; round++)
    await phase(
      'notify',
      (r) => r.stage !== undefined && (round === 1 || r.pending > 0),
      async (r) => surviving(r, () => notify(r, es9For(r, {}))),
    );
  stats.notificationsPending = runs.reduce((n, r) => n + r.pending, 0);

  await phase(
    're-attach',
    (r) => r.stage === 'enabled',
    async (r) => {
      const a = await surviving(r, () => attach(world, r.device));
      if (!a.ok || a.operator !== world.to)
        return fail(r, a.ok ? `still at ${a.operator.name}` : `no attach at ${world.to.name}: ${a.reason}`);
      r.result.resyncs += a.resyncs;
      r.result.iccid = r.iccid;
      r.result.outcome = 'moved';
    },
  );

  let claims = 0;
  for (const order of world.orders.values()) {
    claims += Math.max(0, order.claims - 1);
    if (order.state === 'installed') stats.ordersInstalled++;
  }
  stats.extraClaims = claims;
  stats.duplicateInstalls = world.orders.duplicateInstalls;
  return report(world, runs, performance.now() - start, stats);
}

/** ES10b.CancelSession on the card, then ES9+.CancelSession with its signed answer; true if both did. */
async function cancelBoth(d: EuiccDevice, smdp: Smdp, tid: string): Promise<boolean> {
  const answer = await withLpa(d, (lpa) =>
    lpa.send(
      ber(
        0xbf41,
        ber(0x80, Uint8Array.from(Buffer.from(tid, 'hex'))),
        ber(0x81, Uint8Array.of(CANCEL_REASON_TIMEOUT)),
      ),
    ),
  );
  const ok = children(answer.subarray(3))?.[0]?.tag === 0xa0;
  if (!ok) return false;
  const r = await smdp.cancelSession({ transactionId: tid, cancelSessionResponse: b64(answer) });
  return r.header.functionExecutionStatus.status === 'Executed-Success';
}

function report(
  world: DownloadWorld,
  runs: Run[],
  elapsedMs: number,
  download: DownloadStats,
): ChangeReport & { download: DownloadStats } {
  return {
    from: world.from.name,
    to: world.to.name,
    variant: 'download',
    escrow: { granted: 0, refused: 0 },
    download,
    ...summarise(
      runs.map((r) => r.result),
      elapsedMs,
    ),
  };
}
