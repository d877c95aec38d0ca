// The key-slot commands on the card (formats and status words: protocol.ts). Pure functions of the command
// and an environment, so that the rules can be tested without an OS; they never throw (bad input gets the
// status word protocol.ts names) and every multi-record update is one NVM transaction (it joins the OTA
// transaction when the command came in a secured packet, so counter and change commit together).

import type { Command } from '../../card-os/apdu.js';
import type { Reply } from '../../card-os/applet.js';
import { type Bytes, equal, wipe } from '../../card-os/bytes.js';
import { encodeRefresh } from '../../card-os/cat-refresh.js';
import { type Nvm, PowerLoss } from '../../card-os/nvm.js';
import { SW } from '../../card-os/sw.js';
import {
  decodeSubscriberKeys,
  encodeSubscriberKeys,
  replaceKeys,
  type SubscriberKeys,
} from '../aka/subscriber-keys.js';
import { USIM_KEYS } from '../aka/subscription.js';
import { activeSlot, nextUnusedSlot, slotStates } from '../subscriptions/slot-store.js';
import {
  canActivate,
  type KeySlotConfig,
  keepsCardManageable,
  keysetRecords,
  replaceKeysets,
} from './active.js';
import {
  CHANGE_P1,
  CHANGE_STATE,
  type ChangeAnswer,
  decodeRotationData,
  decodeStageData,
  decodeTxidData,
  encodeChangeAnswer,
  encodeStatus,
  INS,
  type SlotStatus,
  sameTxid,
} from './protocol.js';
import { decodeRotationPayload, unwrapPayload } from './rotation.js';
import {
  decodeStaged,
  encodeStaged,
  KIK_RECORD,
  readHistory,
  STAGED_RECORD,
  type StagedChange,
  writeHistory,
} from './staging.js';

export interface KeySlotEnv {
  nvm: Nvm;
  config: KeySlotConfig;
  /** Whether a key reference is verified or granted in the command's session. */
  hasKey(ref: number): boolean;
  /** EF.ICCID content, for slots whose keys are derived. */
  iccid(): Bytes | undefined;
  queueProactive(cmd: Bytes): void;
}

/** ISO/IEC 7816-4 §5.6: verification failed (the wrapped keys fail their integrity check). */
const SW_VERIFICATION_FAILED = 0x6300;

const ok = (data?: Bytes): Reply => (data ? { sw: SW.OK, data } : { sw: SW.OK });
const fail = (sw: number): Reply => ({ sw });

/** Handles a key-slot command; undefined for a command that is not one (the OS handles it). */
export function handleKeySlotCommand(cmd: Command, env: KeySlotEnv): Reply | undefined {
  if (!(cmd.cla & 0x80)) return undefined;
  if (cmd.ins !== INS.STATUS && cmd.ins !== INS.CHANGE && cmd.ins !== INS.ROTATE) return undefined;
  try {
    if (cmd.ins === INS.STATUS) {
      if (cmd.p1 !== 0 || cmd.p2 !== 0) return fail(SW.INCORRECT_P1P2);
      if (cmd.data.length !== 0) return fail(SW.WRONG_LENGTH);
      if (!env.hasKey(env.config.admin)) return fail(SW.SECURITY_NOT_SATISFIED);
      return ok(encodeStatus(status(env.nvm)));
    }
    const known = cmd.ins === INS.ROTATE ? cmd.p1 === 0 : Object.values(CHANGE_P1).includes(cmd.p1 as never);
    if (!known || cmd.p2 !== 0) return fail(SW.INCORRECT_P1P2);
    if (cmd.data.length === 0) return fail(SW.WRONG_LENGTH);
    if (!env.hasKey(env.config.admin)) return fail(SW.SECURITY_NOT_SATISFIED);
    if (cmd.ins === INS.ROTATE) return rotate(cmd.data, env);
    if (cmd.p1 === CHANGE_P1.STAGE) return stage(cmd.data, env);
    if (cmd.p1 === CHANGE_P1.CANCEL) return cancel(cmd.data, env);
    return commit(cmd.data, env);
  } catch (e) {
    // A simulated tear goes on to the test that caused it; anything else is a bug and must not escape.
    if (e instanceof PowerLoss) throw e;
    return fail(SW.TECHNICAL_PROBLEM);
  }
}

function status(nvm: Nvm): SlotStatus {
  const s: SlotStatus = { states: slotStates(nvm) };
  const active = activeSlot(nvm);
  if (active !== undefined) s.active = active;
  const staged = decodeStaged(nvm.get(STAGED_RECORD));
  if (staged) s.staged = answerOf(staged);
  const h = readHistory(nvm);
  if (h.lastChange) s.lastChange = h.lastChange;
  if (h.lastRotation) s.lastRotation = h.lastRotation;
  return s;
}

function answerOf(s: StagedChange): ChangeAnswer {
  return {
    index: s.index,
    txid: s.txid,
    state: s.committed ? CHANGE_STATE.COMMITTED : CHANGE_STATE.STAGED,
  };
}

/** The answer for a txid that already took effect (its slot is the active one, or has been since). */
function done(nvm: Nvm, txid: Bytes): Reply {
  return ok(encodeChangeAnswer({ index: activeSlot(nvm) ?? 0, txid, state: CHANGE_STATE.ACTIVE }));
}

