// Tiny benchmark harness: run a function for a fixed time, report operations per second.

export interface BenchRow {
  /** What was measured, e.g. "SELECT + READ BINARY EF.IMSI (in-process)". */
  name: string;
  /** The figure, e.g. 612345. */
  value: number;
  /** Its unit, e.g. "APDU/s", "ms", "KB/card". */
  unit: string;
  /** Target from the issue, e.g. ">= 500000". */
  target?: string;
  /** Whether the target is met (undefined if none). */
  ok?: boolean;
}

/** Calls `fn` in batches for about `ms` milliseconds after a warm-up; returns operations per second. */
export function opsPerSecond(fn: () => void, ms = 1500, opsPerCall = 1): number {
  const warmEnd = performance.now() + Math.min(300, ms / 4);
  while (performance.now() < warmEnd) fn();
  let calls = 0;
  let batch = 64;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    now = performance.now();
    if (batch < 65536 && now - start < ms / 20) batch *= 2;
  }
  return (calls * opsPerCall * 1000) / (now - start);
}

/** Async variant for round trips through sockets. Returns per-call latencies in ms. */
export async function latencies(fn: () => Promise<void>, count: number): Promise<number[]> {
  for (let i = 0; i < Math.min(50, count); i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export function atLeast(name: string, value: number, unit: string, min: number): BenchRow {
  return { name, value, unit, target: `>= ${min}`, ok: value >= min };
}

export function atMost(name: string, value: number, unit: string, max: number): BenchRow {
  return { name, value, unit, target: `<= ${max}`, ok: value <= max };
}

export function printTable(rows: BenchRow[]): void {
  const fmt = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(3));
  const w0 = Math.max(4, ...rows.map((r) => r.name.length));
  const w1 = Math.max(5, ...rows.map((r) => fmt(r.value).length));
  const w2 = Math.max(4, ...rows.map((r) => r.unit.length));
  const line = (a: string, b: string, c: string, d: string, e: string) =>
    `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c.padEnd(w2)}  ${d.padEnd(12)}  ${e}`;
  console.log(line('benchmark', 'value', 'unit', 'target', 'met'));
  console.log('-'.repeat(w0 + w1 + w2 + 24));
  for (const r of rows) {
    const met = r.ok === undefined ? '' : r.ok ? 'yes' : 'NO';
    console.log(line(r.name, fmt(r.value), r.unit, r.target ?? '', met));
  }
}
