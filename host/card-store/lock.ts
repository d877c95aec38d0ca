// An advisory lock on a card image, held for the card's life: two processes saving one image would each
// keep their own copy of the card and the last writer would win, losing the other's updates (a PIN try, an
// SQN). The lock is a file created with O_EXCL next to the image, holding the owner's pid and command line;
// a lock whose pid is no longer alive is stale and is taken over.

import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';

export interface LockHolder {
  pid: number;
  command: string;
  since: string;
}

export interface ImageLock {
  readonly path: string;
  release(): void;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function readHolder(path: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return Number.isInteger(h.pid) ? h : undefined;
  } catch {
    return undefined;
  }
}

function tryCreate(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`${path}: cannot create lock file (${(e as NodeJS.ErrnoException).code})`);
  }
  try {
    const b = Buffer.from(content);
    if (writeSync(fd, b) !== b.length) throw Object.assign(new Error('short write'), { code: 'EIO' });
  } catch (e) {
    try {
      unlinkSync(path);
    } catch {}
    throw new Error(`${path}: cannot write lock file (${(e as NodeJS.ErrnoException).code})`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Removes the lock if its holder is dead. A second, short-lived O_EXCL "break" file makes the check and
 * the removal one step, so two processes cannot both break the same stale lock and then remove each
 * other's fresh one.
 */
function breakIfStale(path: string): void {
  const breaker = `${path}.break`;
  if (!tryCreate(breaker, String(process.pid))) {
    // A breaker left by a process killed in these few lines: old enough means abandoned.
    try {
      if (Date.now() - statSync(breaker).mtimeMs > 5000) unlinkSync(breaker);
    } catch {}
    return;
  }
  try {
    const h = readHolder(path);
    if (!h || !alive(h.pid)) {
      // An unreadable lock file is one whose writer died between create and write.
      try {
        if (h || Date.now() - statSync(path).mtimeMs > 2000) unlinkSync(path);
      } catch {}
    }
  } finally {
    unlinkSync(breaker);
  }
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Takes the lock of `image` or throws a message naming the process that holds it. `waitSeconds`: keep
 * trying that long before giving up (0 = refuse at once).
 */
export function lockImage(image: string, waitSeconds = 0): ImageLock {
  const path = `${image}.lock`;
  const me: LockHolder = {
    pid: process.pid,
    command: process.argv.slice(1).join(' ').slice(0, 500),
    since: new Date().toISOString(),
  };
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    if (tryCreate(path, `${JSON.stringify(me)}\n`)) break;
    breakIfStale(path);
    if (tryCreate(path, `${JSON.stringify(me)}\n`)) break;
    if (Date.now() >= deadline) {
      // The holder writes its pid just after creating the file (O_EXCL): a refusal read in between would name
      // no one, so give that write a moment before settling for the lock file's path.
      let h = readHolder(path);
      for (let i = 0; !h && i < 20; i++) {
        sleep(10);
        h = readHolder(path);
      }
      const who = h
        ? `process ${h.pid} (${h.command}) since ${h.since}`
        : `another process (lock file ${path})`;
      throw new Error(
        `${image}: card image is in use by ${who}; ${waitSeconds ? `waited ${waitSeconds} s` : 'use --wait SECONDS to wait for it'}`,
      );
    }
    sleep(Math.min(50, Math.max(1, deadline - Date.now())));
  }
  const release = () => {
    if (!held.delete(release)) return;
    const h = readHolder(path);
    if (h?.pid === process.pid)
      try {
        unlinkSync(path);
      } catch {}
  };
  held.add(release);
  return { path, release };
}

/** Locks this process holds; one exit handler frees them all (an error or process.exit skips close()). */
const held = new Set<() => void>();
process.on('exit', () => {
  for (const r of [...held]) r();
});
