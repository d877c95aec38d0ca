// READ BINARY and UPDATE BINARY, TS 102 221 §11.1.3 and §11.1.4.

import type { Reply } from '../applet.js';
import type { Exec } from '../card.js';
import { AM } from '../security/arr.js';
import { SW } from '../sw.js';
import { target } from './ef-target.js';

const TRANSPARENT = ['transparent'] as const;

/** P1 b8 = 1: SFI in b5-b1 and a one-byte offset in P2; otherwise a 15-bit offset in P1-P2. */
function address(p1: number, p2: number): { sfi?: number; offset: number } | undefined {
  if (p1 & 0x80) {
    if (p1 & 0x60) return undefined;
    const sfi = p1 & 0x1f;
    if (sfi === 0 || sfi === 0x1f) return undefined;
    return { sfi, offset: p2 };
  }
  return { offset: (p1 << 8) | p2 };
}

export function readBinary(x: Exec): Reply {
  const { cmd } = x;
  if (cmd.le === undefined || cmd.data.length) return { sw: SW.WRONG_LENGTH };
  const a = address(cmd.p1, cmd.p2);
  if (!a) return { sw: SW.INCORRECT_P1P2 };
  const t = target(x, a.sfi, TRANSPARENT, AM.READ);
  if (!t.ef) return { sw: t.sw };
  const content = x.os.content(t.ef);
  if (a.offset >= content.length) return { sw: SW.WRONG_P1P2 };
  const avail = content.length - a.offset;
  const le = cmd.le;
  if (le <= avail) return { sw: SW.OK, data: content.subarray(a.offset, a.offset + le) };
  // Le beyond the end: T=0 tells the exact length (6Cxx); T=1 returns what there is with 6282, or
  // 9000 when Le was "maximum" (00), ISO 7816-4 §7.2.3.
  if (x.os.protocol === 0) return { sw: 0x6c00 | (avail & 0xff) };
  const maxLe = cmd.extended ? 65536 : 256;
  return { sw: le === maxLe ? SW.OK : SW.WARN_EOF, data: content.subarray(a.offset) };
}

export function updateBinary(x: Exec): Reply {
  const { cmd } = x;
  if (cmd.data.length === 0 || cmd.le !== undefined) return { sw: SW.WRONG_LENGTH };
  const a = address(cmd.p1, cmd.p2);
  if (!a) return { sw: SW.INCORRECT_P1P2 };
  const t = target(x, a.sfi, TRANSPARENT, AM.UPDATE);
  if (!t.ef) return { sw: t.sw };
  const content = x.os.content(t.ef);
  if (a.offset >= content.length) return { sw: SW.WRONG_P1P2 };
  if (a.offset + cmd.data.length > content.length) return { sw: SW.WRONG_LENGTH };
  const next = content.slice();
  next.set(cmd.data, a.offset);
  x.os.setContent(t.ef, next);
  return { sw: SW.OK };
}
