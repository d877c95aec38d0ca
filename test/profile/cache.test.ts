// The compiled-profile cache (host/profile/cache.ts): a hit gives exactly what the compiler gives, a changed
// profile, another build or a damaged entry misses, and a card opened from the cache alone behaves like one
// opened from the compiler.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../card-os/bytes.js';
import { CompilerNeeded, defaultProfilePath, openCardWith } from '../../host/card-source.js';
import {
  entryName,
  type ProfileCacheConfig,
  readCompiled,
  setProfileCacheConfig,
  userCacheDir,
  writeCompiled,
} from '../../host/profile/cache.js';
import { parseProfileText } from '../../host/profile/load.js';

const dir = mkdtempSync(join(tmpdir(), 'uicc-cache-'));
const text = readFileSync(defaultProfilePath(), 'utf8');
const cfg: ProfileCacheConfig = { buildId: 'test-build', dir };

afterEach(() => setProfileCacheConfig(undefined));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('compiled-profile cache', () => {
  it('a hit is the compiled profile, byte for byte (Maps, byte arrays, the file tree)', () => {
    expect(readCompiled(text, cfg)).toBeUndefined();
    const compiled = parseProfileText(text, 'default-usim.yaml');
    writeCompiled(text, compiled, cfg);
    expect(readdirSync(dir)).toEqual([entryName('test-build', text)]);
    expect(isDeepStrictEqual(readCompiled(text, cfg), compiled)).toBe(true);
  });

  it('misses on a changed profile, another build, a damaged entry, and with no cache', () => {
    writeCompiled(text, parseProfileText(text, 'p.yaml'), cfg);
    expect(readCompiled(`${text}\n# changed\n`, cfg)).toBeUndefined();
    expect(readCompiled(text, { ...cfg, buildId: 'other-build' })).toBeUndefined();
    expect(readCompiled(text, undefined)).toBeUndefined();
    writeFileSync(join(dir, entryName('test-build', text)), 'not a compiled profile');
    expect(readCompiled(text, cfg)).toBeUndefined();
  });

  it('a cache that cannot be written is no error', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    expect(() =>
      writeCompiled(text, parseProfileText(text, 'p.yaml'), { buildId: 'b', dir: join(file, 'x') }),
    ).not.toThrow();
  });

  it('a card opens from the cache without the compiler, and answers as a compiled one does', () => {
    const edited = text.replace('description:', '# cache test\ndescription:');
    const profile = join(dir, 'p.yaml');
    writeFileSync(profile, edited);
    setProfileCacheConfig(cfg);
    expect(() => openCardWith({ profile }, undefined)).toThrow(CompilerNeeded);
    const compiled = openCardWith({ profile }, parseProfileText).card;
    // A fresh process would find the entry; here the per-process template cache is bypassed by new text.
    writeFileSync(profile, `${edited}\n`);
    writeCompiled(`${edited}\n`, parseProfileText(edited, profile), cfg);
    const cached = openCardWith({ profile }, undefined).card;
    for (const apdu of ['00A40004023F00', '00C0000029', '00A40804047FFF6F07', '00B0000009']) {
      const cmd = Uint8Array.from(Buffer.from(apdu, 'hex'));
      expect(toHex(cached.transmit(cmd))).toBe(toHex(compiled.transmit(cmd)));
    }
  });

  it('the user cache folder follows UICC_CACHE_DIR, then XDG_CACHE_HOME; empty UICC_CACHE_DIR turns it off', () => {
    expect(userCacheDir({ UICC_CACHE_DIR: '/c' })).toBe('/c');
    expect(userCacheDir({ UICC_CACHE_DIR: '' })).toBeUndefined();
    expect(userCacheDir({ XDG_CACHE_HOME: '/x' })).toBe(join('/x', 'uicc'));
  });
});
