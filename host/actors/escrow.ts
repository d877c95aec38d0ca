// The UICC manufacturer's key escrow (TR 33.812 §5.3.2.2 steps 2 and 7, and the "long-term key escrow"
// role of the §7.4.2 evaluation): for every card it keeps the slot keys, or the card's master secret when
// the keys are derived (seed 004), and it reveals slot i of card X only to the operator that index was
// assigned to. Assignments come from the card's owner (the M2M subscriber), or from the manufacturer for
// slot 0 at sale; slots are assigned in order, and an assignment can be withdrawn only while nobody has seen
// the slot. Every request, granted or refused, goes to the audit log; no entry ever holds a key.

import { KEY_BLOCK_LENGTH, keysFromBlock, keysFromSeed, slotSeed } from '../../applets/keyslots/derive.js';
import type { SlotKeys } from '../../applets/subscriptions/slot-store.js';
import type { Bytes } from '../../card-os/bytes.js';

/** What an operator gets for a slot: the keys, or (derivation) the slot's seed to derive them itself. */
export type SlotSecret = { mode: 'keys'; keys: SlotKeys } | { mode: 'seed'; seed: Bytes; kvn: number };

/**
 * A card's deposit: pre-generated slot keys as one block of 80 bytes per slot (K ‖ OPc ‖ KIc ‖ KID ‖ KIK,
 * AES-128 OTA keys under `kvn`), or the master secret derived slots come from.
 */
export type EscrowContent =
  | { mode: 'keys'; blocks: Bytes; slots: number; kvn: number }
  | { mode: 'derive'; master: Bytes; slots: number; kvn: number };

export interface EscrowCard {
  iccid: string;
  /** EF.ICCID content, the card identity the derivation is bound to. */
  iccidBytes: Bytes;
  owner: string;
  content: EscrowContent;
}

export interface AuditEntry {
  seq: number;
  /** Time of the request, ms since the epoch. */
  at: number;
  /** Who asked. */
  by: string;
  action: 'register' | 'assign' | 'unassign' | 'reveal';
  iccid: string;
  index?: number;
  operator?: string;
  outcome: 'granted' | 'refused';
  reason?: string;
}

export class EscrowRefused extends Error {
  constructor(readonly entry: AuditEntry) {
    super(
      `escrow: ${entry.action} of slot ${entry.index ?? '-'} of ${entry.iccid} refused to ${entry.by}: ${entry.reason}`,
    );
    this.name = 'EscrowRefused';
  }
}

/** The keys a revealed secret stands for (the operator side of the derivation). */
export function keysOfSecret(s: SlotSecret): SlotKeys {
  return s.mode === 'keys' ? s.keys : keysFromSeed(s.seed, s.kvn);
}

interface Entry extends EscrowCard {
  assigned: Map<number, string>;
  revealed: Set<number>;
}

export class KeyEscrow {
  private readonly cards = new Map<string, Entry>();
  private readonly log: AuditEntry[] = [];

  constructor(readonly manufacturer: string) {}

  private record(e: Omit<AuditEntry, 'seq' | 'at'>): AuditEntry {
    const entry: AuditEntry = { seq: this.log.length + 1, at: Date.now(), ...e };
    this.log.push(entry);
    return entry;
  }

  private refuse(e: Omit<AuditEntry, 'seq' | 'at' | 'outcome'>, reason: string): never {
    throw new EscrowRefused(this.record({ ...e, outcome: 'refused', reason }));
  }

  /** Personalisation: the manufacturer deposits a card's slots. */
  register(card: EscrowCard): void {
    const base = { by: this.manufacturer, action: 'register' as const, iccid: card.iccid };
    if (this.cards.has(card.iccid)) this.refuse(base, 'card already registered');
    this.cards.set(card.iccid, { ...card, assigned: new Map(), revealed: new Set() });
    this.record({ ...base, outcome: 'granted' });
  }

  slotCount(iccid: string): number {
    return this.cards.get(iccid)?.content.slots ?? 0;
  }

  /** The operator a slot is assigned to, if any. */
  assignee(iccid: string, index: number): string | undefined {
    return this.cards.get(iccid)?.assigned.get(index);
  }

  /**
   * Assigns slot `index` of a card to `operator`. Only the owner may (or the manufacturer, for slot 0 at
   * sale); the slot must exist and be the one after the last assigned.
   */
  assign(by: string, iccid: string, index: number, operator: string): void {
    const base = { by, action: 'assign' as const, iccid, index, operator };
    const c = this.cards.get(iccid);
    if (!c) this.refuse(base, 'unknown card');
    if (by !== c.owner && !(by === this.manufacturer && index === 0)) this.refuse(base, 'not the card owner');
    if (index < 0 || index >= this.slotCount(iccid)) this.refuse(base, 'no such slot');
    const last = Math.max(-1, ...c.assigned.keys());
    if (index !== last + 1) this.refuse(base, `slots are assigned in order (next is ${last + 1})`);
    c.assigned.set(index, operator);
    this.record({ ...base, outcome: 'granted' });
  }

  /** Withdraws an assignment (a change that was called off): only the owner, only before any reveal. */
  unassign(by: string, iccid: string, index: number): void {
    const c = this.cards.get(iccid);
    const base = { by, action: 'unassign' as const, iccid, index, operator: c?.assigned.get(index) ?? '' };
    if (!c) this.refuse(base, 'unknown card');
    if (by !== c.owner) this.refuse(base, 'not the card owner');
    if (!c.assigned.has(index)) this.refuse(base, 'slot not assigned');
    if (c.revealed.has(index)) this.refuse(base, 'slot already revealed: it can never go to anyone else');
    if (Math.max(...c.assigned.keys()) !== index)
      this.refuse(base, 'only the last assignment can be withdrawn');
    c.assigned.delete(index);
    this.record({ ...base, outcome: 'granted' });
  }

  /** Reveals slot `index` of a card to the operator it is assigned to; anyone else is refused. */
  reveal(operator: string, iccid: string, index: number): SlotSecret {
    const base = { by: operator, action: 'reveal' as const, iccid, index, operator };
    const c = this.cards.get(iccid);
    if (!c) return this.refuse(base, 'unknown card');
    const to = c.assigned.get(index);
    if (to === undefined) this.refuse(base, 'slot not assigned');
    if (to !== operator) this.refuse(base, 'slot assigned to another operator');
    c.revealed.add(index);
    this.record({ ...base, outcome: 'granted' });
    const content = c.content;
    if (content.mode === 'keys') {
      const block = content.blocks.subarray(KEY_BLOCK_LENGTH * index, KEY_BLOCK_LENGTH * (index + 1));
      return { mode: 'keys', keys: keysFromBlock(block, content.kvn) };
    }
    return { mode: 'seed', seed: slotSeed(content.master, c.iccidBytes, index), kvn: content.kvn };
  }

  audit(): readonly AuditEntry[] {
    return this.log;
  }
}
