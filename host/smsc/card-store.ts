// Where the SMSC's cards live on disk: one card image per MSISDN in a directory (`<msisdn>.card`). This is
// the only module of the SMSC that touches card images, through card-os/image.ts's public functions.

import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type CardImage, loadImage, saveImage } from '../../card-os/image.js';

export const IMAGE_SUFFIX = '.card';

/** The profile an image names (shown to people) and carries (compiled by the host). */
export type ImageProfile = CardImage['profile'];

export class CardStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  pathOf(msisdn: string): string {
    return join(this.dir, `${msisdn}${IMAGE_SUFFIX}`);
  }

  /** MSISDNs of the images in the directory (file names `<digits>.card`), sorted. */
  msisdns(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(IMAGE_SUFFIX) && /^\+?[0-9]+$/.test(f.slice(0, -IMAGE_SUFFIX.length)))
      .map((f) => f.slice(0, -IMAGE_SUFFIX.length))
      .sort();
  }

  has(msisdn: string): boolean {
    return existsSync(this.pathOf(msisdn));
  }

  load(msisdn: string): CardImage {
    return loadImage(this.pathOf(msisdn));
  }

  save(msisdn: string, img: CardImage): void {
    saveImage(this.pathOf(msisdn), img);
  }
}
