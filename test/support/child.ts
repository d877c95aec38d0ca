// Child processes in tests: each one has a timeout after which it is killed (SIGKILL), and its stdin is
// closed, so a tool that would wait for input (scriptor with a card present, for one) cannot hang a test
// or outlive it.

import { type ExecFileOptions, execFile } from 'node:child_process';

/** Default limit for a tool run by a test. */
export const TOOL_TIMEOUT_MS = 30_000;

export interface ChildResult {
  stdout: string;
  stderr: string;
}

/** execFile with a timeout and stdin closed; rejects like execFile (err.code = exit code or ENOENT). */
export function runChild(
  file: string,
  args: readonly string[],
  opts: ExecFileOptions = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { timeout: TOOL_TIMEOUT_MS, killSignal: 'SIGKILL', encoding: 'utf8', ...opts },
      (err, stdout, stderr) => {
        if (err) reject(Object.assign(err, { stdout: String(stdout), stderr: String(stderr) }));
        else resolve({ stdout: String(stdout), stderr: String(stderr) });
      },
    );
    child.stdin?.end();
  });
}
