// Runs a private pcscd with the vpcd driver, for tests and for `uicc serve` tests: start, wait until ready,
// restart, stop. pcscd is a machine-wide daemon (one per machine: /run/pcscd/pcscd.comm), so the harness
// takes a file lock for the daemon's whole life (test files run in parallel workers), stops a pcscd that a
// crashed harness run left behind, and refuses to touch a pcscd it did not start.
//
// vpcd runs in its default server mode on 127.0.0.1:<port> (slot 0) and <port>+1 (slot 1); the card connects
// with connectCardToVpcd({ mode: 'client', port }). See loopback-shim.ts for why not reversed mode, and for how
// the listening sockets are kept on loopback.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type BridgeLogger, silentLogger } from './logger.js';
import { buildLoopbackShim } from './loopback-shim.js';
import { pcscAvailability, waitForReader } from './pcsc-transport.js';

/** The harness's machine-wide lock: JSON { owner: pid of the holding process, pcscd?: pid of its daemon }. */
export const PCSCD_LOCK_FILE = join(tmpdir(), 'uicc-pcscd-harness.lock');
const LOCK_FILE = PCSCD_LOCK_FILE;

const DRIVER_CANDIDATES = [
  '/usr/lib/pcsc/drivers/serial/libifdvpcd.so',
  '/usr/lib/x86_64-linux-gnu/pcsc/drivers/serial/libifdvpcd.so',
  '/usr/lib/aarch64-linux-gnu/pcsc/drivers/serial/libifdvpcd.so',
  '/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so',
];

/** Path of vpcd's pcscd driver (Debian: package vsmartcard-vpcd), if installed. */
export function findVpcdDriver(): string | undefined {
  return DRIVER_CANDIDATES.find((p) => existsSync(p));
}

function findExecutable(name: string, extra: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extra].filter(Boolean);
  for (const d of dirs) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

const findPcscd = () => findExecutable('pcscd', ['/usr/sbin', '/usr/local/sbin', '/sbin']);

interface LockRecord {
  owner: number;
  pcscd?: number;
}

function readLock(): LockRecord | undefined {
  try {
    return JSON.parse(readFileSync(LOCK_FILE, 'utf8')) as LockRecord;
  } catch {
    return undefined;
  }
}

/** Whether a process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function isPcscd(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'pcscd';
  } catch {
    return false;
  }
}

/** Live pcscd processes on the machine. */
function runningPcscds(): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => isPcscd(pid) && alive(pid));
}

