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
  0xa4: def('SELECT', iso, select),
  0xf2: def('STATUS', proprietary, status),
  0xb0: def('READ BINARY', iso, readBinary),
  0xd6: def('UPDATE BINARY', iso, updateBinary),
  0xb2: def('READ RECORD', iso, readRecord),
  0xdc: def('UPDATE RECORD', iso, updateRecord),
  0xa2: def('SEARCH RECORD', iso, searchRecord),
  0x32: def('INCREASE', proprietary, increase),
  0xcb: def('RETRIEVE DATA', proprietary, retrieveData),
  0xdb: def('SET DATA', proprietary, setData),
  0x20: def('VERIFY PIN', iso, verify),
  0x24: def('CHANGE PIN', iso, change),
  0x26: def('DISABLE PIN', iso, disable),
  0x28: def('ENABLE PIN', iso, enable),
  0x2c: def('UNBLOCK PIN', iso, unblock),
  0x04: def('DEACTIVATE FILE', iso, deactivateFile),
  0x44: def('ACTIVATE FILE', iso, activateFile),
  0x70: def('MANAGE CHANNEL', iso, manageChannel),
  0x10: def('TERMINAL PROFILE', proprietary, terminalProfile),
  0xc2: def('ENVELOPE', proprietary, envelope),
  0x12: def('FETCH', proprietary, fetch),
  0x14: def('TERMINAL RESPONSE', proprietary, terminalResponse),
};

/** Command names for transcripts and traces (OS commands plus the applets' well-known ones). */
export const INS_NAMES: Record<number, string> = {
  ...Object.fromEntries(Object.entries(COMMANDS).map(([k, v]) => [k, v!.name])),
  0xc0: 'GET RESPONSE',
  0x88: 'AUTHENTICATE',
  0x84: 'GET CHALLENGE',
  0xca: 'GET DATA',
  0x2a: 'PERFORM SECURITY OPERATION',
  0x82: 'MUTUAL AUTHENTICATE',
  0xe2: 'STORE DATA',
  0xd4: 'PROFILE UPDATE',
  0xaa: 'TERMINAL CAPABILITY',
  0x76: 'SUSPEND UICC',
};
