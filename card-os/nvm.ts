// Non-volatile memory of one card: named records over a shared, immutable template (copy-on-write),
// with journaled transactions so a multi-step update commits whole or not at all.
//
// Physical model (what survives a power loss): the card's own records plus a journal. A transaction
// stages its writes in RAM; commit then (1) writes the journal with every new value, (2) marks it
// committed, (3) applies each record, (4) clears the journal. Power loss can strike before any of those
// physical steps (`powerHook`). On the next power-up `recover()` replays a committed journal and drops an
// uncommitted one, so the card is either wholly before or wholly after the transaction.

import type { Bytes } from './bytes.js';

/** Thrown by a power hook to simulate tearing: the card instance is dead until re-created from its NVM. */
export class PowerLoss extends Error {
  constructor(step: number) {
    super(`power lost at NVM write step ${step}`);
    this.name = 'PowerLoss';
  }
}

type Value = Bytes | null; // null = deleted (hides a template record)

interface Journal {
  records: [string, Value][];
  committed: boolean;
}

/** Serialised form of a card's NVM (what a card image stores besides the profile it was made from). */
export interface NvmSnapshot {
  own: [string, Value][];
  journal: Journal | null;
}

export class Nvm {
  private own = new Map<string, Value>();
  private journal: Journal | null = null;
  private staged: Map<string, Value> | null = null;
  /** Counts physical write steps; a test hook may throw PowerLoss at a chosen step. */
  steps = 0;
  powerHook: ((step: number) => void) | undefined;

  constructor(private readonly base: ReadonlyMap<string, Bytes>) {}

  get(key: string): Bytes | undefined {
    if (this.staged) {
      const s = this.staged.get(key);
      if (s !== undefined) return s ?? undefined;
    }
    const o = this.own.get(key);
    if (o !== undefined) return o ?? undefined;
    return this.base.get(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Writes one record. Outside a transaction a single record write is atomic (one physical step). */
  set(key: string, value: Bytes): void {
    this.write(key, value);
  }

  delete(key: string): void {
    this.write(key, null);
  }

  /**
   * Writes one record in its own physical step at once, even inside a transaction: a retry counter must be
   * spent durably before the comparison it guards (TS 102 221 §9.5), and rolling back or tearing the
   * surrounding transaction must not give the try back. Reads inside the transaction see the new value.
   */
  setDurable(key: string, value: Bytes): void {
    this.physical();
    this.store(key, value);
    if (this.staged?.has(key)) this.staged.set(key, value);
  }

  private write(key: string, value: Value): void {
    if (this.staged) {
      this.staged.set(key, value);
      return;
    }
    this.physical();
    this.store(key, value);
  }

  private store(key: string, value: Value): void {
    if (value === null && !this.base.has(key)) this.own.delete(key);
    else this.own.set(key, value);
    this.changed?.add(key);
  }

  /** Keys stored since the last `takeChanges` (null until `trackChanges`): what a card-image journal appends. */
  private changed: Set<string> | null = null;

  trackChanges(): void {
    this.changed ??= new Set();
  }

  /**
   * The records stored since the last call, as they are now (null = deleted), and forgets them. Only whole
   * transactions are ever visible here: staged writes reach `store` at commit.
   */
  takeChanges(): [string, Value][] {
    if (!this.changed || this.changed.size === 0) return [];
    const out: [string, Value][] = [...this.changed].map((k) => [k, this.own.get(k) ?? null]);
    this.changed.clear();
    return out;
  }

  /** True while a committed transaction's journal is not yet cleared (only after a simulated power loss). */
  get journalPending(): boolean {
    return this.journal !== null;
  }

  private physical(): void {
    const step = ++this.steps;
    this.powerHook?.(step);
  }

  /**
   * Runs `fn` as one transaction. Nested calls join the outer transaction. If `fn` throws, nothing it
   * wrote is kept. Reads inside see the staged writes.
   */
  transaction<T>(fn: () => T): T {
    if (this.staged) return fn();
    this.staged = new Map();
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.staged = null;
      throw e;
    }
    const records = [...this.staged];
    this.staged = null;
    if (records.length > 0) this.commit(records);
    return result;
  }

  get inTransaction(): boolean {
    return this.staged !== null;
  }

  private commit(records: [string, Value][]): void {
    this.physical();
    this.journal = { records, committed: false };
    this.physical();
    this.journal.committed = true;
    for (const [k, v] of records) {
      this.physical();
      this.store(k, v);
    }
    this.physical();
    this.journal = null;
  }

  /** Power-up recovery: finish a committed transaction, drop an uncommitted one. */
  recover(): void {
    const j = this.journal;
    if (!j) return;
    if (j.committed) for (const [k, v] of j.records) this.store(k, v);
    this.journal = null;
  }

  snapshot(): NvmSnapshot {
    return {
      own: [...this.own].map(([k, v]) => [k, v ? v.slice() : null]),
      journal: this.journal && {
        records: this.journal.records.map(([k, v]) => [k, v ? v.slice() : null]),
        committed: this.journal.committed,
      },
    };
  }

  /** Makes a NVM from a snapshot as it was at power loss, then recovers (as a card does at power-up). */
  static restore(base: ReadonlyMap<string, Bytes>, snap: NvmSnapshot): Nvm {
    const n = new Nvm(base);
    for (const [k, v] of snap.own) n.own.set(k, v);
    n.journal = snap.journal;
    n.recover();
    return n;
  }

  /** Number of records this card holds beyond its template (memory per card). */
  get ownCount(): number {
    return this.own.size;
  }

  /** Bytes held by this card's own records (values only). */
  get ownBytes(): number {
    let n = 0;
    for (const [k, v] of this.own) n += k.length + (v?.length ?? 0);
    return n;
  }

  keys(): string[] {
    const s = new Set<string>(this.base.keys());
    for (const [k, v] of this.own) v === null ? s.delete(k) : s.add(k);
    return [...s];
  }
}
