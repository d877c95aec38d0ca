// The key-slot applet (TR 33.812 Alternatives 3a/3b): a non-file application selected by AID whose
// commands (protocol.ts) stage, commit, cancel and carry out subscription changes and key rotations, and
// whose reset hook makes a committed change take effect (activation.ts). Its state is NVM records of the
// card (store.ts, staging.ts); the applet object itself is shared by every card of a profile.

import type { Applet, AppletContext } from '../../card-os/applet.js';
import type { Bytes } from '../../card-os/bytes.js';
import { PowerLoss } from '../../card-os/nvm.js';
import { SW } from '../../card-os/sw.js';
import { ber } from '../../card-os/tlv.js';
import { activateStaged, type CardFiles } from './activation.js';
import type { KeySlotConfig } from './active.js';
import { handleKeySlotCommand, type KeySlotEnv } from './commands.js';
import { STAGED_RECORD } from './staging.js';

export interface KeySlotAppletOptions extends KeySlotConfig {
  aid: Bytes;
  /** FID path of EF.IMSI in the USIM ("3F00/7FF0/6F07"). */
  imsiPath: string;
  /** FID path of EF.ICCID ("3F00/2FE2"). */
  iccidPath: string;
}

function files(ctx: AppletContext, o: KeySlotAppletOptions): CardFiles {
  return {
    iccid: () => {
      const f = ctx.file(o.iccidPath);
      return f && ctx.readFile(f);
    },
    writeImsi: (content) => {
      const f = ctx.file(o.imsiPath);
      if (!f) return false;
      ctx.writeFile(f, content);
      return true;
    },
  };
}

export function keySlotApplet(o: KeySlotAppletOptions): Applet {
  const config: KeySlotConfig = { admin: o.admin, deriveKvn: o.deriveKvn };
  const env = (ctx: AppletContext): KeySlotEnv => ({
    nvm: ctx.nvm,
    config,
    hasKey: (ref) => ctx.hasKey(ref),
    iccid: files(ctx, o).iccid,
    queueProactive: (c) => ctx.queueProactive(c),
  });
  return {
    name: 'KEYSLOTS',
    aid: o.aid,
    // FCI: the application's DF name (ISO/IEC 7816-4 §7.1.1), nothing else about the slots.
    select: () => ({ sw: SW.OK, data: ber(0x6f, ber(0x84, o.aid)) }),
    process: (cmd, ctx) => handleKeySlotCommand(cmd, env(ctx)),
    // The terminal's answer to REFRESH, if it sends one: nothing more to do on this side.
    terminalResponse: () => ({ sw: SW.OK }),
    reset(ctx) {
      if (!ctx.nvm.has(STAGED_RECORD)) return;
      try {
        activateStaged(ctx.nvm, files(ctx, o), config);
      } catch (e) {
        // A tear during the switch is the test's to handle (recovery runs at the next power-up). Anything
        // else leaves the staged change for the next reset rather than taking the card down.
        if (e instanceof PowerLoss) throw e;
      }
    },
  };
}
