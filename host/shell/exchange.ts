// The shell's exchange on a raw transport: the host T=0 rules (GET RESPONSE on 61xx, resend on 6Cxx) of
// host/transport/t0-exchange.ts, on whole APDUs (the shell's transports carry APDUs, so Le is kept), with
// every APDU pair on the wire shown to the caller for the transcript.

import type { Bytes } from '../../card-os/bytes.js';
import { transmitT0 } from '../transport/t0-exchange.js';
import type { Transport } from '../transport/transport.js';

/** Sends `cmd`; `each` sees every APDU pair on the wire (command, then GET RESPONSE or resend). */
export function exchange(
  transport: Transport,
  cmd: Bytes,
  each?: (command: Bytes, response: Bytes) => void,
): Promise<Bytes> {
  return transmitT0(
    async (c) => {
      const r = await transport.transmit(c);
      each?.(c, r);
      return r;
    },
    cmd,
    { keepLe: true },
  );
}
