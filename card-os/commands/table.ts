// The OS command table: INS -> handler and the class bytes it accepts (TS 102 221 §10.1.2, Table 10.5).
// ISO-class commands take CLA 0X/4X; the UICC-specific ones (STATUS, INCREASE, CAT) take 8X/CX.

import type { Reply } from '../applet.js';
import type { Exec } from '../card.js';
import { retrieveData, setData } from './ber-tlv.js';
import { readBinary, updateBinary } from './binary.js';
import { envelope, fetch, terminalProfile, terminalResponse } from './cat.js';
import { manageChannel } from './channel.js';
import { activateFile, deactivateFile } from './lifecycle.js';
import { change, disable, enable, unblock, verify } from './pin.js';
import { increase, readRecord, searchRecord, updateRecord } from './record.js';
import { select, status } from './select.js';

export interface CommandDef {
  name: string;
  cla: (cla: number) => boolean;
  run: (x: Exec) => Reply;
}

const iso = (cla: number) => (cla & 0x80) === 0;
const proprietary = (cla: number) => (cla & 0x80) !== 0;

function def(name: string, cla: (c: number) => boolean, run: (x: Exec) => Reply): CommandDef {
  return { name, cla, run };
}

export const COMMANDS: Record<number, CommandDef | undefined> = {
  164: def('SELECT', iso, select),
  242: def('STATUS', proprietary, status),
  176: def('READ BINARY', iso, readBinary),
  214: def('UPDATE BINARY', iso, updateBinary),
  178: def('READ RECORD', iso, readRecord),
  220: def('UPDATE RECORD', iso, updateRecord),
  162: def('SEARCH RECORD', iso, searchRecord),
  50: def('INCREASE', proprietary, increase),
  203: def('RETRIEVE DATA', proprietary, retrieveData),
  219: def('SET DATA', proprietary, setData),
  32: def('VERIFY PIN', iso, verify),
  36: def('CHANGE PIN', iso, change),
  38: def('DISABLE PIN', iso, disable),
  40: def('ENABLE PIN', iso, enable),
  44: def('UNBLOCK PIN', iso, unblock),
  4: def('DEACTIVATE FILE', iso, deactivateFile),
  68: def('ACTIVATE FILE', iso, activateFile),
  112: def('MANAGE CHANNEL', iso, manageChannel),
  16: def('TERMINAL PROFILE', proprietary, terminalProfile),
  194: def('ENVELOPE', proprietary, envelope),
  18: def('FETCH', proprietary, fetch),
  20: def('TERMINAL RESPONSE', proprietary, terminalResponse),
};

/** Command names for transcripts and traces (OS commands plus the applets' well-known ones). */
export const INS_NAMES: Record<number, string> = {
  ...Object.fromEntries(Object.entries(COMMANDS).map(([k, v]) => [k, v!.name])),
  192: 'GET RESPONSE',
  136: 'AUTHENTICATE',
  132: 'GET CHALLENGE',
  202: 'GET DATA',
  42: 'PERFORM SECURITY OPERATION',
  130: 'MUTUAL AUTHENTICATE',
  226: 'STORE DATA',
  170: 'TERMINAL CAPABILITY',
  118: 'SUSPEND UICC',
};
