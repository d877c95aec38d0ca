// A transport is how the host reaches a card: the embedded emulator, a card behind pcscd, a physical reader.

import type { Bytes } from '../../card-os/bytes.js';

export interface Transport {
  /** Human-readable name, e.g. "embedded" or the PC/SC reader name. */
  readonly name: string;
  /** Sends one command APDU, returns the response APDU (data || SW1 SW2). */
  transmit(command: Bytes): Promise<Bytes>;
  /** Resets the card and returns its ATR. */
  reset(): Promise<Bytes>;
  /** The ATR of the card as last seen. */
  atr(): Bytes;
  /** Releases the card/reader. */
  close(): Promise<void>;
  /** In-process transports record exchanges themselves when given a recorder (host/trace). */
  record?(recorder: ExchangeRecorder): void;
}

/** What a transport reports each exchange and reset to, when tracing. */
export interface ExchangeRecorder {
  exchangeNow(command: Bytes, response: Bytes): void;
  reset(atr: Bytes): void;
}
