// Kannel as the independent ESME: its bearerbox binds to `uicc smsc serve` (SMPP v3.4 bind_transceiver), a
// secured RFM packet sent through Kannel's HTTP sendsms (8-bit, class 2, PID 7F, UDH 02 70 00; TS 31.115)
// rewrites EF.IMSI on an emulated card, and the PoR (response packet after UDH 02 71 00) comes back to
// Kannel as deliver_sm and reaches its SMS service (this test's HTTP server), with the delivery report.
// tshark then decodes the SMSC's pcap of the SMPP traffic as SMPP without a malformed packet.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSmsDeliver } from '../../applets/ota/sms-tpdu.js';
import { type Bytes, concat, toHex } from '../../card-os/bytes.js';
import { openCard } from '../../host/card-factory.js';
import { OtaServer } from '../../host/ota/ota-server.js';
import { type Gate, needs, toolGate } from '../pcsc-bridge/support.js';
import { ROOT } from '../support/cli.js';
import { PIN1, tx } from '../support/uicc.js';
import {
  BEARERBOX,
  freePort,
  SENDSMS_USER,
  SMSBOX,
  startBox,
  stopProcess,
  writeKannelConf,
} from './kannel-harness.js';
import { imsiUpdate, NEW_IMSI } from './support.js';

const run = promisify(execFile);
const BIN = join(ROOT, 'bin', 'uicc.js');
const CARD = '999010000001';

const kannelGate: Gate =
  existsSync(BEARERBOX) && existsSync(SMSBOX)
    ? { ok: true }
    : { ok: false, reason: 'Kannel is not installed (apt-get install kannel)' };
const tsharkGate = await toolGate('tshark', ['--version'], 'tshark');
const builtGate: Gate = existsSync(join(ROOT, 'dist', 'host', 'cli', 'main.js'))
  ? { ok: true }
  : { ok: false, reason: 'the CLI is not built (npm run build)' };

/** Percent-decoding to bytes (URLSearchParams would decode as UTF-8 and spoil binary data). */
function queryBytes(rawQuery: string): Map<string, Bytes> {
  const out = new Map<string, Bytes>();
  for (const kv of rawQuery.split('&')) {
    const i = kv.indexOf('=');
    const key = i < 0 ? kv : kv.slice(0, i);
    const v = i < 0 ? '' : kv.slice(i + 1);
    const bytes: number[] = [];
    for (let j = 0; j < v.length; j++) {
      if (v[j] === '%' && j + 2 < v.length + 0 && /^[0-9a-fA-F]{2}$/.test(v.slice(j + 1, j + 3))) {
        bytes.push(Number.parseInt(v.slice(j + 1, j + 3), 16));
        j += 2;
      } else bytes.push(v[j] === '+' ? 0x20 : v.charCodeAt(j) & 0xff);
    }
    out.set(key, Uint8Array.from(bytes));
  }
  return out;
}

const pct = (b: Bytes) => [...b].map((x) => `%${x.toString(16).padStart(2, '0').toUpperCase()}`).join('');
const text = (b: Bytes | undefined) => (b ? new TextDecoder('latin1').decode(b) : '');

