// The ES9+ HTTPS server (host/smdp/server.ts) on a real loopback socket: each malformed request gets the
// answer SGP.22 §6.5.1 / osmo-smdpp give it (a Failed functionExecutionStatus with its status code, or the
// HTTP status for a wrong path, method or size) and never reaches the SM-DP+ core; the server keeps
// serving. The ES9+ client refuses a server that is not the SM-DP+ the activation code names.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ber } from '../../card-os/tlv.js';
import { Lpa } from '../../host/euicc/lpa.js';
import { es9Post } from '../../host/smdp/es9-client.js';
import { type Es9Handler, type Es9Server, startEs9Server } from '../../host/smdp/server.js';
import { type SmdpService, startSmdp } from '../../host/smdp/service.js';
import { SmdpStore } from '../../host/smdp/store.js';
import { testCiPem } from '../../host/smdp/tls-pki.js';
import { embeddedTransport } from '../../host/transport/embedded.js';
import { newEuicc } from '../euicc/support.js';

// Bad requests must be refused before the core: any call reaching it fails the test.
const reached: string[] = [];
const unreachable = new Proxy({} as Es9Handler, {
  get: (_t, fn) => async () => {
    reached.push(String(fn));
    throw new Error(`${String(fn)} must not be reached`);
  },
});

interface Answer {
  status: number;
  body: string;
  json?: {
    header?: { functionExecutionStatus?: { status: string; statusCodeData?: Record<string, string> } };
  };
}

function post(
  port: number,
  path: string,
  body: string | Buffer,
  headers: Record<string, string>,
  method = 'POST',
) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port,
        path,
        method,
        ca: testCiPem(),
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Answer['json'];
          try {
            json = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, body: text, json });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

const GOOD = { 'Content-Type': 'application/json', 'X-Admin-Protocol': 'gsma/rsp/v2.2.2' };
const PATH = '/gsma/rsp2/es9plus/authenticateClient';
const code = (a: Answer) => {
  const s = a.json?.header?.functionExecutionStatus;
  return `${s?.status} ${s?.statusCodeData?.subjectCode}/${s?.statusCodeData?.reasonCode}`;
};

describe('ES9+ server: malformed requests', () => {
  let server: Es9Server;
  beforeAll(async () => {
    server = await startEs9Server({ handler: unreachable, maxBody: 4096 });
  });
  afterAll(() => server.close());

  it('wrong Content-Type: Failed 1.2.1/2.1', async () => {
    const a = await post(server.port, PATH, '{}', { ...GOOD, 'Content-Type': 'text/plain' });
    expect(a.status).toBe(200);
    expect(code(a)).toBe('Failed 1.2.1/2.1');
  });

  it('missing or foreign X-Admin-Protocol: Failed 1.2.2/2.1', async () => {
    const missing = await post(server.port, PATH, '{}', { 'Content-Type': 'application/json' });
    expect(code(missing)).toBe('Failed 1.2.2/2.1');
    const foreign = await post(server.port, PATH, '{}', { ...GOOD, 'X-Admin-Protocol': 'gsma/rsp/v9.0.0' });
    expect(code(foreign)).toBe('Failed 1.2.2/2.1');
    expect(foreign.json?.header?.functionExecutionStatus?.statusCodeData?.message).toContain('v9.0.0');
  });

  it('a body that is not a JSON object: Failed 1.3.1/2.1', async () => {
    for (const body of ['{', '[1,2]', '"x"', 'null', '\xff\xfe']) {
      const a = await post(server.port, PATH, body, GOOD);
      expect(a.status, body).toBe(200);
      expect(code(a), body).toBe('Failed 1.3.1/2.1');
    }
  });

  it('an oversized body: 413, unread; a wrong path 404; a GET 405', async () => {
    const big = await post(server.port, PATH, Buffer.alloc(100_000, 0x20), GOOD);
    expect(big.status).toBe(413);
    expect(big.json?.header?.functionExecutionStatus?.status).toBe('Failed');
    expect((await post(server.port, '/gsma/rsp2/es9plus/deleteEverything', '{}', GOOD)).status).toBe(404);
    expect((await post(server.port, '/', '{}', GOOD)).status).toBe(404);
    expect((await post(server.port, PATH, '', GOOD, 'GET')).status).toBe(405);
  });

  it('an exception in the core is a 500 with a Failed header; the server keeps serving', async () => {
    const a = await post(server.port, PATH, '{"transactionId":"00"}', GOOD);
    expect(a.status).toBe(500);
    expect(a.json?.header?.functionExecutionStatus?.status).toBe('Failed');
    expect(a.body).not.toContain('must not be reached'); // no internals to the client
    expect(reached).toEqual(['authenticateClient']);
    const again = await post(server.port, PATH, '{', GOOD);
    expect(code(again)).toBe('Failed 1.3.1/2.1');
  });
});

