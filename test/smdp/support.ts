// `uicc smdp serve` as a child process for the end-to-end tests: a free port (--port 0) read from its start
// line, a timeout that bounds its life, and a stop that ends it (SIGTERM, then SIGKILL).
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { hssFromProfile } from '../../host/cli/auth.js';
import { saveSubscribers } from '../../host/network/subscribers.js';
import { loadProfile } from '../../host/profile/load.js';
import { CACHE_DIR, ROOT, uiccProcess } from '../support/cli.js';

const BIN = join(ROOT, 'bin', 'uicc.js');

/** Ends a child: SIGTERM, SIGKILL after 5 s; resolves when it has exited. */
export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await done;
  clearTimeout(t);
}

/** The activation code `uicc smdp order` printed. */
export const acOf = (stdout: string): string => /^(LPA:1\$\S+)$/m.exec(stdout)?.[1] ?? '';

export interface SmdpChild {
  /** host:port as the activation codes name it. */
  address: string;
  port: number;
  output(): string;
  stop(): Promise<void>;
}

export async function startSmdpChild(state: string, ...args: string[]): Promise<SmdpChild> {
  const child: ChildProcess = spawn(
    'node',
    [BIN, 'smdp', 'serve', '--port', '0', '--state', state, ...args],
    {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', UICC_CACHE_DIR: CACHE_DIR },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000, // stop() ends it; this bounds its life if the test dies first
      killSignal: 'SIGKILL',
    },
  );
  let out = '';
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString('utf8');
  });
  child.stderr!.on('data', (b: Buffer) => {
    out += b.toString('utf8');
  });
  const stop = () => stopChild(child);
  const m = await new Promise<RegExpExecArray>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`uicc smdp serve did not start:\n${out}`)), 20_000);
    const check = () => {
      const r = /ES9\+ on https:\/\/(\S+?:(\d+)) /.exec(out);
      if (r) {
        clearTimeout(deadline);
        resolve(r);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', () => {
      clearTimeout(deadline);
      reject(new Error(`uicc smdp serve exited:\n${out}`));
    });
  }).catch(async (e) => {
    await stop();
    throw e;
  });
  return { address: m[1]!, port: Number(m[2]), output: () => out, stop };
}

/**
 * An APDU script that reads EF.IMSI of the enabled TS.48 profile and runs AUTHENTICATE (3G context) with
 * its key, expecting the RES of the TS 34.108 §8.1.2 test algorithm computed here (XDOUT = K ⊕ RAND,
 * AK = XDOUT bytes 3..8, MAC = XDOUT bytes 0..7 ⊕ SQN‖AMF, RES = XDOUT bytes 0..7). TS.48 K is
 * 000102...0F (pySim smdpp-data/upp); PIN1 is disabled there, so no VERIFY.
 */
export function ts48ImsiAndAuthScript(): string {
  const hex = (b: Uint8Array) =>
    Buffer.from(b)
      .toString('hex')
      .toUpperCase()
      .replace(/(..)(?!$)/g, '$1 ');
  const k = Uint8Array.from({ length: 16 }, (_, i) => i);
  const rand = Uint8Array.from({ length: 16 }, (_, i) => 0x11 * i);
  const sqn = Uint8Array.of(0, 0, 0, 0, 0, 0x20);
  const amf = Uint8Array.of(0x80, 0);
  const xdout = k.map((x, i) => x ^ rand[i]!);
  const ak = xdout.subarray(3, 9);
  const sqnAmf = Uint8Array.of(...sqn, ...amf);
  const mac = xdout.subarray(0, 8).map((x, i) => x ^ sqnAmf[i]!);
  const autn = Uint8Array.of(...sqn.map((x, i) => x ^ ak[i]!), ...amf, ...mac);
  return `00 A4 04 04 07 A0 00 00 00 87 10 02 => 61xx
00 A4 00 0C 02 6F 07 => 9000
00 B0 00 00 09 => 08 09 10 10 10 32 54 06 36 9000
00 88 00 81 22 10 ${hex(rand)} 10 ${hex(autn)} => 61xx
00 C0 00 00 \${SW2} => DB 08 ${hex(xdout.subarray(0, 8))} * 9000
`;
}

/** `uicc euicc list` shows the TS.48 profile enabled; the script of ts48ImsiAndAuthScript passes on it. */
export async function expectTs48InUse(script: string, ...card: string[]): Promise<void> {
  const list = await uiccProcess('euicc', 'list', ...card);
  expect(list.stdout).toMatch(/^\* 8949449999999990023 /m);
  const run = await uiccProcess('run', ...card, script);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(run.stdout).toContain('001010123456063');
  expect(run.stdout).toContain('5 exchanges, 5 expectations passed');
}

/**
 * profiles/examples/minimal.yaml ordered at the SM-DP+ (encoded as a package there), downloaded and enabled
 * on `card` (--card IMAGE or --reader NAME), then `uicc auth` against an HSS holding its keys (Milenage).
 */
export async function expectYamlProfileAuthenticates(
  state: string,
  dir: string,
  ...card: string[]
): Promise<void> {
  const file = 'profiles/examples/minimal.yaml';
  const hss = join(dir, 'hss.json');
  saveSubscribers(hss, [hssFromProfile(loadProfile(join(ROOT, file)))]);
  const o = await uiccProcess('smdp', 'order', '--state', state, '--profile', file);
  expect(o.code, o.stderr).toBe(0);
  const r = await uiccProcess('euicc', 'download', ...card, '--ac', acOf(o.stdout), '--enable');
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toContain('enabled 8988211000000000003');
  if (card[0] === '--card') {
    // The definition's first profile holds other keys: without --hss the command says why it cannot seed one.
    const noHss = await uiccProcess('auth', ...card);
    expect(noHss.code).toBe(2);
    expect(noHss.stderr).toContain('the enabled profile was downloaded');
  }
  const auth = await uiccProcess('auth', ...card, '--hss', hss);
  expect(auth.code, auth.stdout + auth.stderr).toBe(0);
  expect(auth.stdout).toMatch(/RES = XRES: yes/);
}
