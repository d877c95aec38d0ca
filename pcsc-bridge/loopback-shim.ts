// A preload library for the private pcscd the harness starts, built on first use with the system C compiler.
//
// Why: Debian bookworm ships vsmartcard 0.8, whose vpcd
// - in its default (server) mode binds INADDR_ANY (`opensock`), which would expose the emulated card on every
//   interface; the shim rewrites that bind to 127.0.0.1, so the test traffic never leaves loopback;
// - in reversed mode aborts pcscd as soon as a slot is not connected (`vicc_connect` tests `if (server_sock)`,
//   true for INVALID_SOCKET = -1, then FD_SET(-1) trips glibc's fortify check; fixed in vsmartcard 0.9), so
//   reversed mode cannot simulate removal there and the harness uses server mode instead;
// - sends the length and the payload of a frame in two send() calls; with Nagle on, the payload waits for
//   the ACK of the length (delayed ACK, ~40 ms). The shim sets TCP_NODELAY on the sockets vpcd accepts.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const SHIM_SOURCE = `#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);
typedef int (*accept_fn)(int, struct sockaddr *, socklen_t *);

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
  static bind_fn real;
  if (!real) real = (bind_fn)dlsym(RTLD_NEXT, "bind");
  if (addr && addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
    struct sockaddr_in a;
    memcpy(&a, addr, sizeof a);
    if (a.sin_addr.s_addr == htonl(INADDR_ANY)) {
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      return real(fd, (const struct sockaddr *)&a, sizeof a);
    }
  }
  return real(fd, addr, len);
}

int accept(int fd, struct sockaddr *addr, socklen_t *len) {
  static accept_fn real;
  if (!real) real = (accept_fn)dlsym(RTLD_NEXT, "accept");
  int c = real(fd, addr, len);
  if (c >= 0) {
    int one = 1;
    /* Fails harmlessly (EOPNOTSUPP) on pcscd's own Unix socket. */
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return c;
}
`;

/** Builds the shim (once per source version, cached in the temp directory) and returns its path. */
export async function buildLoopbackShim(): Promise<string> {
  const tag = createHash('sha256').update(SHIM_SOURCE).digest('hex').slice(0, 12);
  const out = join(tmpdir(), `uicc-pcscd-loopback-${tag}.so`);
  if (existsSync(out)) return out;
  const src = join(tmpdir(), `uicc-pcscd-loopback-${tag}-${process.pid}.c`);
  const partial = `${out}.${process.pid}.tmp`;
  writeFileSync(src, SHIM_SOURCE);
  try {
    await promisify(execFile)('cc', ['-shared', '-fPIC', '-O2', '-o', partial, src, '-ldl'], {
      timeout: 60_000,
    });
  } catch (e) {
    throw new Error(`cannot build the pcscd loopback shim with cc: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    rmSync(src, { force: true });
  }
  // Atomic: concurrent test workers may build it at the same time.
  renameSync(partial, out);
  return out;
}
