// Worker thread entry of a sharded scenario run (run.ts): runs its shard and posts progress and the result.

import { parentPort, workerData } from 'node:worker_threads';
import { runShard, type ScenarioOptions, type ShardMessage } from './run.js';

const { options, shard } = workerData as { options: ScenarioOptions; shard: number };
const post = (m: ShardMessage) => parentPort!.postMessage(m);
let last = -1;
runShard(options, shard, (progress, phase) => {
  // About a hundred progress messages per shard, not one per card.
  const step = Math.floor(progress * 100);
  if (step === last) return;
  last = step;
  post({ progress, phase });
})
  .then((result) => post({ result }))
  .catch((e: unknown) => post({ error: e instanceof Error ? e.message : String(e) }));
