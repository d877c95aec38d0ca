// `uicc smsc serve` as people run it (the built CLI in a child process): a card changed over SMPP keeps
// its change in its card image across a restart (served then from `--cards DIR` alone), and a card the
// config starts powered off gets the message accepted, then an EXPIRED receipt.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { OtaServer } from '../../host/ota/ota-server.js';
import { deliverOtaSmpp } from '../../host/ota/smpp-delivery.js';
import { parseReceiptText } from '../../host/smsc/receipt.js';
import { type Gate, needs } from '../pcsc-bridge/support.js';
import { ROOT } from '../support/cli.js';
import { stopProcess } from './kannel-harness.js';
import { esmeTo, imsiUpdate, NEW_IMSI } from './support.js';

const BIN = join(ROOT, 'bin', 'uicc.js');
const builtGate: Gate = existsSync(join(ROOT, 'dist', 'host', 'cli', 'main.js'))
  ? { ok: true }
  : { ok: false, reason: 'the CLI is not built (npm run build)' };

async function serve(args: string[]): Promise<{ p: ChildProcess; port: number; out: string[] }> {
  const out: string[] = [];
  const p = spawn('node', [BIN, 'smsc', 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
  p.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
  p.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
  const end = Date.now() + 15_000;
  for (;;) {
    const m = /SMPP on 127\.0\.0\.1:(\d+)/.exec(out.join(''));
    if (m) return { p, port: Number(m[1]), out };
    if (Date.now() > end || p.exitCode !== null) throw new Error(`smsc serve did not start: ${out.join('')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.sequential('uicc smsc serve (child process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'uicc-smsc-serve-'));
  const procs: ChildProcess[] = [];
  afterAll(async () => {
    for (const p of procs) await stopProcess(p);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a card change in its image across a restart; a powered-off card expires', async (ctx) => {
    needs(ctx, builtGate);
    const cfg = join(dir, 'smsc.yaml');
    writeFileSync(
      cfg,
      'accounts:\n  - { systemId: esme1, password: secret }\nfirstMsisdn: "4420000"\npoweredOff: ["4420001"]\nretrySeconds: 0.3\n',
    );
    const cards = join(dir, 'cards');
    const first = await serve(['--count', '2', '--config', cfg, '--cards', cards]);
    procs.push(first.p);
    expect(first.out.join('')).toContain('2 card(s), MSISDN 4420000..4420001');
    const esme = await esmeTo(first.port);
    const ota = new OtaServer();
    const r = await deliverOtaSmpp(esme, ota, imsiUpdate(0x19), { msisdn: '4420000' });
    expect(r.por).toMatchObject({ ok: true, status: 0 });
    const id = await esme.submit({
      sourceAddr: '1',
      destinationAddr: '4420001',
      esmClass: 0x40,
      protocolId: 0x7f,
      dataCoding: 0xf6,
      registeredDelivery: 1,
      shortMessage: fromHex('027000'),
    });
    const receipt = await esme.nextDeliver((p) => (Number(p.body.esmClass) & 0x3c) === 4, 5000);
    expect(parseReceiptText(receipt.body.shortMessage as Bytes)).toMatchObject({ id, stat: 'EXPIRED' });
    await esme.close();
    await stopProcess(first.p, 'SIGTERM');
    expect(first.out.join('')).toMatch(/stopped; 2 submitted, 1 delivered, 1 failed/);

    // Only the card that ran has an image; served from the directory alone, it still has the new IMSI.
    const cfg2 = join(dir, 'smsc2.yaml');
    writeFileSync(cfg2, 'accounts:\n  - { systemId: esme1, password: secret }\npoweredOff: ["4420001"]\n');
    const refused = await serve(['--cards', cards, '--config', cfg2]).catch((e: Error) => e.message);
    expect(refused).toContain('smsc2.yaml: poweredOff: no card has MSISDN 4420001');
    writeFileSync(cfg2, 'accounts:\n  - { systemId: esme1, password: secret }\n');
    const second = await serve(['--cards', cards, '--config', cfg2]);
    procs.push(second.p);
    expect(second.out.join('')).toContain('1 card(s), MSISDN 4420000;');
    const esme2 = await esmeTo(second.port);
    const read = { ...imsiUpdate(0x19), script: fromHex('00A40004026F0700B0000009') };
    const again = await deliverOtaSmpp(esme2, ota, read, { msisdn: '4420000' });
    expect(again.por?.ok && toHex(again.por.data)).toBe(`029000${NEW_IMSI}`);
    await esme2.close();
    await stopProcess(second.p, 'SIGTERM');
  }, 60_000);

  it('says what is wrong in the config, with file:line, and exits 2', async (ctx) => {
    needs(ctx, builtGate);
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, 'accounts:\n  - systemId: esme1\n    password: 123456789\n');
    const p = spawn('node', [BIN, 'smsc', 'serve', '--port', '0', '--config', cfg], {
      cwd: ROOT,
      timeout: 30_000,
    });
    procs.push(p);
    let err = '';
    p.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise((r) => p.once('exit', r));
    expect(code).toBe(2);
    expect(err).toMatch(/bad\.yaml:3: accounts\.0\.password/);
    expect(err).not.toMatch(/\n\s+at /);
  });
});
