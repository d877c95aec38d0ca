// Makes an emulated card from a profile or a saved card image, personalised with the applets the
// profile asks for, and keeps its image on disk up to date when one is given.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CardOs, createCard } from '../card-os/card.js';
import { checkImageRecords } from './card-store/check.js';
import type { CardKey } from './card-store/seal.js';
import { CardStore } from './card-store/store.js';
import { readInputFile } from './input-file.js';
import { type Personalised, personalise } from './personalise.js';
import { parseProfileText } from './profile/load.js';

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
  card: CardOs;
  profileName: string;
  /** The compiled profile the card was personalised from (its subscriber section seeds a test HSS). */
  profile: Personalised['profile'];
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

const profileCache = new Map<string, ReturnType<typeof personalise>>();

/** Compiles and personalises a profile text once per process (cards share the compiled template). */
export function prepareProfile(text: string, name: string): ReturnType<typeof personalise> {
  const key = `${name}\u0000${text}`;
  let p = profileCache.get(key);
  if (!p) {
    p = personalise(parseProfileText(text, name));
    profileCache.set(key, p);
  }
  return p;
}

export function openCard(src: CardSource = {}): OpenedCard {
  const imagePath = src.card ? resolve(src.card) : undefined;
  if (!imagePath) {
    const profilePath = src.profile ?? defaultProfilePath();
    const p = prepareProfile(readText(profilePath, 'profile'), profilePath);
    const card = createCard(p.spec, { applets: p.applets });
    return { card, profileName: profilePath, profile: p.profile, save: () => {}, close: () => {} };
  }
  const store = CardStore.open(imagePath, { wait: src.wait, key: src.key });
  try {
    const img = store.found;
    let opened: { card: CardOs; profileName: string; profile: Personalised['profile'] };
    let source: { name: string; text: string };
    if (img) {
      if (src.profile)
        throw new Error(`${src.card}: the card image already exists; --profile only applies to new images`);
      let p: ReturnType<typeof personalise>;
      try {
        p = prepareProfile(img.profile.text, img.profile.name);
      } catch (e) {
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
      const p = prepareProfile(text, profilePath);
      source = { name: profilePath, text };
      opened = {
        card: createCard(p.spec, { applets: p.applets }),
        profileName: profilePath,
        profile: p.profile,
      };
    }
    store.attach(source, opened.card.nvm);
    return { ...opened, save: () => store.commit(), close: () => store.close(), imagePath };
  } catch (e) {
    store.close();
    throw e;
  }
}

export { CardOs };
