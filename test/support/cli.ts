// Running the `uicc` CLI in tests: as a child process (the built binary, as people run it), or in-process
// with console output captured.

import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, vi } from 'vitest';
import { main } from '../../host/cli/main.js';

export const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'uicc.js');
const run = promisify(execFile);
/** Compiled profiles of the child processes go to a folder of this test run, not the user's cache. */
export const CACHE_DIR = mkdtempSync(join(tmpdir(), 'uicc-test-cache-'));

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Longest a CLI child process may run in a test before it is killed. */
export const CHILD_TIMEOUT_MS = 60_000;

/** `node bin/uicc.js ARGS` from the project root (npm test builds dist/ first). */
export async function uiccProcess(...args: string[]): Promise<ProcessResult> {
  return uiccWith({}, ...args);
}

export interface ChildOptions {
  /** Extra environment. */
  env?: Record<string, string>;
  /** Shell commands run first, in the same shell that then execs uicc (e.g. `ulimit -f 8`). */
  shell?: string;
  timeoutMs?: number;
}

/**
 * The CLI as a child with a timeout (SIGKILL when it passes) and stdin closed, so a test never leaves a
 * process behind or waits on one forever.
 */
export async function uiccWith(o: ChildOptions, ...args: string[]): Promise<ProcessResult> {
  const [file, argv] = o.shell
    ? ['bash', ['-c', `${o.shell}\nexec node "$0" "$@"`, BIN, ...args]]
    : ['node', [BIN, ...args]];
  try {
    const p = run(file, argv as string[], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', UICC_CACHE_DIR: CACHE_DIR, ...o.env },
      timeout: o.timeoutMs ?? CHILD_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    p.child.stdin?.end();
    const r = await p;
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number | string; signal?: string; stdout: string; stderr: string };
    if (x.signal) throw new Error(`uicc ${args.join(' ')}: killed by ${x.signal} (timeout?)\n${x.stderr}`);
    return { code: Number(x.code), stdout: x.stdout, stderr: x.stderr };
  }
}

/**
 * In-process CLI runs with console.log/error captured; call at the top of a describe or file (it registers
 * beforeEach/afterEach hooks).
 */
export function captureCli() {
  const out: string[] = [];
  beforeEach(() => {
    out.length = 0;
    process.exitCode = undefined;
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });
  return {
    out,
    text: () => out.join('\n'),
    uicc: (...args: string[]) => {
      process.exitCode = undefined;
      return main(args);
    },
  };
}
