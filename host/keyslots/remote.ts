// Remote command scripts for the key-slot applet (TS 102 226 §5.1 compact format, as RFM sends them) and
// the reading of their results from a PoR. The command data codecs are the card's own (protocol.ts).
//
// Compact commands are coded like T=0 TPDUs, so a command that returns data answers 61xx and the script
// fetches the data with GET RESPONSE of the exact length, which the host knows in advance for STAGE and
// COMMIT (the answer echoes the txid). KEY SLOT STATUS is read in two rounds (statusScript without a length
// gives 61xx with the length, then statusScript(aid, length)).

import {
  CHANGE_P1,
  type ChangeAnswer,
  decodeChangeAnswer,
  decodeStatus,
  encodeChangeAnswer,
  encodeRotationData,
  encodeStageData,
  encodeTxidData,
  INS,
  KEYSLOT_CLA,
  type SlotStatus,
  type StageRequest,
} from '../../applets/keyslots/protocol.js';
import { type Bytes, concat } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';

/** One compact command: CLA INS P1 P2 P3 [data]. */
function tpdu(cla: number, ins: number, p1: number, p2: number, data: Bytes | number): Bytes {
  if (typeof data === 'number') return Uint8Array.of(cla, ins, p1, p2, data);
  return concat(Uint8Array.of(cla, ins, p1, p2, data.length), data);
}

/** SELECT by DF name, no response data (P2 0C), TS 102 221 §11.1.1. */
export function selectApplet(aid: Bytes): Bytes {
  return tpdu(0x00, 0xa4, 0x04, 0x0c, aid);
}

const getResponse = (length: number) => tpdu(0x00, 0xc0, 0x00, 0x00, length);

/** Length of the A1 answer to STAGE / COMMIT for this txid. */
const answerLength = (txid: Bytes) => encodeChangeAnswer({ index: 0, txid, state: 0 }).length;

export function stageScript(aid: Bytes, req: StageRequest): Bytes {
  return concat(
    selectApplet(aid),
    tpdu(KEYSLOT_CLA, INS.CHANGE, CHANGE_P1.STAGE, 0, encodeStageData(req)),
    getResponse(answerLength(req.txid)),
  );
}

export function commitScript(aid: Bytes, txid: Bytes): Bytes {
  return concat(
    selectApplet(aid),
    tpdu(KEYSLOT_CLA, INS.CHANGE, CHANGE_P1.COMMIT, 0, encodeTxidData(txid)),
    getResponse(answerLength(txid)),
  );
}

export function cancelScript(aid: Bytes, txid: Bytes): Bytes {
  return concat(selectApplet(aid), tpdu(KEYSLOT_CLA, INS.CHANGE, CHANGE_P1.CANCEL, 0, encodeTxidData(txid)));
}

export function rotateScript(aid: Bytes, txid: Bytes, wrapped: Bytes): Bytes {
  return concat(
    selectApplet(aid),
    tpdu(KEYSLOT_CLA, INS.ROTATE, 0, 0, encodeRotationData({ txid, wrapped })),
  );
}

/** STATUS; with `length` (from a first round's 61xx) the data is fetched too. */
export function statusScript(aid: Bytes, length?: number): Bytes {
  // P3 = 0 and no data: a case-1 command (TS 102 226 §5.1), whose data waits for GET RESPONSE.
  const status = tpdu(KEYSLOT_CLA, INS.STATUS, 0, 0, 0);
  return length === undefined
    ? concat(selectApplet(aid), status)
    : concat(selectApplet(aid), status, getResponse(length));
}

/** The compact script result of a PoR (TS 102 226 §5.1.2): commands executed, last SW, its data. */
export interface ScriptResult {
  count: number;
  sw: number;
  data: Bytes;
}

export function readScriptResult(porData: Bytes): ScriptResult | undefined {
  if (porData.length < 3) return undefined;
  return { count: porData[0]!, sw: (porData[1]! << 8) | porData[2]!, data: porData.subarray(3) };
}

/**
 * The card's answer to STAGE or COMMIT from a script result: the A1 answer, or the status word of the
 * command that failed (SELECT failing counts as the applet missing: 6A82).
 */
export function changeOutcome(
  r: ScriptResult,
): { ok: true; answer: ChangeAnswer } | { ok: false; sw: number } {
  if (r.count < 2) return { ok: false, sw: r.sw === SW.OK ? SW.FILE_NOT_FOUND : r.sw };
  if (r.count === 2) return { ok: false, sw: r.sw };
  const answer = r.sw === SW.OK ? decodeChangeAnswer(r.data) : undefined;
  return answer ? { ok: true, answer } : { ok: false, sw: r.sw === SW.OK ? SW.WRONG_DATA : r.sw };
}

/** The status word of a command that answers no data (CANCEL, ROTATE): the last command's SW. */
export function plainOutcome(r: ScriptResult): number {
  return r.count < 2 && r.sw === SW.OK ? SW.FILE_NOT_FOUND : r.sw;
}

/** STATUS result: the decoded status, the length to ask for (61xx), or the failing SW. */
export function statusOutcome(r: ScriptResult): { status: SlotStatus } | { length: number } | { sw: number } {
  if ((r.sw & 0xff00) === 0x6100 && r.count === 2) return { length: r.sw & 0xff };
  if (r.count === 3 && r.sw === SW.OK) {
    const status = decodeStatus(r.data);
    return status ? { status } : { sw: SW.WRONG_DATA };
  }
  return { sw: r.sw };
}