describe('ES9+ client: the SM-DP+ must be who the activation code names', () => {
  let server: Es9Server;
  beforeAll(async () => {
    server = await startEs9Server({ handler: unreachable, name: 'smdp.test.example' });
  });
  afterAll(() => server.close());

  it('checks the certificate name and the trust anchor; says why a connection fails', async () => {
    const call = (o: Parameters<typeof es9Post>[0]) =>
      es9Post({ timeoutMs: 5000, ...o }, 'initiateAuthentication', {}).then(
        () => 'ok',
        (e: Error) => e.message,
      );
    // the right name (resolved to loopback): reaches the server, which answers 1.3.1 on an empty request
    const ok = await es9Post(
      { smdpAddress: `smdp.test.example:${server.port}`, connectTo: '127.0.0.1' },
      'initiateAuthentication',
      [] as unknown as Record<string, unknown>,
    );
    expect(ok.header?.functionExecutionStatus?.statusCodeData?.subjectCode).toBe('1.3.1');
    expect(await call({ smdpAddress: `other.example:${server.port}`, connectTo: '127.0.0.1' })).toContain(
      'TLS certificate is not for other.example',
    );
    const foreignCa = (await import('../../host/smdp/tls-pki.js')).dpTlsCredentials('x.example').cert;
    expect(
      await call({ smdpAddress: `smdp.test.example:${server.port}`, connectTo: '127.0.0.1', ca: foreignCa }),
    ).toContain('does not chain to the trusted CI');
    const closed = await startEs9Server({ handler: unreachable });
    await closed.close();
    expect(await call({ smdpAddress: `localhost:${closed.port}` })).toContain('connection refused');
  });
});

describe('ES9+ server in front of the SM-DP+ core', () => {
  let dir: string;
  let smdp: SmdpService;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smdp-server-'));
    smdp = await startSmdp({ store: SmdpStore.open(join(dir, 'state.json')) });
  });
  afterAll(async () => {
    await smdp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an unknown transactionId: Failed 8.10.1/3.9 for every function that takes one', async () => {
    for (const [fn, body] of [
      [
        'authenticateClient',
        { transactionId: '00112233445566778899AABBCCDDEEFF', authenticateServerResponse: 'vzgA' },
      ],
      [
        'getBoundProfilePackage',
        { transactionId: '00112233445566778899AABBCCDDEEFF', prepareDownloadResponse: 'vyEA' },
      ],
    ] as const) {
      const a = await post(smdp.port, `/gsma/rsp2/es9plus/${fn}`, JSON.stringify(body), GOOD);
      expect(a.status, fn).toBe(200);
      expect(code(a), fn).toBe('Failed 8.10.1/3.9');
    }
  });

  it('initiateAuthentication for another SM-DP+ address: Failed 8.8.1/3.8; its own address opens a session', async () => {
    // EUICCInfo1 of the default eUICC (ES10b GetEUICCInfo1, BF20), as an LPA sends it.
    const t = embeddedTransport(newEuicc());
    await t.reset();
    const lpa = await Lpa.open(t);
    const info1 = Buffer.from(await lpa.send(ber(0xbf20))).toString('base64');
    await lpa.close();
    const body = (smdpAddress: string) =>
      JSON.stringify({
        smdpAddress,
        euiccChallenge: Buffer.alloc(16, 7).toString('base64'),
        euiccInfo1: info1,
      });
    const path = '/gsma/rsp2/es9plus/initiateAuthentication';
    expect(code(await post(smdp.port, path, body('other.example'), GOOD))).toBe('Failed 8.8.1/3.8');
    const ok = await post(smdp.port, path, body(smdp.address), GOOD);
    expect(ok.json?.header?.functionExecutionStatus?.status).toBe('Executed-Success');
    expect((ok.json as { transactionId?: string }).transactionId).toMatch(/^[0-9A-F]{32}$/i);
  });
});
