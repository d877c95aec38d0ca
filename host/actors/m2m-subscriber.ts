// The M2M subscriber (TR 33.812 §5.3.2.2 steps 1, 3 and 9): owns a fleet of devices, chooses the operator
// and orders changes. As the cards' owner it is the one who tells the escrow which operator may have which
// slot, once the old operator reports that the card has staged the change on that slot.

import type { Device } from './device.js';
import { EscrowRefused, type KeyEscrow } from './escrow.js';

export class M2mSubscriber {
  readonly fleet = new Map<string, Device>();

  constructor(
    readonly name: string,
    private readonly escrow: KeyEscrow,
  ) {}

  adopt(devices: Iterable<Device>): void {
    for (const d of devices) this.fleet.set(d.iccid, d);
  }

  /** Authorises `operator` to obtain slot `index` of a card; false (and an audit entry) when refused. */
  authorise(iccid: string, index: number, operator: string): boolean {
    try {
      this.escrow.assign(this.name, iccid, index, operator);
      return true;
    } catch (e) {
      if (e instanceof EscrowRefused) return false;
      throw e;
    }
  }

  /** Withdraws an authorisation for a change that was called off (possible only before any reveal). */
  withdraw(iccid: string, index: number): boolean {
    try {
      this.escrow.unassign(this.name, iccid, index);
      return true;
    } catch (e) {
      if (e instanceof EscrowRefused) return false;
      throw e;
    }
  }
}
