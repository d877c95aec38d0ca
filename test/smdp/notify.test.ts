// The LPA's notification delivery (SGP.22 §3.5) against the embedded eUICC's ISD-R: RetrieveNotificationsList
// gives the signed enable/disable notifications with their addresses; only the delivered ones are removed
// (RemoveNotificationFromList), a failed or foreign one stays on the card.
import { describe, expect, it } from 'vitest';
import { Lpa } from '../../host/euicc/lpa.js';
import { deliverNotifications, retrieveNotifications } from '../../host/euicc/notify.js';
import { embeddedTransport } from '../../host/transport/embedded.js';
import { newEuicc } from '../euicc/support.js';

describe('notification delivery', () => {
  it('sends what the address filter takes, removes only what was delivered', async () => {
    const t = embeddedTransport(newEuicc());
    await t.reset();
    let lpa = await Lpa.open(t);
    expect(await lpa.enable('89882110000000000101')).toBe(0);
    await lpa.close();
    await t.reset();
    lpa = await Lpa.open(t);
    const pending = await retrieveNotifications(lpa);
    expect(pending.map((n) => n.event).sort()).toEqual(['disable', 'enable']);
    for (const n of pending) expect(n.der[0]).toBe(0x30); // OtherSignedNotification
    const enable = pending.find((n) => n.event === 'enable')!;
    const disable = pending.find((n) => n.event === 'disable')!;

    // first round: the server refuses the enable notification, the disable one is for another address
    const r1 = await deliverNotifications(
      lpa,
      (a) => a === enable.address,
      async () => {
        throw new Error('8.10.1/3.9 refused');
      },
    );
    expect(r1.sent).toEqual([]);
    expect(r1.failed.map((f) => f.n.seq)).toEqual(
      enable.address === disable.address ? [enable.seq, disable.seq].sort((a, b) => a - b) : [enable.seq],
    );
    expect((await retrieveNotifications(lpa)).length).toBe(2);

    // second round: delivered, so removed from the card
    const seen: number[] = [];
    const r2 = await deliverNotifications(
      lpa,
      (a) => a === enable.address,
      async (n) => {
        seen.push(n.seq);
      },
    );
    expect(r2.sent.map((n) => n.seq)).toEqual(seen);
    expect(seen).toContain(enable.seq);
    const left = await retrieveNotifications(lpa);
    expect(left.map((n) => n.seq)).toEqual(r2.kept.map((n) => n.seq));
    await lpa.close();
  });
});
