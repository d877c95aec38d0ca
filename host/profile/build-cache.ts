// Run by `npm run build` after tsc: names the build (a hash of every compiled module, so a user cache entry
// from another build is never used) and ships the default profile already compiled (dist/profile-cache/),
// so `uicc run` on the default profile starts without the YAML parser, the schema or key derivation.

import { createHash } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defaultProfilePath } from '../card-source.js';
import { BUILD_ID_FILE, SHIPPED_DIR, writeCompiled } from './cache.js';
import { parseProfileText } from './load.js';

const dist = join(SHIPPED_DIR, '..');

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'profile-cache' ? [] : modules(p);
    return e.name.endsWith('.js') ? [p] : [];
  });
}

const hash = createHash('sha256');
for (const f of modules(dist).sort()) hash.update(relative(dist, f)).update('\0').update(readFileSync(f));
const buildId = hash.digest('hex').slice(0, 16);
writeFileSync(BUILD_ID_FILE, `${buildId}\n`);

rmSync(SHIPPED_DIR, { recursive: true, force: true });
const file = defaultProfilePath();
const text = readFileSync(file, 'utf8');
writeCompiled(text, parseProfileText(text, file), { buildId }, SHIPPED_DIR);
// Shipped entries hold only the default profile's published test keys: readable by every user of the install.
chmodSync(SHIPPED_DIR, 0o755);
for (const f of readdirSync(SHIPPED_DIR)) chmodSync(join(SHIPPED_DIR, f), 0o644);
console.log(`build ${buildId}: default profile compiled into ${relative(process.cwd(), SHIPPED_DIR)}/`);
