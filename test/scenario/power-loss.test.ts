// Power lost on the card at every NVM write of a whole operator change (attach, STAGE, COMMIT, the switch
// at reset, the attach at the new operator): each time the card is powered up again, it authenticates
// with exactly one operator, which has the subscription active and whose IMSI the card presents; the new
// operator never takes a card on that did not acknowledge; and the change completes in the end.
import { describe, expect, it } from 'vitest';
import { slotStates } from '../../applets/subscriptions/slot-store.js';
import { PowerLoss } from '../../card-os/nvm.js';
import type { Device } from '../../host/actors/device.js';
import { changeOperator } from '../../host/scenario/operator-change.js';
import { World } from '../../host/scenario/world.js';

/** The operators whose K the card holds (their vector passes the card's MAC check). */
async function holders(world: World, d: Device): Promise<string[]> {
  const out: string[] = [];
  for (const op of world.operators.values()) {
    const sub = op.subscription(d.iccid);
    if (!sub) continue;
    const v = op.auc.generateVector(sub.imsi);
    await d.readImsi();
    const r = await d.authenticate(v.rand, v.autn);
    if (r.kind !== 'mac') out.push(op.name);
  }
  return out;
}

async function checkInvariants(world: World, d: Device, acked: () => boolean): Promise<void> {
  const h = await holders(world, d);
  expect(h).toHaveLength(1);
  const op = world.operator(h[0]!);
  const sub = op.subscription(d.iccid)!;
  expect(sub.active).toBe(true);
  expect(await d.readImsi()).toBe(sub.imsi);
  if (!acked()) expect(world.operator('B').subscription(d.iccid)).toBeUndefined();
}

function world1() {
  const world = new World({ slots: 3 });
  const [d] = world.buildFleet(1, 'A');
  return { world, d: d! };
}

describe('power loss at every write of an operator change (3b)', () => {
  it('the card is always on exactly one operator, and the change completes', async () => {
    // A clean run counts the physical writes.
    const clean = world1();
    const start = clean.d.card.nvm.steps;
    expect((await changeOperator(clean.world, { from: 'A', to: 'B', variant: '3b' })).moved).toBe(1);
    const total = clean.d.card.nvm.steps - start;
    expect(total).toBeGreaterThan(20);

    let tears = 0;
    for (let k = 1; k <= total; k++) {
      const { world, d } = world1();
      const base = d.card.nvm.steps;
      d.card.nvm.powerHook = (step) => {
        if (step - base === k) throw new PowerLoss(step);
      };
      let acked = false;
      const r = await changeOperator(world, {
        from: 'A',
        to: 'B',
        variant: '3b',
        afterPowerLoss: async (dev) => {
          tears++;
          acked = world.manufacturer.escrow.assignee(dev.iccid, 1) === 'B';
          await checkInvariants(world, dev, () => acked);
        },
      });
      expect(r.moved, `power lost at write ${k}`).toBe(1);
      expect(slotStates(d.card.nvm)).toEqual([2, 1, 0]);
      expect(await holders(world, d)).toEqual(['B']);
    }
    expect(tears).toBe(total);
  });
});
