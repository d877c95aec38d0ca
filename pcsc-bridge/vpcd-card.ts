// Puts an IccCard behind vpcd, the pcscd reader driver of vsmartcard (virtualsmartcard/doc/api.txt), so that every PC/SC
// application on the machine (pcsc_scan, scriptor, opensc-tool, pySim...) sees the emulated card in a reader.
//
// Two ways to meet vpcd, both on loopback by default:
// - reversed: the card listens on host:port and vpcd connects to it (`DEVICENAME 127.0.0.1:<port>` in the
//   reader config). vpcd retries the connect on every presence poll, so the card may start before or after
//   pcscd. Removing the card = closing the connection and refusing new ones.
// - client: vpcd listens (its default `DEVICENAME /dev/null:0x8C7B`, port 35963) and the card connects to it;
//   the card side retries with exponential backoff, so it reconnects by itself when pcscd restarts.
//
// vpcd reads a zero-length or short reply, or a closed socket, as "card removed" (vicc_eject), so every
// reply is a non-empty frame and closing the socket is the removal signal.

import { once } from 'node:events';
import net from 'node:net';
import type { Bytes } from '../card-os/bytes.js';
import { concat } from '../card-os/bytes.js';
import type { IccCard } from '../card-os/icc.js';
import { SW } from '../card-os/sw.js';
import { type BridgeLogger, silentLogger } from './logger.js';
import { controlName, createFrameParser, encodeFrame, VPCD_CTRL, VPCD_MAX_PAYLOAD } from './vpcd-frames.js';

/** vpcd's default port, 0x8C7B (slot n of the reader uses port + n). */
export const VPCD_DEFAULT_PORT = 35963;

export type VpcdMode = 'client' | 'reversed';

/** One APDU exchange as the card saw it, for traces. */
export interface VpcdExchange {
  command: Bytes;
  response: Bytes;
  /** Time the card took to answer, in milliseconds. */
  elapsedMs: number;
}

export interface VpcdCardOptions {
  card: IccCard;
  /** Default 'reversed' (the card listens, vpcd connects). */
  mode?: VpcdMode;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 35963. In reversed mode 0 picks a free port (read it back from `port`). */
  port?: number;
  logger?: BridgeLogger;
  /** Called after every APDU exchange. Exceptions it throws are logged and otherwise ignored. */
  onExchange?: (exchange: VpcdExchange) => void;
  /** Client mode reconnect backoff: first delay and ceiling, in ms. Default 50 and 2000. */
  retryDelayMs?: { min: number; max: number };
  /** Longest frame payload accepted before the stream is declared corrupt. Default 65535. */
  maxFrameLength?: number;
}

export type VpcdConnectionState = 'connected' | 'disconnected';

export interface VpcdCardConnection {
  readonly mode: VpcdMode;
  readonly host: string;
  /** The port in use (in reversed mode with port 0, the one the system picked). */
  readonly port: number;
  /**
   * True while the TCP connection to vpcd is up. (In client mode vpcd accepts it at its next presence poll, so
   * PC/SC may show the card a few hundred ms later: wait for that with waitForReader.)
   */
  readonly connected: boolean;
  /** False after remove() and close(). */
  readonly inserted: boolean;
  /**
   * Resolves when the connection reaches `state` (default 'connected'); rejects after timeoutMs (default 10 s),
   * and a wait for 'connected' at once when the card is removed or closed meanwhile.
   */
  waitFor(state?: VpcdConnectionState, timeoutMs?: number): Promise<void>;
  /** Takes the card out of the reader: closes the connection and stops (re)connecting/accepting. */
  remove(): Promise<void>;
  /** Puts the card back: reconnects (client) or listens again on the same port (reversed). */
  insert(): Promise<void>;
  /** Removes the card for good. */
  close(): Promise<void>;
}

