// VERIFY, CHANGE, DISABLE, ENABLE and UNBLOCK PIN, TS 102 221 §11.1.9-11.1.13.

import type { Reply } from '../applet.js';
import type { Exec } from '../card.js';
import { changePin, type PinResult, setPinEnabled, unblockPin, verifyPin } from '../security/pin.js';
import { SW } from '../sw.js';

function apply(x: Exec, ref: number, r: PinResult): Reply {
  if (r.verified) x.session.verified.add(ref);
  else if (r.revoked) x.session.verified.delete(ref);
  return { sw: r.sw };
}

function spec(x: Exec) {
  return x.os.pinSpec(x.cmd.p2);
}

export function verify(x: Exec): Reply {
  const { cmd } = x;
  if (cmd.p1 !== 0) return { sw: SW.WRONG_P1P2 };
  const s = spec(x);
  if (!s) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
  if (cmd.le !== undefined || (cmd.data.length !== 0 && cmd.data.length !== 8))
    return { sw: SW.WRONG_LENGTH };
  return apply(x, s.ref, verifyPin(x.os.nvm, s, cmd.data, x.session.verified.has(s.ref)));
}

export function change(x: Exec): Reply {
  const { cmd } = x;
  if (cmd.p1 !== 0) return { sw: SW.WRONG_P1P2 };
  const s = spec(x);
  if (!s) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
  if (cmd.le !== undefined) return { sw: SW.WRONG_LENGTH };
  return apply(x, s.ref, changePin(x.os.nvm, s, cmd.data));
}

export function disable(x: Exec): Reply {
  const { cmd } = x;
  // P1 80 would replace the PIN by the universal PIN; no universal PIN here, so only 00 (§11.1.11).
  if (cmd.p1 !== 0) return { sw: SW.WRONG_P1P2 };
  const s = spec(x);
  if (!s) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
  if (cmd.le !== undefined) return { sw: SW.WRONG_LENGTH };
  const r = setPinEnabled(x.os.nvm, s, cmd.data, false);
  if (r.sw === SW.OK) x.session.verified.delete(s.ref);
  return apply(x, s.ref, r);
}

export function enable(x: Exec): Reply {
  const { cmd } = x;
  if (cmd.p1 !== 0) return { sw: SW.WRONG_P1P2 };
  const s = spec(x);
  if (!s) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
  if (cmd.le !== undefined) return { sw: SW.WRONG_LENGTH };
  return apply(x, s.ref, setPinEnabled(x.os.nvm, s, cmd.data, true));
}

export function unblock(x: Exec): Reply {
  const { cmd } = x;
  if (cmd.p1 !== 0) return { sw: SW.WRONG_P1P2 };
  const s = spec(x);
  if (!s) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
  if (cmd.le !== undefined) return { sw: SW.WRONG_LENGTH };
  return apply(x, s.ref, unblockPin(x.os.nvm, s, cmd.data));
}
