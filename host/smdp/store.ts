// The SM-DP+'s inventory and download orders (SGP.22 §3.1.1 "Profile Download Initiation", ES2+ order
// states of SGP.22 §5.3 in a reduced form), kept in one JSON state file so a restart loses nothing.
//
// - Inventory: profile packages (SAIP unprotected profile packages, TCA eUICC Profile Package spec), each
//   with its ICCID (read from the ProfileHeader) and the metadata the SM-DP+ sends in StoreMetadata.
// - Orders: `reserve` links a profile to a matching ID (the AC_Token of the activation code, SGP.22 §4.1)
//   and/or an EID, with an optional confirmation code. The code is stored only as SHA-256(code): that is
//   all the SM-DP+ needs to check hashCc = SHA-256(SHA-256(code) ‖ transactionId) (SGP.22 §3.1.3.3), and a
//   leaked state file does not show it.
// - An order by EID alone (no matching ID) is the event record of the default SM-DP+ case (SGP.22
//   §3.1.2): the eUICC's LPA sends an empty matching ID and the SM-DP+ finds the order by the EID.
// - States: available -> reserved (ordered) -> downloaded (bound to one eUICC in a session) -> installed,
//   or failed (the eUICC reported an error or the session was cancelled; the same order may try again).
//   An installed profile is never handed out again.
//
// Every change is one read-modify-write under a lock file (host/card-store/lock.ts), written durably and
// atomically (card-os/image.ts writeFileDurably), so `uicc smdp order` may run while `uicc smdp serve`
// serves the same file, and a crash leaves the old state or the new one.

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { type Bytes, toHex } from '../../card-os/bytes.js';
import { writeFileDurably } from '../../card-os/image.js';
import { findTag, parseBer, readBer } from '../../card-os/tlv.js';
import { lockImage } from '../card-store/lock.js';
import { confirmationCodeDigest } from './core.js';
import type { SmdpClaim, SmdpInventory } from './types.js';

export type ProfileState = 'available' | 'reserved' | 'downloaded' | 'installed' | 'failed';
export type ProfileClass = 'test' | 'provisioning' | 'operational';

export type ProfileMetadata = SmdpClaim['metadata'];

/** One downloadable profile and its order, as kept in the state file. */
export interface InventoryEntry {
  iccid: string;
  /** The profile package, base64 (the state file is self-contained: the source file may move). */
  upp: string;
  /** Where it came from, for people. */
  source: string;
  metadata: ProfileMetadata;
  state: ProfileState;
  /** The order: matching ID ('' = by EID only), EID it is for, SHA-256 of the confirmation code (hex). */
  matchingId?: string;
  eid?: string;
  ccHash?: string;
  /** The eUICC it was bound to at download, and the outcome. */
  boundEid?: string;
  reason?: string;
  attempts?: number;
}

export interface EventRecord {
  at: string;
  event: 'added' | 'ordered' | 'claimed' | 'refused' | 'installed' | 'failed';
  iccid?: string;
  matchingId?: string;
  eid?: string;
  reason?: string;
}

interface StateFile {
  format: 'uicc-smdp-state';
  version: 1;
  /** The SM-DP+ address activation codes name (host[:port]); set by `uicc smdp serve`. */
  address?: string;
  profiles: InventoryEntry[];
  events: EventRecord[];
}

/** What the SM-DP+ core gets for a download: SHA-256 of the confirmation code, never the code. */
export type InventoryClaim = SmdpClaim;

export type ClaimError = 'unknownMatchingId' | 'eidMismatch' | 'alreadyDownloaded' | 'noProfile';

/** Wrong input from people (bad package, unknown ICCID...), said in words. */
export class StoreError extends Error {}

const MAX_EVENTS = 1000;
const empty = (): StateFile => ({ format: 'uicc-smdp-state', version: 1, profiles: [], events: [] });
const now = () => new Date().toISOString();

/** A matching ID in the AC_Token style of SGP.22 examples: four groups of five of 0-9 A-Z. */
export function newMatchingId(): string {
  const abc = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const r = randomBytes(20);
  let s = '';
  for (let i = 0; i < 20; i++) s += (i && i % 5 === 0 ? '-' : '') + abc[r[i]! % 36];
  return s;
}

/**
 * ICCID and profile type of an unprotected profile package: its first ProfileElement is the ProfileHeader
 * (`A0 {80 major, 81 minor, 82 profileType, 83 iccid ...}`, PE Definitions v3.3.1), ICCID in plain digit
 * order, F-padded.
 */
export function uppSummary(upp: Bytes): { iccid: string; profileType?: string } | undefined {
  const first = readBer(upp, 0);
  if (first?.tag !== 0xa0) return undefined;
  const fields = parseBer(first.value);
  const iccid = findTag(fields, 0x83);
  if (iccid?.length !== 10) return undefined;
  const digits = toHex(iccid).replace(/F+$/i, '');
  if (!/^\d{18,20}$/.test(digits)) return undefined;
  const type = findTag(fields, 0x82);
  return { iccid: digits, ...(type ? { profileType: new TextDecoder().decode(type) } : {}) };
}

