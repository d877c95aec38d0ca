// The switch: at card reset (power-up included) a committed staged change takes effect, as one NVM
// transaction, so a power loss anywhere leaves the card wholly on the old subscription or wholly on the new
// one (TR 33.812 §5.3.2.2 step 5: "on next activation the new IMSI is presented").
//
// For a new slot (Alternative 3b / derivation): its K/OPc become the USIM keys, the SQN state restarts from
// zero for the new K (TS 33.102 Annex C.2.2, with the old configuration), its OTA keysets replace every
// keyset on the card and the OTA replay counters restart (the new operator's server starts its own), its
// KIK replaces the old one, EF.IMSI gets the new IMSI, the old slot is marked used and its record erased,
// and the new slot is marked active. For the active slot itself (Alternative 3a) only EF.IMSI changes:
// K, the SQN state and the OTA keys are carried over. Either way the staged record goes and the txid is
// remembered, so that a late retry of the same change is answered, not applied twice.
//
// A slot that can no longer be activated (its record damaged since it was staged) drops the staged change:
// the card stays on the subscription it has, which the old operator still serves.

import type { Bytes } from '../../card-os/bytes.js';
import type { Nvm } from '../../card-os/nvm.js';
import { DEFAULT_SQN_CONFIG, decodeSqnState, encodeSqnState, initialSqnState } from '../aka/sqn.js';
import { USIM_SQN } from '../aka/subscription.js';
import { OTA_RECORD_COUNTERS } from '../subscriptions/ota-records.js';
import { activeSlot, SLOT_STATE, setSlotState, slotRecord } from '../subscriptions/slot-store.js';
import { type KeySlotConfig, slotActiveKeys, writeActiveKeys } from './active.js';
import { decodeStaged, readHistory, STAGED_RECORD, writeHistory } from './staging.js';

/** The card files the switch touches. */
export interface CardFiles {
  /** EF.ICCID content (the card identity the derivation uses), if the card has one. */
  iccid(): Bytes | undefined;
  /** Writes EF.IMSI inside the running transaction; false when the card has no EF.IMSI. */
  writeImsi(content: Bytes): boolean;
}

export type ActivationResult = 'none' | 'waiting' | 'switched' | 'dropped';

/**
 * Runs at reset. 'none': nothing staged; 'waiting': staged but not committed (nothing changes);
 * 'switched': the change took effect; 'dropped': the staged change could not be applied and was removed.
 */
export function activateStaged(nvm: Nvm, files: CardFiles, config: KeySlotConfig): ActivationResult {
  const raw = nvm.get(STAGED_RECORD);
  if (!raw) return 'none';
  const staged = decodeStaged(raw);
  if (staged && !staged.committed) return 'waiting';
  return nvm.transaction((): ActivationResult => {
    const active = activeSlot(nvm);
    const drop = (): ActivationResult => {
      nvm.delete(STAGED_RECORD);
      return 'dropped';
    };
    if (!staged) return drop();
    const keys =
      staged.index === active ? undefined : slotActiveKeys(nvm, staged.index, files.iccid(), config);
    if (staged.index !== active && !keys) return drop();
    // Nothing is written before this point, so a card without EF.IMSI drops the change untouched.
    if (!files.writeImsi(staged.imsi)) return drop();
    if (keys) {
      writeActiveKeys(nvm, keys);
      nvm.set(USIM_SQN, encodeSqnState(freshSqn(nvm.get(USIM_SQN))));
      if (nvm.has(OTA_RECORD_COUNTERS)) nvm.delete(OTA_RECORD_COUNTERS);
      if (active !== undefined) {
        setSlotState(nvm, active, SLOT_STATE.USED);
        nvm.delete(slotRecord(active));
      }
      setSlotState(nvm, staged.index, SLOT_STATE.ACTIVE);
    }
    writeHistory(nvm, { ...readHistory(nvm), lastChange: staged.txid });
    nvm.delete(STAGED_RECORD);
    return 'switched';
  });
}

/** SEQ_MS all zero, with the SQN configuration the card had (defaults if it had none). */
function freshSqn(current: Bytes | undefined) {
  const config = (current && decodeSqnState(current)?.config) ?? DEFAULT_SQN_CONFIG;
  return initialSqnState(config);
}
