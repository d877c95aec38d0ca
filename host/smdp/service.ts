// One running SM-DP+: the protocol core (host/smdp/core.ts) with the test SM-DP+ certificates (DPauth,
// DPpb under the test CI), its orders from a state file (host/smdp/store.ts), behind the ES9+ HTTPS server
// (host/smdp/server.ts). The core is made once the port is known, because the SM-DP+ address the eUICC
// must name (SGP.22 §5.6.1 smdpAddress) is host:port for a test server on a free port.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readInputBytes } from '../input-file.js';
import { type Es9Server, startEs9Server } from './server.js';
import type { SmdpStore } from './store.js';
import { createTestSmdp } from './test-smdp.js';
import type { Es9Functions } from './types.js';

export interface SmdpServiceOptions {
  store: SmdpStore;
  /** SM-DP+ host name (CERT.DPtls is issued for it); default localhost. */
  name?: string;
  host?: string;
  port?: number;
  log?: (line: string) => void;
}

export interface SmdpService extends Es9Server {
  core: Es9Functions;
}

/** Starts the SM-DP+; resolves once it listens, with the address activation codes name. */
export async function startSmdp(o: SmdpServiceOptions): Promise<SmdpService> {
  let core: Es9Functions | undefined;
  // The server is up before the core exists (the port decides the address); requests wait for nothing:
  // listen() resolves before any connection is accepted by our code, and the core is set right after.
  const handler = new Proxy({} as Es9Functions, {
    get: (_t, fn: keyof Es9Functions) => (r: never) => (core as Es9Functions)[fn](r),
  });
  const server = await startEs9Server({
    handler,
    ...(o.name ? { name: o.name } : {}),
    ...(o.host ? { host: o.host } : {}),
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  // Confirmation codes are kept as SHA-256 only: the store hands the core that digest (SmdpClaim).
  core = createTestSmdp(server.address, o.store);
  o.store.setAddress(server.address);
  return { ...server, core };
}

const YAML = /\.ya?ml$/i;

/**
 * A profile package from a file: a SAIP unprotected profile package (.der), or one of our YAML profiles
 * (docs/profile-format.md) encoded as one (host/saip/encode.ts). The YAML modules load only when needed.
 */
export async function readProfilePackage(path: string): Promise<{ upp: Uint8Array; name?: string }> {
  if (!YAML.test(path)) return { upp: new Uint8Array(readInputBytes(path, 'profile package')) };
  const [{ loadProfile }, { encodeUpp }] = await Promise.all([
    import('../profile/load.js'),
    import('../saip/encode.js'),
  ]);
  const profile = loadProfile(path);
  try {
    return {
      upp: encodeUpp(profile),
      ...(profile.spec.description ? { name: profile.spec.description } : {}),
    };
  } catch (e) {
    throw new Error(`${path}: cannot encode as a profile package: ${(e as Error).message}`);
  }
}

/** Adds every profile package (*.der) and YAML profile (*.yaml) of a folder to the inventory; returns the ICCIDs. */
export async function addProfileFolder(store: SmdpStore, dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => /\.der$/i.test(f) || YAML.test(f));
  } catch (e) {
    throw new Error(
      `${dir}: cannot read the profile folder (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const out: string[] = [];
  for (const f of names.sort()) {
    const path = join(dir, f);
    const { upp, name } = await readProfilePackage(path);
    out.push(store.addProfile(upp, path, name ? { name } : {}));
  }
  return out;
}
