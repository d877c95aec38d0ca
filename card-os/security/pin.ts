// PINs and administrative keys, TS 102 221 §9.5 and §11.1.9-11.1.13.
// Values and PUKs live under "secret/" in NVM (never readable); counters and the enabled flag under "pin/".

import { type Bytes, equalCt } from '../bytes.js';
import type { PinSpec } from '../fs/model.js';
import type { Nvm } from '../nvm.js';
import { SW } from '../sw.js';
import { checkSecret, type RetryCounter } from './secret-check.js';

export interface PinStatus {
  enabled: boolean;
  tries: number;
  unblockTries: number;
}

const hex2 = (ref: number) => ref.toString(16).padStart(2, '0');
export const pinStateKey = (ref: number) => `pin/${hex2(ref)}`;
export const pinValueKey = (ref: number) => `secret/pin/${hex2(ref)}`;
export const pukValueKey = (ref: number) => `secret/puk/${hex2(ref)}`;

/** Initial NVM records for the PINs of a profile. */
export function pinRecords(pins: PinSpec[]): [string, Bytes][] {
  const out: [string, Bytes][] = [];
  for (const p of pins) {
    out.push([pinStateKey(p.ref), Uint8Array.of(p.enabled ? 1 : 0, p.maxTries, p.maxUnblockTries)]);
    out.push([pinValueKey(p.ref), p.value]);
    if (p.puk) out.push([pukValueKey(p.ref), p.puk]);
  }
  return out;
}

export function readStatus(nvm: Nvm, ref: number): PinStatus | undefined {
  const s = nvm.get(pinStateKey(ref));
  if (!s || s.length < 3) return undefined;
  return { enabled: s[0] === 1, tries: s[1]!, unblockTries: s[2]! };
}

/**
 * PIN block format, TS 102 221 §9.5.1: 4..8 ASCII digits, padded with FF to 8 bytes. ADM keys may be any
 * 8 bytes (issuer-defined), so they are not checked.
 */
