// Helpers for the pcsc-bridge tests: the gate for tests that need the real PC/SC stack, a peer speaking
// vpcd's side of the wire protocol (for the card's client and reversed modes without pcscd), and an IccCard
// wrapper that changes only the ATR.

import net from 'node:net';
import type { TestContext } from 'vitest';
import type { Bytes } from '../../card-os/bytes.js';
import type { IccCard } from '../../card-os/icc.js';
import { pcscdAvailability } from '../../pcsc-bridge/pcscd-harness.js';
import { createFrameParser, encodeControl, encodeFrame, VPCD_CTRL } from '../../pcsc-bridge/vpcd-frames.js';
import { runChild } from '../support/child.js';

export type Gate = { ok: true } | { ok: false; reason: string };

/** Tools run by these tests: a timeout, stdin closed (test/support/child.ts). */
export const run = runChild;

/** Whether the real pcscd + vpcd + smartcard stack can be used. */
export function pcscdGate(): Promise<Gate> {
  return pcscdAvailability();
}

/**
 * Whether a command-line tool is installed (it prints its usage or version when asked). The probe gets no
 * stdin and 10 s: `scriptor -h` with a card present connects to it and would otherwise wait for input.
 */
export async function toolGate(tool: string, args: string[], pkg: string): Promise<Gate> {
  try {
    await run(tool, args, { timeout: 10_000 });
    return { ok: true };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT')
      return { ok: false, reason: `${tool} is not installed (apt-get install ${pkg})` };
    return { ok: true }; // it ran, only its exit code was non-zero
  }
}

/**
 * Skips the test with the gate's reason, except under CI, where a missing stack is a failure: these tests
 * must not pass silently by being skipped.
 */
export function needs(ctx: TestContext, ...gates: Gate[]): void {
  for (const g of gates) {
    if (g.ok) continue;
    if (process.env.CI) throw new Error(`required for CI, not available: ${g.reason}`);
    ctx.skip(g.reason);
  }
}

/** The same card with another ATR (e.g. one that offers T=1), to exercise protocol selection. */
export function withAtr(card: IccCard, atr: Bytes): IccCard {
  return {
    atr: () => atr,
    powerOn: () => {
      card.powerOn();
      return atr;
    },
    reset: () => {
      card.reset();
      return atr;
    },
    powerOff: () => card.powerOff(),
    transmit: (c) => card.transmit(c),
  };
}

/** Records the power events a card receives. */
export function spyCard(card: IccCard): { calls: string[]; card: IccCard } {
  const calls: string[] = [];
  const spied: IccCard = {
    atr: () => card.atr(),
    powerOn: () => {
      calls.push('powerOn');
      return card.powerOn();
    },
    reset: () => {
      calls.push('reset');
      return card.reset();
    },
    powerOff: () => {
      calls.push('powerOff');
      card.powerOff();
    },
    transmit: (c) => card.transmit(c),
  };
  return { calls, card: spied };
}

/**
 * A TCP relay that forwards each byte in its own write, yielding to the event loop in between, so that
 * every frame reaches the other side split across many reads. Connects to `a` first, then to `b`.
 */
export async function byteRelay(a: number, b: number): Promise<{ writes: number; close(): void }> {
  let writes = 0;
  const connect = (port: number) =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
  const sa = await connect(a);
  const sb = await connect(b);
  const pump = (from: net.Socket, to: net.Socket) => {
    let chain = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      chain = chain.then(async () => {
        for (const byte of chunk) {
          if (to.destroyed) return;
          to.write(Uint8Array.of(byte));
          writes++;
          await new Promise((r) => setImmediate(r));
        }
      });
    });
    from.once('close', () => to.destroy());
  };
  pump(sa, sb);
  pump(sb, sa);
  return {
    /** Single-byte writes so far, both directions. */
    get writes() {
      return writes;
    },
    close: () => {
      sa.destroy();
      sb.destroy();
    },
  };
}

/** vpcd's side of one connection: sends control bytes and APDUs, reads the card's replies. */
export interface VpcdPeer {
  socket: net.Socket;
  /** Writes raw bytes (to build merged, split or malformed frames by hand). */
  writeRaw(bytes: Bytes): void;
  /** Waits for the next reply frame's payload. */
  reply(): Promise<Bytes>;
  getAtr(): Promise<Bytes>;
  control(code: number): void;
  apdu(command: Bytes): Promise<Bytes>;
  /** Resolves when the card closes the connection. */
  closed: Promise<void>;
  close(): void;
}

export function vpcdPeer(socket: net.Socket): VpcdPeer {
  socket.setNoDelay(true);
  const parser = createFrameParser();
  const queued: Bytes[] = [];
  const waiting: ((b: Bytes) => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    for (const ev of parser.push(chunk)) {
      if (ev.kind === 'error') throw new Error(`card sent a malformed frame: ${ev.message}`);
      const payload = ev.kind === 'control' ? Uint8Array.of(ev.code) : ev.apdu;
      const w = waiting.shift();
      if (w) w(payload);
      else queued.push(payload);
    }
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const reply = () => {
    const q = queued.shift();
    if (q) return Promise.resolve(q);
    return new Promise<Bytes>((resolve) => waiting.push(resolve));
  };
  return {
    socket,
    writeRaw: (b) => socket.write(b),
    reply,
    getAtr() {
      socket.write(encodeControl(VPCD_CTRL.GET_ATR));
      return reply();
    },
    control: (code) => socket.write(encodeControl(code)),
    apdu(command) {
      socket.write(encodeFrame(command));
      return reply();
    },
    closed,
    close: () => socket.destroy(),
  };
}

/** A listening vpcd (its server mode) on loopback: the card in client mode connects to it. */
export interface VpcdPeerServer {
  port: number;
  /** The next connection the card makes. */
  accept(): Promise<VpcdPeer>;
  /** Stops listening and drops connections (like pcscd going away). */
  close(): Promise<void>;
  /** Listens again on the same port (like pcscd coming back). */
  reopen(): Promise<void>;
}

export async function vpcdPeerServer(): Promise<VpcdPeerServer> {
  const pending: VpcdPeer[] = [];
  const waiting: ((p: VpcdPeer) => void)[] = [];
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = async () => {
    const srv = net.createServer((s) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      const peer = vpcdPeer(s);
      const w = waiting.shift();
      if (w) w(peer);
      else pending.push(peer);
    });
    await new Promise<void>((resolve) => srv.listen({ host: '127.0.0.1', port }, () => resolve()));
    port = (srv.address() as net.AddressInfo).port;
    server = srv;
  };
  await listen();
  return {
    get port() {
      return port;
    },
    accept() {
      const p = pending.shift();
      if (p) return Promise.resolve(p);
      return new Promise<VpcdPeer>((resolve) => waiting.push(resolve));
    },
    async close() {
      const srv = server;
      server = undefined;
      for (const s of sockets) s.destroy();
      if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
    },
    reopen: listen,
  };
}

/** Connects to a card listening in reversed mode, as vpcd does. */
export function dialCard(port: number): Promise<VpcdPeer> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => resolve(vpcdPeer(s)));
    s.once('error', reject);
  });
}
