// DEACTIVATE FILE and ACTIVATE FILE, TS 102 221 §11.1.14 and §11.1.15.

import type { Reply } from '../applet.js';
import type { Exec } from '../card.js';
import { LCSI } from '../fs/model.js';
import { AM } from '../security/arr.js';
import { SW } from '../sw.js';
import { select } from './select.js';

function run(x: Exec, activate: boolean): Reply {
  const { cmd } = x;
  // No data: the current file. With data: the file named like SELECT does (P1 00, 08, 09), which
  // becomes the current file.
  if (cmd.le !== undefined) return { sw: SW.WRONG_LENGTH };
  if (cmd.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
  if (cmd.data.length) {
    if (cmd.p1 !== 0x00 && cmd.p1 !== 0x08 && cmd.p1 !== 0x09) return { sw: SW.INCORRECT_P1P2 };
    const sel = select({ ...x, cmd: { ...cmd, p2: 0x0c } });
    if (sel.sw !== SW.OK && sel.sw !== SW.WARN_DEACTIVATED) return { sw: sel.sw };
  } else if (cmd.p1 !== 0) return { sw: SW.INCORRECT_P1P2 };
  const f = x.ch.ef ?? x.ch.df;
  const lcs = x.os.lcs(f);
  if (lcs >= LCSI.TERMINATED) return { sw: SW.REFERENCED_DATA_INVALIDATED };
  if (!x.os.allowed(x.session, f, activate ? AM.ACTIVATE : AM.DEACTIVATE))
    return { sw: SW.SECURITY_NOT_SATISFIED };
  x.os.setLcs(f, activate ? LCSI.ACTIVATED : LCSI.DEACTIVATED);
  return { sw: SW.OK };
}

export const deactivateFile = (x: Exec) => run(x, false);
export const activateFile = (x: Exec) => run(x, true);
