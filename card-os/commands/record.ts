// Record commands, TS 102 221 §11.1.5 (READ RECORD), §11.1.6 (UPDATE RECORD), §11.1.7 (SEARCH RECORD),
// §11.1.8 (INCREASE). Cyclic EFs keep their records newest first: record 1 is the last one written.

import type { Reply } from '../applet.js';
import { type Bytes, equal } from '../bytes.js';
import type { Exec } from '../card.js';
import type { FileSpec } from '../fs/model.js';
import { AM } from '../security/arr.js';
import { SW } from '../sw.js';
import { target } from './ef-target.js';

const RECORD_EFS = ['linear-fixed', 'cyclic'] as const;
const MODE_NEXT = 0x02;
const MODE_PREVIOUS = 0x03;
const MODE_ABSOLUTE = 0x04;

function sfiOf(p2: number): number | undefined {
  const s = p2 >> 3;
  return s === 0 ? undefined : s;
}

function record(x: Exec, ef: FileSpec, n: number): Bytes {
  const len = ef.recordLength!;
  return x.os.content(ef).subarray((n - 1) * len, n * len);
}

/** Works out which record a mode addresses; undefined = no such record (6A83). */
function resolve(x: Exec, ef: FileSpec, p1: number, mode: number): number | undefined {
  const count = ef.recordCount!;
  const ptr = x.ch.recordPtr;
  const cyclic = ef.structure === 'cyclic';
  switch (mode) {
    case MODE_ABSOLUTE:
      if (p1 === 0) return ptr === 0 ? undefined : ptr;
      return p1 <= count ? p1 : undefined;
    case MODE_NEXT:
      if (ptr === 0) return 1;
      if (ptr < count) return ptr + 1;
      return cyclic ? 1 : undefined;
    case MODE_PREVIOUS:
      if (ptr === 0) return count;
      if (ptr > 1) return ptr - 1;
      return cyclic ? count : undefined;
  }
  return undefined;
}

export function readRecord(x: Exec): Reply {
  const { cmd } = x;
  if (cmd.le === undefined || cmd.data.length) return { sw: SW.WRONG_LENGTH };
  const mode = cmd.p2 & 0x07;
  if (mode !== MODE_ABSOLUTE && mode !== MODE_NEXT && mode !== MODE_PREVIOUS)
    return { sw: SW.INCORRECT_P1P2 };
  if (mode !== MODE_ABSOLUTE && cmd.p1 !== 0) return { sw: SW.INCORRECT_P1P2 };
  if (cmd.p2 >> 3 === 0x1f) return { sw: SW.INCORRECT_P1P2 };
  const t = target(x, sfiOf(cmd.p2), RECORD_EFS, AM.READ);
  if (!t.ef) return { sw: t.sw };
  const n = resolve(x, t.ef, cmd.p1, mode);
  if (n === undefined) return { sw: SW.RECORD_NOT_FOUND };
  const len = t.ef.recordLength!;
  // A wrong Le is answered before anything moves, so the terminal can resend (ISO 7816-3 §10.3.3).
  const maxLe = cmd.extended ? 65536 : 256;
  if (cmd.le < len || (cmd.le > len && (x.os.protocol === 0 || cmd.le !== maxLe)))
    return { sw: 0x6c00 | (len & 0xff) };
  if (mode !== MODE_ABSOLUTE || cmd.p1 === 0) x.ch.recordPtr = n;
  return { sw: SW.OK, data: record(x, t.ef, n) };
}

export function updateRecord(x: Exec): Reply {
  const { cmd } = x;
  if (cmd.data.length === 0 || cmd.le !== undefined) return { sw: SW.WRONG_LENGTH };
  const mode = cmd.p2 & 0x07;
  if (mode !== MODE_ABSOLUTE && mode !== MODE_NEXT && mode !== MODE_PREVIOUS)
    return { sw: SW.INCORRECT_P1P2 };
  if (mode !== MODE_ABSOLUTE && cmd.p1 !== 0) return { sw: SW.INCORRECT_P1P2 };
  if (cmd.p2 >> 3 === 0x1f) return { sw: SW.INCORRECT_P1P2 };
  const t = target(x, sfiOf(cmd.p2), RECORD_EFS, AM.UPDATE);
  if (!t.ef) return { sw: t.sw };
  const ef = t.ef;
  const len = ef.recordLength!;
  if (cmd.data.length !== len) return { sw: SW.WRONG_LENGTH };
  if (ef.structure === 'cyclic') {
    // Only PREVIOUS mode on cyclic EFs: the oldest record is overwritten and becomes record 1.
    if (mode !== MODE_PREVIOUS) return { sw: SW.INCORRECT_P1P2 };
    writeCyclic(x, ef, cmd.data);
    return { sw: SW.OK };
  }
  const n = resolve(x, ef, cmd.p1, mode);
  if (n === undefined) return { sw: SW.RECORD_NOT_FOUND };
  const next = x.os.content(ef).slice();
  next.set(cmd.data, (n - 1) * len);
  x.os.setContent(ef, next);
  if (mode !== MODE_ABSOLUTE || cmd.p1 === 0) x.ch.recordPtr = n;
  return { sw: SW.OK };
}

