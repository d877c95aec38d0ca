// The SM-DP+ as an HTTPS server: ES9+ (SGP.22 §6.5) in front of the protocol core (host/smdp/core.ts).
// POST https://<SM-DP+ address>/gsma/rsp2/es9plus/<function> with a JSON body; the answer is JSON with
// header.functionExecutionStatus (SGP.22 §6.5.1.4), or 204 No Content for a handled notification.
//
// How each bad request is answered (the function-level errors keep HTTP 200 so an LPA reads the status
// code from the JSON, as osmo-smdpp and lpac do):
//   wrong Content-Type                   200, Failed 1.2.1 / 2.1
//   missing or foreign X-Admin-Protocol  200, Failed 1.2.2 / 2.1
//   body not a JSON object               200, Failed 1.3.1 / 2.1
//   anything the core refuses            200, the core's status (e.g. 8.10.1 / 3.9 unknown transactionId)
//   unknown path 404, another method than POST 405, body over the cap 413 (each with a Failed header)
//   an exception in the core             500, Failed header; the server keeps running
// TLS: CERT.DPtls for the SM-DP+ host name under the test CI (host/smdp/tls-pki.ts).

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  ADMIN_PROTOCOL,
  ES9_FUNCTIONS,
  ES9_PATH,
  type Es9Body,
  type Es9Function,
  failed,
} from './es9-json.js';
import { dpTlsCredentials } from './tls-pki.js';
import type { Es9Functions } from './types.js';

/** The five ES9+ functions taking and returning the JSON bodies: the SM-DP+ core (host/smdp/core.ts). */
export type Es9Handler = Es9Functions;

export interface Es9ServerOptions {
  handler: Es9Handler;
  /** The SM-DP+ host name: CERT.DPtls is issued for it (default localhost). */
  name?: string;
  /** Listen address (default 127.0.0.1: loopback only) and port (0 = a free one). */
  host?: string;
  port?: number;
  /** Largest request body accepted, bytes (default 256 KiB: an AuthenticateServerResponse is a few KiB). */
  maxBody?: number;
  /** One line per request or problem, for `uicc smdp serve`. */
  log?: (line: string) => void;
}

export interface Es9Server {
  port: number;
  /** host[:port] as activation codes name it. */
  address: string;
  close(): Promise<void>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function send(res: ServerResponse, status: number, body?: Es9Body): void {
  if (res.headersSent) return;
  res.setHeader('X-Admin-Protocol', ADMIN_PROTOCOL);
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Reads the body up to `max` bytes; undefined when it is larger. The rest of a larger body is discarded
 * unread (not kept), so the client can finish sending and read the 413; requestTimeout bounds it.
 */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const tooBig = () => {
      req.removeAllListeners('data');
      req.resume();
      resolve(undefined);
    };
    if (Number(req.headers['content-length'] ?? 0) > max) return tooBig();
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > max) tooBig();
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, n)));
    req.on('error', reject);
  });
}

/** The ES9+ answer to one request (status and JSON); never throws. */
export async function handleEs9(
  o: Pick<Es9ServerOptions, 'handler' | 'maxBody' | 'log'>,
  req: IncomingMessage,
): Promise<{ status: number; body?: Es9Body; fn?: string }> {
  const url = req.url ?? '';
  const fn = url.startsWith(ES9_PATH) ? url.slice(ES9_PATH.length) : undefined;
  if (!fn || !(ES9_FUNCTIONS as readonly string[]).includes(fn))
    return { status: 404, body: failed('1.3.1', '2.1', `no ES9+ function at ${url.slice(0, 100)}`) };
  if (req.method !== 'POST')
    return { status: 405, fn, body: failed('1.3.1', '2.1', `${req.method} is not allowed; ES9+ uses POST`) };
  const max = o.maxBody ?? 256 * 1024;
  const raw = await readBody(req, max).catch(() => undefined);
  if (!raw) return { status: 413, fn, body: failed('1.3.1', '2.1', `request body larger than ${max} bytes`) };
  // SGP.22 §6.5.1.1: Content-Type application/json (a charset parameter is allowed).
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\s*(;|$)/i.test(type))
    return {
      status: 200,
      fn,
      body: failed('1.2.1', '2.1', `invalid Content-Type header "${type.slice(0, 60)}"`),
    };
  // SGP.22 §6.5.1.1: X-Admin-Protocol gsma/rsp/v<x.y.z>; this SM-DP+ speaks the v2 protocol.
  const admin = String(req.headers['x-admin-protocol'] ?? '');
  if (!/^gsma\/rsp\/v2\.\d+\.\d+$/.test(admin))
    return {
      status: 200,
      fn,
      body: failed(
        '1.2.2',
        '2.1',
        `unsupported X-Admin-Protocol "${admin.slice(0, 60)}" (expected gsma/rsp/v2.x.y)`,
      ),
    };
  let request: unknown;
  try {
    request = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    return {
      status: 200,
      fn,
      body: failed('1.3.1', '2.1', `request body is not JSON (${(e as Error).message})`),
    };
  }
  if (!isObject(request))
    return { status: 200, fn, body: failed('1.3.1', '2.1', 'request body is not a JSON object') };
  try {
    // The core checks each field of its request (SGP.22 §6.5.2) and answers with a status code.
    const call = o.handler[fn as Es9Function] as (r: unknown) => Promise<Es9Body | undefined>;
    const answer = await call.call(o.handler, request);
    const status = answer?.header?.functionExecutionStatus?.status;
    // SGP.22 §6.5.2.4: a handled notification is answered 204 with no body.
    if (fn === 'handleNotification' && (!answer || status === 'Executed-Success')) return { status: 204, fn };
    if (!isObject(answer) || !status) throw new Error('the SM-DP+ core gave no functionExecutionStatus');
    return { status: 200, fn, body: answer };
  } catch (e) {
    o.log?.(`${fn}: internal error: ${(e as Error).message}`);
    return { status: 500, fn, body: failed('1.2', '4.2', 'internal error of the SM-DP+') };
  }
}

/** Starts the ES9+ HTTPS server; resolves once it listens. */
export async function startEs9Server(o: Es9ServerOptions): Promise<Es9Server> {
  const name = o.name ?? 'localhost';
  const tls = dpTlsCredentials(name);
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    handleEs9(o, req)
      .then(({ status, body, fn }) => {
        const st = body?.header?.functionExecutionStatus;
        o.log?.(
          `${fn ?? req.url?.slice(0, 60)} -> ${status}${st ? ` ${st.status}` : ''}${st?.statusCodeData ? ` ${st.statusCodeData.subjectCode}/${st.statusCodeData.reasonCode}` : ''}`,
        );
        if (status === 413) res.setHeader('Connection', 'close');
        if (status === 405) res.setHeader('Allow', 'POST');
        send(res, status, body);
      })
      .catch(() => send(res, 500, failed('1.2', '4.2', 'internal error of the SM-DP+')));
  });
  // Slow or broken clients must not hold the server: a whole request within 30 s, idle sockets closed.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.on('tlsClientError', (e) => o.log?.(`TLS: ${e.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    address: port === 443 ? name : `${name}:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
