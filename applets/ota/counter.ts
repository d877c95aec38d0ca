// Replay detection and sequence integrity counter (CNTR), TS 102 225 §5.1.1 (SPI1 b5b4) and §5.1.2.
// The counter is 5 bytes; once it holds its maximum value it is blocked and never wraps.

import { POR } from './por-status.js';
import type { CounterMode } from './spi.js';

export const CNTR_MAX = 0xff_ffff_ffff;

export type CounterCheck = { ok: true; store: number | undefined } | { ok: false; status: number };

/**
 * Checks a received CNTR against the stored one. On success `store` is the value to persist (undefined when
 * the mode keeps the stored counter unchanged). Modes "none" and "available" do no replay or sequence check.
 */
export function checkCounter(mode: CounterMode, received: number, stored: number): CounterCheck {
  if (mode === 'none' || mode === 'available') return { ok: true, store: undefined };
  if (stored >= CNTR_MAX) return { ok: false, status: POR.CNTR_BLOCKED };
  if (received <= stored) return { ok: false, status: POR.CNTR_LOW };
  // "One higher": exactly stored + 1; anything above is a gap in the sequence (status 03, CNTR high).
  if (mode === 'one-higher' && received !== stored + 1) return { ok: false, status: POR.CNTR_HIGH };
  return { ok: true, store: received };
}
