// The ISIM application (TS 31.103) as an applet riding on ADF.ISIM: the files (EF.IMPI, EF.IMPU,
// EF.DOMAIN, EF.IST, EF.AD, EF.ARR, EF.P-CSCF) are the OS's; this applet adds AUTHENTICATE in the IMS AKA
// security context (§7.1.2.1) with its own subscriber keys and SQN state in NVM.

import type { Command } from '../../card-os/apdu.js';
import type { Applet, AppletContext, Reply } from '../../card-os/applet.js';
import type { Bytes } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';
import { akaAuthenticate } from '../aka/aka-command.js';

/** 3GPP RID + ISIM application code (TS 101 220 Annex E): the partial AID terminals select. */
export const ISIM_AID_PREFIX = Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x04);

/** NVM records of the ISIM's subscription; the key record is never readable. */
export const ISIM_RECORDS = { keys: 'secret/isim/keys', sqn: 'isim/sqn' } as const;

/** EF.IST, the ISIM Service Table (TS 31.103 §4.2.7). */
const EF_IST = 0x6f07;
const INS_AUTHENTICATE = 0x88;
/** The ISIM's application PIN and the universal PIN (TS 102 221 Table 9.3). */
const PINS = [0x01, 0x11] as const;

// P2 b3..b1, TS 31.103 §7.1.2 table: 001 IMS AKA; 010 HTTP Digest, 100 GBA, 110 local key establishment
// are defined contexts this ISIM does not run (9864); the other values are RFU (6A86).
const CONTEXT_IMS_AKA = 1;
const DEFINED_UNSUPPORTED = new Set([2, 4, 6]);

function runAuthenticate(cmd: Command, ctx: AppletContext): Reply {
  if (cmd.p1 !== 0 || (cmd.p2 & 0xf8) !== 0x80) return { sw: SW.INCORRECT_P1P2 };
  const context = cmd.p2 & 0x07;
  if (DEFINED_UNSUPPORTED.has(context)) return { sw: SW.AUTH_CONTEXT_NOT_SUPPORTED };
  if (context !== CONTEXT_IMS_AKA) return { sw: SW.INCORRECT_P1P2 };
  // IMS AKA runs the 3G algorithm and answers DB RES CK IK without Kc (§7.1.2.1).
  return akaAuthenticate(cmd, ctx, ISIM_RECORDS, PINS, { gsmAccess: false });
}

export function isimApplet(aid: Bytes): Applet {
  return {
    name: 'ISIM',
    aid,
    serviceTable: EF_IST,
    process(cmd, ctx) {
      if (cmd.ins === INS_AUTHENTICATE) return runAuthenticate(cmd, ctx);
      return undefined;
    },
  };
}
