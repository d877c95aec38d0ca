// Makes an emulated card from a profile or a saved card image, personalised with the applets the
// profile asks for, and keeps its image on disk up to date when one is given.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CardOs, createCard } from '../card-os/card.js';
import { loadImage, saveImage } from '../card-os/image.js';
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
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export interface OpenedCard {
  card: CardOs;
  profileName: string;
  /** The compiled profile the card was personalised from (its subscriber section seeds a test HSS). */
  profile: Personalised['profile'];
  /** Saves the card image, if the card came from (or goes to) an image file. */
  save(): void;
  imagePath?: string;
}

export interface CardSource {
  /** Profile file (YAML). Default: profiles/default-usim.yaml. */
  profile?: string;
  /** Card image file: loaded if it exists, created from the profile otherwise, saved on every change. */
  card?: string;
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
  if (imagePath && existsSync(imagePath)) {
    if (src.profile)
      throw new Error(`${src.card}: the card image already exists; --profile only applies to new images`);
    const img = loadImage(imagePath);
    const p = prepareProfile(img.profile.text, img.profile.name);
    const card = createCard(p.spec, { applets: p.applets, nvm: img.nvm });
    const save = () => saveImage(imagePath, { profile: img.profile, nvm: card.nvm.snapshot() });
    return { card, profileName: img.profile.name, profile: p.profile, save, imagePath };
  }
  const profilePath = src.profile ?? defaultProfilePath();
  const text = readText(profilePath, 'profile');
  const p = prepareProfile(text, profilePath);
  const card = createCard(p.spec, { applets: p.applets });
  const save = imagePath
    ? () => saveImage(imagePath, { profile: { name: profilePath, text }, nvm: card.nvm.snapshot() })
    : () => {};
  if (imagePath) save();
  return { card, profileName: profilePath, profile: p.profile, save, imagePath };
}

export { CardOs };
