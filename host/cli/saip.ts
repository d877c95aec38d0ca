// `uicc saip decode FILE.der` and `uicc saip encode PROFILE.yaml --out FILE.der`: profile packages in the TCA
// interoperable format (docs/saip.md). Decoding shows the PEs, keys (masked) and the file tree the card
// installs; encoding turns one of our profiles into a package an SM-DP+ can serve.

import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { decodeUpp } from '../../applets/euicc/saip/pe.js';
import { isEuiccDefinition } from '../card-source.js';
import { readInputBytes, readInputFile } from '../input-file.js';
import { loadProfile } from '../profile/load.js';
import { describeUpp } from '../saip/describe.js';
import { encodeUpp, SaipEncodeError } from '../saip/encode.js';

export function registerSaip(program: Command): void {
  const saip = program
    .command('saip')
    .description('SAIP profile packages (TCA eUICC Profile Package, TS.48 test profiles)');
  saip
    .command('decode')
    .argument('<file>', 'an unprotected profile package (DER)')
    .description('list the profile elements, keys (masked) and the files the card installs')
    .action((file: string) => {
      const upp = new Uint8Array(readInputBytes(file, 'profile package'));
      // Not a package at all is an input error (exit 2); a package this card would refuse is a finding (1).
      const split = decodeUpp(upp);
      if (!split.ok) throw new Error(`${file}: not a profile package: ${split.failure.message}`);
      const d = describeUpp(upp);
      for (const line of d.lines) console.log(line);
      if (!d.installs) process.exitCode = 1;
    });
  saip
    .command('encode')
    .argument('<profile>', 'a profile (YAML), e.g. profiles/default-usim.yaml')
    .requiredOption('--out <file>', 'where to write the package (DER)')
    .description('encode a profile as a profile package')
    .action((file: string, opts: { out: string }) => {
      if (isEuiccDefinition(readInputFile(file, 'profile')))
        throw new Error(`${file}: an eUICC definition; encode one of the profile files it names`);
      const profile = loadProfile(file);
      let upp: Uint8Array;
      try {
        upp = encodeUpp(profile);
      } catch (e) {
        if (e instanceof SaipEncodeError) throw new Error(`${file}: ${e.message}`);
        throw e;
      }
      try {
        writeFileSync(opts.out, upp);
      } catch (e) {
        throw new Error(`${opts.out}: cannot write (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      const split = decodeUpp(upp);
      console.log(`${opts.out}: ${upp.length} bytes, ${split.ok ? split.pes.length : '?'} profile elements`);
    });
}