/** Starts serving `card` to vpcd. In reversed mode it resolves once listening; in client mode at once. */
export async function connectCardToVpcd(options: VpcdCardOptions): Promise<VpcdCardConnection> {
  const card = options.card;
  const mode = options.mode ?? 'reversed';
  const host = options.host ?? '127.0.0.1';
  const log = options.logger ?? silentLogger;
  const retry = options.retryDelayMs ?? { min: 50, max: 2000 };
  const maxPayload = options.maxFrameLength ?? VPCD_MAX_PAYLOAD;
  let port = options.port ?? VPCD_DEFAULT_PORT;

  let wanted: 'inserted' | 'removed' | 'closed' = 'inserted';
  let current: net.Socket | undefined;
  let dialing: net.Socket | undefined;
  let server: net.Server | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let attempt = 0;
  let outageLogged = false;
  const waiters: { state: VpcdConnectionState; done: () => void; fail: (e: Error) => void }[] = [];

  const where = () => `${host}:${port}`;

  function notify(): void {
    const state: VpcdConnectionState = current ? 'connected' : 'disconnected';
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.state === state) waiters.splice(i, 1)[0]!.done();
    }
  }

  /** Taking the card out ends every wait for a connection at once, saying why (not by its timeout). */
  function abandonConnectWaits(why: string): void {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.state === 'connected')
        waiters.splice(i, 1)[0]!.fail(new Error(`vpcd ${where()}: ${why} while waiting for a connection`));
    }
  }

  /** Calls into the card, turning a (contract-breaking) exception into a logged error. */
  function guarded<T>(what: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      log.error(`vpcd ${where()}: card threw on ${what}: ${(e as Error).message}`);
      return undefined;
    }
  }

  function answerApdu(command: Bytes): Bytes {
    const start = performance.now();
    let response = guarded('transmit', () => card.transmit(command));
    const elapsedMs = performance.now() - start;
    if (!response || response.length < 2 || response.length > VPCD_MAX_PAYLOAD) {
      if (response)
        log.error(`vpcd ${where()}: card answered ${response.length} bytes, not a frameable R-APDU`);
      response = Uint8Array.of(SW.TECHNICAL_PROBLEM >> 8, SW.TECHNICAL_PROBLEM & 0xff);
    }
    if (options.onExchange) {
      const r = response;
      guarded('exchange callback', () => options.onExchange!({ command, response: r, elapsedMs }));
    }
    return encodeFrame(response);
  }

  /** Handles a control byte; returns the reply frame for GET ATR, undefined otherwise (vpcd expects none). */
  function answerControl(code: number, socket: net.Socket): Bytes | undefined {
    switch (code) {
      case VPCD_CTRL.POWER_OFF:
        log.debug(`vpcd ${where()}: power off`);
        guarded('power off', () => card.powerOff());
        return undefined;
      case VPCD_CTRL.POWER_ON:
        log.debug(`vpcd ${where()}: power on`);
        guarded('power on', () => card.powerOn());
        return undefined;
      case VPCD_CTRL.RESET:
        log.debug(`vpcd ${where()}: reset`);
        guarded('reset', () => card.reset());
        return undefined;
      case VPCD_CTRL.GET_ATR: {
        // pcscd polls this for presence all the time (vsmartcard#120): no log line per poll.
        const atr = guarded('get ATR', () => card.atr());
        if (!atr || atr.length === 0 || atr.length > 33) {
          // An empty reply would read as "card removed"; an unusable ATR is reported and the card dropped.
          log.error(
            `vpcd ${where()}: card has no usable ATR (${atr?.length ?? 'none'}); dropping the connection`,
          );
          socket.destroy();
          return undefined;
        }
        return encodeFrame(atr);
      }
      default:
        log.warn(`vpcd ${where()}: malformed frame: ${controlName(code)}, ignored`);
        return undefined;
    }
  }

  function attach(socket: net.Socket): void {
    socket.setNoDelay(true); // replies are small; Nagle + delayed ACK would add ~40 ms per exchange
    if (current) {
      log.info(`vpcd ${where()}: a new vpcd connection replaces the previous one`);
      current.destroy();
    }
    current = socket;
    attempt = 0;
    outageLogged = false;
    const parser = createFrameParser({ maxPayload });
    log.info(`vpcd ${where()}: connected (${mode} mode)`);

    socket.on('data', (chunk: Buffer) => {
      const replies: Bytes[] = [];
      for (const ev of parser.push(chunk)) {
        // Dropped while answering an earlier frame of this chunk (no usable ATR): the rest goes unanswered.
        if (socket.destroyed) return;
        if (ev.kind === 'error') {
          log.warn(`vpcd ${where()}: malformed frame: ${ev.message}`);
          if (ev.fatal) {
            socket.destroy();
            return;
          }
        } else if (ev.kind === 'control') {
          const reply = answerControl(ev.code, socket);
          if (reply) replies.push(reply);
        } else {
          replies.push(answerApdu(ev.apdu));
        }
      }
      // Replies to merged frames go out in one write: one segment, in order.
      if (replies.length && !socket.destroyed)
        socket.write(replies.length === 1 ? replies[0]! : concat(...replies));
    });
    socket.on('error', (err) => log.debug(`vpcd ${where()}: socket error: ${err.message}`));
    socket.once('close', () => {
      if (current !== socket) return;
      current = undefined;
      // Leaving the reader cuts the power: the card loses its volatile state.
      guarded('power off', () => card.powerOff());
      log.info(`vpcd ${where()}: disconnected`);
      notify();
      if (mode === 'client' && wanted === 'inserted') scheduleDial();
    });
    notify();
  }

  function scheduleDial(): void {
    if (retryTimer || dialing || current || wanted !== 'inserted') return;
    const delay = Math.min(retry.max, retry.min * 2 ** attempt);
    attempt++;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      dial();
    }, delay);
  }

  function dial(): void {
    if (wanted !== 'inserted' || current || dialing) return;
    const socket = net.connect({ host, port, noDelay: true });
    dialing = socket;
    socket.once('connect', () => {
      dialing = undefined;
      if (wanted !== 'inserted') socket.destroy();
      else attach(socket);
    });
    socket.once('error', (err) => {
      if (dialing !== socket) return;
      if (!outageLogged) {
        log.info(
          `vpcd ${where()}: not reachable (${(err as NodeJS.ErrnoException).code ?? err.message}); retrying`,
        );
        outageLogged = true;
      }
    });
    socket.once('close', () => {
      if (dialing !== socket) return;
      dialing = undefined;
      scheduleDial();
    });
  }

  async function listen(): Promise<void> {
    const srv = net.createServer({ noDelay: true }, (socket) => {
      if (wanted !== 'inserted') socket.destroy();
      else attach(socket);
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen({ host, port, exclusive: true }, () => {
        srv.off('error', reject);
        resolve();
      });
    });
    srv.on('error', (err) => log.error(`vpcd ${where()}: listener error: ${err.message}`));
    port = (srv.address() as net.AddressInfo).port;
    server = srv;
    log.info(`vpcd ${where()}: card listening for vpcd (reversed mode)`);
  }

  async function takeOut(why: string): Promise<void> {
    abandonConnectWaits(why);
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = undefined;
    const closing: Promise<unknown>[] = [];
    if (dialing) {
      closing.push(once(dialing, 'close'));
      dialing.destroy();
    }
    if (server) {
      const srv = server;
      server = undefined;
      closing.push(new Promise<void>((resolve) => srv.close(() => resolve())));
    }
    if (current) {
      closing.push(once(current, 'close'));
      current.destroy();
    }
    await Promise.all(closing);
  }

  async function putIn(): Promise<void> {
    attempt = 0;
    outageLogged = false;
    if (mode === 'reversed') await listen();
    else dial();
  }

  await putIn();

  return {
    mode,
    host,
    get port() {
      return port;
    },
    get connected() {
      return current !== undefined;
    },
    get inserted() {
      return wanted === 'inserted';
    },
    waitFor(state = 'connected', timeoutMs = 10_000) {
      if ((state === 'connected') === (current !== undefined)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const entry = {
          state,
          done: () => {
            clearTimeout(timer);
            resolve();
          },
          fail: (e: Error) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        const timer = setTimeout(() => {
          const i = waiters.indexOf(entry);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`vpcd ${where()}: not ${state} within ${timeoutMs} ms (${mode} mode)`));
        }, timeoutMs);
        waiters.push(entry);
      });
    },
    async remove() {
      if (wanted !== 'inserted') return;
      wanted = 'removed';
      await takeOut('card removed');
      log.info(`vpcd ${where()}: card removed`);
    },
    async insert() {
      if (wanted === 'closed') throw new Error('vpcd card connection is closed');
      if (wanted === 'inserted') return;
      wanted = 'inserted';
      await putIn();
      log.info(`vpcd ${where()}: card inserted`);
    },
    async close() {
      if (wanted === 'closed') return;
      wanted = 'closed';
      await takeOut('connection closed');
    },
  };
}
