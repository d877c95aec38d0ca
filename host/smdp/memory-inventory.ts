// An SmdpInventory held in memory: profiles by matchingId (optionally bound to one EID), each downloadable
// once. For tests, benchmarks and in-process downloads; the ES9+ server keeps its orders in a state file.

import type { SmdpClaim, SmdpInventory } from './types.js';

export interface MemoryProfile extends SmdpClaim {
  /** Only this EID may download it (32 digits); any when absent. */
  eid?: string;
}

export interface Settlement {
  matchingId: string;
  installed: boolean;
  eid: string;
  iccid: string;
  reason?: string;
}

export class MemoryInventory implements SmdpInventory {
  private readonly byId = new Map<string, MemoryProfile>();
  private readonly used = new Set<string>();
  private readonly pending = new Set<string>();
  /** Every outcome, in order. */
  readonly settled: Settlement[] = [];

  constructor(profiles: MemoryProfile[] = []) {
    for (const p of profiles) this.add(p);
  }

  add(p: MemoryProfile): void {
    this.byId.set(p.matchingId, p);
  }

  claim(q: { matchingId: string; eid: string }): ReturnType<SmdpInventory['claim']> {
    const p = q.matchingId
      ? this.byId.get(q.matchingId)
      : [...this.byId.values()].find((x) => x.eid === q.eid && !this.used.has(x.matchingId));
    if (!p) return { error: q.matchingId ? 'unknownMatchingId' : 'noProfile' };
    if (p.eid && p.eid !== q.eid) return { error: 'eidMismatch' };
    if (this.used.has(p.matchingId) || this.pending.has(p.matchingId)) return { error: 'alreadyDownloaded' };
    this.pending.add(p.matchingId);
    const { eid: _eid, ...claim } = p;
    return claim;
  }

  settle(matchingId: string, outcome: Omit<Settlement, 'matchingId'>): void {
    this.pending.delete(matchingId);
    if (outcome.installed) this.used.add(matchingId);
    this.settled.push({ matchingId, ...outcome });
  }
}
