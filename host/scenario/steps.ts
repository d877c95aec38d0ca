// The steps of an operator change for one card, as the network side runs them (TR 33.812 §5.3.1.2 and
// §5.3.2.2), each robust to what the air and the device can do to it: a PoR that never comes back is
// retried with the same transaction id (the card answers a repeat as it answered the first time), and a
// power loss on the card is survived by powering the card up again and carrying on.
//
//   attach     the device presents its IMSI, the operator owning the PLMN authenticates it, resynchronising
//              SQN when the card reports a synchronisation failure (TS 33.102 §6.3.5)
//   prepare    the old operator sends STAGE; the PoR is the card's vote
//   commit     the old operator sends COMMIT once the new operator holds the subscription; the card asks
//              for a reset (REFRESH) and switches at it
//   cancel     the old operator calls a change off (no PoR came, or the new operator did not commit)
//   rotate     Alternative 3a: the new operator replaces K, OPc, its OTA keys and the KIK

import { CHANGE_STATE, type ChangeAnswer, type StageRequest } from '../../applets/keyslots/protocol.js';
import { encodeRotationPayload, wrapPayload } from '../../applets/keyslots/rotation.js';
import { encodeOtaConfig, OTA_RECORD_TARS, type OtaKeyset } from '../../applets/ota/ota-config.js';
import { type Bytes, equal } from '../../card-os/bytes.js';
import { PowerLoss } from '../../card-os/nvm.js';
import { SW } from '../../card-os/sw.js';
import type { Device } from '../actors/device.js';
import type { Operator, OtaOutcome } from '../actors/operator.js';
import {
  cancelScript,
  changeOutcome,
  commitScript,
  plainOutcome,
  rotateScript,
  stageScript,
} from '../keyslots/remote.js';
import type { RandomBytes } from '../random.js';

export interface StepOptions {
  /** Attempts per OTA command before giving up (the first included). */
  maxAttempts: number;
  /** Whether a PoR that did come back is lost on its way to the server (simulated); default never. */
  losePor?: () => boolean;
  /** Called once a card that lost power is powered up again, before the step goes on. */
  afterPowerLoss?: (device: Device) => void | Promise<void>;
}

export interface Network {
  operatorForImsi(imsi: string): Operator | undefined;
}

export type AttachResult =
  | { ok: true; operator: Operator; imsi: string; resyncs: number }
  | { ok: false; reason: string; imsi?: string };

/**
 * Runs a device action; if the card loses power meanwhile, powers it up again and runs the action once more
 * (an attach or a reset is simply repeated by a device that restarted).
 */
export async function surviving<T>(
  device: Device,
  o: Pick<StepOptions, 'afterPowerLoss'>,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof PowerLoss)) throw e;
    device.powerCycle();
    await o.afterPowerLoss?.(device);
    return fn();
  }
}

/** Attach: IMSI, vector from the PLMN's operator, AUTHENTICATE, RES check; one resynchronisation allowed. */
export async function attach(
  net: Network,
  device: Pick<Device, 'readImsi' | 'authenticate'>,
): Promise<AttachResult> {
  const imsi = await device.readImsi();
  if (!imsi) return { ok: false, reason: 'IMSI unreadable' };
  const op = net.operatorForImsi(imsi);
  if (!op) return { ok: false, reason: 'no operator for the IMSI', imsi };
  let resyncs = 0;
  for (;;) {
    const v = op.challenge(imsi);
    if (!v) return { ok: false, reason: `${op.name} does not serve the IMSI`, imsi };
    const r = await device.authenticate(v.rand, v.autn);
    if (r.kind === 'ok') {
      return equal(r.res, v.xres)
        ? { ok: true, operator: op, imsi, resyncs }
        : { ok: false, reason: 'RES mismatch', imsi };
    }
    if (r.kind === 'sync' && resyncs === 0 && op.resync(imsi, v.rand, r.auts)) {
      resyncs++;
      continue;
    }
    return {
      ok: false,
      reason: r.kind === 'mac' ? 'MAC failure (other keys)' : `authentication ${r.kind}`,
      imsi,
    };
  }
}

/**
 * Sends a script until `done` says the outcome is final, at most maxAttempts times. A lost PoR and a power
 * loss both count as "no outcome": the same script (same txid) goes again.
 */
async function sendUntil(
  op: Operator,
  device: Device,
  script: Bytes,
  o: StepOptions,
  done: (out: OtaOutcome) => boolean,
  keysets?: (attempt: number) => OtaKeyset[] | undefined,
): Promise<{ outcome?: OtaOutcome; attempts: number; reset: boolean }> {
  let reset = false;
  for (let attempt = 1; attempt <= o.maxAttempts; attempt++) {
    let out: OtaOutcome;
    try {
      out = await op.send(device, device.iccid, script, keysets?.(attempt));
    } catch (e) {
      if (!(e instanceof PowerLoss)) throw e;
      device.powerCycle();
      await o.afterPowerLoss?.(device);
      continue;
    }
    reset ||= out.reset;
    if (out.result && o.losePor?.()) out = { por: undefined, result: undefined, reset: out.reset };
    if (done(out)) return { outcome: out, attempts: attempt, reset };
  }
  return { attempts: o.maxAttempts, reset };
}

