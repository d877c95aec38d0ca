// One shard of `operator-change --variant download` (run.ts): its own world (eUICCs, both operators' HSS,
// B's SM-DP+ and order book, A's notification SM-DP+), built and moved in this thread.

import {
  changeByDownload,
  DOWNLOAD_PHASES,
  type DownloadPhase,
  type DownloadStats,
  DownloadWorld,
  type OldProfilePolicy,
} from './download-change.js';
import type { ShardResult } from './run.js';

export interface DownloadShardOptions {
  cards: number;
  from: string;
  to: string;
  euicc?: string;
  profile?: string;
  oldProfile?: OldProfilePolicy;
  es9Loss?: number;
  notificationLoss?: number;
  seed?: number;
  maxAttempts?: number;
  warmup?: number;
}

const STEPS = ['build', ...DOWNLOAD_PHASES] as const;

export async function runDownloadShard(
  o: DownloadShardOptions,
  shard: number,
  onProgress?: (fraction: number, phase: string) => void,
): Promise<ShardResult> {
  if (o.warmup) await runDownloadShard({ ...o, cards: o.warmup, warmup: 0 }, shard);
  const world = new DownloadWorld({
    from: o.from,
    to: o.to,
    shard,
    ...(o.euicc ? { euicc: o.euicc } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
  });
  onProgress?.(0, 'build');
  const t = performance.now();
  world.buildFleet(o.cards);
  const buildMs = performance.now() - t;
  const { results, ...report } = await changeByDownload(world, {
    ...(o.oldProfile ? { oldProfile: o.oldProfile } : {}),
    ...(o.es9Loss !== undefined ? { es9Loss: o.es9Loss } : {}),
    ...(o.notificationLoss !== undefined ? { notificationLoss: o.notificationLoss } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.maxAttempts !== undefined ? { maxAttempts: o.maxAttempts } : {}),
    ...(onProgress
      ? {
          onProgress: (p: DownloadPhase, d: number, n: number) =>
            onProgress((STEPS.indexOf(p) + (n ? d / n : 1)) / STEPS.length, p),
        }
      : {}),
  });
  return { report, ms: results.map((r) => r.ms), buildMs };
}

/** The download statistics of several shards added up. */
export function sumDownloadStats(all: (DownloadStats | undefined)[]): DownloadStats | undefined {
  const present = all.filter((s): s is DownloadStats => s !== undefined);
  if (!present.length) return undefined;
  const out = { ...present[0]! };
  for (const s of present.slice(1))
    for (const k of Object.keys(out) as (keyof DownloadStats)[]) out[k] += s[k];
  return out;
}
