// SMSC delivery receipts, SMPP v3.4 §5.2.17 (registered_delivery) and Appendix B (the receipt text), with
// the receipted_message_id and message_state optional parameters (§5.3.2.12, §5.3.2.35).

import type { Bytes } from '../../card-os/bytes.js';
import { TLV, type Tlv } from '../smpp/pdu.js';

/** Final states, §5.2.28 message_state, with their Appendix B "stat" words. */
export const MESSAGE_STATE = {
  DELIVERED: { state: 2, stat: 'DELIVRD' },
  EXPIRED: { state: 3, stat: 'EXPIRED' },
  UNDELIVERABLE: { state: 5, stat: 'UNDELIV' },
  REJECTED: { state: 8, stat: 'REJECTD' },
} as const;

export type FinalState = (typeof MESSAGE_STATE)[keyof typeof MESSAGE_STATE];

/** registered_delivery bits 1-0: 01 receipt on success or failure, 10 receipt on failure only. */
export function receiptWanted(registeredDelivery: number, success: boolean): boolean {
  const r = registeredDelivery & 0x03;
  return r === 1 || (r === 2 && !success);
}

/** YYMMDDhhmm, the Appendix B date form (UTC here). */
function receiptDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

export interface ReceiptInput {
  messageId: string;
  submitted: Date;
  done: Date;
  final: FinalState;
  /** Error code, three digits (network specific; the card's status word class here). */
  err: number;
}

/** The short_message of the receipt (Appendix B; binary messages give no "text"). */
export function receiptText(r: ReceiptInput): string {
  const dlvrd = r.final === MESSAGE_STATE.DELIVERED ? '001' : '000';
  const err = String(r.err % 1000).padStart(3, '0');
  return `id:${r.messageId} sub:001 dlvrd:${dlvrd} submit date:${receiptDate(r.submitted)} done date:${receiptDate(r.done)} stat:${r.final.stat} err:${err} text:`;
}

export function receiptTlvs(r: ReceiptInput): Tlv[] {
  const id = new TextEncoder().encode(`${r.messageId}\0`);
  return [
    { tag: TLV.receipted_message_id, value: id },
    { tag: TLV.message_state, value: Uint8Array.of(r.final.state) },
  ];
}

/** Parses an Appendix B receipt text (client side); undefined if it is none. */
export function parseReceiptText(b: Bytes): { id: string; stat: string; err: string } | undefined {
  const s = new TextDecoder('latin1').decode(b);
  const m = /id:(\S+) .*stat:(\w+) err:(\w+)/.exec(s);
  return m ? { id: m[1]!, stat: m[2]!, err: m[3]! } : undefined;
}
