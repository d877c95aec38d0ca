// `uicc profile validate|show` and `uicc card new`.

import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { saveImage } from '../../card-os/image.js';
import { defaultProfilePath, openCard } from '../card-factory.js';
import { describeProfile, loadProfile } from '../profile/load.js';
import { registerCardInspect } from './card-inspect.js';

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
    .option('--profile <file>', 'profile (default: the default USIM profile)')
    .requiredOption('--out <image>', 'card image file to write')
    .option('--force', 'overwrite an existing image')
    .action((opts: { profile?: string; out: string; force?: boolean }) => {
      if (existsSync(opts.out) && !opts.force)
        throw new Error(`${opts.out} exists (use --force to overwrite)`);
      // The new card is made (and its profile checked) before anything replaces the old image; the write
      // itself is atomic (temp file + rename).
      const profilePath = opts.profile ?? defaultProfilePath();
      const c = openCard({ profile: profilePath });
      saveImage(opts.out, {
        profile: { name: profilePath, text: readFileSync(profilePath, 'utf8') },
        nvm: c.card.nvm.snapshot(),
      });
      console.log(`${opts.out}: new card from ${c.profileName}`);
    });
}