export type PrepareResult = (
  | { kind: 'acked'; answer: ChangeAnswer }
  | { kind: 'refused'; sw: number }
  | { kind: 'unreachable' }
) & { attempts: number };

/** STAGE at the old operator. 'refused' carries the card's status word (6A84: no unused slot left). */
export async function prepare(
  op: Operator,
  device: Device,
  aid: Bytes,
  req: StageRequest,
  o: StepOptions,
): Promise<PrepareResult> {
  const r = await sendUntil(op, device, stageScript(aid, req), o, (out) => out.result !== undefined);
  const result = r.outcome?.result;
  if (!result) return { kind: 'unreachable', attempts: r.attempts };
  const c = changeOutcome(result);
  if (!c.ok) return { kind: 'refused', sw: c.sw, attempts: r.attempts };
  if (c.answer.index !== req.index || !equal(c.answer.txid, req.txid))
    return { kind: 'refused', sw: SW.WRONG_DATA, attempts: r.attempts };
  return { kind: 'acked', answer: c.answer, attempts: r.attempts };
}

/**
 * COMMIT at the old operator: done when the card asked for its reset (the device did it) or answers that
 * the change already took effect (a power cycle made the switch). `confirmed` false: no attempt got that
 * far, and the card may still hold the change staged (it must then be called off).
 */
export async function commit(op: Operator, device: Device, aid: Bytes, txid: Bytes, o: StepOptions) {
  const r = await sendUntil(op, device, commitScript(aid, txid), o, (out) => {
    if (out.reset) return true;
    const c = out.result && changeOutcome(out.result);
    return !!c?.ok && c.answer.state === CHANGE_STATE.ACTIVE;
  });
  return { confirmed: r.outcome !== undefined, reset: r.reset, attempts: r.attempts };
}

/**
 * CANCEL at the old operator; `cancelled` once the card confirmed that nothing is staged under this txid.
 * `sw` is the card's answer (6985: the change is committed or took effect), undefined if none came.
 */
export async function cancel(op: Operator, device: Device, aid: Bytes, txid: Bytes, o: StepOptions) {
  const r = await sendUntil(op, device, cancelScript(aid, txid), o, (out) => out.result !== undefined);
  const sw = r.outcome?.result ? plainOutcome(r.outcome.result) : undefined;
  return { cancelled: sw === SW.OK, sw, attempts: r.attempts };
}

export interface NewKeys {
  k: Bytes;
  opc: Bytes;
  keysets: OtaKeyset[];
  kik: Bytes;
}

/** Fresh keys for a rotation: same KVNs and algorithms as the subscription's keysets. */
export function freshKeys(random: RandomBytes, current: readonly OtaKeyset[]): NewKeys {
  const keysets = current.map((k) => {
    const ks: OtaKeyset = { kvn: k.kvn };
    if (k.kic) ks.kic = { alg: k.kic.alg, key: random(k.kic.key.length) };
    if (k.kid) ks.kid = { alg: k.kid.alg, key: random(k.kid.key.length) };
    return ks;
  });
  return { k: random(16), opc: random(16), keysets, kik: random(16) };
}

/**
 * Key rotation by the new operator (Alternative 3a): the payload wrapped under the card's current KIK. A
 * lost PoR leaves it unknown whether the card rotated, and then the old OTA keys may no longer work: the
 * retries alternate between the old and the new keys, and the card answers the same txid as done.
 */
export async function rotate(
  op: Operator,
  device: Device,
  aid: Bytes,
  txid: Bytes,
  keys: NewKeys,
  o: StepOptions,
) {
  const s = op.subscription(device.iccid);
  if (!s?.kik) return { rotated: false, sw: SW.CONDITIONS_NOT_SATISFIED, attempts: 0 };
  const records = encodeOtaConfig({ keysets: keys.keysets, tars: [] });
  records.delete(OTA_RECORD_TARS);
  const payload = encodeRotationPayload({
    k: keys.k,
    opc: keys.opc,
    keysets: [...records.values()],
    kik: keys.kik,
  });
  const script = rotateScript(aid, txid, wrapPayload(s.kik, payload));
  const old = s.keysets;
  const r = await sendUntil(
    op,
    device,
    script,
    o,
    (out) => out.result !== undefined,
    (attempt) => (attempt % 2 === 1 ? old : keys.keysets),
  );
  const sw = r.outcome?.result ? plainOutcome(r.outcome.result) : undefined;
  if (sw === SW.OK) op.rekey(device.iccid, keys);
  return { rotated: sw === SW.OK, sw, attempts: r.attempts };
}
