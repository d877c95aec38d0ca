// The LPA's notification delivery (SGP.22 §3.5): ES10b.RetrieveNotificationsList gives the eUICC's signed
// pending notifications (ProfileInstallationResult BF37, or OtherSignedNotification 30 for enable, disable,
// delete), each goes to its notificationAddress with ES9+.HandleNotification, and only a delivered one is
// removed from the card with ES10b.RemoveNotificationFromList (so a lost one is sent again later).

import { child, children, derUint, uint } from '../../applets/euicc/der.js';
import type { Bytes } from '../../card-os/bytes.js';
import { ber, readBer } from '../../card-os/tlv.js';
import type { Lpa } from './lpa.js';

export interface PendingNotification {
  seq: number;
  /** The SM-DP+ address it is for (NotificationMetadata 0C). */
  address: string;
  /** install (in a ProfileInstallationResult), enable, disable, delete. */
  event: string;
  /** The whole signed TLV, as ES9+ pendingNotification carries it. */
  der: Bytes;
}

const EVENTS = ['install', 'enable', 'disable', 'delete'];

/** ES10b.RetrieveNotificationsList (BF2B) of every pending notification. */
export async function retrieveNotifications(lpa: Lpa): Promise<PendingNotification[]> {
  const top = await lpa.call(ber(0xbf2b));
  const list = children(top.value)?.find((t) => t.tag === 0xa0);
  if (!list) return []; // 81: noResult (nothing pending) or an error: nothing to send either way
  const out: PendingNotification[] = [];
  for (const n of children(list.value) ?? []) {
    const der = list.value.subarray(n.offset, n.offset + n.length);
    // BF37 { BF27 { 80 tid, BF2F metadata ... } } or 30 { BF2F metadata, 5F37 signature, certificates }.
    const inner = n.tag === 0xbf37 ? child(children(n.value) ?? [], 0xbf27) : n;
    const meta = children(
      child(children(inner?.value ?? new Uint8Array(0)) ?? [], 0xbf2f)?.value ?? new Uint8Array(0),
    );
    if (!meta) continue;
    const seq = uint(child(meta, 0x80)?.value);
    const pmo = child(meta, 0x81)?.value;
    const address = child(meta, 0x0c)?.value;
    if (seq === undefined || !address) continue;
    // NotificationEvent BIT STRING with one bit set: DER trims it, so the unused-bit count names the bit.
    const bit = pmo && pmo.length === 2 ? 7 - pmo[0]! : -1;
    out.push({ seq, address: new TextDecoder().decode(address), event: EVENTS[bit] ?? 'unknown', der });
  }
  return out;
}

/** ES10b.RemoveNotificationFromList (BF30): its result code (0 ok, 1 nothing to delete). */
export async function removeNotification(lpa: Lpa, seq: number): Promise<number> {
  const r = await lpa.call(ber(0xbf30, ber(0x80, derUint(seq))));
  return uint(readBer(r.value)?.value) ?? 127;
}

export interface DeliveryReport {
  sent: PendingNotification[];
  failed: { n: PendingNotification; why: string }[];
  kept: PendingNotification[];
}

/**
 * Sends the pending notifications `forAddress` accepts through `send` (ES9+ HandleNotification; resolves
 * on success, throws with the reason otherwise) and removes each delivered one from the card.
 */
export async function deliverNotifications(
  lpa: Lpa,
  forAddress: (address: string) => boolean,
  send: (n: PendingNotification) => Promise<void>,
): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: [], failed: [], kept: [] };
  for (const n of await retrieveNotifications(lpa)) {
    if (!forAddress(n.address)) {
      report.kept.push(n);
      continue;
    }
    try {
      await send(n);
    } catch (e) {
      report.failed.push({ n, why: (e as Error).message });
      continue;
    }
    await removeNotification(lpa, n.seq);
    report.sent.push(n);
  }
  return report;
}
