// Card Application Toolkit transport, TS 102 221 §11.2: TERMINAL PROFILE, ENVELOPE, FETCH and
// TERMINAL RESPONSE. The OS keeps the proactive queue; envelopes go to the applet that owns their tag.

import type { Reply } from '../applet.js';
import type { Exec } from '../card.js';
import { SW } from '../sw.js';
import { readBer } from '../tlv.js';

export function terminalProfile(x: Exec): Reply {
  const { cmd } = x;
  if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
  if (cmd.data.length === 0 || cmd.le !== undefined) return { sw: SW.WRONG_LENGTH };
  x.os.setTerminalProfile(cmd.data);
  return { sw: SW.OK };
}

export function envelope(x: Exec): Reply {
  const { cmd, os } = x;
  if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
  if (cmd.data.length === 0) return { sw: SW.WRONG_LENGTH };
  const tlv = readBer(cmd.data);
  if (!tlv || tlv.length !== cmd.data.length) return { sw: SW.WRONG_DATA };
  // A proactive command still waits for FETCH: the card is busy with a proactive session and takes no
  // ENVELOPE (9300, TS 102 221 §10.2.1.1); the terminal retries later or, for an SMS-PP download, answers
  // the network with RP-ERROR (TS 31.111 §7.1.1.2). Nothing of the ENVELOPE is processed, so a terminal
  // that never FETCHes cannot make the card queue more.
  if (os.pendingProactive > 0) return { sw: SW.TOOLKIT_BUSY };
  const applet = os.applets.find((a) => a.envelopeTags?.includes(tlv.tag) && a.envelope);
  // No applet for this envelope: TS 102 221 §11.2.2 has the card answer as for an unsupported
  // data download (6A80 would make terminals retry; 9000 without data is what cards do).
  if (!applet) return { sw: SW.OK };
  return applet.envelope!(cmd, os.context(x, applet));
}

export function fetch(x: Exec): Reply {
  const { cmd, os } = x;
  if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
  if (cmd.le === undefined || cmd.data.length) return { sw: SW.WRONG_LENGTH };
  const c = os.peekProactive();
  if (!c) return { sw: SW.CONDITIONS_NOT_SATISFIED };
  // A wrong Le leaves the command queued so that the terminal can FETCH again with 6Cxx's length.
  if (cmd.le < c.length || (cmd.le !== c.length && os.protocol === 0))
    return { sw: 0x6c00 | (c.length & 0xff) };
  return { sw: SW.OK, data: os.takeProactive()! };
}

export function terminalResponse(x: Exec): Reply {
  const { cmd, os } = x;
  if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
  if (cmd.data.length === 0 || cmd.le !== undefined) return { sw: SW.WRONG_LENGTH };
  const owner = os.takeProactiveOwner();
  if (!owner?.terminalResponse) return { sw: SW.OK };
  return owner.terminalResponse(cmd.data, os.context(x, owner));
}
