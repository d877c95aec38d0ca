// What every variant of the operator change shares: running one phase over the cards still in play (each
// card's own time measured, progress reported), and the figures of the report computed from the cards' results.

import type { CardResult, ChangeReport } from './operator-change.js';

/** Runs `fn` for every run `pick` selects, in order, adding the time each takes to its result. */
export async function runPhase<P, R extends { result: CardResult }>(
  runs: R[],
  name: P,
  pick: (r: R) => boolean,
  fn: (r: R) => Promise<void>,
  onProgress?: (phase: P, done: number, total: number) => void,
): Promise<void> {
  const todo = runs.filter(pick);
  let done = 0;
  for (const r of todo) {
    const t = performance.now();
    await fn(r);
    r.result.ms += performance.now() - t;
    onProgress?.(name, ++done, todo.length);
  }
  if (todo.length === 0) onProgress?.(name, 0, 0);
}

export function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}

/** The report's counts and times from the cards' results. */
export function summarise(
  results: CardResult[],
  elapsedMs: number,
): Pick<
  ChangeReport,
  | 'cards'
  | 'moved'
  | 'failed'
  | 'failures'
  | 'retriedCards'
  | 'retries'
  | 'resyncs'
  | 'elapsedMs'
  | 'cardsPerSecond'
  | 'msPerCard'
  | 'results'
> {
  const failures: Record<string, number> = {};
  for (const r of results) if (r.outcome === 'failed') failures[r.reason!] = (failures[r.reason!] ?? 0) + 1;
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const moved = results.filter((r) => r.outcome === 'moved').length;
  return {
    cards: results.length,
    moved,
    failed: results.length - moved,
    failures,
    retriedCards: results.filter((r) => r.retries > 0).length,
    retries: results.reduce((n, r) => n + r.retries, 0),
    resyncs: results.reduce((n, r) => n + r.resyncs, 0),
    elapsedMs,
    cardsPerSecond: results.length ? (results.length * 1000) / elapsedMs : 0,
    msPerCard: {
      mean: ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length : 0,
      p50: percentile(ms, 50),
      p99: percentile(ms, 99),
    },
    results,
  };
}
