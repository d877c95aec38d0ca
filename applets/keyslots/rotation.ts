// The key-rotation payload (TR 33.812 Alternative 3a: "MNOB can ... later also change the subscriber keys
// OTA"): the new operator replaces K and OPc (or OP), its OTA keysets and the key-encryption key itself.
// The payload travels inside a secured packet (ciphered under KIc) and is in addition wrapped under the
// card's KIK with AES key wrap with padding (RFC 5649, NIST SP 800-38F KWP), whose integrity check also
// rejects a payload wrapped under any other key.
//
//   A5 { [90 K 91 OPc | 90 K 92 OP], 93 OTA keyset record ..., [94 new KIK(16/24/32)] }
// K and OPc/OP are 16 bytes for Milenage; for TUAK (TS 35.231 §4) K is 16 or 32 bytes and 91/92 carry TOPc/TOP
// (32 bytes). Whether they fit the card's algorithm is the card's check (subscriber-keys.ts replaceKeys).
// Keyset records are coded as the card stores them (applets/subscriptions/ota-records.ts: 80 KVN, A1 KIc, A2 KID).

import { aeskwp } from '@noble/ciphers/aes.js';
import type { Bytes } from '../../card-os/bytes.js';
import { ber, findTag, parseBer } from '../../card-os/tlv.js';
import { TAG } from './protocol.js';

export interface RotationPayload {
  k?: Bytes;
  opc?: Bytes;
  op?: Bytes;
  /** OTA keyset records; when given they replace every keyset on the card. */
  keysets: Bytes[];
  kik?: Bytes;
}

const AES_KEY_LENGTHS = [16, 24, 32];

export function encodeRotationPayload(p: RotationPayload): Bytes {
  const parts: Bytes[] = [];
  if (p.k) parts.push(ber(TAG.K, p.k));
  if (p.opc) parts.push(ber(TAG.OPC, p.opc));
  if (p.op) parts.push(ber(TAG.OP, p.op));
  for (const r of p.keysets) parts.push(ber(TAG.KEYSET, r));
  if (p.kik) parts.push(ber(TAG.KIK, p.kik));
  return ber(TAG.PAYLOAD, ...parts);
}

/**
 * Decodes a payload; undefined when malformed: unknown or repeated objects (keysets may repeat), K without
 * exactly one of OPc and OP (or either without K), wrong key lengths, or nothing to replace.
 */
export function decodeRotationPayload(b: Bytes): RotationPayload | undefined {
  const outer = parseBer(b);
  if (outer?.length !== 1 || outer[0]!.tag !== TAG.PAYLOAD) return undefined;
  const items = parseBer(outer[0]!.value);
  if (!items) return undefined;
  const seen = new Set<number>();
  for (const t of items) {
    if (![TAG.K, TAG.OPC, TAG.OP, TAG.KEYSET, TAG.KIK].includes(t.tag as never)) return undefined;
    if (t.tag !== TAG.KEYSET && seen.has(t.tag)) return undefined;
    seen.add(t.tag);
  }
  const k = findTag(items, TAG.K);
  const opc = findTag(items, TAG.OPC);
  const op = findTag(items, TAG.OP);
  const kik = findTag(items, TAG.KIK);
  const keysets = items.filter((t) => t.tag === TAG.KEYSET).map((t) => t.value.slice());
  if ((k === undefined) !== (opc === undefined && op === undefined)) return undefined;
  if (opc && op) return undefined;
  if (k && (![16, 32].includes(k.length) || ![16, 32].includes((opc ?? op)!.length))) return undefined;
  if (kik && !AES_KEY_LENGTHS.includes(kik.length)) return undefined;
  if (!k && !kik && keysets.length === 0) return undefined;
  const out: RotationPayload = { keysets };
  if (k) out.k = k.slice();
  if (opc) out.opc = opc.slice();
  if (op) out.op = op.slice();
  if (kik) out.kik = kik.slice();
  return out;
}

/** Host side: wraps a payload under the KIK. */
export function wrapPayload(kik: Bytes, payload: Bytes): Bytes {
  return aeskwp(kik).encrypt(payload);
}

/** Card side: the payload, or undefined when the integrity check fails (wrong KIK, tampering). */
export function unwrapPayload(kik: Bytes, wrapped: Bytes): Bytes | undefined {
  try {
    return aeskwp(kik).decrypt(wrapped);
  } catch {
    return undefined;
  }
}
