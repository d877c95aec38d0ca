// Runs Debian's osmo-hlr for a test: a private config and database in a temp dir, every listener on a
// loopback address of its own (127.x.y.z, chosen at random with its ports checked free), because
// osmo-hlr 1.5 has no setting for its GSUP (4222) and CTRL (4259) ports and ignores the VTY port given
// with `bind` (4258). Tests running at the same time each get their own address. The process is killed
// at stop() and by a timeout.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GSUP_PORT = 4222;
const CTRL_PORT = 4259;
const VTY_PORT = 4258;

function listenable(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, host, () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function privateLoopback(): Promise<{ host: string; vtyPort: number }> {
  for (let i = 0; i < 20; i++) {
    const r = () => 1 + Math.floor(Math.random() * 253);
    const host = `127.${r()}.${r()}.${r()}`;
    let free = true;
    for (const port of [GSUP_PORT, CTRL_PORT, VTY_PORT])
      free = free && (await listenable(host, port)) !== undefined;
    if (free) return { host, vtyPort: VTY_PORT };
  }
  throw new Error('no free loopback address for osmo-hlr');
}

function waitForPort(host: string, port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > until) reject(new Error(`osmo-hlr did not listen on ${host}:${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export interface OsmoHlr {
  host: string;
  gsupPort: number;
  /** Runs VTY commands (in enable mode); returns the text each printed. */
  vty(...commands: string[]): Promise<string[]>;
  log(): string;
  stop(): Promise<void>;
}

export async function startOsmoHlr(timeoutMs = 120_000): Promise<OsmoHlr> {
  const dir = mkdtempSync(join(tmpdir(), 'uicc-osmo-hlr-'));
  const { host, vtyPort } = await privateLoopback();
  const cfg = join(dir, 'hlr.cfg');
  writeFileSync(
    cfg,
    [
      'log stderr',
      ' logging filter all 1',
      ' logging level all notice',
      ' logging level auc info',
      'line vty',
      ` bind ${host} ${vtyPort}`,
      'ctrl',
      ` bind ${host}`,
      'hlr',
      ' gsup',
      `  bind ip ${host}`,
      '',
    ].join('\n'),
  );
  let output = '';
  const child: ChildProcess = spawn('osmo-hlr', ['-c', cfg, '-l', join(dir, 'hlr.db')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const stop = async () => {
    clearTimeout(killer);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      Promise.all([waitForPort(host, vtyPort, 10_000), waitForPort(host, GSUP_PORT, 10_000)]),
      exited.then(() => {
        throw new Error(`osmo-hlr exited: ${output}`);
      }),
    ]);
  } catch (e) {
    await stop();
    throw e;
  }

  async function vty(...commands: string[]): Promise<string[]> {
    const s = net.connect({ host, port: vtyPort });
    let buf = '';
    let notify: () => void = () => {};
    s.on('data', (d: Buffer) => {
      // Drop the telnet negotiation (IAC ...) bytes.
      buf += d.toString('latin1').replace(/\xff[\xfb-\xfe].|\xff./gs, '');
      notify();
    });
    const prompt = () =>
      new Promise<string>((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`osmo-hlr VTY: no prompt, got ${JSON.stringify(buf)}`)),
          5000,
        );
        const check = () => {
          const m = /OsmoHLR[>#] $/.exec(buf);
          if (!m) return;
          clearTimeout(t);
          const out = buf.slice(0, m.index);
          buf = '';
          resolve(out);
        };
        notify = check;
        check();
      });
    try {
      await prompt();
      s.write('enable\r\n');
      await prompt();
      const outs: string[] = [];
      for (const c of commands) {
        s.write(`${c}\r\n`);
        outs.push(await prompt());
      }
      return outs;
    } finally {
      s.destroy();
    }
  }

  return { host, gsupPort: GSUP_PORT, vty, log: () => output, stop };
}
