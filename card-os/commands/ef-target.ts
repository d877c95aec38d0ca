// Finds the EF a data command works on: the current EF, or one named by SFI (which then becomes the
// current EF, TS 102 221 §11.1.3.1), and checks structure, life cycle and access rule.

import type { Exec } from '../card.js';
import { type EfStructure, type FileSpec, LCSI } from '../fs/model.js';
import { SW } from '../sw.js';

export type Target = { ef: FileSpec; sw?: undefined } | { ef?: undefined; sw: number };

export function efBySfi(x: Exec, sfi: number): FileSpec | undefined {
  return x.os.index.sfi.get(x.ch.df)?.get(sfi);
}

export function target(
  x: Exec,
  sfi: number | undefined,
  structures: readonly EfStructure[],
  am: number,
  ins?: number,
): Target {
  const ef = sfi !== undefined ? efBySfi(x, sfi) : x.ch.ef;
  if (!ef) return { sw: sfi !== undefined ? SW.FILE_NOT_FOUND : SW.NO_EF_SELECTED };
  if (!structures.includes(ef.structure!)) return { sw: SW.INCOMPATIBLE_FILE_STRUCTURE };
  const lcs = x.os.lcs(ef);
  if ((lcs & 0xfd) === LCSI.DEACTIVATED || lcs >= LCSI.TERMINATED)
    return { sw: SW.REFERENCED_DATA_INVALIDATED };
  if (!x.os.allowed(x.session, ef, am, ins)) return { sw: SW.SECURITY_NOT_SATISFIED };
  // The file named by SFI becomes the current EF once the command may run on it; a refused command changes
  // no selection and no record pointer (TS 102 221 §11.1.5.1).
  if (ef !== x.ch.ef) {
    x.ch.ef = ef;
    x.ch.recordPtr = 0;
  }
  return { ef };
}
