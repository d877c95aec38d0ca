// The SM-DP+ service in process over real HTTPS sockets: an order survives a restart of the server (a new
// process on a new port reads the same state file), and two downloads at once, one with a confirmation
// code, do not disturb each other (the confirmation code check binds to its own transaction).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadProfile } from '../../host/euicc/download.js';
import { createEs9Client } from '../../host/smdp/es9-client.js';
import { startSmdp } from '../../host/smdp/service.js';
import { SmdpStore } from '../../host/smdp/store.js';
import { newEuicc } from '../euicc/support.js';

const upp = (name: string) => new Uint8Array(readFileSync(join(__dirname, '../vectors/ts48', name)));

async function download(address: string, matchingId: string, confirmationCode?: string) {
  const card = newEuicc();
  card.reset();
  return downloadProfile({
    transmit: async (c) => card.transmit(c),
    es9: createEs9Client({ smdpAddress: address }),
    smdpAddress: address,
    matchingId,
    ...(confirmationCode !== undefined ? { confirmationCode } : {}),
  });
}

describe('SM-DP+ service over HTTPS', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'smdp-service-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('an order made before a restart is served after it, on the new address', async () => {
    const file = join(dir, 'state.json');
    const first = await startSmdp({ store: SmdpStore.open(file) });
    const store = SmdpStore.open(file);
    const iccid = store.addProfile(upp('TS48V1-A-UNIQUE.der'), 'a.der');
    store.reserve({ iccid, matchingId: 'BEFORE-RESTART' });
    await first.close();

    const second = await startSmdp({ store: SmdpStore.open(file) });
    try {
      expect(second.address).not.toBe(first.address);
      expect(SmdpStore.open(file).address).toBe(second.address);
      const r = await download(second.address, 'BEFORE-RESTART');
      expect(r.iccid).toBe(iccid);
      expect(SmdpStore.open(file).list()[0]).toMatchObject({ state: 'installed' });
    } finally {
      await second.close();
    }
  });

  it('two downloads at once, one with a confirmation code, each get their own profile', async () => {
    const store = SmdpStore.open(join(dir, 'state.json'));
    const a = store.addProfile(upp('TS48V1-A-UNIQUE.der'), 'a.der');
    const b = store.addProfile(upp('TS48V1-B-UNIQUE.der'), 'b.der');
    store.reserve({ iccid: a, matchingId: 'PLAIN' });
    store.reserve({ iccid: b, matchingId: 'WITH-CC', confirmationCode: '2468' });
    const smdp = await startSmdp({ store });
    try {
      const [ra, rb] = await Promise.all([
        download(smdp.address, 'PLAIN'),
        download(smdp.address, 'WITH-CC', '2468'),
      ]);
      expect([ra.iccid, rb.iccid]).toEqual([a, b]);
      expect(store.list().map((p) => p.state)).toEqual(['installed', 'installed']);
    } finally {
      await smdp.close();
    }
  });
});
