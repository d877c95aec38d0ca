// Helpers for the SAIP tests: the TS.48 packages of test/vectors/ts48 and a card made from an installed one.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DownloadedProfile, installUpp } from '../../applets/euicc/saip/install.js';
import { type CardOs, createCard } from '../../card-os/card.js';

export const TS48_DIR = join(__dirname, '..', 'vectors', 'ts48');

export const TS48_FILES = readdirSync(TS48_DIR)
  .filter((f) => f.endsWith('.der'))
  .sort();

export function ts48(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(TS48_DIR, name)));
}

export function installed(name: string): DownloadedProfile {
  const r = installUpp(ts48(name));
  if (!r.ok) throw new Error(`${name}: ${r.failure.message}`);
  return r.profile;
}

export function cardOf(p: DownloadedProfile, protocol: 0 | 1 = 1): CardOs {
  const card = createCard(p.spec, { applets: p.applets });
  card.protocol = protocol;
  return card;
}