function stage(data: Bytes, env: KeySlotEnv): Reply {
  const { nvm } = env;
  const req = decodeStageData(data);
  if (!req) return fail(SW.WRONG_DATA);
  const staged = decodeStaged(nvm.get(STAGED_RECORD));
  if (staged) {
    if (!sameTxid(staged.txid, req.txid)) return fail(SW.CONDITIONS_NOT_SATISFIED);
    // A retry (its PoR was lost): the same change gets the same answer; a different one is a conflict.
    if (staged.index !== req.index || !equal(staged.imsi, req.imsi)) return fail(SW.CONDITIONS_NOT_SATISFIED);
    return ok(encodeChangeAnswer(answerOf(staged)));
  }
  const h = readHistory(nvm);
  if (sameTxid(h.lastChange, req.txid)) return done(nvm, req.txid);
  const active = activeSlot(nvm);
  if (req.index !== active) {
    const next = nextUnusedSlot(nvm);
    if (next === undefined) return fail(SW.NOT_ENOUGH_MEMORY);
    if (req.index !== next) return fail(SW.REFERENCED_DATA_NOT_FOUND);
    if (!canActivate(nvm, next, env.iccid(), env.config)) return fail(SW.MEMORY_PROBLEM);
  }
  const change: StagedChange = { imsi: req.imsi, index: req.index, txid: req.txid, committed: false };
  nvm.transaction(() => nvm.set(STAGED_RECORD, encodeStaged(change)));
  return ok(encodeChangeAnswer(answerOf(change)));
}

function cancel(data: Bytes, env: KeySlotEnv): Reply {
  const { nvm } = env;
  const txid = decodeTxidData(data);
  if (!txid) return fail(SW.WRONG_DATA);
  const staged = decodeStaged(nvm.get(STAGED_RECORD));
  if (staged) {
    if (!sameTxid(staged.txid, txid) || staged.committed) return fail(SW.CONDITIONS_NOT_SATISFIED);
    nvm.transaction(() => nvm.delete(STAGED_RECORD));
    return ok();
  }
  // Nothing staged: already cancelled (a retry), or never staged. A change that took effect cannot be.
  return sameTxid(readHistory(nvm).lastChange, txid) ? fail(SW.CONDITIONS_NOT_SATISFIED) : ok();
}

function commit(data: Bytes, env: KeySlotEnv): Reply {
  const { nvm } = env;
  const txid = decodeTxidData(data);
  if (!txid) return fail(SW.WRONG_DATA);
  const staged = decodeStaged(nvm.get(STAGED_RECORD));
  if (!staged || !sameTxid(staged.txid, txid)) {
    return sameTxid(readHistory(nvm).lastChange, txid) ? done(nvm, txid) : fail(SW.CONDITIONS_NOT_SATISFIED);
  }
  if (!staged.committed) {
    const c = { ...staged, committed: true };
    nvm.transaction(() => nvm.set(STAGED_RECORD, encodeStaged(c)));
  }
  // TS 102 223 §6.4.7: ask the terminal for the reset that makes the switch (a retry asks again).
  env.queueProactive(encodeRefresh());
  return ok(encodeChangeAnswer({ index: staged.index, txid, state: CHANGE_STATE.COMMITTED }));
}

function rotate(data: Bytes, env: KeySlotEnv): Reply {
  const { nvm } = env;
  const req = decodeRotationData(data);
  if (!req) return fail(SW.WRONG_DATA);
  const h = readHistory(nvm);
  if (sameTxid(h.lastRotation, req.txid)) return ok();
  const kik = nvm.get(KIK_RECORD);
  if (!kik) return fail(SW.CONDITIONS_NOT_SATISFIED);
  const plain = unwrapPayload(kik, req.wrapped);
  if (!plain) return fail(SW_VERIFICATION_FAILED);
  const p = decodeRotationPayload(plain);
  try {
    if (!p) return fail(SW.WRONG_DATA);
    const keysets = keysetRecords(p.keysets);
    if (!keysets || (keysets.size > 0 && !keepsCardManageable(nvm, keysets, env.config.admin)))
      return fail(SW.WRONG_DATA);
    let subscriber: SubscriberKeys | undefined;
    if (p.k) {
      // The algorithm and its parameters (Milenage constants, TUAK lengths) stay; K and OPc or OP (TOPc or
      // TOP) are replaced, and must have the algorithm's lengths.
      const current = decodeSubscriberKeys(nvm.get(USIM_KEYS) ?? new Uint8Array(0));
      subscriber = replaceKeys(current, p.k, p.opc ? { opc: p.opc } : { op: p.op! });
      if (!subscriber) return fail(SW.WRONG_DATA);
    }
    nvm.transaction(() => {
      if (subscriber) nvm.set(USIM_KEYS, encodeSubscriberKeys(subscriber));
      // NVM keeps the very buffers it is given (and so does its journal): it gets copies, these are wiped.
      if (keysets.size > 0)
        replaceKeysets(nvm, new Map([...keysets].map(([name, r]) => [name, r.slice()] as const)));
      if (p.kik) nvm.set(KIK_RECORD, p.kik.slice());
      writeHistory(nvm, { ...h, lastRotation: req.txid });
    });
    return ok();
  } finally {
    // The new keys in clear live no longer than the command, as in the security domain's profile update.
    wipe(plain);
    if (p) for (const b of [p.k, p.opc, p.op, p.kik, ...p.keysets]) wipe(b);
  }
}
