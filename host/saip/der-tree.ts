// A generic DER tree of a profile package's PEs (each TLV: tag and either its children or its value), and
// its encoder with minimal definite lengths (ITU-T X.690 §10.1). Decoding then encoding a DER package gives
// the same bytes: the check that the PE-level codec keeps everything it does not interpret.

import { children } from '../../applets/euicc/der.js';
import { type Bytes, concat } from '../../card-os/bytes.js';
import { ber } from '../../card-os/tlv.js';

export type DerNode = { tag: number; children: DerNode[] } | { tag: number; value: Bytes };

/** A concatenation of TLVs as trees; undefined when anything is malformed. */
export function decodeDer(b: Bytes): DerNode[] | undefined {
  const list = children(b);
  if (!list) return undefined;
  const out: DerNode[] = [];
  for (const t of list) {
    // Constructed (X.690 §8.1.2.5): bit 6 of the tag's first octet.
    if (!(b[t.offset]! & 0x20)) {
      out.push({ tag: t.tag, value: t.value });
      continue;
    }
    const inner = decodeDer(t.value);
    if (!inner) return undefined;
    out.push({ tag: t.tag, children: inner });
  }
  return out;
}

export function encodeDer(nodes: readonly DerNode[]): Bytes {
  return concat(
    ...nodes.map((n) => ('children' in n ? ber(n.tag, encodeDer(n.children)) : ber(n.tag, n.value))),
  );
}
