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
  /**
   * Whether the command with these parameters is ISO case 1 (no data either way). Under T=0 its header
   * carries P3=00 (ISO/IEC 7816-3 §12.2.2), which the APDU parser cannot tell from a case-2 Le of 256.
   */
  case1?: (p1: number, p2: number) => boolean;
}

const iso = (cla: number) => (cla & 0x80) === 0;
const proprietary = (cla: number) => (cla & 0x80) !== 0;

function def(
  name: string,
  cla: (c: number) => boolean,
  run: (x: Exec) => Reply,
  case1?: CommandDef['case1'],
): CommandDef {
  return case1 ? { name, cla, run, case1 } : { name, cla, run };
}

// Case-1 forms (TS 102 221 §11.1): VERIFY / UNBLOCK PIN without data ask for the retry counter,
// DEACTIVATE / ACTIVATE FILE without data act on the current file, MANAGE CHANNEL close (P1 80) and open
// of a terminal-assigned channel (P2 != 0) answer no data.
const always = () => true;
const channelCase1 = (p1: number, p2: number) => p1 === 0x80 || p2 !== 0;
// SELECT of the MF or the parent DF without data and STATUS, both with "no data returned" (P2 0C).
const selectCase1 = (p1: number, p2: number) => (p2 & 0x0c) === 0x0c && (p1 === 0x00 || p1 === 0x03);
const statusCase1 = (_p1: number, p2: number) => p2 === 0x0c;

export const COMMANDS: Record<number, CommandDef | undefined> = {
  0xa4: def('SELECT', iso, select, selectCase1),
  0xf2: def('STATUS', proprietary, status, statusCase1),
  0xb0: def('READ BINARY', iso, readBinary),
  0xd6: def('UPDATE BINARY', iso, updateBinary),
  0xb2: def('READ RECORD', iso, readRecord),
  0xdc: def('UPDATE RECORD', iso, updateRecord),
  0xa2: def('SEARCH RECORD', iso, searchRecord),
  0x32: def('INCREASE', proprietary, increase),
  0xcb: def('RETRIEVE DATA', proprietary, retrieveData),
  0xdb: def('SET DATA', proprietary, setData),
  0x20: def('VERIFY PIN', iso, verify, always),
  0x24: def('CHANGE PIN', iso, change),
  0x26: def('DISABLE PIN', iso, disable),
  0x28: def('ENABLE PIN', iso, enable),
  0x2c: def('UNBLOCK PIN', iso, unblock, always),
  0x04: def('DEACTIVATE FILE', iso, deactivateFile, always),
  0x44: def('ACTIVATE FILE', iso, activateFile, always),
  0x70: def('MANAGE CHANNEL', iso, manageChannel, channelCase1),
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
