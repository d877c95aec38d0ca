// The LPA's side of ES9+ (SGP.22 §6.5): POST the JSON bodies over HTTPS to the SM-DP+ named by the
// activation code. The server must present a certificate chaining to the CI the LPA trusts (the eUICC test
// CI of host/euicc/test-pki.ts, through CERT.DPtls) for the SM-DP+ host name (SGP.22 §2.6.6.1); there is
// no fallback to plain HTTP and no way to turn the check off. Every call has a timeout.

import { Agent, request } from 'node:https';
import { isIP } from 'node:net';
import { ADMIN_PROTOCOL, ES9_PATH, type Es9Body, type Es9Function, USER_AGENT } from './es9-json.js';
import { testCiPem } from './tls-pki.js';
import type { Es9Functions } from './types.js';

export interface Es9ClientOptions {
  /** host[:port] from the activation code (or the eUICC's default SM-DP+ address). */
  smdpAddress: string;
  /** PEM of the TLS trust anchor (default: the test CI). */
  ca?: string;
  /** Per request, milliseconds (default 30 s). */
  timeoutMs?: number;
  /** Connect to this IP instead of resolving the host name (the certificate is still checked for the name). */
  connectTo?: string;
  /** Largest answer accepted (default 16 MiB: a bound profile package is tens of KiB). */
  maxResponse?: number;
  /** Keeps the TLS connection between the functions of one download (createEs9Client sets one). */
  agent?: Agent;
}

/** ES9+ failed below the protocol: no connection, TLS refused, HTTP error, not JSON. Says which. */
export class Es9TransportError extends Error {}

/** POSTs one ES9+ function; resolves with the JSON answer (a 204 becomes a bare Executed-Success header). */
export function es9Post(
  o: Es9ClientOptions,
  fn: Es9Function,
  body: Record<string, unknown>,
): Promise<Es9Body> {
  const m = /^([^:]+)(?::(\d+))?$/.exec(o.smdpAddress);
  if (!m)
    return Promise.reject(new Es9TransportError(`SM-DP+ address "${o.smdpAddress}" is not host[:port]`));
  const host = m[1]!;
  const port = m[2] ? Number(m[2]) : 443;
  const text = JSON.stringify(body);
  const max = o.maxResponse ?? 16 * 1024 * 1024;
  const where = `https://${o.smdpAddress}${ES9_PATH}${fn}`;
  return new Promise<Es9Body>((resolve, reject) => {
    const fail = (msg: string) => reject(new Es9TransportError(`${where}: ${msg}`));
    const req = request(
      {
        host: o.connectTo ?? host,
        // SNI carries host names only (RFC 6066 §3); the certificate is still checked against an IP address.
        ...(isIP(host) ? {} : { servername: host }),
        port,
        method: 'POST',
        path: `${ES9_PATH}${fn}`,
        ca: o.ca ?? testCiPem(),
        headers: {
          Host: o.smdpAddress,
          'User-Agent': USER_AGENT,
          'X-Admin-Protocol': ADMIN_PROTOCOL,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(text),
        },
        timeout: o.timeoutMs ?? 30_000,
        agent: o.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let n = 0;
        res.on('data', (c: Buffer) => {
          n += c.length;
          if (n > max) {
            req.destroy();
            fail(`answer larger than ${max} bytes`);
          } else chunks.push(c);
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const raw = Buffer.concat(chunks, n).toString('utf8');
          if (status === 204)
            return resolve({ header: { functionExecutionStatus: { status: 'Executed-Success' } } });
          let json: unknown;
          try {
            json = raw ? JSON.parse(raw) : undefined;
          } catch {
            json = undefined;
          }
          const parsed = json as Es9Body | undefined;
          if (parsed?.header?.functionExecutionStatus?.status) return resolve(parsed);
          fail(
            status === 200
              ? 'answer has no header.functionExecutionStatus'
              : `HTTP ${status} ${res.statusMessage ?? ''}`.trim(),
          );
        });
        res.on('error', (e) => fail(e.message));
      },
    );
    req.on('timeout', () => {
      req.destroy();
      fail(`no answer within ${(o.timeoutMs ?? 30_000) / 1000} s`);
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'ECONNREFUSED'
          ? 'connection refused (is the SM-DP+ running?)'
          : e.code === 'ERR_TLS_CERT_ALTNAME_INVALID'
            ? `the server's TLS certificate is not for ${host}`
            : e.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
                e.code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
                e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
                e.code === 'CERT_SIGNATURE_FAILURE'
              ? `the server's TLS certificate does not chain to the trusted CI (${e.code})`
              : e.code === 'ENOTFOUND'
                ? `host name ${host} not found`
                : `${e.code ?? ''} ${e.message}`.trim();
      fail(why);
    });
    req.end(text);
  });
}

/** An ES9+ client: the five functions as async methods (the Es9Client of host/euicc/download.ts). */
export function createEs9Client(opts: Es9ClientOptions): Es9Functions {
  // One connection for the session's requests (HTTP/1.1 keep-alive, SGP.22 §6.5.1 leaves it to HTTP): one
  // TLS handshake per download instead of one per function. Idle sockets do not keep the process alive.
  const o = { ...opts, agent: opts.agent ?? new Agent({ keepAlive: true, maxSockets: 1, timeout: 30_000 }) };
  // The answer is the server's JSON as is (checked to carry a functionExecutionStatus); the LPA reads
  // its fields. One POST serves the five request/response shapes.
  type Call = (body: object) => Promise<never>;
  const call = (fn: Es9Function): Call =>
    ((body: object) => es9Post(o, fn, body as Record<string, unknown>)) as Call;
  return {
    initiateAuthentication: call('initiateAuthentication'),
    authenticateClient: call('authenticateClient'),
    getBoundProfilePackage: call('getBoundProfilePackage'),
    handleNotification: call('handleNotification'),
    cancelSession: call('cancelSession'),
  };
}
