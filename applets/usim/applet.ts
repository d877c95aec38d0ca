// The USIM application (TS 31.102) as an applet riding on ADF.USIM: the file system is the OS's; this
// applet adds AUTHENTICATE (§7.1.2) with the subscriber keys and SQN state kept in NVM, and GET IDENTITY
// (§7.5, the SUCI computed by the USIM).

import { randomFillSync } from 'node:crypto';
import type { Command } from '../../card-os/apdu.js';
import type { Applet, AppletContext, Reply } from '../../card-os/applet.js';
import type { Bytes } from '../../card-os/bytes.js';
import { akaAuthenticate } from '../aka/aka-command.js';
import { USIM_KEYS, USIM_SQN } from '../aka/subscription.js';
import { getIdentity, INS_GET_IDENTITY } from './get-identity.js';

/** RID + application code of the USIM (ETSI TS 101 220 Annex E): the partial AID terminals select. */
export const USIM_AID_PREFIX = Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02);

// The subscription records, shared with the key-slot applet (applets/aka/subscription.ts).
export { USIM_KEYS, USIM_SQN };

/** EF.UST, the USIM Service Table (TS 31.102 §4.2.8). */
const EF_UST = 0x6f38;
/** USIM service n°27, GSM access (TS 31.102 §4.2.8). */
const SERVICE_GSM_ACCESS = 27;
const INS_AUTHENTICATE = 0x88;

/** PIN1 (the USIM's application PIN) and the universal PIN, TS 102 221 Table 9.3. */
const PIN1 = 0x01;
const UNIVERSAL_PIN = 0x11;

function runAuthenticate(cmd: Command, ctx: AppletContext): Reply {
  // AUTHENTICATE is an ISO-class command (CLA 0X/4X), TS 31.102 §7.1; it needs PIN1 or the universal PIN
  // (§7.1.2, a disabled PIN counts as satisfied) and is no RFM command (TS 102 226 §6). Kc rides along and
  // the GSM context exists while service n°27 is available.
  return akaAuthenticate(cmd, ctx, { keys: USIM_KEYS, sqn: USIM_SQN }, [PIN1, UNIVERSAL_PIN], {
    gsmAccess: ctx.service(SERVICE_GSM_ACCESS),
  });
}

export interface UsimAppletOptions {
  /**
   * The card's random source (ephemeral SUCI keys); default node:crypto. TEST HOOK: tests inject a fixed
   * source to reproduce the TS 33.501 Annex C.4 vectors through GET IDENTITY; a profile cannot set it.
   */
  random?: (n: number) => Bytes;
}

const systemRandom = (n: number): Bytes => randomFillSync(new Uint8Array(n));

export function usimApplet(aid: Bytes, opts: UsimAppletOptions = {}): Applet {
  const identity = { random: opts.random ?? systemRandom };
  return {
    name: 'USIM',
    aid,
    serviceTable: EF_UST,
    process(cmd, ctx) {
      if (cmd.ins === INS_AUTHENTICATE) return runAuthenticate(cmd, ctx);
      // GET IDENTITY is a proprietary-class command (CLA 8X/CX/EX, TS 31.102 §7.5.2); not over RFM.
      if (cmd.ins === INS_GET_IDENTITY && cmd.cla & 0x80 && !ctx.remote)
        return getIdentity(cmd, ctx, identity);
      return undefined;
    },
  };
}