/** A running pcscd that no harness started (a system one): the harness must not touch it. */
function foreignPcscd(): number | undefined {
  const ours = readLock()?.pcscd;
  return runningPcscds().find((pid) => pid !== ours);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function killAndWait(pid: number, graceMs = 5000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(25);
  if (alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Whether the harness can run here; the reason says what to install or stop when not.
 * (Tests skip with this reason, or fail with it under CI.)
 */
export async function pcscdAvailability(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.platform !== 'linux') return { ok: false, reason: 'the pcscd harness runs on Linux only' };
  if (!findPcscd()) return { ok: false, reason: 'pcscd is not installed (apt-get install pcscd)' };
  if (!findVpcdDriver())
    return { ok: false, reason: 'the vpcd driver is not installed (apt-get install vsmartcard-vpcd)' };
  if (!findExecutable('cc'))
    return { ok: false, reason: 'no C compiler (cc) to build the loopback shim (apt-get install gcc)' };
  if (process.getuid?.() !== 0) {
    try {
      accessSync(existsSync('/run/pcscd') ? '/run/pcscd' : '/run', constants.W_OK);
    } catch {
      return { ok: false, reason: 'pcscd needs write access to /run/pcscd (run as root)' };
    }
  }
  const pc = await pcscAvailability();
  if (!pc.ok) return pc;
  const other = foreignPcscd();
  if (other !== undefined) {
    return {
      ok: false,
      reason: `a pcscd not started by this harness is running (pid ${other}); stop it first`,
    };
  }
  return { ok: true };
}

async function acquireLock(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(LOCK_FILE, JSON.stringify({ owner: process.pid } satisfies LockRecord), { flag: 'wx' });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const rec = readLock();
    if (rec?.owner === process.pid)
      throw new Error('this process already runs a harness pcscd; stop it first');
    if (rec && !alive(rec.owner)) {
      // The previous holder died without cleaning up: stop the pcscd it left behind, then take over.
      if (rec.pcscd !== undefined && isPcscd(rec.pcscd) && alive(rec.pcscd)) await killAndWait(rec.pcscd);
      rmSync(LOCK_FILE, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `pcscd harness: still locked by pid ${rec?.owner ?? '?'} after ${timeoutMs} ms (${LOCK_FILE})`,
      );
    }
    await sleep(100);
  }
}

/**
 * Takes the lock startPcscd takes, for code that must run while no harness pcscd does (e.g. a pcscd started by
 * other means). Resolves with the function that releases it.
 */
export async function lockPcscd(timeoutMs = 120_000): Promise<() => void> {
  await acquireLock(timeoutMs);
  return releaseLock;
}

function recordPcscd(pid: number | undefined): void {
  writeFileSync(LOCK_FILE, JSON.stringify({ owner: process.pid, pcscd: pid } satisfies LockRecord));
}

function releaseLock(): void {
  if (readLock()?.owner === process.pid) rmSync(LOCK_FILE, { force: true });
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ host: '127.0.0.1', port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** A port p such that p and p+1 (vpcd's two slots) are free on loopback. */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen({ host: '127.0.0.1', port: 0 }, () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    if (p < 65535 && (await canBind(p + 1))) return p;
  }
  throw new Error('no free pair of loopback ports for vpcd');
}

export interface PcscdHarnessOptions {
  /** vpcd port for slot 0 (slot 1 uses port + 1). Default: a free pair. */
  port?: number;
  /** Reader name prefix (FRIENDLYNAME). Default "UICC Emulator". */
  friendlyName?: string;
  /** pcscd --debug --apdu (verbose; see output()). */
  debug?: boolean;
  /** pcscd's output lines go to logger.debug. */
  logger?: BridgeLogger;
  /** How long to wait for pcscd to be ready. Default 10 s. */
  readyTimeoutMs?: number;
  /** How long to wait for another harness pcscd (another test file) to finish. Default 120 s. */
  lockTimeoutMs?: number;
}

export interface PcscdHarness {
  /** vpcd's port for slot 0; the card connects here (client mode). */
  readonly port: number;
  /** PC/SC name of slot 0's reader, e.g. "UICC Emulator 00 00". */
  readonly readerName: string;
  /** Both slots' reader names (slot 1 listens on port + 1). */
  readonly readerNames: readonly [string, string];
  /** pcscd's pid while it runs. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** The last lines pcscd printed (for failure messages). */
  output(): string;
  /** Stops and starts pcscd again with the same configuration; resolves when it is ready. */
  restart(): Promise<void>;
  /** Stops pcscd and releases the lock. */
  stop(): Promise<void>;
}

let exitHookInstalled = false;
let liveChild: ChildProcess | undefined;

/** Starts a private pcscd in the foreground with vpcd on loopback; resolves when its readers are listed. */
export async function startPcscd(options: PcscdHarnessOptions = {}): Promise<PcscdHarness> {
  const available = await pcscdAvailability();
  if (!available.ok) throw new Error(`pcscd harness unavailable: ${available.reason}`);
  const pcscd = findPcscd()!;
  const driver = findVpcdDriver()!;
  const log = options.logger ?? silentLogger;
  const name = options.friendlyName ?? 'UICC Emulator';
  const readerNames = [`${name} 00 00`, `${name} 00 01`] as const;
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const shim = await buildLoopbackShim();

  await acquireLock(options.lockTimeoutMs ?? 120_000);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      liveChild?.kill('SIGTERM');
      releaseLock();
    });
  }

  let port: number;
  let confDir: string;
  try {
    port = options.port ?? (await freePortPair());
    confDir = mkdtempSync(join(tmpdir(), 'uicc-pcscd-conf-'));
    // pcsc-lite reader.conf(5); vpcd: "/dev/null:<port>" = server mode on <port> (and <port>+1 for slot 1).
    writeFileSync(
      join(confDir, 'vpcd'),
      `FRIENDLYNAME "${name}"\nDEVICENAME /dev/null:${port}\nLIBPATH ${driver}\n`,
    );
  } catch (e) {
    releaseLock();
    throw e;
  }

  let child: ChildProcess | undefined;
  let lines: string[] = [];

  async function spawnDaemon(): Promise<void> {
    lines = [];
    const args = [
      '--foreground',
      '--config',
      confDir,
      ...(options.debug ? ['--debug', '--apdu'] : ['--info']),
    ];
    const proc = spawn(pcscd, args, {
      env: { ...process.env, LD_PRELOAD: shim },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    liveChild = proc;
    recordPcscd(proc.pid);
    let ready = false;
    let onReady: () => void = () => {};
    const readyLine = new Promise<void>((resolve) => {
      onReady = resolve;
    });
    const take = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        lines.push(line);
        if (lines.length > 400) lines.shift();
        log.debug(`pcscd: ${line}`);
        if (!ready && line.includes('daemon ready')) {
          ready = true;
          onReady();
        }
      }
    };
    proc.stdout!.on('data', take);
    proc.stderr!.on('data', take);
    const exited = once(proc, 'exit').then(([code, signal]) => {
      if (child === proc) {
        child = undefined;
        recordPcscd(undefined);
        if (ready) log.warn(`pcscd ${proc.pid} exited unexpectedly (code ${code}, signal ${signal})`);
      }
      if (liveChild === proc) liveChild = undefined;
      throw new Error(
        `pcscd exited before it was ready (code ${code}, signal ${signal}):\n${lines.slice(-20).join('\n')}`,
      );
    });
    exited.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`pcscd not ready after ${readyTimeoutMs} ms:\n${lines.slice(-20).join('\n')}`)),
        readyTimeoutMs,
      );
    });
    try {
      await Promise.race([readyLine, exited, timeout]);
      await Promise.race([waitForReader(readerNames[0], { timeoutMs: readyTimeoutMs }), exited, timeout]);
    } catch (e) {
      await stopDaemon();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    log.info(`pcscd ${proc.pid} ready: "${readerNames[0]}" on vpcd 127.0.0.1:${port}`);
  }

  async function stopDaemon(): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
      child = undefined;
      return;
    }
    child = undefined; // from here on its exit is expected
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    if (liveChild === proc) liveChild = undefined;
    recordPcscd(undefined);
  }

  try {
    await spawnDaemon();
  } catch (e) {
    rmSync(confDir, { recursive: true, force: true });
    releaseLock();
    throw e;
  }

  let stopped = false;
  return {
    port,
    readerName: readerNames[0],
    readerNames,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child !== undefined;
    },
    output: () => lines.join('\n'),
    async restart() {
      if (stopped) throw new Error('pcscd harness is stopped');
      await stopDaemon();
      await spawnDaemon();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await stopDaemon();
      } finally {
        rmSync(confDir, { recursive: true, force: true });
        releaseLock();
      }
    },
  };
}
