// Makes an emulated card from a profile or a saved card image, personalised with the applets the
// profile asks for, and keeps its image on disk up to date when one is given.
// The profile compiler (YAML, schema, key checks) is passed in, and needed only when the compiled-profile
// cache (host/profile/cache.ts) has no entry: `openCardLazy` loads it then, so a CLI run on a cached profile
// never loads it.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CardOs, createCard } from '../card-os/card.js';
import { type EuiccCard, ISDP_PREFIX } from '../card-os/euicc-card.js';
import type { NvmSnapshot } from '../card-os/nvm.js';
import { checkImageRecords } from './card-store/check.js';
import type { CardKey } from './card-store/seal.js';
import { CardStore } from './card-store/store.js';
import type { EuiccOpener } from './euicc/open.js';
import { readInputFile } from './input-file.js';
import { type Personalised, personalise } from './personalise.js';
import { readCompiled, writeCompiled } from './profile/cache.js';
import type { CompiledProfile } from './profile/compile.js';

/** The project root, found from this file whether it runs from source (vitest) or from dist/. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root');
    dir = up;
  }
  return dir;
}

export function defaultProfilePath(): string {
  return join(projectRoot(), 'profiles', 'default-usim.yaml');
}

function readText(path: string, what: string): string {
  return readInputFile(path, what);
}

export interface OpenedCard {
  /** The card OS; for an eUICC its own (MF, ISD-R), the whole card being `euicc`. */
  card: CardOs;
  /** Present when the profile is an eUICC definition (an EID and its ISD-Ps, GSMA SGP.22 §2.2): the card with all its profiles. */
  euicc?: EuiccCard;
  profileName: string;
  /**
   * The compiled profile the card was personalised from (its subscriber section seeds a test HSS); for an
   * eUICC the profile enabled when it was opened (or its first).
   */
  profile: Personalised['profile'];
  /** An eUICC whose enabled profile was downloaded: `profile` is not the one the terminal sees. */
  downloadedEnabled?: boolean;
  /**
   * Makes the card's changes durable in its image, if it has one (a journal append, fsynced: call it
   * before an answer that wrote goes back to the caller).
   */
  save(): void;
  /** Folds the journal into the image and releases the image's lock; call once, when done with the card. */
  close(): void;
  imagePath?: string;
}

export interface CardSource {
  /** Profile file (YAML). Default: profiles/default-usim.yaml. */
  profile?: string;
  /** Card image file: loaded if it exists, created from the profile otherwise, saved on every change. */
  card?: string;
  /** Seconds to wait for another process holding the image (default: refuse at once). */
  wait?: number;
  /** Passphrase of an encrypted image (--card-key-file, UICC_CARD_KEY). */
  key?: CardKey;
}

export type PreparedProfile = Personalised;
/** Profile text -> compiled profile; throws ProfileError for a bad profile. */
export type ProfileCompiler = (text: string, name: string) => CompiledProfile;

/** Thrown by the `*With` functions given no compiler when the cache cannot serve the profile. */
export class CompilerNeeded extends Error {}

const profileCache = new Map<string, Personalised>();

/**
 * Compiles (or takes from the cache) and personalises a profile text, once per process: cards share the
 * compiled template.
 */
export function prepareProfileWith(
  text: string,
  name: string,
  compile: ProfileCompiler | undefined,
): Personalised {
  const key = `${name}\u0000${text}`;
  let p = profileCache.get(key);
  if (!p) {
    let compiled = readCompiled(text);
    if (!compiled) {
      if (!compile) throw new CompilerNeeded(name);
      compiled = compile(text, name);
      writeCompiled(text, compiled);
    }
    p = personalise(compiled);
    profileCache.set(key, p);
  }
  return p;
}

/**
 * An eUICC definition (GSMA SGP.22 §2.2: an EID and its ISD-Ps) rather than a profile: it has an EID and its installed profiles at
 * the top level, which no profile has.
 */
export function isEuiccDefinition(text: string): boolean {
  return /^eid\s*:/m.test(text) && /^profiles\s*:/m.test(text);
}

