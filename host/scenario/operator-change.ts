// `uicc scenario operator-change`: the subscriber moves (part of) its fleet from operator A to operator B.
// Phase by phase over the whole fleet, as the TR describes it (§5.3.1.2 for 3a, §5.3.2.2 for 3b):
//
//   1 attach     every card attaches to A (cards that cannot are left out: "non-attached M2MEs", §7.4.2)
//   2 prepare    B allocates the new IMSIs; A sends STAGE to every card and waits for the PoRs (retrying)
//   3 hand-over  for every acknowledged card only: 3b/derive, the subscriber assigns the staged slot to B
//                at the escrow and B obtains it there; 3a, A hands K, OPc, the OTA keys, the KIK and the OTA
//                counter to B. B provisions its HSS and OTA server (the network-side commit)
//   4 switch     A sends COMMIT; the card asks for a UICC reset (REFRESH) and the device resets it. A card
//                COMMIT never reaches gets CANCEL at once and stays on A (B gives the subscription back)
//   5 call off   cards without an acknowledgement, or whose hand-over failed, get CANCEL and stay on A
//   6 attach     the moved cards attach to B (with the SQN resynchronisation a first authentication may
//                need); A releases them; 3a: B then rotates K, OPc, its OTA keys and the KIK, and the card
//                attaches once more with the new K
//
// The report counts the cards moved and failed (by reason), the retries and the time per card.

import { DEFAULT_KEYSLOT_AID } from '../../applets/keyslots/protocol.js';
import type { Bytes } from '../../card-os/bytes.js';
import { swHex } from '../../card-os/sw.js';
import type { Device } from '../actors/device.js';
import { keysOfSecret } from '../actors/escrow.js';
import type { Operator } from '../actors/operator.js';
import { RFM_UICC_TAR } from '../actors/operator.js';
import { encodeImsi } from '../codecs/imsi.js';
import { cryptoRandom, type RandomBytes, seededUniform } from '../random.js';
import type { DownloadStats } from './download-change.js';
import { runPhase, summarise } from './phase.js';
import {
  attach as attachOnce,
  cancel,
  commit,
  freshKeys,
  prepare,
  rotate,
  type StepOptions,
  surviving,
} from './steps.js';
import type { World } from './world.js';

export type Variant = '3a' | '3b' | 'derive' | 'download';
export const VARIANTS: readonly Variant[] = ['3a', '3b', 'derive', 'download'];

export type Phase = 'attach' | 'prepare' | 'hand-over' | 'switch' | 'call off' | 're-attach';

export interface ChangeOptions {
  from: string;
  to: string;
  /** 3a: IMSI change, keys handed over, then rotated by B. 3b/derive: the next slot (keys from the escrow). */
  variant: Variant;
  /** The cards to move (default: every card of the fleet A serves). */
  devices?: Device[];
  /** Probability that a PoR is lost on its way to the server (default 0). */
  porLoss?: number;
  /** Seed of the loss simulation (default 1). */
  seed?: number;
  /** Attempts per OTA command (default 4). */
  maxAttempts?: number;
  onProgress?: (phase: Phase, done: number, total: number) => void;
  afterPowerLoss?: StepOptions['afterPowerLoss'];
  random?: RandomBytes;
}

export interface CardResult {
  iccid: string;
  outcome: 'moved' | 'failed';
  reason?: string;
  /** OTA attempts beyond the first, over all commands. */
  retries: number;
  resyncs: number;
  /** Time spent on this card's own steps. */
  ms: number;
}

export interface ChangeReport {
  from: string;
  to: string;
  variant: Variant;
  cards: number;
  moved: number;
  failed: number;
  failures: Record<string, number>;
  /** Cards that needed at least one OTA retry, and the retries in all. */
  retriedCards: number;
  retries: number;
  resyncs: number;
  escrow: { granted: number; refused: number };
  /** --variant download only (download-change.ts). */
  download?: DownloadStats;
  elapsedMs: number;
  cardsPerSecond: number;
  msPerCard: { mean: number; p50: number; p99: number };
  results: CardResult[];
}

interface Run {
  device: Device;
  result: CardResult;
  txid: Bytes;
  imsi: string;
  index: number;
  stage?: 'acked' | 'committed' | 'switched';
  /** A change may be staged on the card that nobody will commit: it must be called off. */
  callOff?: boolean;
  /** Neither COMMIT nor CANCEL was confirmed: where the card stands shows only at its next attach. */
  unconfirmed?: boolean;
}

