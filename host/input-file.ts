// Reading files people give the CLI (scripts, includes, profiles, counters, keys): only regular files,
// and at most MAX_INPUT_BYTES, so `/dev/zero` or a FIFO is refused with a message instead of filling memory
// or blocking forever. The size is checked on the open descriptor and the read stops at the cap, so a file
// that grows while read cannot get past it either.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** 16 MiB: far above any real profile, script or trace, far below what hurts. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

export function readInputFile(path: string, what: string, max = MAX_INPUT_BYTES): string {
  return readInputBytes(path, what, max).toString('utf8');
}

/** The bytes of a regular file of at most `max` bytes; errors name the file and say what it was for. */
export function readInputBytes(path: string, what: string, max = MAX_INPUT_BYTES): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before we can refuse it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new Error(`${path}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new Error(`${path}: cannot read ${what} (it is a folder)`);
    if (!st.isFile()) throw new Error(`${path}: ${what} is not a regular file (a device, FIFO or socket)`);
    if (st.size > max) throw new Error(`${path}: ${what} is ${st.size} bytes; the limit is ${max}`);
    const chunks: Buffer[] = [];
    let n = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.max(65536, Math.min(st.size + 1, max + 1 - n)));
      const r = readSync(fd, buf, 0, Math.min(buf.length, max + 1 - n), null);
      if (r === 0) break;
      chunks.push(buf.subarray(0, r));
      n += r;
      if (n > max) throw new Error(`${path}: ${what} is larger than ${max} bytes; the limit is ${max}`);
    }
    return Buffer.concat(chunks, n);
  } finally {
    closeSync(fd);
  }
}
