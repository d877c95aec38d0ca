// A Transport over PC/SC: reaches a card in any reader pcscd knows (a physical reader, or the emulator behind
// vpcd) through the optional native package `smartcard` (N-API bindings to libpcsclite).
//
// `smartcard` is loaded on first use with a dynamic import, so the rest of the project installs and runs
// without it; the PC/SC functions then throw an Error that says how to install it.

import { parseCommand } from '../card-os/apdu.js';
import type { Bytes } from '../card-os/bytes.js';
import { transmitT0 } from '../host/transport/t0-exchange.js';
import type { Transport } from '../host/transport/transport.js';

// The subset of the `smartcard` API used here (its README and dist/lib/types.d.ts). Declared locally so that
// type-checking does not depend on the optional package being installed.
interface ScCard {
  readonly protocol: number;
  transmit(command: Buffer, options?: { maxRecvLength?: number }): Promise<Buffer>;
  getStatus(): { state: number; protocol: number; atr: Buffer };
  disconnect(disposition?: number): void;
  reconnect(shareMode?: number, protocol?: number, initialization?: number): Promise<number>;
}
interface ScReader {
  readonly name: string;
  readonly state: number;
  readonly atr: Buffer | null;
  connect(shareMode?: number, protocol?: number): Promise<ScCard>;
}
interface ScContext {
  listReaders(): ScReader[];
  close(): void;
}
interface SmartcardModule {
  Context: new () => ScContext;
  SCARD_SHARE_SHARED: number;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_LEAVE_CARD: number;
  SCARD_RESET_CARD: number;
  SCARD_UNPOWER_CARD: number;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_MUTE: number;
}

export const PCSC_INSTALL_HINT =
  'install the PC/SC stack and rebuild the binding: apt-get install libpcsclite-dev pcscd && npm rebuild smartcard';

let loading: Promise<SmartcardModule> | undefined;

/** Loads `smartcard` once; throws an Error with installation instructions when it is missing or unbuilt. */
export function loadSmartcard(): Promise<SmartcardModule> {
  loading ??= (async () => {
    const name = 'smartcard'; // a variable: the optional package must not be resolved at type-check time
    try {
      const mod = (await import(name)) as SmartcardModule & { default?: SmartcardModule };
      return mod.Context ? mod : mod.default!;
    } catch (e) {
      loading = undefined;
      throw new Error(
        `PC/SC support needs the optional native package "smartcard", which did not load (${(e as Error).message.split('\n')[0]}); ${PCSC_INSTALL_HINT}`,
      );
    }
  })();
  return loading;
}

