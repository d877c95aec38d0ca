// The card as a reader sees it (ISO/IEC 7816-3): power, reset, ATR, and APDU exchange.
// Everything that plays the role of "a card" (the emulator, a card behind vpcd) implements this.

import type { Bytes } from './bytes.js';

export interface IccCard {
  /** The answer to reset the card gives now. */
  atr(): Bytes;
  /** Cold reset (power on): volatile state cleared, returns the ATR. */
  powerOn(): Bytes;
  /** Warm reset: volatile state cleared, returns the ATR. */
  reset(): Bytes;
  /** Power off: volatile state cleared; the next command needs a powerOn first. */
  powerOff(): void;
  /** Exchanges one command APDU for one response APDU (data || SW1 SW2). Never throws. */
  transmit(command: Bytes): Bytes;
}