/** Waits until `check` returns a value, polling. */
async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  ms: number,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.sequential('Kannel -> uicc smsc serve -> card -> PoR -> Kannel SMS service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'uicc-kannel-'));
  const pcap = join(dir, 'smpp.pcap');
  let smsc: ChildProcess | undefined;
  let bearerbox: ChildProcess | undefined;
  let smsbox: ChildProcess | undefined;
  let http: Server | undefined;
  let smscPort = 0;
  const smscOut: string[] = [];
  const hits: { path: string; q: Map<string, Bytes> }[] = [];
  // One OTA server for both messages: its counter book sends a higher CNTR the second time (SPI1 16).
  const server = new OtaServer();
  const ready = kannelGate.ok && tsharkGate.ok && builtGate.ok;

  beforeAll(async () => {
    if (!ready) return;
    writeFileSync(
      join(dir, 'smsc.yaml'),
      'accounts:\n  - systemId: esme1\n    password: secret\nfirstMsisdn: "999010000000"\n',
    );
    smsc = spawn(
      'node',
      [
        BIN,
        'smsc',
        'serve',
        '--port',
        '0',
        '--count',
        '3',
        '--config',
        join(dir, 'smsc.yaml'),
        '--cards',
        join(dir, 'cards'),
        '--pcap',
        pcap,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, killSignal: 'SIGKILL' },
    );
    smsc.stdout!.on('data', (d: Buffer) => smscOut.push(...d.toString().split('\n')));
    smsc.stderr!.on('data', (d: Buffer) => smscOut.push(d.toString()));
    smscPort = await until(
      'the SMSC to listen',
      () => {
        const m = /SMPP on 127\.0\.0\.1:(\d+)/.exec(smscOut.join('\n'));
        return m ? Number(m[1]) : undefined;
      },
      15_000,
    );
    http = createServer((req, res) => {
      const [path, query] = (req.url ?? '').split('?');
      hits.push({ path: path!, q: queryBytes(query ?? '') });
      res.end('');
    });
    const httpPort = await new Promise<number>((r) =>
      http!.listen(0, '127.0.0.1', () => r((http!.address() as { port: number }).port)),
    );
    const ports = { admin: await freePort(), smsbox: await freePort(), sendsms: await freePort() };
    const conf = writeKannelConf({
      dir,
      ports,
      smscPort,
      systemId: 'esme1',
      password: 'secret',
      moUrl: `http://127.0.0.1:${httpPort}/mo`,
    });
    bearerbox = startBox(BEARERBOX, conf, 120_000);
    await until(
      'bearerbox to bind',
      () => (smscOut.some((l) => l.includes('(esme1): bound as transceiver')) ? true : undefined),
      20_000,
    );
    smsbox = startBox(SMSBOX, conf, 120_000);
    (globalThis as { sendsmsPort?: number }).sendsmsPort = ports.sendsms;
  }, 60_000);

  afterAll(async () => {
    await stopProcess(smsbox);
    await stopProcess(bearerbox);
    await stopProcess(smsc, 'SIGTERM');
    await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [label, spi2] of [
    ['PoR in the SMS-DELIVER-REPORT', 0x19],
    ['PoR by SMS-SUBMIT', 0x39],
  ] as const)
    it(`updates EF.IMSI through Kannel sendsms and returns the PoR to its SMS service (${label})`, async (ctx) => {
      needs(ctx, kannelGate, tsharkGate, builtGate);
      hits.length = 0;
      const sendsmsPort = (globalThis as { sendsmsPort?: number }).sendsmsPort!;
      const prepared = server.prepare(imsiUpdate(spi2));
      expect(prepared.tpdus).toHaveLength(1);
      const ud = decodeSmsDeliver(prepared.tpdus[0]!)!.ud;
      const udh = ud.subarray(0, 1 + ud[0]!);
      expect(toHex(udh)).toBe('027000');
      const dlrUrl = encodeURIComponent(
        `http://127.0.0.1:${(http!.address() as { port: number }).port}/dlr?type=%d`,
      );
      const url =
        `http://127.0.0.1:${sendsmsPort}/cgi-bin/sendsms?username=${SENDSMS_USER.username}&password=${SENDSMS_USER.password}` +
        `&from=12345&to=${CARD}&smsc=emu&coding=1&mclass=2&pid=127&udh=${pct(udh)}&text=${pct(ud.subarray(udh.length))}` +
        `&dlr-mask=3&dlr-url=${dlrUrl}`;
      const answer = await until(
        'sendsms to accept',
        async () => {
          try {
            const r = await fetch(url);
            const body = await r.text();
            return body.includes('Accepted') ? body : undefined;
          } catch {
            return undefined; // smsbox not listening yet
          }
        },
        20_000,
      );
      expect(answer).toMatch(/^0: Accepted/);
      const mo = await until('the PoR at the SMS service', () => hits.find((h) => h.path === '/mo'), 20_000);
      expect(text(mo.q.get('from'))).toContain(CARD);
      expect(toHex(mo.q.get('udh')!)).toBe('027100');
      const por = server.readPorFromEnvelopeResponse(
        prepared.expect,
        concat(mo.q.get('udh')!, mo.q.get('binary')!),
      );
      expect(por).toMatchObject({ ok: true, status: 0, secured: true });
      if (por.ok) expect(toHex(por.data)).toBe(`039000${NEW_IMSI}`);
      const dlr = await until('the delivery report', () => hits.find((h) => h.path === '/dlr'), 20_000);
      expect(text(dlr.q.get('type'))).toBe('1'); // Kannel DLR type 1: delivered to the phone
    }, 90_000);

  it('kept the change in the card image and the SMPP pcap decodes without malformed packets', async (ctx) => {
    needs(ctx, kannelGate, tsharkGate, builtGate);
    await stopProcess(smsbox);
    await stopProcess(bearerbox);
    await stopProcess(smsc, 'SIGTERM');
    expect(smscOut.join('\n')).toMatch(/stopped; 2 submitted, 2 delivered, 0 failed/);
    const card = openCard({ card: join(dir, 'cards', `${CARD}.card`) }).card;
    tx(card, '00A4040C07A0000000871002');
    tx(card, `0020000108${PIN1}`);
    expect(tx(card, '00B0870009').data).toBe(NEW_IMSI);

    const decode = ['-r', pcap, '-d', `tcp.port==${smscPort},smpp`];
    const fields = await run('tshark', [
      ...decode,
      '-Y',
      'smpp',
      '-T',
      'fields',
      '-e',
      'smpp.command_id',
      '-e',
      'smpp.command_status',
      '-e',
      'smpp.data_coding',
      '-e',
      'smpp.protocol_id',
    ]);
    const rows = fields.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const ids = rows.flatMap((r) => r[0]!.split(','));
    for (const id of ['0x00000009', '0x80000009', '0x00000004', '0x80000004', '0x00000005', '0x80000005'])
      expect(ids).toContain(id);
    // The submit_sm Kannel built: 8-bit class 2 (F6), PID 7F.
    expect(rows.some((r) => r[0] === '0x00000004' && r[2] === '0xf6' && r[3] === '0x7f')).toBe(true);
    // The bind password never reaches the capture (masked, same length).
    const pw = await run('tshark', [
      ...decode,
      '-Y',
      'smpp.command_id == 0x00000009',
      '-T',
      'fields',
      '-e',
      'smpp.password',
    ]);
    expect(pw.stdout.trim()).toBe('******');
    const bad = await run('tshark', [...decode, '-Y', '_ws.malformed || _ws.expert.severity >= "error"']);
    expect(bad.stdout.trim()).toBe('');
  }, 60_000);
});