/** Whether PC/SC can be used here: the binding loads. (Whether pcscd runs is a separate question.) */
export async function pcscAvailability(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await loadSmartcard();
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

function openContext(sc: SmartcardModule): ScContext {
  try {
    return new sc.Context();
  } catch (e) {
    throw new Error(`PC/SC: cannot reach pcscd (${(e as Error).message}); is pcscd running?`);
  }
}

export interface PcscReaderInfo {
  /** Position in the PC/SC reader list (what `opensc-tool --reader N` counts). */
  index: number;
  name: string;
  cardPresent: boolean;
  /** ATR of the card in the reader, when there is one. */
  atr: Bytes | undefined;
}

function describe(sc: SmartcardModule, r: ScReader, index: number): PcscReaderInfo {
  const present = (r.state & sc.SCARD_STATE_PRESENT) !== 0 && (r.state & sc.SCARD_STATE_MUTE) === 0;
  return {
    index,
    name: r.name,
    cardPresent: present,
    atr: r.atr?.length ? new Uint8Array(r.atr) : undefined,
  };
}

/** The readers pcscd knows now, in PC/SC order. */
export async function listReaders(): Promise<PcscReaderInfo[]> {
  const sc = await loadSmartcard();
  const ctx = openContext(sc);
  try {
    return ctx.listReaders().map((r, i) => describe(sc, r, i));
  } finally {
    ctx.close();
  }
}

export interface WaitForReaderOptions {
  /** Also wait until a card is present (true) or absent (false). */
  cardPresent?: boolean;
  /** Default 10 s. */
  timeoutMs?: number;
}

/**
 * Polls until a reader with this exact name exists (and the card presence matches, when asked).
 * pcscd may not be up yet: failures to reach it count as "not yet".
 */
export async function waitForReader(
  name: string,
  options: WaitForReaderOptions = {},
): Promise<PcscReaderInfo> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  await loadSmartcard();
  let seen = 'pcscd not reachable';
  for (;;) {
    try {
      const readers = await listReaders();
      const r = readers.find((x) => x.name === name);
      seen = readers.length ? `readers: ${readers.map((x) => `"${x.name}"`).join(', ')}` : 'no readers';
      if (r && (options.cardPresent === undefined || r.cardPresent === options.cardPresent)) return r;
      if (r) seen = `reader "${name}" has ${r.cardPresent ? 'a card' : 'no card'}`;
    } catch (e) {
      seen = (e as Error).message;
    }
    if (Date.now() >= deadline) {
      const want =
        options.cardPresent === undefined ? '' : options.cardPresent ? ' with a card' : ' without a card';
      throw new Error(`PC/SC: reader "${name}"${want} did not appear in time (${seen})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type PcscProtocol = 'T0' | 'T1' | 'RAW';

export interface PcscConnectOptions {
  /** 'auto' (default) takes what pcscd negotiates from the ATR (T=0 when offered first). */
  protocol?: 'auto' | 'T0' | 'T1';
  /** Exclusive access instead of shared. */
  exclusive?: boolean;
  /** T=0 only: see T0Options.strict. */
  strict?: boolean;
  /** Called for every TPDU sent to the reader (after the T=0 rules split an APDU into several). */
  onExchange?: (exchange: { command: Bytes; response: Bytes }) => void;
}

export interface PcscTransport extends Transport {
  readonly readerName: string;
  /** The protocol pcscd negotiated. */
  readonly protocol: PcscProtocol;
  /** Sends one command as it is: no T=0 rules. */
  transmitRaw(command: Bytes): Promise<Bytes>;
  /** Warm reset (default) or cold reset (power cycle); returns the new ATR. */
  reset(kind?: 'warm' | 'cold'): Promise<Bytes>;
}

function pickReader(readers: ScReader[], sc: SmartcardModule, want: string | number | undefined): ScReader {
  const names = readers.map((r) => `"${r.name}"`).join(', ') || 'none';
  if (typeof want === 'number') {
    const r = readers[want];
    if (!r) throw new Error(`PC/SC: no reader #${want} (readers: ${names})`);
    return r;
  }
  if (want !== undefined) {
    const r = readers.find((x) => x.name === want) ?? readers.find((x) => x.name.includes(want));
    if (!r) throw new Error(`PC/SC: no reader named "${want}" (readers: ${names})`);
    return r;
  }
  const r = readers.find((x, i) => describe(sc, x, i).cardPresent);
  if (!r) throw new Error(`PC/SC: no reader with a card (readers: ${names})`);
  return r;
}

/**
 * Connects to the card in a reader and returns a Transport to it. `reader` is a name (exact, else the first
 * reader whose name contains it) or an index in the PC/SC list; undefined takes the first reader with a card.
 */
export async function openReader(
  reader?: string | number,
  options: PcscConnectOptions = {},
): Promise<PcscTransport> {
  const sc = await loadSmartcard();
  const ctx = openContext(sc);
  let card: ScCard;
  let readerName: string;
  const share = options.exclusive ? sc.SCARD_SHARE_EXCLUSIVE : sc.SCARD_SHARE_SHARED;
  const protocols =
    options.protocol === 'T0'
      ? sc.SCARD_PROTOCOL_T0
      : options.protocol === 'T1'
        ? sc.SCARD_PROTOCOL_T1
        : sc.SCARD_PROTOCOL_T0 | sc.SCARD_PROTOCOL_T1;
  try {
    const picked = pickReader(ctx.listReaders(), sc, reader);
    readerName = picked.name;
    card = await picked.connect(share, protocols).catch((e: Error) => {
      throw new Error(`PC/SC: cannot connect to the card in "${picked.name}": ${e.message}`);
    });
  } catch (e) {
    ctx.close();
    throw e;
  }

  const protocolName = (p: number): PcscProtocol =>
    p === sc.SCARD_PROTOCOL_T0 ? 'T0' : p === sc.SCARD_PROTOCOL_T1 ? 'T1' : 'RAW';
  let protocol = protocolName(card.protocol);
  let atr = new Uint8Array(card.getStatus().atr);
  let closed = false;
  // One exchange at a time: the T=0 follow-ups of one APDU must not interleave with another's.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  async function sendTpdu(command: Bytes): Promise<Bytes> {
    if (closed) throw new Error(`PC/SC: transport to "${readerName}" is closed`);
    const parsed = parseCommand(command);
    // Room for 256 data bytes + SW for short APDUs, 65536 + SW for extended ones.
    const maxRecvLength = parsed.cmd?.extended ? 65538 : 258;
    const buf = Buffer.from(command.buffer, command.byteOffset, command.length);
    const out = await card.transmit(buf, { maxRecvLength }).catch((e: Error) => {
      throw new Error(`PC/SC transmit to "${readerName}" failed: ${e.message}`);
    });
    const response = new Uint8Array(out);
    options.onExchange?.({ command, response });
    return response;
  }

  return {
    name: readerName,
    readerName,
    get protocol() {
      return protocol;
    },
    atr: () => atr,
    transmit: (command) =>
      serial(() =>
        protocol === 'T0' ? transmitT0(sendTpdu, command, { strict: options.strict }) : sendTpdu(command),
      ),
    transmitRaw: (command) => serial(() => sendTpdu(command)),
    reset: (kind = 'warm') =>
      serial(async () => {
        if (closed) throw new Error(`PC/SC: transport to "${readerName}" is closed`);
        const init = kind === 'cold' ? sc.SCARD_UNPOWER_CARD : sc.SCARD_RESET_CARD;
        const p = await card.reconnect(share, protocols, init).catch((e: Error) => {
          throw new Error(`PC/SC: ${kind} reset of the card in "${readerName}" failed: ${e.message}`);
        });
        protocol = protocolName(p);
        atr = new Uint8Array(card.getStatus().atr);
        return atr;
      }),
    close: () =>
      serial(async () => {
        if (closed) return;
        closed = true;
        try {
          card.disconnect(sc.SCARD_LEAVE_CARD);
        } catch {
          // The card or pcscd may already be gone; the handle is released either way.
        } finally {
          ctx.close();
        }
      }),
  };
}
