// The journal next to a card image (IMAGE.journal): an append-only file of the NVM records each writing
// exchange changed, so that one durable write costs the size of what changed, not of the image. Each entry
// is fsynced before the exchange's answer goes back to the caller, so an answer of 9000 survives a crash
// right after it. The store folds the journal into the image on close or when it grows past the image size.
//
// Layout: "UICCJNL1" | generation (16 bytes, the image's) | entries. Entry: length (u32 BE) | check (first
// 16 bytes of SHA-256 over generation, entry number and payload) | payload. Payload: JSON of
// [[key, hex | null], ...], or that JSON sealed with AES-256-GCM when the image is encrypted.
// A torn last entry (power cut mid-append) is dropped at load; a bad entry followed by more data is damage
// and refused.

import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { fsyncFolder } from '../../card-os/image.js';
import { open as openSealed, seal } from './seal.js';

const MAGIC = new TextEncoder().encode('UICCJNL1');
const HEADER = MAGIC.length + 16;

export type Records = [string, Uint8Array | null][];

const u32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);

function check(gen: Uint8Array, seq: number, payload: Uint8Array): Uint8Array {
  return createHash('sha256').update(gen).update(u32(seq)).update(payload).digest().subarray(0, 16);
}

const aadOf = (gen: Uint8Array, seq: number) => Buffer.concat([MAGIC, gen, u32(seq)]);

function encodeRecords(r: Records): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(r.map(([k, v]) => [k, v ? toHex(v) : null])));
}

function decodeRecords(b: Uint8Array): Records {
  const j = JSON.parse(new TextDecoder().decode(b)) as unknown;
  if (!Array.isArray(j)) throw new Error('not a list');
  return j.map((r) => {
    if (!Array.isArray(r) || typeof r[0] !== 'string' || (r[1] !== null && typeof r[1] !== 'string'))
      throw new Error('malformed record');
    return [r[0], r[1] === null ? null : fromHex(r[1])];
  });
}

function writeAll(fd: number, b: Uint8Array, path: string, at: number): void {
  let off = 0;
  while (off < b.length) {
    let n: number;
    try {
      n = writeSync(fd, b, off, b.length - off, at + off);
    } catch (e) {
      throw new Error(`${path}: cannot write card journal (${(e as NodeJS.ErrnoException).code})`);
    }
    if (n <= 0) throw new Error(`${path}: cannot write card journal (short write)`);
    off += n;
  }
}

export interface JournalContents {
  entries: Records[];
  /** Bytes of the valid part (header and whole entries); a torn tail beyond it is cut before appending. */
  validLength: number;
  /** The file's size as found. */
  size: number;
}

/**
 * Reads the journal of an image at `generation` (hex). A journal of another generation was already folded
 * into the image (a crash between the image's rename and the journal's removal) and yields nothing.
 */
export function readJournal(path: string, generation: string, key?: Uint8Array): JournalContents | undefined {
  let b: Uint8Array;
  try {
    b = readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${path}: cannot read card journal (${(e as NodeJS.ErrnoException).code})`);
  }
  const gen = fromHex(generation);
  if (b.length < HEADER) return { entries: [], validLength: 0, size: b.length }; // torn at creation
  if (!MAGIC.every((x, i) => b[i] === x)) throw new Error(`${path}: not a card journal`);
  if (!gen.every((x, i) => b[MAGIC.length + i] === x)) return undefined;
  const entries: Records[] = [];
  let off = HEADER;
  while (off < b.length) {
    const seq = entries.length;
    const end =
      off +
      20 +
      (off + 4 <= b.length
        ? ((b[off]! << 24) >>> 0) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!
        : 0);
    const whole = off + 20 <= b.length && end <= b.length;
    const payload = whole ? b.subarray(off + 20, end) : undefined;
    const ok =
      payload !== undefined && Buffer.compare(check(gen, seq, payload), b.subarray(off + 4, off + 20)) === 0;
    if (!ok) {
      // Torn tail: the last append did not finish. Anything after a bad entry means damage, not a tear.
      if (!whole || end === b.length) break;
      throw new Error(`${path}: card journal entry ${seq + 1} is damaged (checksum)`);
    }
    let plain = payload;
    if (key)
      try {
        plain = openSealed(key, payload, aadOf(gen, seq));
      } catch {
        throw new Error(`${path}: card journal entry ${seq + 1} does not decrypt: wrong key or modified`);
      }
    try {
      entries.push(decodeRecords(plain));
    } catch (e) {
      throw new Error(`${path}: card journal entry ${seq + 1}: ${(e as Error).message}`);
    }
    off = end;
  }
  return { entries, validLength: off, size: b.length };
}

/** An open journal, appended to durably. */
export class JournalWriter {
  private fd: number;
  private seq: number;
  size: number;

  private constructor(
    readonly path: string,
    private readonly gen: Uint8Array,
    private readonly key: Uint8Array | undefined,
    fd: number,
    seq: number,
    size: number,
  ) {
    this.fd = fd;
    this.seq = seq;
    this.size = size;
  }

  /** Continues a journal read by readJournal (cutting a torn tail), or starts one for `generation`. */
  static open(
    path: string,
    generation: string,
    key: Uint8Array | undefined,
    found?: JournalContents,
  ): JournalWriter {
    const gen = fromHex(generation);
    let fd: number;
    try {
      if (found && found.validLength >= HEADER) {
        fd = openSync(path, 'r+');
        if (found.size !== found.validLength) {
          ftruncateSync(fd, found.validLength);
          fsyncSync(fd);
        }
        return new JournalWriter(path, gen, key, fd, found.entries.length, found.validLength);
      }
      fd = openSync(path, 'w', 0o600);
    } catch (e) {
      throw new Error(`${path}: cannot open card journal (${(e as NodeJS.ErrnoException).code})`);
    }
    const w = new JournalWriter(path, gen, key, fd, 0, 0);
    w.put(Buffer.concat([MAGIC, gen]));
    fsyncFolder(path.slice(0, Math.max(1, path.lastIndexOf('/'))));
    return w;
  }

  private put(b: Uint8Array): void {
    try {
      writeAll(this.fd, b, this.path, this.size);
      fsyncSync(this.fd);
    } catch (e) {
      // Cut what a failed append left, so the next entry does not follow a torn one.
      try {
        ftruncateSync(this.fd, this.size);
      } catch {}
      throw e instanceof Error && e.message.startsWith(this.path)
        ? e
        : new Error(`${this.path}: cannot write card journal (${(e as NodeJS.ErrnoException).code})`);
    }
    this.size += b.length;
  }

  /** Appends one entry and makes it durable (fsync) before returning. */
  append(records: Records): void {
    let payload = encodeRecords(records);
    if (this.key) payload = seal(this.key, payload, aadOf(this.gen, this.seq));
    const entry = Buffer.concat([u32(payload.length), check(this.gen, this.seq, payload), payload]);
    this.put(entry);
    this.seq++;
  }

  close(): void {
    closeSync(this.fd);
  }
}