export function validPinBlock(ref: number, b: Bytes): boolean {
  if (b.length !== 8) return false;
  if (isAdm(ref)) return true;
  let i = 0;
  while (i < 8 && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
  if (i < 4) return false;
  for (let j = i; j < 8; j++) if (b[j] !== 0xff) return false;
  return true;
}

export function isAdm(ref: number): boolean {
  return (ref >= 0x0a && ref <= 0x0e) || (ref >= 0x8a && ref <= 0x8e);
}

export interface PinResult {
  sw: number;
  /** The key reference is now verified (add it to the security state). */
  verified?: boolean;
  /** The verification is lost (remove it from the security state). */
  revoked?: boolean;
}

/**
 * The answer to a wrong presentation: 63CX with the tries left. The attempt that uses up the last try
 * answers 63C0; only later commands get 6983 (TS 102 221 §11.1.9.1.1, §11.1.13.1.1).
 */
const retries = (n: number) => 0x63c0 | Math.min(n, 15);

const statusRecord = (st: PinStatus) => Uint8Array.of(st.enabled ? 1 : 0, st.tries, st.unblockTries);

/**
 * The PIN retry counter ("tries") or the UNBLOCK PIN retry counter ("unblockTries") of a PIN, both in its
 * status record (TS 102 221 §9.5.2).
 */
function counterOf(spec: PinSpec, st: PinStatus, which: 'tries' | 'unblockTries'): RetryCounter {
  return {
    key: pinStateKey(spec.ref),
    left: st[which],
    max: which === 'tries' ? spec.maxTries : spec.maxUnblockTries,
    record: (n) => statusRecord({ ...st, [which]: n }),
  };
}

/**
 * Checks a presented PIN through `checkSecret` (try spent before the comparison, restored on a match);
 * `onMatch` runs in the same transaction as the restore.
 */
function check(nvm: Nvm, spec: PinSpec, st: PinStatus, presented: Bytes, onMatch?: () => void): boolean {
  return checkSecret(
    nvm,
    counterOf(spec, st, 'tries'),
    () => {
      const value = nvm.get(pinValueKey(spec.ref));
      return value !== undefined && equalCt(value, presented);
    },
    onMatch,
  );
}

/**
 * VERIFY PIN. Empty `data` asks for the status (TS 102 221 §11.1.9, ISO 7816-4 §7.5.6): 9000 when no
 * verification is needed (PIN disabled, or `verified` already in this session), else 63CX with the tries left.
 */
export function verifyPin(nvm: Nvm, spec: PinSpec, data: Bytes, verified = false): PinResult {
  const st = readStatus(nvm, spec.ref)!;
  if (data.length === 0) {
    if (st.tries === 0) return { sw: SW.AUTH_METHOD_BLOCKED };
    if (!st.enabled || verified) return { sw: SW.OK };
    return { sw: 0x63c0 | st.tries };
  }
  if (!validPinBlock(spec.ref, data)) return { sw: SW.WRONG_DATA };
  if (st.tries === 0) return { sw: SW.AUTH_METHOD_BLOCKED };
  if (!st.enabled) return { sw: SW.REFERENCED_DATA_INVALIDATED };
  if (check(nvm, spec, st, data)) return { sw: SW.OK, verified: true };
  return { sw: retries(st.tries - 1), revoked: true };
}

/** CHANGE PIN: old || new. A successful change resets the counter (onomondo-uicc #150). */
export function changePin(nvm: Nvm, spec: PinSpec, data: Bytes): PinResult {
  if (data.length !== 16) return { sw: SW.WRONG_LENGTH };
  const oldPin = data.subarray(0, 8);
  const newPin = data.subarray(8, 16);
  if (!validPinBlock(spec.ref, oldPin) || !validPinBlock(spec.ref, newPin)) return { sw: SW.WRONG_DATA };
  const st = readStatus(nvm, spec.ref)!;
  if (st.tries === 0) return { sw: SW.AUTH_METHOD_BLOCKED };
  if (!st.enabled) return { sw: SW.REFERENCED_DATA_INVALIDATED };
  if (!check(nvm, spec, st, oldPin, () => nvm.set(pinValueKey(spec.ref), newPin.slice())))
    return { sw: retries(st.tries - 1), revoked: true };
  return { sw: SW.OK, verified: true };
}

/** DISABLE PIN (enable = false) and ENABLE PIN (enable = true), TS 102 221 §11.1.11-12. */
export function setPinEnabled(nvm: Nvm, spec: PinSpec, data: Bytes, enable: boolean): PinResult {
  if (data.length !== 8) return { sw: SW.WRONG_LENGTH };
  if (!validPinBlock(spec.ref, data)) return { sw: SW.WRONG_DATA };
  if (!enable && !spec.canDisable) return { sw: SW.CONDITIONS_NOT_SATISFIED };
  const st = readStatus(nvm, spec.ref)!;
  if (st.tries === 0) return { sw: SW.AUTH_METHOD_BLOCKED };
  if (st.enabled === enable)
    return { sw: enable ? SW.CONDITIONS_NOT_SATISFIED : SW.REFERENCED_DATA_INVALIDATED };
  const setFlag = () =>
    nvm.set(pinStateKey(spec.ref), statusRecord({ ...st, enabled: enable, tries: spec.maxTries }));
  if (!check(nvm, spec, st, data, setFlag)) return { sw: retries(st.tries - 1), revoked: true };
  return { sw: SW.OK, verified: enable };
}

/** UNBLOCK PIN: PUK || new PIN; empty data asks for the unblock counter (TS 102 221 §11.1.13). */
export function unblockPin(nvm: Nvm, spec: PinSpec, data: Bytes): PinResult {
  const st = readStatus(nvm, spec.ref)!;
  const puk = nvm.get(pukValueKey(spec.ref));
  if (!puk) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
  if (data.length === 0)
    return { sw: st.unblockTries === 0 ? SW.AUTH_METHOD_BLOCKED : 0x63c0 | Math.min(st.unblockTries, 15) };
  if (data.length !== 16) return { sw: SW.WRONG_LENGTH };
  const newPin = data.subarray(8, 16);
  if (!validPinBlock(spec.ref, newPin)) return { sw: SW.WRONG_DATA };
  if (st.unblockTries === 0) return { sw: SW.AUTH_METHOD_BLOCKED };
  const unblock = () => {
    nvm.set(pinValueKey(spec.ref), newPin.slice());
    // Unblocking also enables the PIN and resets its counter (TS 102 221 §11.1.13).
    nvm.set(
      pinStateKey(spec.ref),
      statusRecord({ enabled: true, tries: spec.maxTries, unblockTries: spec.maxUnblockTries }),
    );
  };
  if (
    !checkSecret(nvm, counterOf(spec, st, 'unblockTries'), () => equalCt(puk, data.subarray(0, 8)), unblock)
  )
    return { sw: retries(st.unblockTries - 1), revoked: true };
  return { sw: SW.OK, verified: true };
}