export interface ReserveRequest {
  /** An inventory profile by ICCID, or the first available one if neither this nor `upp` is given. */
  iccid?: string;
  eid?: string;
  matchingId?: string;
  confirmationCode?: string;
}

export class SmdpStore implements SmdpInventory {
  private constructor(readonly path: string) {}

  /** Opens (or, when missing, creates) the state file; a file that is not a state file is refused. */
  static open(path: string): SmdpStore {
    const s = new SmdpStore(path);
    if (!existsSync(path)) s.update(() => {});
    else s.read();
    return s;
  }

  /** The state as on disk now (another process may have changed it). */
  read(): StateFile {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return empty();
      throw new StoreError(`${this.path}: cannot read the SM-DP+ state file (${code ?? 'error'})`);
    }
    let s: StateFile;
    try {
      s = JSON.parse(text) as StateFile;
    } catch (e) {
      throw new StoreError(`${this.path}: not an SM-DP+ state file (${(e as Error).message})`);
    }
    if (s?.format !== 'uicc-smdp-state' || !Array.isArray(s.profiles) || !Array.isArray(s.events))
      throw new StoreError(`${this.path}: not an SM-DP+ state file (no "format: uicc-smdp-state")`);
    if (s.version !== 1)
      throw new StoreError(`${this.path}: SM-DP+ state file version ${s.version} is not supported (1)`);
    return s;
  }

  /** One locked read-modify-write, written atomically; `fn` may throw to change nothing. */
  private update<T>(fn: (s: StateFile) => T): T {
    let lock: ReturnType<typeof lockImage>;
    try {
      lock = lockImage(this.path, 10);
    } catch (e) {
      throw new StoreError(
        (e as Error).message.replace('card image is in use', 'SM-DP+ state file is in use'),
      );
    }
    try {
      const s = this.read();
      const r = fn(s);
      if (s.events.length > MAX_EVENTS) s.events.splice(0, s.events.length - MAX_EVENTS);
      writeFileDurably(this.path, `${JSON.stringify(s, null, 1)}\n`, 'SM-DP+ state file');
      return r;
    } finally {
      lock.release();
    }
  }

  get address(): string | undefined {
    return this.read().address;
  }

  setAddress(address: string): void {
    this.update((s) => {
      s.address = address;
    });
  }

  /** Adds a profile package to the inventory; returns its ICCID. The same package again is a no-op. */
  addProfile(upp: Bytes, source: string, metadata: ProfileMetadata = {}): string {
    const sum = uppSummary(upp);
    if (!sum)
      throw new StoreError(
        `${source}: not a profile package (expected a SAIP ProfileHeader A0 with an ICCID (83) first)`,
      );
    const b64 = Buffer.from(upp).toString('base64');
    return this.update((s) => {
      const old = s.profiles.find((p) => p.iccid === sum.iccid);
      if (old) {
        if (old.upp === b64) return sum.iccid;
        throw new StoreError(
          `${source}: ICCID ${sum.iccid} is already in the inventory (from ${old.source}) with another package`,
        );
      }
      s.profiles.push({
        iccid: sum.iccid,
        upp: b64,
        source,
        metadata: {
          spn: metadata.spn ?? 'uicc test SM-DP+',
          name: metadata.name ?? sum.profileType ?? sum.iccid,
          class: metadata.class ?? 'operational',
          ...(metadata.ppr ? { ppr: metadata.ppr } : {}),
        },
        state: 'available',
      });
      s.events.push({ at: now(), event: 'added', iccid: sum.iccid });
      return sum.iccid;
    });
  }

  /** Orders a profile: reserves it for a matching ID and/or an EID. Returns the entry as stored. */
  reserve(r: ReserveRequest): InventoryEntry {
    if (r.eid !== undefined && !/^\d{32}$/.test(r.eid))
      throw new StoreError(`EID "${r.eid}" must be 32 digits (SGP.29)`);
    if (r.matchingId !== undefined && !/^[\x21-\x23\x25-\x7e]{1,64}$/.test(r.matchingId))
      throw new StoreError(
        `matching ID "${r.matchingId}" must be 1 to 64 printable characters without "$" or spaces`,
      );
    if (r.confirmationCode !== undefined && !/^[\x20-\x7e]{1,32}$/.test(r.confirmationCode))
      throw new StoreError('the confirmation code must be 1 to 32 printable ASCII characters');
    const matchingId = r.matchingId ?? (r.eid ? '' : newMatchingId());
    return this.update((s) => {
      const p = r.iccid
        ? s.profiles.find((x) => x.iccid === r.iccid)
        : s.profiles.find((x) => x.state === 'available');
      if (!p)
        throw new StoreError(
          r.iccid ? `ICCID ${r.iccid} is not in the inventory` : 'no available profile in the inventory',
        );
      if (p.state !== 'available')
        throw new StoreError(
          `ICCID ${p.iccid} is ${p.state}${p.matchingId ? ` (matching ID ${p.matchingId})` : ''}, not available`,
        );
      if (matchingId && s.profiles.some((x) => x.matchingId === matchingId && x.state !== 'installed'))
        throw new StoreError(`matching ID ${matchingId} is already used by an open order`);
      if (!matchingId && s.profiles.some((x) => x.matchingId === '' && x.eid === r.eid && open(x)))
        throw new StoreError(`EID ${r.eid} already has an open order without a matching ID`);
      p.state = 'reserved';
      p.matchingId = matchingId;
      if (r.eid) p.eid = r.eid;
      else delete p.eid;
      if (r.confirmationCode !== undefined) p.ccHash = toHex(confirmationCodeDigest(r.confirmationCode));
      else delete p.ccHash;
      delete p.boundEid;
      delete p.reason;
      p.attempts = 0;
      s.events.push({
        at: now(),
        event: 'ordered',
        iccid: p.iccid,
        matchingId,
        ...(r.eid ? { eid: r.eid } : {}),
      });
      return { ...p };
    });
  }

  list(): InventoryEntry[] {
    return this.read().profiles;
  }

  events(): EventRecord[] {
    return this.read().events;
  }

  /**
   * The profile for a download (SmdpInventory.claim of host/smdp/core.ts): by matching ID, or with an empty
   * matching ID by the EID's order. Binds it to that EID (state downloaded) until `settle`.
   */
  claim(q: { matchingId: string; eid: string }): InventoryClaim | { error: ClaimError } {
    return this.update((s) => {
      const refuse = (error: ClaimError, iccid?: string) => {
        s.events.push({
          at: now(),
          event: 'refused',
          matchingId: q.matchingId,
          eid: q.eid,
          reason: error,
          ...(iccid ? { iccid } : {}),
        });
        return { error };
      };
      const candidates = q.matchingId
        ? s.profiles.filter((x) => x.matchingId === q.matchingId)
        : s.profiles.filter((x) => x.matchingId === '' && x.eid === q.eid);
      const p = candidates.find(open) ?? candidates[0];
      if (!p) return refuse(q.matchingId ? 'unknownMatchingId' : 'noProfile');
      if (p.eid && p.eid !== q.eid) return refuse('eidMismatch', p.iccid);
      if (p.state === 'installed') return refuse('alreadyDownloaded', p.iccid);
      if (p.state === 'downloaded' && p.boundEid !== q.eid) return refuse('alreadyDownloaded', p.iccid);
      p.state = 'downloaded';
      p.boundEid = q.eid;
      p.attempts = (p.attempts ?? 0) + 1;
      delete p.reason;
      s.events.push({ at: now(), event: 'claimed', iccid: p.iccid, matchingId: q.matchingId, eid: q.eid });
      return {
        matchingId: p.matchingId ?? '',
        iccid: p.iccid,
        upp: new Uint8Array(Buffer.from(p.upp, 'base64')),
        metadata: p.metadata,
        ...(p.ccHash ? { confirmationCodeHash: new Uint8Array(Buffer.from(p.ccHash, 'hex')) } : {}),
      };
    });
  }

  /** The outcome of a download (SmdpInventory.settle): installed, or failed with the reason. */
  settle(
    matchingId: string,
    outcome: { installed: boolean; eid: string; iccid: string; reason?: string },
  ): void {
    this.update((s) => {
      const p =
        s.profiles.find(
          (x) => x.iccid === outcome.iccid && x.state === 'downloaded' && x.matchingId === matchingId,
        ) ??
        s.profiles.find(
          (x) => x.state === 'downloaded' && x.matchingId === matchingId && x.boundEid === outcome.eid,
        );
      if (!p) return;
      p.state = outcome.installed ? 'installed' : 'failed';
      if (outcome.reason) p.reason = outcome.reason;
      s.events.push({
        at: now(),
        event: outcome.installed ? 'installed' : 'failed',
        iccid: p.iccid,
        matchingId,
        eid: outcome.eid,
        ...(outcome.reason ? { reason: outcome.reason } : {}),
      });
    });
  }
}

/** An order that still waits for its download (reserved, in a session, or failed and retryable). */
function open(p: InventoryEntry): boolean {
  return p.state === 'reserved' || p.state === 'downloaded' || p.state === 'failed';
}

/** Orders still open, for `uicc smdp serve` to print their activation codes. */
export function openOrders(entries: InventoryEntry[]): InventoryEntry[] {
  return entries.filter((p) => open(p) && p.matchingId !== undefined);
}
