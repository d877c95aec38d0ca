// Operator change by download (TR 33.812 Alternative 1, SGP.22): a fleet of emulated eUICCs on operator A
// downloads operator B's profiles from B's SM-DP+, enables them, and attaches to B; power losses in the
// middle of LoadBoundProfilePackage, lost ES9+ answers and lost notifications are survived or reported.
import { describe, expect, it } from 'vitest';
import { changeByDownload, DownloadWorld } from '../../host/scenario/download-change.js';

describe('operator change by download', () => {
  it('moves every device: B provisions, A releases on the signed disable notification', async () => {
    const world = new DownloadWorld();
    world.buildFleet(3);
    const r = await changeByDownload(world);
    expect(r.failures).toEqual({});
    expect(r.moved).toBe(3);
    expect(r.download.ordersInstalled).toBe(3);
  });
});
