// A card image on disk for the life of one card in one process: locked against other processes
// (lock.ts), loaded with its journal replayed (journal.ts), each writing exchange made durable by one
// journal append, folded into the image on close or when the journal outgrows the image. Optionally
// encrypted (seal.ts).

import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, unlinkSync } from 'node:fs';
import { type CardImage, decodeImage, encodeImage, writeFileDurably } from '../../card-os/image.js';
import type { Nvm } from '../../card-os/nvm.js';

/** What the store needs of a card's NVM: one Nvm, or an eUICC's several seen as one (EuiccCard.storage). */
export type StoredNvm = Pick<Nvm, 'journalPending' | 'trackChanges' | 'takeChanges' | 'snapshot'>;

import { MAX_INPUT_BYTES } from '../input-file.js';
import { type JournalContents, JournalWriter, readJournal } from './journal.js';
import { type ImageLock, lockImage } from './lock.js';
import { type CardKey, type DerivedKey, deriveKey, isSealed, openImage, sealImage } from './seal.js';

export interface StoreOptions {
  /** Seconds to wait for another process to release the image (default: refuse at once). */
  wait?: number;
  /** Passphrase of an encrypted image (new images are created encrypted with it). */
  key?: CardKey;
  /** Journal size that triggers folding into the image (default: the image's size, at least 1 MiB). */
  compactAt?: number;
  /** Do not read what is there: the image is replaced by the card attached (`uicc card new --force`). */
  replace?: boolean;
}

const newGeneration = () => randomBytes(16).toString('hex');

function readImageFile(path: string): string {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (e) {
    throw new Error(`${path}: cannot read card image (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!st.isFile()) throw new Error(`${path}: card image is not a regular file`);
  if (st.size > 4 * MAX_INPUT_BYTES)
    throw new Error(`${path}: card image is larger than ${4 * MAX_INPUT_BYTES} bytes`);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read card image (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export class CardStore {
  /** The image as found on disk with its journal replayed; undefined for a new card. */
  readonly found: CardImage | undefined;
  private dk: DerivedKey | undefined;
  private journal: JournalWriter | undefined;
  private pendingJournal: JournalContents | undefined;
  private profile: CardImage['profile'] | undefined;
  private nvm: StoredNvm | undefined;
  private generation = '';
  private imageBytes = 0;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly lock: ImageLock,
    private readonly opts: StoreOptions,
  ) {
    try {
      this.found = this.load();
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /** Locks and loads `path` (which may not exist yet: then `found` is undefined). */
  static open(path: string, opts: StoreOptions = {}): CardStore {
    return new CardStore(path, lockImage(path, opts.wait ?? 0), opts);
  }

  private load(): CardImage | undefined {
    let text: string;
    try {
      if (this.opts.replace) throw new Error('replaced');
      statSync(this.path);
    } catch {
      if (this.opts.key) this.dk = deriveKey(this.opts.key);
      return undefined;
    }
    text = readImageFile(this.path);
    this.imageBytes = text.length;
    let img: CardImage;
    try {
      if (isSealed(text)) {
        const o = openImage(this.opts.key, text);
        this.dk = o.key;
        text = o.text;
      } else if (this.opts.key) {
        throw new Error(`card image is not encrypted, but a key was given (${this.opts.key.source})`);
      }
      img = decodeImage(text);
    } catch (e) {
      throw new Error(`${this.path}: ${(e as Error).message}`);
    }
    this.generation = img.generation ?? '';
    if (this.generation) {
      const j = readJournal(this.journalPath, this.generation, this.dk?.key);
      if (j) {
        this.pendingJournal = j;
        const own = new Map(img.nvm.own);
        for (const e of j.entries) for (const [k, v] of e) own.set(k, v);
        img = { ...img, nvm: { ...img.nvm, own: [...own] } };
      }
    }
    return img;
  }

  get journalPath(): string {
    return `${this.path}.journal`;
  }

  /**
   * From now on `nvm` is the card this image holds. A new image is written at once; a loaded one keeps
   * its journal (its torn tail cut) and goes on appending to it.
   */
  attach(profile: CardImage['profile'], nvm: StoredNvm): void {
    this.profile = profile;
    this.nvm = nvm;
    nvm.trackChanges();
    nvm.takeChanges();
    if (!this.found || !this.generation || nvm.journalPending) this.compact();
    else
      this.journal = JournalWriter.open(this.journalPath, this.generation, this.dk?.key, this.pendingJournal);
  }

  /**
   * Makes what the card wrote since the last call durable: one journal append (fsynced), or a full image
   * write when the journal has grown past the threshold. Call before the answer goes back to the caller.
   */
  commit(): void {
    const nvm = this.nvm;
    if (!nvm || this.closed) return;
    // A transaction torn by a simulated power loss is only in the image format (with its journal).
    if (nvm.journalPending) {
      this.compact();
      return;
    }
    const changes = nvm.takeChanges();
    if (changes.length === 0) return;
    this.journal ??= JournalWriter.open(this.journalPath, this.generation, this.dk?.key);
    this.journal.append(changes);
    if (this.journal.size > (this.opts.compactAt ?? Math.max(1 << 20, this.imageBytes))) this.compact();
  }

  /** Folds everything into a new image generation and drops the journal. */
  compact(): void {
    const nvm = this.nvm;
    if (!nvm || !this.profile) return;
    nvm.takeChanges();
    const generation = newGeneration();
    let text = encodeImage({ profile: this.profile, nvm: nvm.snapshot(), generation });
    if (this.dk) text = sealImage(this.dk, text);
    // The image first: if the process dies before the journal is gone, the journal names the old
    // generation and is ignored at the next load (its records are in the new image).
    writeFileDurably(this.path, text);
    this.generation = generation;
    this.imageBytes = text.length;
    this.journal?.close();
    this.journal = undefined;
    try {
      unlinkSync(this.journalPath);
    } catch {}
  }

  /** Writes what is pending, folds the journal into the image and releases the lock. */
  close(): void {
    if (this.closed) return;
    try {
      if (this.nvm && (this.journal || this.nvm.journalPending)) {
        this.commit();
        this.compact();
      }
    } finally {
      this.closed = true;
      this.journal?.close();
      this.lock.release();
    }
  }
}