function openEuiccWith(
  name: string,
  text: string,
  open: EuiccOpener | undefined,
  nvm?: NvmSnapshot,
): Omit<OpenedCard, 'save' | 'close'> & { euicc: EuiccCard } {
  if (!open) throw new CompilerNeeded(name);
  const { card: euicc, profile, downloadedEnabled } = open(name, text, nvm);
  return {
    card: euicc.own,
    euicc,
    profileName: name,
    profile,
    ...(downloadedEnabled ? { downloadedEnabled } : {}),
  };
}

export function openCardWith(
  src: CardSource,
  compile: ProfileCompiler | undefined,
  euiccOpener?: EuiccOpener,
): OpenedCard {
  const imagePath = src.card ? resolve(src.card) : undefined;
  if (!imagePath) {
    const profilePath = src.profile ?? defaultProfilePath();
    const text = readText(profilePath, 'profile');
    if (isEuiccDefinition(text))
      return { ...openEuiccWith(profilePath, text, euiccOpener), save: () => {}, close: () => {} };
    const p = prepareProfileWith(text, profilePath, compile);
    const card = createCard(p.spec, { applets: p.applets });
    return { card, profileName: profilePath, profile: p.profile, save: () => {}, close: () => {} };
  }
  const store = CardStore.open(imagePath, { wait: src.wait, key: src.key });
  try {
    const img = store.found;
    let opened: Omit<OpenedCard, 'save' | 'close'>;
    let source: { name: string; text: string };
    if (img && isEuiccDefinition(img.profile.text)) {
      if (src.profile)
        throw new Error(`${src.card}: the card image already exists; --profile only applies to new images`);
      opened = openEuiccWith(img.profile.name, img.profile.text, euiccOpener, img.nvm);
      const euicc = opened.euicc!;
      checkImageRecords(
        [
          ['', euicc.own],
          ...euicc.installed.map(([aid, os]): [string, CardOs] => [`${ISDP_PREFIX}${aid}/`, os]),
        ],
        imagePath,
      );
      source = img.profile;
    } else if (img) {
      if (src.profile)
        throw new Error(`${src.card}: the card image already exists; --profile only applies to new images`);
      let p: Personalised;
      try {
        p = prepareProfileWith(img.profile.text, img.profile.name, compile);
      } catch (e) {
        if (e instanceof CompilerNeeded) throw e;
        // The profile inside an image is the image's: say so, not only the name it was made from.
        throw new Error(
          `${imagePath}: the profile inside this card image is invalid:\n${(e as Error).message}`,
        );
      }
      const card = createCard(p.spec, { applets: p.applets, nvm: img.nvm });
      checkImageRecords(card, imagePath);
      source = img.profile;
      opened = { card, profileName: img.profile.name, profile: p.profile };
    } else {
      const profilePath = src.profile ?? defaultProfilePath();
      const text = readText(profilePath, 'profile');
      if (isEuiccDefinition(text)) {
        // The full path: the definition names its profile files relative to it, read again at every load.
        source = { name: resolve(profilePath), text };
        opened = openEuiccWith(source.name, text, euiccOpener);
        store.attach(source, opened.euicc!.storage);
        return { ...opened, save: () => store.commit(), close: () => store.close(), imagePath };
      }
      const p = prepareProfileWith(text, profilePath, compile);
      source = { name: profilePath, text };
      opened = {
        card: createCard(p.spec, { applets: p.applets }),
        profileName: profilePath,
        profile: p.profile,
      };
    }
    store.attach(source, opened.euicc?.storage ?? opened.card.nvm);
    return { ...opened, save: () => store.commit(), close: () => store.close(), imagePath };
  } catch (e) {
    store.close();
    throw e;
  }
}

/** openCard that loads the profile compiler only when the compiled-profile cache misses. */
export async function openCardLazy(src: CardSource = {}): Promise<OpenedCard> {
  try {
    return openCardWith(src, undefined);
  } catch (e) {
    if (!(e instanceof CompilerNeeded)) throw e;
  }
  const { parseProfileText } = await import('./profile/load.js');
  const { openEuicc } = await import('./euicc/open.js');
  return openCardWith(src, parseProfileText, openEuicc);
}

export { CardOs };
