// A real Osmocom HLR as the network: osmo-hlr generates the vectors, the emulated card authenticates with
// them over our GSUP client; a forced synchronisation failure is resolved by osmo-hlr from the card's AUTS.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMilenage } from '../../applets/aka/milenage.js';
import { fromHex, readUintBE, xor } from '../../card-os/bytes.js';
import { openCard } from '../../host/card-factory.js';
import { main } from '../../host/cli/main.js';
import { attach, type NetworkVector, selectUsim } from '../../host/network/attach.js';
import { createAuc } from '../../host/network/auc.js';
import { connectGsup, type GsupClient, hlrVectorSource } from '../../host/network/gsup-client.js';
import { embeddedTransport } from '../../host/transport/embedded.js';
import { needs, toolGate } from '../pcsc-bridge/support.js';
import { type OsmoHlr, startOsmoHlr } from './osmo-hlr-harness.js';

// The default profile's subscriber (TS 35.208 test set 1 keys), as provisioned in osmo-hlr.
const IMSI = '001010123456789';
const K = '465B5CE8B199B49FAA5F0A2EE238A6BC';
const OPC = 'CD63CB71954A9F4E48A5994E37A02BAF';
const IND_BITS = 5;

const gate = toolGate('osmo-hlr', ['--version'], 'osmo-hlr');

describe('osmo-hlr as the network (GSUP Send Auth Info)', () => {
  let hlr: OsmoHlr | undefined;
  let client: GsupClient | undefined;

  beforeAll(async () => {
    if (!(await gate).ok) return;
    hlr = await startOsmoHlr();
    const out = await hlr.vty(
      `subscriber imsi ${IMSI} create`,
      `subscriber imsi ${IMSI} update aud3g milenage k ${K} opc ${OPC} ind-bitlen ${IND_BITS}`,
      `subscriber imsi ${IMSI} show`,
    );
    expect(out[2]).toContain('MILENAGE');
    client = await connectGsup(hlr.host, hlr.gsupPort, { timeoutMs: 5000 });
  }, 30_000);

  afterAll(async () => {
    client?.close();
    await hlr?.stop();
  });

  it('an unknown IMSI is refused with cause 2 (IMSI unknown in HLR)', async (ctx) => {
    needs(ctx, await gate);
    const a = await client!.sendAuthInfo({ imsi: '001019999999999' });
    expect(a).toMatchObject({ ok: false, cause: 2 });
  });

  it('≥100 authentications with osmo-hlr vectors, one forced resync accepted by osmo-hlr, 0 failures', async (ctx) => {
    needs(ctx, await gate);
    const opened = openCard();
    const t = embeddedTransport(opened.card);
    await selectUsim(t, '1234');
    const src = hlrVectorSource(client!, 5);
    let failures = 0;
    let resyncs = 0;
    let last: NetworkVector | undefined;
    const run = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const r = await attach(t, src, IMSI, (s) => {
          if (s.kind === 'vector') last = s.vector;
        });
        if (!r.ok) failures++;
        if (r.resynced) resyncs++;
      }
    };
    await run(60);
    expect({ failures, resyncs }).toEqual({ failures: 0, resyncs: 0 });

    // The IND osmo-hlr gives this GSUP peer (SQN = SEQ ‖ IND, TS 33.102 Annex C.1.2), read from its AUTN.
    const m = createMilenage({ k: fromHex(K), opc: fromHex(OPC) });
    const sqn = readUintBE(xor(last!.autn.subarray(0, 6), m.f2345(last!.rand).ak));
    const ind = sqn % 2 ** IND_BITS;
    // The card sees a much higher SQN in that IND slot first, from our own AuC (same keys).
    const own = createAuc(
      [
        {
          imsi: IMSI,
          k: fromHex(K),
          opc: fromHex(OPC),
          amf: fromHex('8000'),
          gsm: true,
          indBits: IND_BITS,
          seq: 100_000,
        },
      ],
      { ind },
    );
    expect((await attach(t, own, IMSI)).ok).toBe(true);

    // osmo-hlr's next vector is too old for the card: AUTS, resync through osmo-hlr, success.
    const steps: string[] = [];
    const r = await attach(t, src, IMSI, (s) => steps.push(s.kind));
    expect(steps).toEqual(['vector', 'sync-failure', 'resync', 'vector', 'answer']);
    expect(r).toEqual({ ok: true, resynced: true });
    resyncs++;

    // osmo-hlr stored SQN_MS from the AUTS: its SEQ is now above the card's.
    const show = (await hlr!.vty(`subscriber imsi ${IMSI} show`))[0]!;
    const stored = /SQN=(\d+)/.exec(show);
    expect(stored, show).not.toBeNull();
    expect(Math.floor(Number(stored![1]) / 2 ** IND_BITS)).toBeGreaterThan(100_000);

    await run(50);
    expect({ failures, resyncs }).toEqual({ failures: 0, resyncs: 1 });
  }, 60_000);

  it('uicc auth --hlr: the CLI takes its vectors from osmo-hlr (with --5g: SUCI, SUPI, 5G keys)', async (ctx) => {
    needs(ctx, await gate);
    const lines: string[] = [];
    const spy = vi
      .spyOn(console, 'log')
      .mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    try {
      expect(await main(['auth', '--hlr', `${hlr!.host}:${hlr!.gsupPort}`, '--count', '5'])).toBe(0);
      expect(lines.join('\n')).toContain('5 of 5 authentications succeeded');
      lines.length = 0;
      expect(await main(['auth', '--hlr', `${hlr!.host}:${hlr!.gsupPort}`, '--5g'])).toBe(0);
      const t = lines.join('\n');
      expect(t).toContain('SIDF  SUPI imsi-001010123456789');
      expect(t).toContain('RES = XRES: yes');
      expect(t).toContain('RES* = XRES*: yes');
    } finally {
      spy.mockRestore();
      process.exitCode = undefined;
    }
  });
});
