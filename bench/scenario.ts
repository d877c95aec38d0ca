// Operator-change scenario benchmark: 10,000 emulated cards built and moved from operator A to B over OTA
// in this process (issue target: at least 2,000 cards/s on the 2-core machine), the same split over two
// worker threads, the other variants (download, Alternative 1: 1,000 eUICCs), and the memory an idle card
// takes (target: under 50 KB per card; the profile template is shared, a card holds only its own records).

import v8 from 'node:v8';
import vm from 'node:vm';
import type { NvmSnapshot } from '../card-os/nvm.js';
import { Device } from '../host/actors/device.js';
import { runScenario, type ScenarioOptions } from '../host/scenario/run.js';
import { attach } from '../host/scenario/steps.js';
import { World } from '../host/scenario/world.js';
import { atLeast, atMost, type BenchRow } from './harness.js';

const CARDS = 10_000;
const RATE_TARGET = 2_000;
const MEMORY_TARGET_KB = 50;
const DOWNLOAD_CARDS = 1_000;

function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

function heapAfterGc(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const copy = (s: NvmSnapshot): NvmSnapshot => ({
  own: s.own.map(([k, v]) => [k, v ? v.slice() : null]),
  journal: null,
});

/** Heap per card of a fleet of idle cards (personalised, attached once, then left alone). */
async function idleCardKb(gc: () => void): Promise<{ card: number; world: number }> {
  const world = new World({ slots: 8 });
  const op = world.operator('A');
  const imsis = Array.from({ length: CARDS }, () => op.allocateImsi());
  const made = world.manufacturer.produce({
    operator: 'A',
    owner: world.subscriber.name,
    imsis,
    slots: 8,
    mode: 'keys',
  });
  const { keysOfSecret } = await import('../host/actors/escrow.js');
  for (const [i, c] of made.entries())
    op.provision(c.iccid, imsis[i]!, 0, keysOfSecret(world.manufacturer.escrow.reveal('A', c.iccid, 0)));
  const before = heapAfterGc(gc);
  // The card's own records are copied inside the window, so that they are counted with the card.
  const devices = made.map((c) => new Device(c.iccid, world.template, copy(c.nvm)));
  for (const d of devices) {
    const a = await attach(world, d);
    if (!a.ok) throw new Error(`bench set-up: attach failed (${a.reason})`);
  }
  const cards = heapAfterGc(gc) - before;
  // The whole world after a full change: cards, escrow, both operators' HSS and OTA servers.
  const base = heapAfterGc(gc);
  const w = new World({ slots: 8 });
  w.buildFleet(CARDS, 'A');
  const { changeOperator } = await import('../host/scenario/operator-change.js');
  const r = await changeOperator(w, { from: 'A', to: 'B', variant: '3b' });
  if (r.moved !== CARDS) throw new Error('bench set-up: not every card moved');
  const whole = heapAfterGc(gc) - base;
  if (devices.length !== CARDS || w.devices.length !== CARDS) throw new Error('unreachable');
  return { card: cards / CARDS / 1024, world: whole / CARDS / 1024 };
}

async function rate(o: Omit<ScenarioOptions, 'from' | 'to'>): Promise<number> {
  const r = await runScenario({ from: 'A', to: 'B', ...o });
  if (r.moved !== o.cards) throw new Error(`bench: ${r.failed} cards failed (${JSON.stringify(r.failures)})`);
  return r.scenarioCardsPerSecond;
}

/** A run in this thread, sampling the heap as it goes: cards/s and the peak heap (garbage included) per card. */
async function rateWithPeak(o: Omit<ScenarioOptions, 'from' | 'to'>, gc: () => void) {
  const base = heapAfterGc(gc);
  let peak = base;
  let calls = 0;
  const r = await runScenario({
    from: 'A',
    to: 'B',
    ...o,
    onProgress: () => {
      if (++calls % 256 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    },
  });
  if (r.moved !== o.cards) throw new Error(`bench: ${r.failed} cards failed (${JSON.stringify(r.failures)})`);
  return { rate: r.scenarioCardsPerSecond, peakKb: (peak - base) / o.cards / 1024 };
}

export async function bench(): Promise<BenchRow[]> {
  const gc = collector();
  // Each run: a worker thread of this process with a large young generation (run.ts), warmed up with a
  // thousand cards so that the JIT has seen every path; the figure is build + change as the shard timed it.
  const warm = { warmup: 1_000 };
  const rows: BenchRow[] = [
    atLeast(
      'operator change 3b, 10,000 cards built and moved (1 worker thread)',
      await rate({ cards: CARDS, variant: '3b', workers: 1, ...warm }),
      'cards/s',
      RATE_TARGET,
    ),
    {
      name: 'operator change 3b, 10,000 cards, 2 worker threads',
      value: await rate({ cards: CARDS, variant: '3b', workers: 2, ...warm }),
      unit: 'cards/s',
    },
  ];
  const main = await rateWithPeak({ cards: CARDS, variant: '3b', ...warm }, gc);
  rows.push(
    {
      name: 'operator change 3b, 10,000 cards, in the main thread (default heap)',
      value: main.rate,
      unit: 'cards/s',
    },
    {
      name: 'peak heap per card during that run (whole world, garbage included)',
      value: main.peakKb,
      unit: 'KB/card',
    },
  );
  rows.push(
    {
      name: 'operator change with derived slot keys, 10,000 cards (1 worker thread)',
      value: await rate({ cards: CARDS, variant: 'derive', workers: 1, ...warm }),
      unit: 'cards/s',
    },
    {
      name: 'operator change 3a (hand-over + key rotation), 10,000 cards (1 worker thread)',
      value: await rate({ cards: CARDS, variant: '3a', workers: 1, ...warm }),
      unit: 'cards/s',
    },
  );
  // Alternative 1 (download, SGP.22): every card runs a whole profile download (ECDSA on both ends, BSP,
  // package install) and its eUICC certificate is made at build; a thousand cards give a steady figure.
  const dl = await runScenario({
    from: 'A',
    to: 'B',
    cards: DOWNLOAD_CARDS,
    variant: 'download',
    workers: 1,
    warmup: 100,
  });
  if (dl.moved !== DOWNLOAD_CARDS) throw new Error(`bench: download: ${JSON.stringify(dl.failures)}`);
  rows.push(
    {
      name: 'operator change by download (Alternative 1), 1,000 eUICCs built and moved (1 worker thread)',
      value: dl.scenarioCardsPerSecond,
      unit: 'cards/s',
    },
    { name: 'operator change by download, the change alone', value: dl.cardsPerSecond, unit: 'cards/s' },
    {
      name: 'operator change by download, time per card (own steps, mean)',
      value: dl.msPerCard.mean,
      unit: 'ms',
    },
  );
  const kb = await idleCardKb(gc);
  rows.push(
    atMost(
      'memory per idle card (10,000 attached cards, own records + caches)',
      kb.card,
      'KB/card',
      MEMORY_TARGET_KB,
    ),
  );
  rows.push({
    name: 'memory per card of the whole world after a change (cards, escrow, 2 HSS)',
    value: kb.world,
    unit: 'KB/card',
  });
  return rows;
}