function writeCyclic(x: Exec, ef: FileSpec, rec: Bytes): void {
  const len = ef.recordLength!;
  const old = x.os.content(ef);
  const next = new Uint8Array(old.length);
  next.set(rec, 0);
  next.set(old.subarray(0, old.length - len), len);
  x.os.setContent(ef, next);
  x.ch.recordPtr = 1;
}

/** SEARCH RECORD: simple search (pattern at the start of a record) and enhanced search (§11.1.7.2). */
export function searchRecord(x: Exec): Reply {
  const { cmd } = x;
  if (cmd.data.length === 0) return { sw: SW.WRONG_LENGTH };
  const mode = cmd.p2 & 0x07;
  if (cmd.p2 >> 3 === 0x1f) return { sw: SW.INCORRECT_P1P2 };
  let start: number;
  let forward: boolean;
  let pattern: Bytes;
  let offset = 0;
  let anywhere = false;
  let fromValue: number | undefined;
  let smode: number;
  if (mode === 0x04 || mode === 0x05) {
    smode = mode;
    pattern = cmd.data;
  } else if (mode === 0x06) {
    if (cmd.data.length < 3) return { sw: SW.WRONG_LENGTH };
    const ind = cmd.data[0]!;
    smode = ind & 0x07;
    if (ind & 0x08) fromValue = cmd.data[1];
    else offset = cmd.data[1]!;
    anywhere = true;
    pattern = cmd.data.subarray(2);
    if (smode < 4) return { sw: SW.WRONG_DATA };
  } else return { sw: SW.INCORRECT_P1P2 };
  const t = target(x, sfiOf(cmd.p2), RECORD_EFS, AM.READ);
  if (!t.ef) return { sw: t.sw };
  const ef = t.ef;
  const count = ef.recordCount!;
  const ptr = x.ch.recordPtr;
  switch (smode) {
    case 0x04:
      start = cmd.p1 === 0 ? ptr || 1 : cmd.p1;
      forward = true;
      break;
    case 0x05:
      start = cmd.p1 === 0 ? ptr || count : cmd.p1;
      forward = false;
      break;
    case 0x06:
      start = ptr === 0 ? 1 : ptr + 1;
      forward = true;
      break;
    default:
      start = ptr === 0 ? count : ptr - 1;
      forward = false;
  }
  if (start < 1 || start > count) return { sw: SW.RECORD_NOT_FOUND };
  const found: number[] = [];
  for (let n = start; n >= 1 && n <= count; n += forward ? 1 : -1) {
    const r = record(x, ef, n);
    let from = offset;
    if (fromValue !== undefined) {
      const at = r.indexOf(fromValue);
      if (at < 0) continue;
      from = at + 1;
    }
    if (matches(r, pattern, from, anywhere)) found.push(n);
  }
  if (found.length === 0) return { sw: SW.WARN_EOF };
  x.ch.recordPtr = found[0]!;
  return { sw: SW.OK, data: Uint8Array.from(found) };
}

function matches(r: Bytes, p: Bytes, from: number, anywhere: boolean): boolean {
  const last = anywhere ? r.length - p.length : from;
  for (let i = from; i <= last; i++)
    if (i + p.length <= r.length && equal(r.subarray(i, i + p.length), p)) return true;
  return false;
}

/** INCREASE (CLA 80, INS 32): adds a value to record 1 of a cyclic EF, writing the sum as the new record 1. */
export function increase(x: Exec): Reply {
  const { cmd } = x;
  if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
  const t = target(x, undefined, ['cyclic'], AM.UPDATE, 0x32);
  if (!t.ef) return { sw: t.sw };
  const ef = t.ef;
  const len = ef.recordLength!;
  if (cmd.data.length === 0 || cmd.data.length > len) return { sw: SW.WRONG_LENGTH };
  const cur = record(x, ef, 1);
  const sum = new Uint8Array(len);
  let carry = 0;
  for (let i = len - 1; i >= 0; i--) {
    const add = i - (len - cmd.data.length) >= 0 ? cmd.data[i - (len - cmd.data.length)]! : 0;
    const v = cur[i]! + add + carry;
    sum[i] = v & 0xff;
    carry = v >> 8;
  }
  if (carry) return { sw: SW.INCREASE_MAX_REACHED };
  writeCyclic(x, ef, sum);
  return { sw: SW.OK, data: new Uint8Array([...sum, ...cmd.data]) };
}
