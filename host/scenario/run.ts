// The whole operator-change scenario: build the fleet (manufacturer, first operator), then move it
// (operator-change.ts). In this thread, or split over worker threads: each worker runs a shard of the fleet
// with actors of its own (a shard of each operator's HSS and OTA server, of the escrow), and the shards'
// reports are merged. The split changes nothing about what happens to a card, only how many cores do it.

import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { OldProfilePolicy } from './download-change.js';
import { runDownloadShard, sumDownloadStats } from './download-shard.js';
import { type ChangeReport, changeOperator, type Phase, type Variant } from './operator-change.js';
import { World } from './world.js';

export interface ScenarioOptions {
  cards: number;
  from: string;
  to: string;
  variant: Variant;
  /** Slots per card, slot 0 included (default 8). */
  slots?: number;
  porLoss?: number;
  seed?: number;
  maxAttempts?: number;
  profile?: string;
  /** --variant download: the eUICC definition, what happens to the old profile, ES9+ answer and notification loss. */
  euicc?: string;
  oldProfile?: OldProfilePolicy;
  es9Loss?: number;
  notificationLoss?: number;
  /**
   * Worker threads the fleet is split over (default 0: everything in the calling thread). Workers need the
   * built code (dist/); each gets a large young generation (`youngGenerationMb`).
   */
  workers?: number;
  /** Young-generation size of each worker, MB (default 384): ten thousand live cards make short-lived
   * objects survive a small nursery, and copying them is most of the garbage collector's work. */
  youngGenerationMb?: number;
  /** Cards run once through the whole scenario before the measured run (JIT warm-up; not reported). */
  warmup?: number;
  /** Overall progress, 0..1, and the phase under way (of the slowest shard). */
  onProgress?: (fraction: number, phase: string) => void;
}

export type ScenarioReport = Omit<ChangeReport, 'results'> & {
  workers: number;
  /** Building the fleet: personalisation, escrow deposits, the first operator's provisioning. */
  buildMs: number;
  /** Build and change, wall clock (worker start-up and warm-up included). */
  totalMs: number;
  /** Cards per second over the whole scenario (build and change, measured by each shard). */
  scenarioCardsPerSecond: number;
};

const PHASES: readonly (Phase | 'build')[] = [
  'build',
  'attach',
  'prepare',
  'hand-over',
  'switch',
  'call off',
  're-attach',
];

/** Progress of one shard as a fraction of the whole scenario. */
function fractionOf(phase: Phase | 'build', done: number, total: number): number {
  const i = PHASES.indexOf(phase);
  return (i + (total ? done / total : 1)) / PHASES.length;
}

export interface ShardResult {
  report: Omit<ChangeReport, 'results'>;
  ms: number[];
  buildMs: number;
}

/** One shard, in the calling thread. */
export async function runShard(
  o: Omit<ScenarioOptions, 'workers' | 'onProgress'>,
  shard: number,
  onProgress?: (fraction: number, phase: string) => void,
): Promise<ShardResult> {
  if (o.variant === 'download') return runDownloadShard(o, shard, onProgress);
  if (o.warmup) await runShard({ ...o, cards: o.warmup, warmup: 0 }, shard);
  const world = new World({
    slots: o.slots ?? 8,
    mode: o.variant === 'derive' ? 'derive' : 'keys',
    shard,
    ...(o.profile ? { profile: o.profile } : {}),
  });
  onProgress?.(0, 'build');
  const t = performance.now();
  world.buildFleet(o.cards, o.from);
  const buildMs = performance.now() - t;
  const { results, ...report } = await changeOperator(world, {
    from: o.from,
    to: o.to,
    variant: o.variant,
    ...(o.porLoss !== undefined ? { porLoss: o.porLoss } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.maxAttempts !== undefined ? { maxAttempts: o.maxAttempts } : {}),
    ...(onProgress
      ? { onProgress: (p: Phase, d: number, n: number) => onProgress(fractionOf(p, d, n), p) }
      : {}),
  });
  return { report, ms: results.map((r) => r.ms), buildMs };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}

