// `uicc profile validate|show` and `uicc card new`.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultProfilePath, openCard } from '../card-factory.js';
import { cardKeyFrom } from '../card-store/seal.js';
import { CardStore } from '../card-store/store.js';
import { readInputFile } from '../input-file.js';
import { describeProfile, loadProfile } from '../profile/load.js';
import { nonEmpty } from './arg-parsers.js';
import { registerCardInspect } from './card-inspect.js';
import { cardKeyOption, waitOption } from './transport-options.js';

export function registerCardCommands(program: Command): void {
  const profile = program.command('profile').description('check and display card profiles');
  profile
    .command('validate')
    .description('check a profile; errors name the file, line and place')
    .argument('<file...>', 'profile files (YAML)')
    .action((files: string[]) => {
      for (const f of files) {
        const p = loadProfile(f);
        let files = 0;
        const count = (n: { children: unknown[] }): void => {
          files++;
          for (const c of n.children as { children: unknown[] }[]) count(c);
        };
        count(p.spec.mf);
        console.log(`${f}: ok (${files} files, ${p.spec.pins.length} PINs/keys)`);
      }
    });
  profile
    .command('show')
    .description('print the file tree of a profile with decoded contents (secrets are never shown)')
    .argument('[file]', 'profile file (default: the default USIM profile)')
    .action((file?: string) => {
      console.log(describeProfile(loadProfile(file ?? defaultProfilePath())));
    });

  const card = program.command('card').description('card images');
  registerCardInspect(card);
  card
    .command('new')
    .description('personalise a new card image from a profile')
    .option('--profile <file>', 'profile (default: the default USIM profile)', nonEmpty)
    .requiredOption('--out <image>', 'card image file to write', nonEmpty)
    .option('--force', 'overwrite an existing image')
    .option(...cardKeyOption)
    .option(...waitOption)
    .action(
      (opts: { profile?: string; out: string; force?: boolean; cardKeyFile?: string; wait?: number }) => {
        if (existsSync(opts.out) && !opts.force)
          throw new Error(`${opts.out} exists (use --force to overwrite)`);
        // The new card is made (and its profile checked) before anything replaces the old image; the write
        // itself is atomic (temp file + rename), under the image's lock.
        const profilePath = opts.profile ?? defaultProfilePath();
        const c = openCard({ profile: profilePath });
        const store = CardStore.open(resolve(opts.out), {
          key: cardKeyFrom(opts.cardKeyFile),
          wait: opts.wait,
          replace: true,
        });
        try {
          // An eUICC keeps the full path of its definition: it names its profile files relative to it.
          const name = c.euicc ? resolve(profilePath) : profilePath;
          store.attach({ name, text: readInputFile(profilePath, 'profile') }, c.euicc?.storage ?? c.card.nvm);
        } finally {
          store.close();
        }
        console.log(`${opts.out}: new card from ${c.profileName}`);
      },
    );
}
