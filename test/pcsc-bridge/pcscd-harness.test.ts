// The pcscd harness's housekeeping: one daemon at a time, a leftover daemon of a crashed run is stopped, a
// daemon the harness did not start is left alone. Each test holds the harness lock while it runs pcscd by hand.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildLoopbackShim } from '../../pcsc-bridge/loopback-shim.js';
import {
  findVpcdDriver,
  lockPcscd,
  PCSCD_LOCK_FILE,
  pcscdAvailability,
  startPcscd,
} from '../../pcsc-bridge/pcscd-harness.js';
import { needs, pcscdGate } from './support.js';

const gate = await pcscdGate();

/** Starts pcscd by hand (as a crashed run or an administrator would have), on loopback, and waits until ready. */
async function handStartedPcscd(): Promise<{ proc: ChildProcess; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'uicc-pcscd-hand-'));
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen({ host: '127.0.0.1', port: 0 }, () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  writeFileSync(
    join(dir, 'vpcd'),
    `FRIENDLYNAME "Hand Started"\nDEVICENAME /dev/null:${port}\nLIBPATH ${findVpcdDriver()}\n`,
  );
  const proc = spawn('pcscd', ['--foreground', '--info', '--config', dir], {
    env: { ...process.env, LD_PRELOAD: await buildLoopbackShim() },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000, // the test stops it; this bounds its life if the test dies first
    killSignal: 'SIGKILL',
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const take = (b: Buffer) => {
      out += b.toString();
      if (out.includes('daemon ready')) resolve();
    };
    proc.stdout!.on('data', take);
    proc.stderr!.on('data', take);
    proc.once('exit', (code) => reject(new Error(`hand-started pcscd exited (${code}):\n${out}`)));
    setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`hand-started pcscd not ready after 15 s:\n${out}`));
    }, 15_000).unref();
  });
  return { proc, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  await exited;
}

describe.sequential('pcscd harness', () => {
  it('refuses a second daemon in the same process while one runs', async (ctx) => {
    needs(ctx, gate);
    const h = await startPcscd();
    try {
      await expect(startPcscd()).rejects.toThrow(/already runs a harness pcscd/);
      expect(JSON.parse(readFileSync(PCSCD_LOCK_FILE, 'utf8'))).toEqual({ owner: process.pid, pcscd: h.pid });
    } finally {
      await h.stop();
    }
    expect(h.running).toBe(false);
  });

  it('stops the pcscd a crashed harness run left behind, then starts its own', async (ctx) => {
    needs(ctx, gate);
    const release = await lockPcscd();
    let leftover: ChildProcess | undefined;
    let cleanup = () => {};
    try {
      ({ proc: leftover, cleanup } = await handStartedPcscd());
      // A lock held by a process that no longer exists, naming that daemon: what a killed test worker leaves.
      const dead = spawn('true', { stdio: 'ignore', timeout: 10_000 });
      await once(dead, 'exit');
      writeFileSync(PCSCD_LOCK_FILE, JSON.stringify({ owner: dead.pid, pcscd: leftover.pid }));
      const exited = once(leftover, 'exit');
      const h = await startPcscd();
      try {
        await exited;
        expect(h.running).toBe(true);
      } finally {
        await h.stop();
      }
    } finally {
      if (leftover) await stop(leftover);
      cleanup();
      release();
    }
  });

  it('leaves alone a pcscd it did not start, and says so', async (ctx) => {
    needs(ctx, gate);
    const release = await lockPcscd();
    let foreign: ChildProcess | undefined;
    let cleanup = () => {};
    try {
      ({ proc: foreign, cleanup } = await handStartedPcscd());
      const a = await pcscdAvailability();
      expect(a).toEqual({
        ok: false,
        reason: expect.stringContaining(`not started by this harness is running (pid ${foreign.pid})`),
      });
      await expect(startPcscd()).rejects.toThrow(/stop it first/);
      expect(foreign.exitCode).toBe(null);
    } finally {
      if (foreign) await stop(foreign);
      cleanup();
      release();
    }
  });
});
