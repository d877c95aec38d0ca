// Power lost on the eUICC at every NVM write of LoadBoundProfilePackage (from the moment the Bound Profile
// Package reaches the LPA until the install notification is removed from the card), and at every write of
// the enable and the delete of the old profile: once powered up again the card has the old profile enabled
// and either no new profile or a complete one; the scenario then finishes the change (retrying the download
// after the SM-DP+ gave the order back at its session timeout), and the order is installed exactly once.
import { describe, expect, it } from 'vitest';
import { PowerLoss } from '../../card-os/nvm.js';
import type { EuiccDevice } from '../../host/actors/euicc-device.js';
import { Lpa } from '../../host/euicc/lpa.js';
import {
  changeByDownload,
  type DownloadChangeOptions,
  DownloadWorld,
} from '../../host/scenario/download-change.js';

async function profiles(d: EuiccDevice) {
  const lpa = await Lpa.open({ transmit: d.transmit });
  try {
    return await lpa.profiles();
  } finally {
    await lpa.close();
  }
}

function world1() {
  const world = new DownloadWorld();
  const [d] = world.buildFleet(1);
  return { world, d: d! };
}

/**
 * Arms `arm(d)` when the named ES9+ answer first reaches the LPA (the step that follows it is under test),
 * through the scenario's loss hook (which loses nothing here).
 */
function armAt(
  fn: string,
  d: EuiccDevice,
  arm: (d: EuiccDevice) => void,
): DownloadChangeOptions['loseAnswer'] {
  return (f, _i, call) => {
    if (f === fn && call === 1) arm(d);
    return false;
  };
}

describe('power loss during LoadBoundProfilePackage', () => {
  it('the card keeps the old profile enabled and no new profile or a complete one; the change completes', async () => {
    // A clean run counts the eUICC's writes from the BPP's arrival to the end of the download.
    const clean = world1();
    let from = -1;
    let writes = 0;
    const r0 = await changeByDownload(clean.world, {
      loseAnswer: armAt('getBoundProfilePackage', clean.d, (d) => {
        from = d.card.nvm.steps;
      }),
      onProgress: (p) => {
        if (p === 'download' && writes === 0) writes = clean.d.card.nvm.steps - from;
      },
    });
    expect(r0.moved).toBe(1);
    expect(writes).toBeGreaterThan(3);

    const seen = { none: 0, complete: 0 };
    for (let k = 1; k <= writes; k++) {
      const { world, d } = world1();
      const oldIccid = (await profiles(d))[0]!.iccid;
      let tears = 0;
      const r = await changeByDownload(world, {
        loseAnswer: armAt('getBoundProfilePackage', d, (card) => {
          const base = card.card.nvm.steps;
          card.card.nvm.powerHook = (step) => {
            if (step - base === k) throw new PowerLoss(step);
          };
        }),
        afterPowerLoss: async (dev) => {
          tears++;
          const list = await profiles(dev);
          expect(list.find((p) => p.iccid === oldIccid)?.state, `write ${k}`).toBe('enabled');
          const added = list.filter((p) => p.iccid !== oldIccid);
          expect(added.length).toBeLessThanOrEqual(1);
          if (added.length === 0) seen.none++;
          else {
            // Complete: disabled, and its file system rebuilt from the stored package at power-up.
            expect(added[0]!.state).toBe('disabled');
            expect(dev.card.installed).toHaveLength(2);
            seen.complete++;
          }
        },
      });
      expect(tears, `write ${k}`).toBe(1);
      expect(r.moved, `power lost at write ${k}`).toBe(1);
      const order = [...world.orders.values()][0]!;
      expect(order.state).toBe('installed');
      expect(r.download.duplicateInstalls).toBe(0);
      expect(r.download.powerLosses).toBe(1);
      expect(world.to.servesImsi((await d.readImsi()) ?? '')).toBe(true);
    }
    // Both outcomes happen: a loss before the install committed, and one after it.
    expect(seen.none).toBeGreaterThan(0);
    expect(seen.complete).toBeGreaterThan(0);
  });

  it('a loss before the install committed: the order is given back at the session timeout, then downloaded', async () => {
    const { world, d } = world1();
    const r = await changeByDownload(world, {
      loseAnswer: armAt('getBoundProfilePackage', d, (card) => {
        const base = card.card.nvm.steps;
        card.card.nvm.powerHook = (step) => {
          if (step - base === 1) throw new PowerLoss(step);
        };
      }),
    });
    expect(r.moved).toBe(1);
    expect(r.download.sessionsExpired).toBe(1);
    const order = [...world.orders.values()][0]!;
    expect(order.claims).toBe(2);
    expect(world.clock).toBeGreaterThan(0);
  });
});

describe('power loss at every write after the download (enable, REFRESH reset, delete, notifications)', () => {
  it('one profile is enabled at every power-up, and the change completes with the old profile deleted', async () => {
    const afterDownload = (
      d: EuiccDevice,
      arm: (d: EuiccDevice) => void,
    ): DownloadChangeOptions['onProgress'] => {
      let armed = false;
      return (p) => {
        if (p === 'download' && !armed) {
          armed = true;
          arm(d);
        }
      };
    };
    const clean = world1();
    let from = -1;
    const r0 = await changeByDownload(clean.world, {
      oldProfile: 'delete',
      onProgress: afterDownload(clean.d, (d) => {
        from = d.card.nvm.steps;
      }),
    });
    expect(r0.moved).toBe(1);
    const writes = clean.d.card.nvm.steps - from;
    expect(writes).toBeGreaterThan(3);
    for (let k = 1; k <= writes; k++) {
      const { world, d } = world1();
      let tears = 0;
      const r = await changeByDownload(world, {
        oldProfile: 'delete',
        onProgress: afterDownload(d, (card) => {
          const base = card.card.nvm.steps;
          card.card.nvm.powerHook = (step) => {
            if (step - base === k) throw new PowerLoss(step);
          };
        }),
        afterPowerLoss: async (dev) => {
          tears++;
          expect(
            (await profiles(dev)).filter((p) => p.state === 'enabled'),
            `write ${k}`,
          ).toHaveLength(1);
        },
      });
      expect(tears, `write ${k}`).toBe(1);
      expect(r.moved, `power lost at write ${k}`).toBe(1);
      expect((await profiles(d)).map((p) => p.state)).toEqual(['enabled']);
    }
  });
});
