// Compiled profiles on disk, so a CLI run on an unchanged profile skips YAML parsing, schema validation and
// key checks. An entry is named by a hash of the compiler build and the profile text: a changed profile or a
// new uicc build misses and recompiles, nothing is ever invalidated by hand.
//
// Two places are looked in: the entries shipped with the build (the default profile, compiled by
// `npm run build`, dist/profile-cache/) and the user cache ($UICC_CACHE_DIR, else $XDG_CACHE_HOME/uicc, else
// ~/.cache/uicc). Entries are written to a temp file and renamed, so concurrent runs never see half an entry.
// Running from source (no build id) the disk cache is off: compiled code could change under the same id.
// This module imports no YAML, schema or curve code: a hit costs one file read and one v8.deserialize.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { CompiledProfile } from './compile.js';

/** Bumped when the entry format changes (the build id covers code changes). */
const FORMAT = 1;

/** dist/ when running the build (this file is dist/host/profile/cache.js). */
const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILD_ID_FILE = join(DIST, 'build-id');
export const SHIPPED_DIR = join(DIST, 'profile-cache');

export interface ProfileCacheConfig {
  /** Identity of the compiler code; entries from another build are not used. */
  buildId: string;
  /** Read-only entries shipped with the build. */
  shipped?: string;
  /** Read-write user cache folder; undefined: nothing is written. */
  dir?: string;
}

function readBuildId(): string | undefined {
  try {
    return readFileSync(BUILD_ID_FILE, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The user cache folder the environment names; undefined when UICC_CACHE_DIR is set empty (cache off). */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.UICC_CACHE_DIR !== undefined) return env.UICC_CACHE_DIR || undefined;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'uicc');
}

let config: ProfileCacheConfig | null | undefined;

/** The cache of this process: the build's, or none when running from source. Tests may set their own. */
export function profileCacheConfig(): ProfileCacheConfig | undefined {
  if (config === undefined) {
    const buildId = readBuildId();
    config = buildId ? { buildId, shipped: SHIPPED_DIR, dir: userCacheDir() } : null;
  }
  return config ?? undefined;
}

export function setProfileCacheConfig(c: ProfileCacheConfig | undefined): void {
  config = c ?? null;
}

/** Entry file name: hash of format, build and profile text (the file name only appears in error messages). */
export function entryName(buildId: string, text: string): string {
  return `${createHash('sha256').update(`uicc-profile ${FORMAT} ${buildId}\0${text}`).digest('hex').slice(0, 32)}.bin`;
}

function readEntry(file: string): CompiledProfile | undefined {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch {
    return undefined;
  }
  try {
    const v = deserialize(raw) as CompiledProfile;
    return v && typeof v === 'object' && v.spec?.mf ? v : undefined;
  } catch {
    // A damaged entry is a miss; the next write replaces it.
    return undefined;
  }
}

/** The cached compile of `text`, if any. */
export function readCompiled(text: string, c = profileCacheConfig()): CompiledProfile | undefined {
  if (!c) return undefined;
  const name = entryName(c.buildId, text);
  for (const d of [c.shipped, c.dir]) {
    if (!d) continue;
    const hit = readEntry(join(d, name));
    if (hit) return hit;
  }
  return undefined;
}

/** Stores a compile; a cache that cannot be written is not an error (the next run compiles again). */
export function writeCompiled(
  text: string,
  profile: CompiledProfile,
  c = profileCacheConfig(),
  dir = c?.dir,
): void {
  if (!c || !dir) return;
  const file = join(dir, entryName(c.buildId, text));
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    // The compile holds the profile's secrets (K, OPc, OTA and SCP keys): owner-only, like the profile file.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, serialize(profile), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {}
  }
}
