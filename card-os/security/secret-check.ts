// The one way the card checks a secret that has a retry counter behind it (PIN, PUK, ADM key), TS 102 221
// §9.5 and §11.1.9-11.1.13. The counter is decremented in its own committed NVM write BEFORE the comparison
// and restored only after a match, so cutting power at any point of a check can never give a try back: an
// attacker who tears every attempt still gets at most "retry limit" comparisons.
// The applets' key checks have no retry counter to protect: OTA RC/CC/DS (TS 102 225 §5.1) and SCP11
// MACs (GPC Amd F) are rejected per packet or session with no persistent try count, and replay is the
// OTA counter's job (applets/ota/counter.ts). A future check with a counter behind it goes through here.

import type { Bytes } from '../bytes.js';
import type { Nvm } from '../nvm.js';

export interface RetryCounter {
  /** NVM record that holds the counter (it may hold other fields too, e.g. the PIN's enabled flag). */
  readonly key: string;
  /** Tries left now (the caller refuses a blocked secret, 0 left, before calling `checkSecret`). */
  readonly left: number;
  /** Value restored after a match. */
  readonly max: number;
  /** The counter record with `n` tries left, other fields unchanged. */
  record(n: number): Bytes;
}

/**
 * Spends one try (one physical NVM write, outside any running transaction), then runs `matches` (a
 * constant-time comparison). On a match, restores the counter and runs `onMatch` in one transaction, so
 * e.g. a new PIN value and the restored counter land together or not at all. Returns whether it matched;
 * on a mismatch the counter stays at `left - 1`.
 */
export function checkSecret(
  nvm: Nvm,
  c: RetryCounter,
  matches: () => boolean,
  onMatch?: () => void,
): boolean {
  if (c.left <= 0) return false;
  nvm.setDurable(c.key, c.record(c.left - 1));
  if (!matches()) return false;
  if (!onMatch) {
    // Only the counter to restore: one atomic record write (a VERIFY costs two NVM writes, not a journal).
    nvm.setDurable(c.key, c.record(c.max));
    return true;
  }
  nvm.transaction(() => {
    nvm.set(c.key, c.record(c.max));
    onMatch();
  });
  return true;
}
