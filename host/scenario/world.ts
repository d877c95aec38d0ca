// The world the operator-change scenario runs in: the profile template, the UICC manufacturer with its
// escrow, the operators (created on first mention, PLMN 001/01, 001/02, ... in that order), the M2M
// subscriber and its fleet of emulated cards. Every actor keeps its own state; they meet only through the
// calls the scenario makes.

import { join } from 'node:path';
import { Device } from '../actors/device.js';
import { keysOfSecret } from '../actors/escrow.js';
import { M2mSubscriber } from '../actors/m2m-subscriber.js';
import { Manufacturer, type SlotMode } from '../actors/manufacturer.js';
import { Operator } from '../actors/operator.js';
import { prepareProfile, projectRoot } from '../card-factory.js';
import { readInputFile } from '../input-file.js';
import type { Personalised } from '../personalise.js';
import { cryptoRandom, type RandomBytes } from '../random.js';

export function defaultScenarioProfile(): string {
  return join(projectRoot(), 'profiles', 'm2m-keyslots.yaml');
}

export interface WorldOptions {
  /** Profile with a keySlots section (default profiles/m2m-keyslots.yaml). */
  profile?: string;
  /** Slots per card, slot 0 included (default 8). */
  slots?: number;
  /** Pre-generated slot keys or a per-card master secret (default keys). */
  mode?: SlotMode;
  random?: RandomBytes;
  /**
   * Which shard of a fleet split over worker threads this world is (default 0): ICCID serials and MSINs
   * come from disjoint ranges, so that the shards together look like one fleet.
   */
  shard?: number;
}

/** Cards per shard at most (the size of each shard's ICCID and MSIN range). */
export const SHARD_SIZE = 10_000_000;

export class World {
  readonly template: Personalised;
  readonly manufacturer: Manufacturer;
  readonly subscriber: M2mSubscriber;
  readonly operators = new Map<string, Operator>();
  readonly slots: number;
  readonly mode: SlotMode;
  readonly shard: number;
  private readonly random: RandomBytes;

  constructor(o: WorldOptions = {}) {
    const file = o.profile ?? defaultScenarioProfile();
    this.template = prepareProfile(readInputFile(file, 'profile'), file);
    this.random = o.random ?? cryptoRandom();
    this.shard = o.shard ?? 0;
    this.manufacturer = new Manufacturer(
      'UICC manufacturer',
      this.template,
      this.random,
      this.shard * SHARD_SIZE,
    );
    this.subscriber = new M2mSubscriber('M2M subscriber', this.manufacturer.escrow);
    this.slots = o.slots ?? 8;
    this.mode = o.mode ?? 'keys';
  }

  /** The operator called `name`, created with the next test PLMN on first use. */
  operator(name: string): Operator {
    let op = this.operators.get(name);
    if (!op) {
      const n = this.operators.size + 1;
      if (n > 99) throw new Error('at most 99 operators');
      op = new Operator({
        name,
        mcc: '001',
        mnc: String(n).padStart(2, '0'),
        random: this.random,
        firstMsin: this.shard * SHARD_SIZE,
      });
      this.operators.set(name, op);
    }
    return op;
  }

  /** The operator whose PLMN an IMSI belongs to (how a visited network routes an attach). */
  operatorForImsi(imsi: string): Operator | undefined {
    for (const op of this.operators.values()) if (op.servesImsi(imsi)) return op;
    return undefined;
  }

  get devices(): Device[] {
    return [...this.subscriber.fleet.values()];
  }

  /**
   * Builds `count` cards bought by `operator` for the subscriber: the operator allocates the IMSIs, the
   * manufacturer personalises the cards and deposits their slots, the operator obtains slot 0 from the
   * escrow and provisions its HSS and OTA server.
   */
  buildFleet(count: number, operator: string): Device[] {
    const op = this.operator(operator);
    const imsis = Array.from({ length: count }, () => op.allocateImsi());
    const made = this.manufacturer.produce({
      operator,
      owner: this.subscriber.name,
      imsis,
      slots: this.slots,
      mode: this.mode,
    });
    const devices = made.map((c, i) => {
      op.provision(
        c.iccid,
        imsis[i]!,
        0,
        keysOfSecret(this.manufacturer.escrow.reveal(operator, c.iccid, 0)),
      );
      return new Device(c.iccid, this.template, c.nvm);
    });
    this.subscriber.adopt(devices);
    return devices;
  }
}
