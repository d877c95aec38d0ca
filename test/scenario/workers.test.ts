// Sharded runs (run.ts): a failing worker stops the others, and the fleet is split without empty shards.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { allResults, shardSizes, startShardWorker } from '../../host/scenario/run.js';

// Workers that speak the shard protocol (ShardMessage), as plain CommonJS evaluated in the thread.
const FAILS = `require('node:worker_threads').parentPort.postMessage({ error: 'shard broke' });`;
const RUNS_ON = `
  const { parentPort } = require('node:worker_threads');
  parentPort.postMessage({ progress: 0, phase: 'build' });
  setInterval(() => {}, 1000);
`;

describe('worker threads of a sharded run', () => {
  it('the first failure terminates every other worker and is the one reported', async () => {
    const phases: string[] = [];
    const slow = startShardWorker(RUNS_ON, { eval: true }, 0, (_f, p) => phases.push(p));
    const exited = once(slow.worker, 'exit');
    // The slow worker is under way before the other one fails.
    await once(slow.worker, 'message');
    const broken = startShardWorker(FAILS, { eval: true }, 1, () => {});
    await expect(allResults([slow, broken])).rejects.toThrow('shard broke');
    const [code] = await exited;
    expect(code).toBe(1);
    expect(slow.worker.threadId).toBe(-1);
    expect(phases).toEqual(['build']);
    await expect(slow.result).rejects.toThrow('scenario worker 0 stopped with code 1');
  });

  it('a worker that dies (uncaught error) counts as a failure too', async () => {
    const slow = startShardWorker(RUNS_ON, { eval: true }, 0, () => {});
    const exited = once(slow.worker, 'exit');
    const dies = startShardWorker(`throw new Error('no such profile')`, { eval: true }, 1, () => {});
    await expect(allResults([slow, dies])).rejects.toThrow('no such profile');
    // Stopped whether or not it had started running (a worker stopped before it starts exits with 0).
    await exited;
    expect(slow.worker.threadId).toBe(-1);
  });

  it('splits the fleet as evenly as it can, no shard empty', () => {
    expect(shardSizes(5, 4)).toEqual([2, 1, 1, 1]);
    expect(shardSizes(8, 4)).toEqual([2, 2, 2, 2]);
    expect(shardSizes(10, 3)).toEqual([4, 3, 3]);
    expect(shardSizes(1, 1)).toEqual([1]);
    for (const [cards, workers] of [
      [7, 7],
      [100, 6],
      [9, 2],
    ] as const) {
      const s = shardSizes(cards, workers);
      expect(s.reduce((a, b) => a + b, 0)).toBe(cards);
      expect(Math.min(...s)).toBeGreaterThan(0);
    }
  });
});
