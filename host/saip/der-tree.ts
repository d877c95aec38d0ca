// A generic DER tree of a profile package's PEs (each TLV: tag and either its children or its value), and
// its encoder with minimal definite lengths (ITU-T X.690 §10.1). Decoding then encoding a DER package gives
// the same bytes: the check that the PE-level codec keeps everything it does not interpret.

import { type Bytes, concat } from '../../card-os/bytes.js';
import { ber, readBer } from '../../card-os/tlv.js';

export type DerNode = { tag: number; children: DerNode[] } | { tag: number; value: Bytes };

/** A concatenation of TLVs as trees; undefined when anything is malformed. */
export function decodeDer(b: Bytes): DerNode[] | undefined {
  const out: DerNode[] = [];
  let off = 0;
  while (off < b.length) {
    const t = readBer(b, off);
    if (!t) return undefined;
    if (b[off]! & 0x20) {
      const children = decodeDer(t.value);
      if (!children) return undefined;
      out.push({ tag: t.tag, children });
    } else out.push({ tag: t.tag, value: t.value });
    off += t.length;
  }
  return out;
}

export function encodeDer(nodes: readonly DerNode[]): Bytes {
  return concat(
    ...nodes.map((n) => ('children' in n ? ber(n.tag, encodeDer(n.children)) : ber(n.tag, n.value))),
  );
}
