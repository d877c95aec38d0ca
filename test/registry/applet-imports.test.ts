// Applets never reach into each other's internals (ARCHITECTURE.md, applet registry): a file under
// applets/<name>/ imports only its own folder, the card OS, and the shared folders every applet may use.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const APPLETS = join(ROOT, 'applets');
/** Folders that hold pieces shared by several applets (AKA, the subscription and OTA key records). */
const SHARED = new Set(['aka', 'subscriptions']);

/** The applets/<folder> a relative import in `file` lands in, or undefined if it leaves applets/. */
function targetFolder(file: string, spec: string): string | undefined {
  const rel = relative(APPLETS, resolve(dirname(file), spec));
  if (rel.startsWith('..')) return undefined;
  const parts = rel.split(/[\\/]/);
  return parts.length > 1 ? parts[0] : '';
}

function imports(source: string): string[] {
  return [...source.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);
}

/** Imports of another applet's folder (not shared) by files of `folder`. */
function crossAppletImports(folder: string, files: ReadonlyMap<string, string>): string[] {
  const bad: string[] = [];
  for (const [file, source] of files) {
    for (const spec of imports(source)) {
      const to = targetFolder(file, spec);
      if (to && to !== folder && !SHARED.has(to)) bad.push(`${relative(ROOT, file)} imports ${spec}`);
    }
  }
  return bad;
}

function folderFiles(folder: string): Map<string, string> {
  const dir = join(APPLETS, folder);
  return new Map(
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => [join(dir, f), readFileSync(join(dir, f), 'utf8')]),
  );
}

const FOLDERS = readdirSync(APPLETS, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !SHARED.has(d.name))
  .map((d) => d.name);

describe('applet folders import no other applet', () => {
  it.each(FOLDERS)('applets/%s', (folder) => {
    expect(crossAppletImports(folder, folderFiles(folder))).toEqual([]);
  });

  it('the shared folders import no applet either', () => {
    for (const folder of SHARED) {
      expect(crossAppletImports(folder, folderFiles(folder))).toEqual([]);
    }
  });

  it('finds an import of another applet', () => {
    const file = join(APPLETS, 'keyslots', 'x.ts');
    const src =
      "import { a } from '../ota/ota-config.js';\nimport { b } from '../aka/sqn.js';\nimport { c } from './y.js';";
    expect(crossAppletImports('keyslots', new Map([[file, src]]))).toEqual([
      'applets/keyslots/x.ts imports ../ota/ota-config.js',
    ]);
  });
});
