// BER-TLV structured EFs, TS 102 221 §11.3: RETRIEVE DATA and SET DATA, single-block transfers.
// The EF content is the concatenation of its data objects.

import type { Reply } from '../applet.js';
import { concat } from '../bytes.js';
import type { Exec } from '../card.js';
import { AM } from '../security/arr.js';
import { SW } from '../sw.js';
import { parseBer, readBer } from '../tlv.js';
import { target } from './ef-target.js';

const BER = ['ber-tlv'] as const;

/** The tag in command data, as one to three bytes (the same numbering as card-os/tlv.ts). */
function tagOf(data: Uint8Array): number | undefined {
  if (data.length < 1 || data.length > 3) return undefined;
  let t = 0;
  for (const b of data) t = t * 256 + b;
  return t;
}

export function retrieveData(x: Exec): Reply {
  const { cmd } = x;
  if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
  const tag = tagOf(cmd.data);
  if (tag === undefined) return { sw: SW.WRONG_LENGTH };
  const t = target(x, undefined, BER, AM.READ);
  if (!t.ef) return { sw: t.sw };
  const objs = parseBer(x.os.content(t.ef)) ?? [];
  const o = objs.find((d) => d.tag === tag);
  if (!o) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
  return { sw: SW.OK, data: o.value };
}

export function setData(x: Exec): Reply {
  const { cmd } = x;
  if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
  if (cmd.le !== undefined || cmd.data.length === 0) return { sw: SW.WRONG_LENGTH };
  const obj = readBer(cmd.data);
  if (!obj || obj.length !== cmd.data.length) return { sw: SW.WRONG_DATA };
  const t = target(x, undefined, BER, AM.UPDATE);
  if (!t.ef) return { sw: t.sw };
  const objs = (parseBer(x.os.content(t.ef)) ?? []).filter((d) => d.tag !== obj.tag);
  const kept = objs.map((d) => x.os.content(t.ef).subarray(d.offset, d.offset + d.length));
  // An empty value deletes the object (§11.3.2).
  const next = obj.value.length === 0 ? concat(...kept) : concat(...kept, cmd.data);
  if (next.length > t.ef.size) return { sw: SW.NOT_ENOUGH_MEMORY };
  x.os.setContent(t.ef, next.slice());
  return { sw: SW.OK };
}