function merge(shards: ShardResult[], totalMs: number, workers: number): ScenarioReport {
  const first = shards[0]!.report;
  const failures: Record<string, number> = {};
  for (const s of shards)
    for (const [k, v] of Object.entries(s.report.failures)) failures[k] = (failures[k] ?? 0) + v;
  const sum = (f: (r: ShardResult['report']) => number) => shards.reduce((n, s) => n + f(s.report), 0);
  const ms = shards.flatMap((s) => s.ms).sort((a, b) => a - b);
  const cards = sum((r) => r.cards);
  const buildMs = Math.max(...shards.map((s) => s.buildMs));
  const elapsedMs = Math.max(...shards.map((s) => s.report.elapsedMs));
  const scenarioMs = Math.max(...shards.map((s) => s.buildMs + s.report.elapsedMs));
  return {
    from: first.from,
    to: first.to,
    variant: first.variant,
    cards,
    moved: sum((r) => r.moved),
    failed: sum((r) => r.failed),
    failures,
    retriedCards: sum((r) => r.retriedCards),
    retries: sum((r) => r.retries),
    resyncs: sum((r) => r.resyncs),
    escrow: { granted: sum((r) => r.escrow.granted), refused: sum((r) => r.escrow.refused) },
    ...(first.download ? { download: sumDownloadStats(shards.map((s) => s.report.download))! } : {}),
    elapsedMs,
    cardsPerSecond: cards ? (cards * 1000) / elapsedMs : 0,
    msPerCard: {
      mean: ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length : 0,
      p50: percentile(ms, 50),
      p99: percentile(ms, 99),
    },
    workers,
    buildMs,
    totalMs,
    scenarioCardsPerSecond: cards ? (cards * 1000) / scenarioMs : 0,
  };
}

/** Messages a shard worker posts (shard-worker.ts). */
export type ShardMessage = { progress: number; phase: string } | { result: ShardResult } | { error: string };

/** A worker thread under way and the promise of what it sends back. */
export interface RunningWorker<T> {
  worker: Worker;
  result: Promise<T>;
}

/** Starts a worker that speaks ShardMessage (shard-worker.ts); `result` settles with its shard's outcome. */
export function startShardWorker(
  entry: URL | string,
  options: WorkerOptions,
  shard: number,
  progress: (f: number, p: string) => void,
): RunningWorker<ShardResult> {
  const worker = new Worker(entry, options);
  const result = new Promise<ShardResult>((resolve, reject) => {
    worker.on('message', (m: ShardMessage) => {
      if ('progress' in m) progress(m.progress, m.phase);
      else if ('result' in m) resolve(m.result);
      else reject(new Error(m.error));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) reject(new Error(`scenario worker ${shard} stopped with code ${code}`));
    });
  });
  return { worker, result };
}

/**
 * Every worker's result, in order. At the first failure all of them are terminated (the others would go
 * on with their shards for a report nobody gets) and the failure is passed on.
 */
export async function allResults<T>(running: readonly RunningWorker<T>[]): Promise<T[]> {
  try {
    return await Promise.all(running.map((r) => r.result));
  } catch (e) {
    await Promise.all(running.map((r) => r.worker.terminate()));
    throw e;
  }
}

/** Cards per shard: as even as can be, every shard at least one when workers <= cards. */
export function shardSizes(cards: number, workers: number): number[] {
  const base = Math.floor(cards / workers);
  const extra = cards % workers;
  return Array.from({ length: workers }, (_, i) => base + (i < extra ? 1 : 0));
}

export async function runScenario(o: ScenarioOptions): Promise<ScenarioReport> {
  if (!Number.isInteger(o.cards) || o.cards < 1) throw new RangeError('--cards must be a positive integer');
  const workers = Math.max(0, Math.min(o.workers ?? 0, o.cards));
  const t = performance.now();
  if (workers === 0) {
    const shard = await runShard(o, 0, o.onProgress);
    return merge([shard], performance.now() - t, 0);
  }
  const fractions = new Array<number>(workers).fill(0);
  const phases = new Array<string>(workers).fill('build');
  const report = (i: number, f: number, p: string) => {
    fractions[i] = f;
    phases[i] = p;
    const slowest = fractions.indexOf(Math.min(...fractions));
    o.onProgress?.(fractions.reduce((a, b) => a + b, 0) / workers, phases[slowest]!);
  };
  const { onProgress: _p, workers: _w, ...job } = o;
  const running = shardSizes(o.cards, workers).map((cards, shard) =>
    startShardWorker(
      new URL('./shard-worker.js', import.meta.url),
      {
        workerData: { options: { ...job, cards }, shard },
        resourceLimits: { maxYoungGenerationSizeMb: o.youngGenerationMb ?? 384 },
      },
      shard,
      (f, p) => report(shard, f, p),
    ),
  );
  return merge(await allResults(running), performance.now() - t, workers);
}
