// `uicc readers`: the PC/SC readers, with card presence and ATR.

import type { Command } from 'commander';
import { toHex } from '../../card-os/bytes.js';
import { listReaders } from '../../pcsc-bridge/pcsc-transport.js';

export function registerReaders(program: Command): void {
  program
    .command('readers')
    .description('list PC/SC readers (use a name with --reader)')
    .action(async () => {
      const readers = await listReaders();
      if (readers.length === 0) console.log('no PC/SC readers (is pcscd running?)');
      for (const r of readers)
        console.log(
          `${r.index}: ${r.name}  ${r.cardPresent ? `card, ATR ${toHex(r.atr ?? new Uint8Array(0))}` : 'no card'}`,
        );
    });
}
