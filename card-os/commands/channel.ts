// MANAGE CHANNEL, TS 102 221 §11.1.17: open (card- or terminal-assigned number) and close.

import type { Reply } from '../applet.js';
import type { Exec } from '../card.js';
import { MAX_CHANNELS } from '../session.js';
import { SW } from '../sw.js';

export function manageChannel(x: Exec): Reply {
  const { cmd, session, chNo, os } = x;
  if (cmd.data.length) return { sw: SW.WRONG_LENGTH };
  if (cmd.p1 === 0x00) {
    let n = cmd.p2;
    if (n === 0) {
      if (cmd.le !== 1) return { sw: SW.WRONG_LENGTH };
      n = session.channels.findIndex((c, i) => i > 0 && !c);
      if (n < 0) return { sw: SW.LOGICAL_CHANNEL_NOT_SUPPORTED };
    } else {
      if (cmd.le !== undefined) return { sw: SW.WRONG_LENGTH };
      if (n >= MAX_CHANNELS) return { sw: SW.INCORRECT_P1P2 };
      if (session.channels[n]) return { sw: SW.INCORRECT_P1P2 };
    }
    // Opened from the basic channel: the MF is current. From another channel: that channel's
    // selection is inherited (§11.1.17.2).
    os.openChannel(session, n, chNo === 0 ? undefined : x.ch);
    return cmd.p2 === 0 ? { sw: SW.OK, data: Uint8Array.of(n) } : { sw: SW.OK };
  }
  if (cmd.p1 === 0x80) {
    if (cmd.le !== undefined) return { sw: SW.WRONG_LENGTH };
    const n = cmd.p2;
    if (n === 0 || n >= MAX_CHANNELS) return { sw: SW.INCORRECT_P1P2 };
    if (!session.channels[n]) return { sw: SW.INCORRECT_P1P2 };
    os.closeChannel(x, n);
    return { sw: SW.OK };
  }
  return { sw: SW.INCORRECT_P1P2 };
}
