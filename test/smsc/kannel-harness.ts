// Kannel (Debian `kannel`: bearerbox + smsbox) as an independent ESME for the SMSC tests: a kannel.conf in
// a temporary directory with every port a free ephemeral one on 127.0.0.1, the two boxes started with a
// timeout, and stopped (killed) by the test.

import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const BEARERBOX = '/usr/sbin/bearerbox';
export const SMSBOX = '/usr/sbin/smsbox';

/** A port that was free a moment ago (the kernel's choice for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface KannelPorts {
  admin: number;
  smsbox: number;
  sendsms: number;
}

export interface KannelConfig {
  dir: string;
  ports: KannelPorts;
  smscPort: number;
  systemId: string;
  password: string;
  /** Where the sms-service sends MO messages (our HTTP server). */
  moUrl: string;
}

export const SENDSMS_USER = { username: 'tester', password: 'foobar' };

export function writeKannelConf(c: KannelConfig): string {
  const path = join(c.dir, 'kannel.conf');
  const text = `group = core
admin-port = ${c.ports.admin}
admin-password = adm
admin-interface = 127.0.0.1
smsbox-port = ${c.ports.smsbox}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "${join(c.dir, 'bearerbox.log')}"
log-level = 0
dlr-storage = internal

group = smsc
smsc = smpp
smsc-id = emu
host = 127.0.0.1
port = ${c.smscPort}
transceiver-mode = true
smsc-username = ${c.systemId}
smsc-password = ${c.password}
system-type = ""
msg-id-type = 0x00
enquire-link-interval = 30

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${c.ports.smsbox}
sendsms-port = ${c.ports.sendsms}
sendsms-interface = 127.0.0.1
log-file = "${join(c.dir, 'smsbox.log')}"
log-level = 0

group = sendsms-user
username = ${SENDSMS_USER.username}
password = ${SENDSMS_USER.password}

group = sms-service
keyword = default
catch-all = true
max-messages = 0
get-url = "${c.moUrl}?from=%p&to=%P&udh=%u&coding=%c&binary=%b"
`;
  writeFileSync(path, text);
  return path;
}

/** Starts a box in the foreground; it is killed after `timeoutMs` at the latest. */
export function startBox(bin: string, conf: string, timeoutMs: number): ChildProcess {
  return spawn(bin, [conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
}

export async function stopProcess(
  p: ChildProcess | undefined,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const done = new Promise((r) => p.once('exit', r));
  p.kill(signal);
  await done;
}
