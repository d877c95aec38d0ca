// Card images: a card's non-volatile state saved to a file, so a card lives on between runs.
// Versioned JSON; written atomically (temp file, fsync, rename) so a crash never leaves half an image.
// The image carries the profile it was made from (opaque text here: the host compiles it) and the NVM
// records the card changed since personalisation, including an unfinished transaction journal.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { fromHex, toHex } from './bytes.js';
import type { NvmSnapshot } from './nvm.js';

export const IMAGE_FORMAT = 'uicc-card-image';
export const IMAGE_VERSION = 1;

export interface CardImage {
  /** Profile source the card was personalised from: a name for people, and the full text. */
  profile: { name: string; text: string };
  nvm: NvmSnapshot;
  /**
   * Names this saved state; the journal next to an image (host/card-store) carries the generation it
   * extends, so a journal already folded into a newer image is never replayed again.
   */
  generation?: string;
}

interface ImageFile {
  format: string;
  version: number;
  profile: { name: string; text: string };
  generation?: string;
  nvm: {
    own: [string, string | null][];
    journal: { committed: boolean; records: [string, string | null][] } | null;
  };
}

const hexOrNull = (v: Uint8Array | null) => (v ? toHex(v) : null);
const bytesOrNull = (v: string | null) => (v === null ? null : fromHex(v));

export function encodeImage(img: CardImage): string {
  const file: ImageFile = {
    format: IMAGE_FORMAT,
    version: IMAGE_VERSION,
    profile: img.profile,
    ...(img.generation ? { generation: img.generation } : {}),
    nvm: {
      own: img.nvm.own.map(([k, v]) => [k, hexOrNull(v)]),
      journal: img.nvm.journal && {
        committed: img.nvm.journal.committed,
        records: img.nvm.journal.records.map(([k, v]) => [k, hexOrNull(v)]),
      },
    },
  };
  return `${JSON.stringify(file, null, 1)}\n`;
}

/** Parses an image; throws an Error that says what is wrong (the caller adds the file name). */
export function decodeImage(text: string): CardImage {
  let f: ImageFile;
  try {
    f = JSON.parse(text) as ImageFile;
  } catch {
    throw new Error('not a card image (not JSON)');
  }
  if (!f || f.format !== IMAGE_FORMAT) throw new Error(`not a card image (format is not "${IMAGE_FORMAT}")`);
  if (typeof f.version !== 'number')
    throw new Error(
      `card image "version" must be the number ${IMAGE_VERSION}, got ${JSON.stringify(f.version)}`,
    );
  if (f.version !== IMAGE_VERSION)
    throw new Error(`card image version ${f.version} is not supported (this build reads ${IMAGE_VERSION})`);
  if (!f.profile || typeof f.profile.text !== 'string') throw new Error('card image has no profile');
  if (!f.nvm || !Array.isArray(f.nvm.own)) throw new Error('card image has no NVM records');
  const j = f.nvm.journal as unknown;
  if (
    j !== null &&
    j !== undefined &&
    (typeof j !== 'object' || !Array.isArray((j as { records?: unknown }).records))
  )
    throw new Error(
      'card image: "nvm.journal" must be null or { committed, records: [[key, hex|null], ...] }',
    );
  const rec = (r: unknown, where: string): [string, Uint8Array | null] => {
    if (!Array.isArray(r) || typeof r[0] !== 'string' || (r[1] !== null && typeof r[1] !== 'string'))
      throw new Error(`card image: malformed NVM record in ${where}`);
    try {
      return [r[0], bytesOrNull(r[1])];
    } catch {
      throw new Error(`card image: NVM record "${r[0]}" is not hex`);
    }
  };
  return {
    profile: { name: String(f.profile.name ?? ''), text: f.profile.text },
    ...(typeof f.generation === 'string' ? { generation: f.generation } : {}),
    nvm: {
      own: f.nvm.own.map((r) => rec(r, 'own')),
      journal: f.nvm.journal
        ? {
            committed: !!f.nvm.journal.committed,
            records: f.nvm.journal.records.map((r) => rec(r, 'journal')),
          }
        : null,
    },
  };
}

/**
 * Writes `data` to `path` durably and atomically: a crash or a full disk leaves either the old file or the
 * new one, never a short one. Every write's count is checked (a write under `ulimit -f` or on a full disk
 * may write less than asked, then fail), the temp file is fsynced before the rename, and the folder after it
 * so the rename itself survives a power cut. Errors name the file.
 */
export function writeFileDurably(path: string, data: Uint8Array | string, what = 'card image'): void {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const tmp = `${path}.tmp-${process.pid}`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w', 0o600);
    let off = 0;
    while (off < bytes.length) {
      const n = writeSync(fd, bytes, off, bytes.length - off);
      if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
      off += n;
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined)
      try {
        closeSync(fd);
      } catch {}
    try {
      unlinkSync(tmp);
    } catch {}
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new Error(`${path}: cannot write ${what} (${code}); the previous file is unchanged`);
  }
  fsyncFolder(dirname(path));
}

/** fsync of the folder makes a rename durable (POSIX: the directory entry is data of the folder). */
export function fsyncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (e) {
    // Some file systems refuse fsync on a directory (EINVAL/EISDIR); the rename is then as durable as they allow.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM')
      throw new Error(`${dir}: cannot sync folder (${code})`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes the image atomically: a crash or a full disk leaves the old file or the new one. */
export function saveImage(path: string, img: CardImage): void {
  writeFileDurably(path, encodeImage(img));
}

export function loadImage(path: string): CardImage {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read card image (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return decodeImage(text);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}