export async function changeOperator(world: World, o: ChangeOptions): Promise<ChangeReport> {
  const from = world.operator(o.from);
  const to = world.operator(o.to);
  if (from === to) throw new Error('the old and the new operator are the same');
  const random = o.random ?? cryptoRandom();
  const uniform = seededUniform(o.seed ?? 1);
  const loss = o.porLoss ?? 0;
  const steps: StepOptions = { maxAttempts: o.maxAttempts ?? 4 };
  if (loss > 0) steps.losePor = () => uniform() < loss;
  if (o.afterPowerLoss) steps.afterPowerLoss = o.afterPowerLoss;
  const aid: Bytes = world.template.profile.keySlots?.aid ?? DEFAULT_KEYSLOT_AID;
  const escrowStart = world.manufacturer.escrow.audit().length;
  const devices = o.devices ?? world.devices.filter((d) => from.subscription(d.iccid)?.active);
  const runs: Run[] = devices.map((device) => ({
    device,
    result: { iccid: device.iccid, outcome: 'failed', retries: 0, resyncs: 0, ms: 0 },
    txid: random(8),
    imsi: '',
    index: -1,
  }));
  const start = performance.now();
  const attach = (d: Device) => surviving(d, steps, () => attachOnce(world, d));
  const fail = (r: Run, reason: string) => {
    r.result.outcome = 'failed';
    r.result.reason ??= reason;
  };

  /** Runs `fn` for every run still in play, timing each card, reporting progress. */
  const phase = (name: Phase, pick: (r: Run) => boolean, fn: (r: Run) => Promise<void>) =>
    runPhase(runs, name, pick, fn, o.onProgress);

  await phase(
    'attach',
    () => true,
    async (r) => {
      const a = await attach(r.device);
      if (!a.ok || a.operator !== from)
        fail(r, a.ok ? `attached to ${a.operator.name}` : `no attach at ${from.name}`);
      else r.result.resyncs += a.resyncs;
    },
  );

  await phase(
    'prepare',
    (r) => !r.result.reason,
    async (r) => {
      const sub = from.subscription(r.device.iccid)!;
      r.index = o.variant === '3a' ? sub.index : sub.index + 1;
      r.imsi = to.allocateImsi();
      const p = await prepare(
        from,
        r.device,
        aid,
        { imsi: encodeImsi(r.imsi), index: r.index, txid: r.txid },
        steps,
      );
      r.result.retries += p.attempts - 1;
      if (p.kind === 'acked') r.stage = 'acked';
      else fail(r, p.kind === 'refused' ? `refused by the card (${swHex(p.sw)})` : 'no PoR');
      r.callOff = p.kind === 'unreachable';
    },
  );

  await phase(
    'hand-over',
    (r) => r.stage === 'acked',
    async (r) => {
      const iccid = r.device.iccid;
      if (o.variant === '3a') {
        const s = from.subscription(iccid)!;
        const keys = {
          subscriber: { algorithm: 'milenage' as const, k: s.k, opc: s.opc },
          ota: s.keysets,
          ...(s.kik ? { kik: s.kik } : {}),
        };
        to.provision(iccid, r.imsi, r.index, keys);
        r.stage = 'committed';
        return;
      }
      r.callOff = true;
      if (!world.subscriber.authorise(iccid, r.index, to.name))
        return fail(r, 'escrow refused the assignment');
      try {
        to.provision(
          iccid,
          r.imsi,
          r.index,
          keysOfSecret(world.manufacturer.escrow.reveal(to.name, iccid, r.index)),
        );
        r.stage = 'committed';
        r.callOff = false;
      } catch (e) {
        fail(r, `hand-over failed: ${(e as Error).message}`);
      }
    },
  );

  await phase(
    'switch',
    (r) => r.stage === 'committed',
    async (r) => {
      const c = await commit(from, r.device, aid, r.txid, steps);
      r.result.retries += c.attempts - 1;
      if (!c.confirmed) {
        // COMMIT never got through: call the change off (phase 5), or the card keeps it staged and answers
        // every later STAGE with 6985.
        const x = await cancel(from, r.device, aid, r.txid, steps);
        r.result.retries += x.attempts - 1;
        if (x.cancelled) {
          to.release(r.device.iccid);
          return fail(r, 'COMMIT not delivered: change called off');
        }
        // 6985: the card holds the COMMIT after all (only its answers were lost) and switches at its reset.
        // No answer: the card holds either; the reset and the attach that follows tell which.
        if (x.sw === undefined) r.unconfirmed = true;
        await surviving(r.device, steps, () => r.device.reset());
      }
      // 3a: the OTA keys go on, so the replay counter must too; A hands it over after its last command.
      if (o.variant === '3a')
        to.ota.counters.set(
          r.device.iccid,
          RFM_UICC_TAR,
          from.ota.counters.get(r.device.iccid, RFM_UICC_TAR),
        );
      r.stage = 'switched';
    },
  );

  await phase(
    'call off',
    (r) => r.callOff === true,
    async (r) => {
      const c = await cancel(from, r.device, aid, r.txid, steps);
      r.result.retries += c.attempts - 1;
    },
  );

  await phase(
    're-attach',
    (r) => r.stage === 'switched',
    async (r) => {
      const a = await attach(r.device);
      if (!a.ok || a.operator !== to) {
        to.release(r.device.iccid);
        if (r.unconfirmed) return fail(r, 'COMMIT and CANCEL not delivered: change left staged');
        return fail(r, a.ok ? `still at ${a.operator.name}` : `no attach at ${to.name}: ${a.reason}`);
      }
      r.result.resyncs += a.resyncs;
      from.release(r.device.iccid);
      if (o.variant === '3a') {
        const s = to.subscription(r.device.iccid)!;
        const rot = await rotate(to, r.device, aid, random(8), freshKeys(random, s.keysets), steps);
        r.result.retries += Math.max(0, rot.attempts - 1);
        if (!rot.rotated)
          return fail(r, `key rotation failed (${rot.sw === undefined ? 'no PoR' : swHex(rot.sw)})`);
        const again = await attach(r.device);
        if (!again.ok || again.operator !== to) return fail(r, 'no attach with the rotated keys');
      }
      r.result.outcome = 'moved';
    },
  );

  const audit = world.manufacturer.escrow.audit().slice(escrowStart);
  return {
    from: from.name,
    to: to.name,
    variant: o.variant,
    escrow: {
      granted: audit.filter((e) => e.outcome === 'granted').length,
      refused: audit.filter((e) => e.outcome === 'refused').length,
    },
    ...summarise(
      runs.map((r) => r.result),
      performance.now() - start,
    ),
  };
}

/** The operator a card's active subscription is with, among the world's operators. */
export function operatorOf(world: World, iccid: string): Operator | undefined {
  for (const op of world.operators.values()) if (op.subscription(iccid)?.active) return op;
  return undefined;
}
