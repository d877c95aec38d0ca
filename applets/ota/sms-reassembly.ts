// Reassembly of concatenated short messages (TS 23.040 §9.2.3.24.1 / .8) before the command packet is
// processed (TS 31.115 §6: a command packet longer than one SMS is sent as a concatenated SMS). The state
// lives in RAM between ENVELOPEs; one message is assembled at a time and a segment of another message
// (different originator, reference or total) starts over.

import { type Bytes, concat } from '../../card-os/bytes.js';
import type { ConcatInfo, UdhIe } from './user-data-header.js';

interface Pending {
  key: string;
  total: number;
  parts: (Bytes | undefined)[];
  /** Header IEs of segment 1 (where the command packet identifier is). */
  firstIes: UdhIe[] | undefined;
  received: number;
}

export interface ReassemblyState {
  pending?: Pending;
}

export type SegmentResult = { done: false } | { done: true; ies: UdhIe[]; payload: Bytes };

/**
 * Adds one segment. `origin` identifies the sender (the TP-OA digits). A repeated segment replaces the
 * earlier copy. Returns the whole payload and the first segment's IEs once every segment is there.
 */
export function addSegment(
  state: ReassemblyState,
  origin: string,
  info: ConcatInfo,
  ies: UdhIe[],
  payload: Bytes,
): SegmentResult {
  const key = `${origin}/${info.ref}/${info.total}`;
  let p = state.pending;
  if (!p || p.key !== key) {
    p = { key, total: info.total, parts: new Array(info.total), firstIes: undefined, received: 0 };
    state.pending = p;
  }
  if (!p.parts[info.seq - 1]) p.received++;
  p.parts[info.seq - 1] = payload.slice();
  if (info.seq === 1) p.firstIes = ies;
  if (p.received < p.total) return { done: false };
  state.pending = undefined;
  return { done: true, ies: p.firstIes ?? [], payload: concat(...(p.parts as Bytes[])) };
}
