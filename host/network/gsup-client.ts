// A GSUP client of an Osmocom HLR over TCP (host/network/gsup.ts has the formats): it answers the HLR's
// IPA CCM identity request and its PINGs, and asks for authentication vectors, with AUTS + RAND when the
// card asked for resynchronisation. As a `VectorSource` it lets `attach` authenticate a card with the
// vectors of a real HLR (`uicc auth --hlr HOST:PORT`).

import net from 'node:net';
import type { Bytes } from '../../card-os/bytes.js';
import type { NetworkVector, SourceResync, VectorSource } from './attach.js';
import {
  CCM,
  CCM_TAG,
  causeName,
  ccmIdResponse,
  decodeGsup,
  decodeSendAuthInfoAnswer,
  IPA_OSMO_EXT_GSUP,
  IPA_STREAM,
  ipaFrame,
  ipaParser,
  type SendAuthInfoAnswer,
  type SendAuthInfoRequest,
  sendAuthInfoRequest,
} from './gsup.js';

export interface GsupClientOptions {
  /**
   * IPA serial number / unit name: the HLR's name for this peer, which it routes answers by (and gives its
   * own IND, TS 33.102 Annex C.1.2). Default: unique per process and connection.
   */
  name?: string;
  /** Per request and for the connection, in ms. */
  timeoutMs?: number;
}

export interface GsupClient {
  sendAuthInfo(r: SendAuthInfoRequest): Promise<SendAuthInfoAnswer>;
  close(): void;
}

/** Parses "HOST:PORT" (IPv4 or a name); throws with a readable message. */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port < 1 || port > 65535) throw new Error(`"${text}" is not HOST:PORT`);
  return { host: m[1]!, port };
}

let connections = 0;

export function connectGsup(host: string, port: number, opts: GsupClientOptions = {}): Promise<GsupClient> {
  const name = opts.name ?? `UICC-EMU-${process.pid}-${++connections}`;
  const timeoutMs = opts.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const parse = ipaParser();
    let waiting:
      | { imsi: string; done: (a: SendAuthInfoAnswer) => void; fail: (e: Error) => void }
      | undefined;
    let chain: Promise<unknown> = Promise.resolve();
    let closed = false;
    const connectTimer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`GSUP ${host}:${port}: no IPA identity request within ${timeoutMs} ms`));
    }, timeoutMs);

    const send = (stream: number, payload: Bytes) => socket.write(ipaFrame(stream, payload));

    // Ready once the HLR has our identity: it ignores GSUP from a peer that has not answered ID_GET.
    let identified = false;
    socket.on('error', (e) => {
      clearTimeout(connectTimer);
      closed = true;
      waiting?.fail(new Error(`GSUP ${host}:${port}: ${e.message}`));
      reject(new Error(`GSUP ${host}:${port}: ${e.message}`));
    });
    socket.on('close', () => {
      closed = true;
      waiting?.fail(new Error(`GSUP ${host}:${port}: the HLR closed the connection`));
    });
    socket.on('data', (chunk) => {
      for (const m of parse(new Uint8Array(chunk))) {
        if (m.stream === IPA_STREAM.CCM) {
          if (m.payload[0] === CCM.PING) send(IPA_STREAM.CCM, Uint8Array.of(CCM.PONG));
          else if (m.payload[0] === CCM.ID_GET)
            // The unit id is required (the HLR drops a peer without one); the serial number names the peer.
            send(
              IPA_STREAM.CCM,
              ccmIdResponse([
                { tag: CCM_TAG.SERNR, value: name },
                { tag: CCM_TAG.UNIT, value: '0/0/0' },
                { tag: CCM_TAG.UNITNAME, value: name },
              ]),
            );
          if (m.payload[0] === CCM.ID_GET && !identified) {
            identified = true;
            clearTimeout(connectTimer);
            resolve(client);
          }
          continue;
        }
        if (m.stream !== IPA_STREAM.OSMO || m.payload[0] !== IPA_OSMO_EXT_GSUP) continue;
        const g = decodeGsup(m.payload.subarray(1));
        const a = g && decodeSendAuthInfoAnswer(g);
        if (a && waiting && a.imsi === waiting.imsi) {
          const w = waiting;
          waiting = undefined;
          w.done(a);
        }
      }
    });

    const client: GsupClient = {
      sendAuthInfo(r) {
        // One request in flight: answers carry only the IMSI to match them.
        const run = () =>
          new Promise<SendAuthInfoAnswer>((done, fail) => {
            if (closed) return fail(new Error(`GSUP ${host}:${port}: connection closed`));
            const timer = setTimeout(() => {
              waiting = undefined;
              fail(new Error(`GSUP ${host}:${port}: no answer to SEND AUTH INFO within ${timeoutMs} ms`));
            }, timeoutMs);
            waiting = {
              imsi: r.imsi,
              done: (a) => {
                clearTimeout(timer);
                done(a);
              },
              fail: (e) => {
                clearTimeout(timer);
                fail(e);
              },
            };
            send(IPA_STREAM.OSMO, Uint8Array.of(IPA_OSMO_EXT_GSUP, ...sendAuthInfoRequest(r)));
          });
        const p = chain.then(run, run);
        chain = p.catch(() => {});
        return p;
      },
      close() {
        closed = true;
        socket.destroy();
      },
    };
  });
}

/**
 * Vectors from an HLR for `attach`: fetched `batch` at a time and used in order; a resynchronisation
 * sends AUTS + RAND and takes the vectors of that answer (the HLR updates its SQN from AUTS first).
 */
export function hlrVectorSource(client: GsupClient, batch = 5): VectorSource & { requests: number } {
  const queues = new Map<string, NetworkVector[]>();
  const src = {
    requests: 0,
    async generateVector(imsi: string): Promise<NetworkVector> {
      let q = queues.get(imsi);
      if (!q?.length) {
        src.requests++;
        const a = await client.sendAuthInfo({ imsi, count: batch });
        if (!a.ok) throw new Error(`the HLR refused vectors for ${imsi}: ${causeName(a.cause)}`);
        if (!a.vectors.length) throw new Error(`the HLR sent no 3G vector for ${imsi}`);
        q = [...a.vectors];
        queues.set(imsi, q);
      }
      return q.shift()!;
    },
    async resync(imsi: string, rand: Bytes, auts: Bytes): Promise<SourceResync> {
      src.requests++;
      const a = await client.sendAuthInfo({ imsi, resync: { auts, rand }, count: batch });
      if (!a.ok) return { ok: false, reason: causeName(a.cause) };
      if (!a.vectors.length) return { ok: false, reason: 'no vector in the answer' };
      queues.set(imsi, [...a.vectors]);
      return { ok: true };
    },
  };
  return src;
}
