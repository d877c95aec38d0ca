// The ISD-R (SGP.22 §2.2.1): a non-file application selected by AID on any logical channel, taking the
// ES10a/b/c functions as DER in GP STORE DATA (GPC v2.3 §11.11, SGP.22 §5.7.2): CLA 80|channel, INS E2,
// P1 11 = more blocks follow, 91 = last block, P2 = block number from 00. Blocks before the last answer
// 9000 without data; the answer to the whole request comes after the last (61xx under T=0).
// Its state is the eUICC's own NVM (store.ts), not the enabled profile's.

import type { Applet, AppletContext, Reply } from '../../card-os/applet.js';
import type { Bytes } from '../../card-os/bytes.js';
import { concat, fromHex } from '../../card-os/bytes.js';
import { encodeRefresh, REFRESH_UICC_RESET } from '../../card-os/cat-refresh.js';
import type { Nvm } from '../../card-os/nvm.js';
import { SW } from '../../card-os/sw.js';
import { ber } from '../../card-os/tlv.js';
import { loadBppPiece } from './bpp-load.js';
import { type Es10Config, es10 } from './es10.js';

// SGP.22 §2.2.1 / §2.2.3: the GSMA RID A000000559, then 1010FFFFFFFF89 and the instance number.
export const ISD_R_AID = fromHex('A0000005591010FFFFFFFF8900000100');
export const ECASD_AID = fromHex('A0000005591010FFFFFFFF8900000200');

const INS_STORE_DATA = 0xe2;
const P1_MORE = 0x11;
const P1_LAST = 0x91;
/** Longest ES10 request taken (a bound against memory exhaustion; the largest LPA request is a few kB). */
const MAX_REQUEST = 16 * 1024;

export interface IsdROptions extends Es10Config {
  /** The eUICC's NVM, shared by every profile's file system. */
  nvm: Nvm;
  random(n: number): Bytes;
}

interface Pending {
  next: number;
  data: Bytes;
}

function storeData(
  cmd: { cla: number; p1: number; p2: number; data: Bytes },
  ctx: AppletContext,
  o: IsdROptions,
): Reply {
  if ((cmd.cla & 0x80) === 0) return { sw: SW.CLA_NOT_SUPPORTED };
  const key = `store-data/${ctx.channel}`;
  const pending = ctx.ram.get(key) as Pending | undefined;
  if (cmd.p1 !== P1_MORE && cmd.p1 !== P1_LAST) {
    ctx.ram.delete(key);
    return { sw: SW.INCORRECT_P1P2 };
  }
  const expected = pending?.next ?? 0;
  if (cmd.p2 !== expected) {
    ctx.ram.delete(key);
    return { sw: SW.INCORRECT_P1P2 };
  }
  const data = pending ? concat(pending.data, cmd.data) : cmd.data.slice();
  if (data.length > MAX_REQUEST) {
    ctx.ram.delete(key);
    return { sw: SW.WRONG_LENGTH };
  }
  if (cmd.p1 === P1_MORE) {
    ctx.ram.set(key, { next: expected + 1, data });
    return { sw: SW.OK };
  }
  ctx.ram.delete(key);
  const env = {
    nvm: o.nvm,
    config: o,
    ram: ctx.ram,
    random: o.random,
    refresh: () => ctx.queueProactive(encodeRefresh(REFRESH_UICC_RESET)),
  };
  // A piece of a Bound Profile Package is not one whole TLV (SGP.22 §5.7.6): it goes to its own reader.
  const answer = loadBppPiece(data, env) ?? es10(data, env);
  // Not one DER TLV, or no function of ours: wrong data (ISO 7816-4 §5.6).
  if (!answer) return { sw: SW.WRONG_DATA };
  return answer.length ? { sw: SW.OK, data: answer } : { sw: SW.OK };
}

export function isdRApplet(o: IsdROptions): Applet {
  return {
    name: 'ISD-R',
    aid: ISD_R_AID,
    select: () => ({ sw: SW.OK, data: ber(0x6f, ber(0x84, ISD_R_AID)) }),
    deselect(ctx) {
      ctx.ram.delete(`store-data/${ctx.channel}`);
    },
    process(cmd, ctx) {
      if (cmd.ins === INS_STORE_DATA) return storeData(cmd, ctx, o);
      return undefined;
    },
  };
}

/** The ECASD (SGP.22 §2.2.3): selectable; its key and certificate serve the ISD-R's signatures. */
export function ecasdApplet(): Applet {
  return {
    name: 'ECASD',
    aid: ECASD_AID,
    select: () => ({ sw: SW.OK, data: ber(0x6f, ber(0x84, ECASD_AID)) }),
  };
}
